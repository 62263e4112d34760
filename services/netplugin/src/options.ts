/**
 * netplugin settings: defaults < env (the v2plugin args arrive as env, with
 * Contiv's names) < flags. The only file of the agent that reads the
 * environment or argv; the result is frozen and passed down.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MutualTls } from '@contiv/rpc';
import { DEFAULT_LOG_DIR, envList, envString, isDebugFlag, type Env } from '@contiv/runtime';
import { parseListenAddress, type ListenAddress } from '@contiv/runtime/metrics';
import type { DatapathSetting } from './ovs/bridge-setup';
import { parseUpstreamSetting, type UpstreamSetting } from './dns/upstreams';

export type PluginMode = 'docker' | 'swarm-mode';

export const DEFAULT_CLUSTER_STORE = 'etcd://127.0.0.1:2379';
export const DEFAULT_CONTROL_URL = ':9999';
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
export const DEFAULT_OVSDB = 'unix:/var/run/openvswitch/db.sock';
export const DEFAULT_BRIDGE = 'contivbr';
export const DEFAULT_AGENT_SOCKET = '/run/contiv/netplugin.sock';
export const DEFAULT_DRIVER_NAME = 'netplugin';
export const DEFAULT_STATE_DIR = '/var/lib/contiv/netplugin';
/**
 * Not 4789: Docker swarm's overlay uses 4789 on the same addresses, and OVS's
 * userspace tunnel would swallow its packets (ENVIRONMENT.md §3). 8472 is the
 * Linux kernel's historical VXLAN port (Contiv's v2plugin meant it, and wrote 8742).
 */
export const DEFAULT_VXLAN_PORT = 8472;
export const DEFAULT_RECONCILE_INTERVAL_S = 60;

export interface NetpluginConfig {
  readonly clusterStore: string;
  readonly controlUrl: string;
  readonly ctrlIp: string;
  readonly vtepIp: string;
  readonly iflist: readonly string[];
  /** UDP destination port of the VXLAN tunnels; every host of a cluster must use the same. */
  readonly vxlanPort: number;
  readonly pluginMode: PluginMode;
  readonly hostName: string;
  readonly dockerHost: string;
  readonly ovsdb: string;
  /** The bridge's OpenFlow endpoint: `unix:<rundir>/<bridge>.mgmt` or `tcp:host:port`. */
  readonly openflow: string;
  readonly bridge: string;
  readonly datapath: DatapathSetting;
  readonly agentSocket: string;
  readonly driverName: string;
  readonly stateDir: string;
  readonly logDir: string;
  readonly debug: boolean;
  /** How often endpoints, ports and addresses are reconciled after the startup pass (controller/endpoint-reconciler.ts). */
  readonly reconcileIntervalMs: number;
  /** Mutual TLS to netmaster's gRPC API (docs/security.md); absent: plaintext. */
  readonly grpcTls?: MutualTls;
  /** Where `GET /metrics` is served (docs/metrics.md); absent: nowhere. */
  readonly metricsListen?: ListenAddress;
  /** Where the DNS responder forwards names it does not know (docs/dns.md). */
  readonly dnsUpstream: UpstreamSetting;
}

export const USAGE = `usage: netplugin [options]

  --cluster-store URL   etcd://host:port or consul://host:port (env cluster_store, default ${DEFAULT_CLUSTER_STORE})
  --control-url ADDR    netmaster's gRPC address, host:port or :port (env control_url, default ${DEFAULT_CONTROL_URL})
  --ctrl-ip IP          this host's control address (env ctrl_ip, default: first non-loopback IPv4)
  --vtep-ip IP          this host's VTEP address (env vtep_ip, default: --ctrl-ip)
  --iflist IF[,IF]      uplink interfaces (env iflist); their smallest MTU sets the container MTU
  --vxlan-port PORT     UDP port of the VXLAN tunnels, the same on every host (env vxlan_port, default ${DEFAULT_VXLAN_PORT};
                        not 4789, which Docker swarm's overlay uses)
  --plugin-mode MODE    docker (legacy) or swarm-mode (env plugin_mode, default docker)
  --host-name NAME      node name (env CONTIV_HOSTNAME, default the host name)
  --docker-host URL     Docker engine (env DOCKER_HOST, default ${DEFAULT_DOCKER_HOST})
  --ovsdb ENDPOINT      OVSDB server (env CONTIV_OVSDB, default ${DEFAULT_OVSDB})
  --openflow ENDPOINT   the bridge's OpenFlow endpoint (env CONTIV_OPENFLOW, default unix:<dir of the
                        OVSDB socket>/<bridge>.mgmt)
  --bridge NAME         OVS bridge (env CONTIV_BRIDGE, default ${DEFAULT_BRIDGE})
  --datapath DP         auto, system or netdev (env CONTIV_DATAPATH, default auto)
  --agent-socket PATH   socket for the driver shim (env CONTIV_AGENT_SOCKET, default ${DEFAULT_AGENT_SOCKET})
  --driver-name NAME    Docker driver/IPAM name of the networks the agent creates (env CONTIV_DRIVER_NAME, default ${DEFAULT_DRIVER_NAME})
  --state-dir DIR       local state (env CONTIV_STATE_DIR, default ${DEFAULT_STATE_DIR})
  --log-dir DIR         log directory for netplugin.log (env CONTIV_LOG_DIR, default ${DEFAULT_LOG_DIR})
  --debug               debug logging (env dbg_flag=-debug)
  --reconcile-interval S  seconds between passes that free what crashes left behind (ports, records,
                        addresses nothing uses) (env CONTIV_RECONCILE_INTERVAL, default ${DEFAULT_RECONCILE_INTERVAL_S})
  --grpc-tls-ca FILE    CA netmaster's gRPC certificate must be signed by; with the two below, the
                        agent speaks mutual TLS to netmaster (env CONTIV_GRPC_TLS_CA)
  --grpc-tls-cert FILE  this agent's client certificate (env CONTIV_GRPC_TLS_CERT)
  --grpc-tls-key FILE   its private key (env CONTIV_GRPC_TLS_KEY)
  --metrics-listen ADDR serve Prometheus metrics at http://ADDR/metrics: host:port, [IPv6]:port or :port
                        (every address) (env metrics_listen, default: off; docs/metrics.md)
  --dns-upstream LIST   servers the DNS responder forwards unknown names to, IP[:PORT] or [IPv6]:PORT,
                        comma-separated, or none (unknown names get NXDOMAIN) (env dns_upstream,
                        default: the nameservers of the host's /etc/resolv.conf)
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function firstIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * ovs-vswitchd puts `<bridge>.mgmt` in its run directory, which is where the
 * OVSDB socket lives too unless someone moved one of them.
 */
export function defaultOpenflowEndpoint(ovsdb: string, bridge: string): string {
  const m = /^unix:(.+)\/[^/]+$/.exec(ovsdb);
  return `unix:${m?.[1] ?? '/var/run/openvswitch'}/${bridge}.mgmt`;
}

export function loadConfig(argv: readonly string[], env: Env, detectIp: () => string = firstIPv4): NetpluginConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        'cluster-store': { type: 'string' },
        'control-url': { type: 'string' },
        'ctrl-ip': { type: 'string' },
        'vtep-ip': { type: 'string' },
        iflist: { type: 'string' },
        'vxlan-port': { type: 'string' },
        openflow: { type: 'string' },
        'plugin-mode': { type: 'string' },
        'host-name': { type: 'string' },
        'docker-host': { type: 'string' },
        ovsdb: { type: 'string' },
        bridge: { type: 'string' },
        datapath: { type: 'string' },
        'agent-socket': { type: 'string' },
        'driver-name': { type: 'string' },
        'state-dir': { type: 'string' },
        'log-dir': { type: 'string' },
        debug: { type: 'boolean' },
        'reconcile-interval': { type: 'string' },
        'grpc-tls-ca': { type: 'string' },
        'grpc-tls-cert': { type: 'string' },
        'grpc-tls-key': { type: 'string' },
        'metrics-listen': { type: 'string' },
        'dns-upstream': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  const ctrlIp = v['ctrl-ip'] ?? envString(env, 'ctrl_ip') ?? detectIp();
  const iflist = v.iflist !== undefined ? v.iflist.split(',').map((s) => s.trim()).filter(Boolean) : (envList(env, 'iflist') ?? []);
  const ovsdb = v.ovsdb ?? envString(env, 'CONTIV_OVSDB') ?? DEFAULT_OVSDB;
  const bridge = v.bridge ?? envString(env, 'CONTIV_BRIDGE') ?? DEFAULT_BRIDGE;
  const vxlanPortText = v['vxlan-port'] ?? envString(env, 'vxlan_port') ?? String(DEFAULT_VXLAN_PORT);
  const reconcileText = v['reconcile-interval'] ?? envString(env, 'CONTIV_RECONCILE_INTERVAL') ?? String(DEFAULT_RECONCILE_INTERVAL_S);
  const c = {
    clusterStore: v['cluster-store'] ?? envString(env, 'cluster_store') ?? DEFAULT_CLUSTER_STORE,
    controlUrl: v['control-url'] ?? envString(env, 'control_url') ?? DEFAULT_CONTROL_URL,
    ctrlIp,
    vtepIp: v['vtep-ip'] ?? envString(env, 'vtep_ip') ?? ctrlIp,
    iflist,
    vxlanPort: /^\d{1,5}$/.test(vxlanPortText) ? Number(vxlanPortText) : NaN,
    pluginMode: (v['plugin-mode'] ?? envString(env, 'plugin_mode') ?? 'docker') as PluginMode,
    hostName: v['host-name'] ?? envString(env, 'CONTIV_HOSTNAME') ?? os.hostname(),
    dockerHost: v['docker-host'] ?? envString(env, 'DOCKER_HOST') ?? DEFAULT_DOCKER_HOST,
    ovsdb,
    openflow: v.openflow ?? envString(env, 'CONTIV_OPENFLOW') ?? defaultOpenflowEndpoint(ovsdb, bridge),
    bridge,
    datapath: (v.datapath ?? envString(env, 'CONTIV_DATAPATH') ?? 'auto') as DatapathSetting,
    agentSocket: v['agent-socket'] ?? envString(env, 'CONTIV_AGENT_SOCKET') ?? DEFAULT_AGENT_SOCKET,
    driverName: v['driver-name'] ?? envString(env, 'CONTIV_DRIVER_NAME') ?? DEFAULT_DRIVER_NAME,
    stateDir: v['state-dir'] ?? envString(env, 'CONTIV_STATE_DIR') ?? DEFAULT_STATE_DIR,
    logDir: v['log-dir'] ?? envString(env, 'CONTIV_LOG_DIR') ?? DEFAULT_LOG_DIR,
    debug: v.debug === true || isDebugFlag(envString(env, 'dbg_flag')),
    reconcileIntervalMs: /^\d{1,6}$/.test(reconcileText) ? Number(reconcileText) * 1000 : NaN,
  };
  const problems: string[] = [];
  if (c.pluginMode !== 'docker' && c.pluginMode !== 'swarm-mode') problems.push(`--plugin-mode must be docker or swarm-mode, not "${String(c.pluginMode)}"`);
  if (!['auto', 'system', 'netdev'].includes(c.datapath)) problems.push(`--datapath must be auto, system or netdev, not "${c.datapath}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(c.bridge)) problems.push(`--bridge "${c.bridge}" is not a valid interface name (at most 15 characters)`);
  if (!c.agentSocket.startsWith('/')) problems.push(`--agent-socket must be an absolute path, not "${c.agentSocket}"`);
  if (!c.hostName) problems.push('--host-name must not be empty');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/.test(c.driverName)) problems.push(`--driver-name "${c.driverName}" is not a valid Docker driver name`);
  if (!Number.isInteger(c.vxlanPort) || c.vxlanPort < 1 || c.vxlanPort > 65535) problems.push(`--vxlan-port "${vxlanPortText}" is not a UDP port (1-65535)`);
  if (!/^(unix:\/|tcp:)/.test(c.openflow)) problems.push(`--openflow "${c.openflow}" must be unix:/path or tcp:host:port`);
  if (c.ctrlIp && !IPV4.test(c.ctrlIp)) problems.push(`--ctrl-ip "${c.ctrlIp}" is not an IPv4 address`);
  if (c.vtepIp && !IPV4.test(c.vtepIp)) problems.push(`--vtep-ip "${c.vtepIp}" is not an IPv4 address`);
  if (!(c.reconcileIntervalMs >= 1000)) problems.push(`--reconcile-interval "${reconcileText}" must be a whole number of seconds, at least 1`);
  if (!/^(etcd|consul):\/\//.test(c.clusterStore)) problems.push(`--cluster-store "${c.clusterStore}" must be etcd://host:port or consul://host:port`);
  const dnsUpstreamText = v['dns-upstream'] ?? envString(env, 'dns_upstream');
  const dnsUpstream = parseUpstreamSetting(dnsUpstreamText);
  if (!dnsUpstream.ok) problems.push(`--dns-upstream "${dnsUpstreamText ?? ''}": ${dnsUpstream.reason}`);
  const metricsText = v['metrics-listen'] ?? envString(env, 'metrics_listen');
  let metricsListen: ListenAddress | undefined;
  if (metricsText !== undefined && metricsText !== '') {
    try {
      metricsListen = parseListenAddress(metricsText);
    } catch (err) {
      problems.push(`--metrics-listen ${(err as Error).message}`);
    }
  }
  const grpcTls = loadGrpcTls(v['grpc-tls-ca'] ?? envString(env, 'CONTIV_GRPC_TLS_CA'), v['grpc-tls-cert'] ?? envString(env, 'CONTIV_GRPC_TLS_CERT'), v['grpc-tls-key'] ?? envString(env, 'CONTIV_GRPC_TLS_KEY'), problems);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return Object.freeze({ ...c, dnsUpstream: dnsUpstream.ok ? dnsUpstream.value : { kind: 'none' as const }, ...(grpcTls ? { grpcTls } : {}), ...(metricsListen ? { metricsListen } : {}) });
}

/** All three files or none; read and checked now, so a wrong one stops the start with its name. */
function loadGrpcTls(ca: string | undefined, cert: string | undefined, key: string | undefined, problems: string[]): MutualTls | undefined {
  const given = [ca, cert, key].filter((f) => f !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3 || ca === undefined || cert === undefined || key === undefined) {
    problems.push('--grpc-tls-ca, --grpc-tls-cert and --grpc-tls-key go together: give all three or none');
    return undefined;
  }
  try {
    return MutualTls.load(ca, cert, key, { ca: '--grpc-tls-ca', cert: '--grpc-tls-cert', key: '--grpc-tls-key' });
  } catch (err) {
    problems.push((err as Error).message);
    return undefined;
  }
}
