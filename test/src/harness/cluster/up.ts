/**
 * `cluster up`: the underlay, then host 1 (OVS, br-phy, etcd or Consul, dockerd), the
 * other hosts in parallel, netmaster on host 1 and an agent on every host.
 * Every daemon is detached, so the cluster outlives this process; pids go to
 * cluster.json after each step, for `status` and `down`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runInNetns } from '../exec';
import { Host, NETMASTER_PORT, serviceMain } from '../host';
import type { ServiceName } from '../host';
import { configurePhysBridge, createUnderlay, plugHost, underlayIp, UNDERLAY_PREFIX_LEN, UPLINK_NIC } from '../underlay';
import type { Say } from './down';
import type { ClusterLayout } from './layout';
import { hostDir, hostKey, hostLogDir, hostNetns } from './layout';
import type { ClusterOptions, ClusterState, HostState, StoreKind } from './state';
import { writeHostEnv, writeState } from './state';
import { CONSUL_HTTP_PORT, ETCD_CLIENT_PORT, startStoreConsul, startStoreEtcd, storeUrl } from './store';

const REQUIRED_COMMANDS = ['ip', 'ping', 'nsenter', 'unshare', 'ethtool', 'curl', 'dockerd', 'docker', 'ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-appctl'];

/** What `up` needs on this machine; the message says how to get it. */
export function checkPrerequisites(store: StoreKind): void {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces, OVS and dockerd need it)');
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  const missing = [...REQUIRED_COMMANDS, store].filter((c) => !dirs.some((d) => isExecutable(path.join(d, c))));
  if (missing.length > 0) throw new Error(`missing commands: ${missing.join(', ')} (run 'make deps')`);
  const unbuilt = (['netmaster', 'netplugin', 'driver-shim', 'netctl'] as const).filter((s) => !fs.existsSync(serviceMain(s)));
  if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.map((s) => `services/${s}`).join(', ')} (run 'make build')`);
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function up(layout: ClusterLayout, options: ClusterOptions, say: Say): Promise<ClusterState> {
  const started = Date.now();
  fs.rmSync(layout.logDir, { recursive: true, force: true });
  fs.mkdirSync(layout.logDir, { recursive: true });
  fs.mkdirSync(layout.dir, { recursive: true });
  const masterIp = underlayIp(1);
  const state: ClusterState = {
    version: 1,
    name: layout.name,
    options,
    clusterStore: storeUrl(options.store, masterIp),
    netmasterUrl: `http://${masterIp}:${NETMASTER_PORT}`,
    createdAt: new Date().toISOString(),
    complete: false,
    hosts: [],
  };
  writeState(layout, state);

  await createUnderlay(layout.underlayNetns);
  say(`underlay ${layout.underlayNetns}: br0 (eth0 of every host), br1 (eth1, VLAN uplinks)`);

  const hosts = new Map<number, Host>();
  const startHost = async (index: number): Promise<void> => {
    const netns = hostNetns(layout, index);
    const dir = hostDir(layout, index);
    const logDir = hostLogDir(layout, index);
    const ip = underlayIp(index);
    const hs: HostState = {
      key: hostKey(index),
      index,
      netns,
      ip,
      dir,
      logDir,
      ovsDir: path.join(dir, 'ovs'),
      dockerHost: `unix://${path.join(dir, 'docker', 'docker.sock')}`,
      pids: {},
    };
    state.hosts.push(hs);
    state.hosts.sort((a, b) => a.index - b.index);
    writeState(layout, state);
    const host = await Host.create(
      {
        name: netns,
        dir,
        address: `${ip}/${UNDERLAY_PREFIX_LEN}`,
        clusterStore: state.clusterStore,
        ...(options.dockerClusterStore ? { dockerClusterStore: true } : {}),
        forwards: [],
        iflist: [UPLINK_NIC],
        ...(options.vxlanPort !== undefined ? { agentEnv: { vxlan_port: String(options.vxlanPort) } } : {}),
        logDir,
        ovsDir: hs.ovsDir,
        debug: options.debug,
        detached: true,
      },
      async (ns, ovs) => {
        await plugHost(layout.underlayNetns, index, ns);
        await configurePhysBridge(ovs.vsctl, ns, index);
        // The store must answer before the engines start when they use it (--cluster-store).
        if (index === 1 && options.store === 'consul') {
          const consul = await startStoreConsul({ netns: ns, ip, nodeName: `${layout.name}-consul`, dataDir: path.join(layout.dir, 'consul'), logFile: path.join(logDir, 'consul.log') });
          hs.pids.consul = consul.pid;
          writeState(layout, state);
          say(`h1: consul (dev agent) on ${ip}:${CONSUL_HTTP_PORT}`);
        } else if (index === 1) {
          const etcd = await startStoreEtcd({ netns: ns, ip, memberName: `${layout.name}-etcd`, dataDir: layout.etcdDir, logFile: path.join(logDir, 'etcd.log') });
          hs.pids.etcd = etcd.pid;
          writeState(layout, state);
          say(`h1: etcd on ${ip}:${ETCD_CLIENT_PORT} (v2 API on)`);
        }
      },
    );
    hosts.set(index, host);
    hs.pids.dockerd = host.dockerd.pid();
    writeState(layout, state);
    say(`${hs.key}: ${netns}, ${ip} on br-phy, OVS, dockerd${options.dockerClusterStore ? ' --cluster-store' : ''}, busybox image`);
  };

  await startHost(1);
  const rest = Array.from({ length: options.hosts - 1 }, (_, k) => k + 2);
  await settleAll(rest.map((i) => startHost(i)));

  const first = hosts.get(1);
  if (!first) throw new Error('host 1 did not start');
  await first.startNetmaster();
  recordPid(state, first, 'netmaster');
  writeState(layout, state);
  say(`h1: netmaster on :${NETMASTER_PORT} (REST and gRPC), plugin mode docker`);

  const controlUrl = `${masterIp}:${NETMASTER_PORT}`;
  await settleAll(
    [...hosts.values()].map(async (h) => {
      await h.startAgent({ controlUrl });
      recordPid(state, h, 'netplugin');
      recordPid(state, h, 'driver-shim');
    }),
  );
  writeState(layout, state);
  say(`netplugin and driver shim on ${[...hosts.keys()].map(hostKey).join(', ')}`);

  fs.mkdirSync(layout.binDir, { recursive: true });
  // `make build` does this too; a bare `tsc -b` leaves the entry point not executable.
  fs.chmodSync(serviceMain('netctl'), 0o755);
  fs.symlinkSync(serviceMain('netctl'), path.join(layout.binDir, 'netctl'));
  for (const h of state.hosts) writeHostEnv(layout, state, h);

  await checkUnderlay(state);
  say(`underlay checks passed: every host pings every other host's address and reaches netmaster over TCP`);
  state.complete = true;
  writeState(layout, state);
  say(`cluster ${layout.name} is up: ${state.hosts.length} host(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return state;
}

function recordPid(state: ClusterState, host: Host, name: ServiceName): void {
  const hs = state.hosts.find((h) => h.netns === host.netns);
  const pid = host.services.get(name)?.pid;
  if (hs && pid !== undefined) hs.pids[name] = pid;
}

/** Like Promise.all, but waits for every promise before failing (nothing keeps running behind our back). */
async function settleAll(ps: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(ps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Hosts reach each other's underlay address (through br-phy) and netmaster's
 * TCP port: what the control plane and the VXLAN tunnels need.
 */
export async function checkUnderlay(state: ClusterState): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    state.hosts.map(async (h) => {
      for (const peer of state.hosts) {
        if (peer === h) continue;
        const r = await runInNetns(h.netns, 'ping', ['-c', '1', '-W', '2', peer.ip], { allowFail: true, timeoutMs: 10_000 });
        if (r.code !== 0) problems.push(`${h.key} cannot ping ${peer.key} (${peer.ip})`);
      }
      const nm = await runInNetns(h.netns, 'curl', ['-fsS', '-m', '5', `${state.netmasterUrl}/info`], { allowFail: true, timeoutMs: 10_000 });
      if (nm.code !== 0) problems.push(`${h.key} cannot reach netmaster at ${state.netmasterUrl}: ${nm.stderr.trim()}`);
    }),
  );
  if (problems.length > 0) throw new Error(`underlay check failed: ${problems.join('; ')}`);
}

