/**
 * `cluster up`: the underlay, then host 1 (OVS, br-phy, etcd or Consul, dockerd), the
 * other hosts in parallel, netmaster on host 1 and an agent on every host; or,
 * with `--plugin v2`, the managed plugin on every host (and a swarm with `--mode swarm`).
 * Every daemon is detached, so the cluster outlives this process; pids go to
 * cluster.json after each step, for `status` and `down`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runInNetns, sleep } from '../exec';
import { Host, NETMASTER_PORT, serviceMain } from '../host';
import type { ServiceName } from '../host';
import { configurePhysBridge, createUnderlay, plugHost, underlayIp, UNDERLAY_PREFIX_LEN, UPLINK_NIC } from '../underlay';
import type { Say } from './down';
import type { ClusterLayout } from './layout';
import { hostDir, hostKey, hostLogDir, hostNetns } from './layout';
import { buildAndPush, installArgs, installPlugin, pluginNames } from './plugin';
import { prepareRegistry, REGISTRY_PORT, registryDeb, DEB_CACHE, startRegistry } from './registry';
import type { ClusterOptions, ClusterState, HostState, StoreKind } from './state';
import { clusterMode, masterCount, pluginKind, writeHostEnv, writeState } from './state';
import { formSwarm, SWARM_DATA_PATH_PORT, waitNodesAdvertise } from './swarm';
import { CONSUL_HTTP_PORT, ETCD_CLIENT_PORT, startStoreConsul, startStoreEtcd, storeUrl } from './store';

const REQUIRED_COMMANDS = ['ip', 'ping', 'nsenter', 'unshare', 'ethtool', 'curl', 'dockerd', 'docker', 'ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-appctl'];

/** What `up` needs on this machine; the message says how to get it. */
export function checkPrerequisites(store: StoreKind, plugin: ClusterOptions['plugin'] = 'binaries'): void {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespaces, OVS and dockerd need it)');
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  const needs = plugin === 'v2' ? [...REQUIRED_COMMANDS, store, 'dpkg', 'busybox'] : [...REQUIRED_COMMANDS, store];
  const missing = needs.filter((c) => !dirs.some((d) => isExecutable(path.join(d, c))));
  if (missing.length > 0) throw new Error(`missing commands: ${missing.join(', ')} (run 'make deps')`);
  const unbuilt = (['netmaster', 'netplugin', 'driver-shim', 'netctl'] as const).filter((s) => !fs.existsSync(serviceMain(s)));
  if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.map((s) => `services/${s}`).join(', ')} (run 'make build')`);
  if (plugin === 'v2' && registryDeb() === undefined) throw new Error(`--plugin v2 needs Debian's docker-registry .deb in ${DEB_CACHE} (run 'make deps')`);
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
          say(`h1: consul (one-node server) on ${ip}:${CONSUL_HTTP_PORT}`);
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
  if (pluginKind(options) === 'v2') {
    await startPluginV2(layout, state, options, say);
  } else {
    await first.startNetmaster();
    recordPid(state, first, 'netmaster');
    writeState(layout, state);
    say(`h1: netmaster on :${NETMASTER_PORT} (REST and gRPC), plugin mode docker`);
    // --masters N: more netmasters on h2..hN, following h1's (they forward to the leader).
    const masters = masterCount(options);
    for (let i = 2; i <= masters; i++) {
      const h = hosts.get(i);
      if (!h) throw new Error(`host ${i} did not start`);
      await h.startNetmaster({ follower: true });
      recordPid(state, h, 'netmaster');
      writeState(layout, state);
      say(`${hostKey(i)}: netmaster on :${NETMASTER_PORT}, following the leader`);
    }

    // With several netmasters the agents follow the leader lock (control_url without a host).
    const controlUrl = masters > 1 ? `:${NETMASTER_PORT}` : `${masterIp}:${NETMASTER_PORT}`;
    await settleAll(
      [...hosts.values()].map(async (h) => {
        await h.startAgent({ controlUrl });
        recordPid(state, h, 'netplugin');
        recordPid(state, h, 'driver-shim');
      }),
    );
    writeState(layout, state);
    say(`netplugin and driver shim on ${[...hosts.keys()].map(hostKey).join(', ')}`);
  }

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

/**
 * `--plugin v2`: a registry per host, the plugin built and pushed once, then
 * installed on every host (h1 master); with `--mode swarm` the swarm first,
 * and `up` returns once every node advertises the plugin.
 */
async function startPluginV2(layout: ClusterLayout, state: ClusterState, options: ClusterOptions, say: Say): Promise<void> {
  const regDir = path.join(layout.dir, 'registry');
  const reg = await prepareRegistry(regDir);
  await settleAll(
    state.hosts.map(async (h) => {
      const d = await startRegistry(h.netns, reg.bin, reg.config, path.join(h.logDir, 'registry.log'));
      h.pids.registry = d.pid;
    }),
  );
  writeState(layout, state);
  say(`registry (Debian docker-registry) on 127.0.0.1:${REGISTRY_PORT} of every host, storage ${path.join(regDir, 'data')}`);

  const plugin = pluginNames();
  state.plugin = plugin;
  writeState(layout, state);
  const h1 = state.hosts[0];
  if (!h1) throw new Error('host 1 did not start');
  await buildAndPush(h1, path.join(layout.dir, 'v2plugin-build'), plugin, say);

  const swarm = clusterMode(options) === 'swarm';
  if (swarm) {
    await formSwarm(state.hosts);
    say(`swarm: h1 manager (advertise ${h1.ip}, data path port ${SWARM_DATA_PATH_PORT}), ${state.hosts.length - 1} worker(s)`);
  }
  await settleAll(state.hosts.map((h) => installPlugin(h, plugin, installArgs(state, h, options, plugin))));
  say(`docker plugin install --alias ${plugin.name} ${plugin.remote} on ${state.hosts.map((h) => h.key).join(', ')}: enabled (h1 master, plugin_mode=${swarm ? 'swarm-mode' : 'docker'})`);
  await waitNetmasterLeader(h1.netns, state.netmasterUrl);
  if (swarm) {
    await waitNodesAdvertise(state.hosts, plugin.name);
    say(`every swarm node is Ready and advertises the network plugin ${plugin.name}`);
  }
}

/** netmaster inside h1's plugin elects itself leader a moment after the plugin is enabled. */
async function waitNetmasterLeader(netns: string, url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await runInNetns(netns, 'curl', ['-fsS', '-m', '2', `${url}/info`], { allowFail: true, timeoutMs: 5_000 });
    if (r.code === 0 && /"current-state"\s*:\s*"leader"/.test(r.stdout)) return;
    if (Date.now() > deadline) throw new Error(`netmaster in h1's plugin is not leader after 60 s (${url}/info: ${(r.stdout || r.stderr).trim().slice(0, 200)})`);
    await sleep(250);
  }
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

