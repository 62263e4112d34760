/**
 * The local multi-host cluster tool, behind deploy/local-cluster/cluster (which
 * also implements `exec` itself, so a command keeps the terminal and its exit
 * status). See docs/local-cluster.md.
 *
 *   cluster [--name NAME] up [--hosts N] [--mode legacy|swarm] [--plugin binaries|v2] [--store etcd|consul]
 *                            [--cluster-store] [--vxlan-port PORT] [--masters N] [--debug]
 *   cluster [--name NAME] status [--json]
 *   cluster [--name NAME] restart HOST netplugin|driver-shim|netmaster|dockerd|ovs-vswitchd|ovsdb-server|store
 *   cluster [--name NAME] stop|start HOST netplugin|driver-shim|netmaster|ovs-vswitchd|ovsdb-server|store
 *   cluster [--name NAME] down
 *
 * Environment: CONTIV_CLUSTER_NAME (default contiv), CONTIV_CLUSTER_DIR (state,
 * default /var/lib/contiv/cluster), CONTIV_LOG_DIR (logs go to
 * $CONTIV_LOG_DIR/cluster-NAME, default /var/log/contiv).
 */
import { parseArgs } from 'node:util';
import { MAX_HOSTS } from '../underlay';
import { anythingLeft, findLeftovers, teardown } from './down';
import type { ClusterLayout } from './layout';
import { clusterLayout, DEFAULT_BASE_DIR, DEFAULT_LOG_BASE, DEFAULT_NAME } from './layout';
import { acquireLock } from './lock';
import type { ClusterMode, ClusterOptions, PluginKind, StoreKind } from './state';
import { clusterMode, masterCount, pluginKind } from './state';
import { pluginNames } from './plugin';
import { clusterStatus, formatStatus } from './status';
import { checkPrerequisites, up } from './up';
import { KILLABLE, killService, type KillableService } from './kill';
import { parseService, RESTARTABLE, restartService, startService, STOPPABLE, stopService, type StoppableService } from './restart';

const USAGE = `usage: cluster [--name NAME] COMMAND

  up [--hosts N] [--mode legacy|swarm] [--plugin binaries|v2] [--store etcd|consul]
     [--cluster-store] [--vxlan-port PORT] [--masters N] [--debug]
        start N hosts (default 3, at most ${MAX_HOSTS}); cleans up a crashed earlier run first
        --masters N: netmaster on h1..hN (default 1): one leads, the others forward to it
        --plugin binaries (default): netmaster, netplugin and the driver shim as host processes
        --plugin v2: the managed plugin contiv/v2plugin, built once, pushed to a registry on every
                     host's localhost:5000 and installed on every host (h1 master)
        --mode legacy (default): standalone engines (plugin_mode=docker)
        --mode swarm: the engines form a swarm, h1 manager (needs --plugin v2; plugin_mode=swarm-mode)
  exec HOST [--] CMD...
        run CMD in HOST (h1, h2, ...) with DOCKER_HOST, NETMASTER and netctl set
  status [--json]
        what runs; exit 0 when everything is up, 1 when something is missing, 3 when nothing is up
  restart HOST netplugin|driver-shim|netmaster|dockerd|ovs-vswitchd|ovsdb-server|store
        stop one service on HOST and start it again the same way (store, or etcd: the cluster
        store on h1; ovs-vswitchd comes back with flow-restore-wait until the agent restored its flows)
  stop HOST SERVICE, start HOST SERVICE
        the two halves of restart, for an outage of any length (not dockerd)
  kill HOST netmaster|netplugin|driver-shim
        SIGKILL it, as a crash would; start HOST SERVICE brings it back
  down
        remove everything up made (logs stay)

NAME defaults to $CONTIV_CLUSTER_NAME or "${DEFAULT_NAME}"; state in $CONTIV_CLUSTER_DIR/NAME
(default ${DEFAULT_BASE_DIR}), logs in $CONTIV_LOG_DIR/cluster-NAME (default ${DEFAULT_LOG_BASE}).`;

class UsageError extends Error {}

const say = (m: string): void => console.log(`[cluster] ${m}`);

async function main(argv: string[]): Promise<number> {
  let name = process.env['CONTIV_CLUSTER_NAME'] || DEFAULT_NAME;
  const args = [...argv];
  while (args[0] === '--name' || args[0]?.startsWith('--name=')) {
    const a = args.shift() ?? '';
    name = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args.shift() ?? '');
  }
  const command = args.shift();
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const layout = clusterLayout(name, process.env['CONTIV_CLUSTER_DIR'] || DEFAULT_BASE_DIR, process.env['CONTIV_LOG_DIR'] || DEFAULT_LOG_BASE);
  switch (command) {
    case 'up':
      return locked(layout, () => cmdUp(layout, args));
    case 'down':
      return locked(layout, () => cmdDown(layout, args));
    case 'status':
      return cmdStatus(layout, args);
    case 'restart':
      return locked(layout, () => cmdRestart(layout, args));
    case 'stop':
    case 'start':
      return locked(layout, () => cmdStopStart(layout, command, args));
    case 'kill':
      return locked(layout, () => cmdKill(layout, args));
    case 'exec':
      throw new UsageError('exec is run by deploy/local-cluster/cluster itself');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function cmdRestart(layout: ClusterLayout, args: string[]): Promise<number> {
  const [host, name, ...rest] = args;
  if (host === undefined || name === undefined || rest.length > 0) throw new UsageError('restart takes HOST and SERVICE, e.g. restart h2 netplugin');
  const service = parseService(name);
  if (service === undefined) throw new UsageError(`restart: SERVICE must be one of ${RESTARTABLE.join(', ')} (etcd and consul name the store), not "${name}"`);
  await restartService(layout, host, service, say);
  return 0;
}

async function cmdKill(layout: ClusterLayout, args: string[]): Promise<number> {
  const [host, service, ...rest] = args;
  if (host === undefined || service === undefined || rest.length > 0) throw new UsageError('kill takes HOST and SERVICE, e.g. kill h1 netmaster');
  if (!(KILLABLE as readonly string[]).includes(service)) throw new UsageError(`kill: SERVICE must be one of ${KILLABLE.join(', ')}, not "${service}"`);
  await killService(layout, host, service as KillableService, say);
  return 0;
}

async function cmdStopStart(layout: ClusterLayout, command: 'stop' | 'start', args: string[]): Promise<number> {
  const [host, name, ...rest] = args;
  if (host === undefined || name === undefined || rest.length > 0) throw new UsageError(`${command} takes HOST and SERVICE, e.g. ${command} h1 store`);
  const service = parseService(name);
  if (service === undefined || !(STOPPABLE as readonly string[]).includes(service)) {
    throw new UsageError(`${command}: SERVICE must be one of ${STOPPABLE.join(', ')} (etcd and consul name the store), not "${name}"`);
  }
  await (command === 'stop' ? stopService : startService)(layout, host, service as StoppableService, say);
  return 0;
}

async function locked(layout: ClusterLayout, fn: () => Promise<number>): Promise<number> {
  const release = acquireLock(layout.name);
  try {
    return await fn();
  } finally {
    release();
  }
}

function parseUp(args: string[]): ClusterOptions {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string' },
      store: { type: 'string' },
      mode: { type: 'string' },
      plugin: { type: 'string' },
      'cluster-store': { type: 'boolean' },
      'vxlan-port': { type: 'string' },
      masters: { type: 'string' },
      debug: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const hosts = Number(values.hosts ?? '3');
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > MAX_HOSTS) throw new UsageError(`--hosts must be 1..${MAX_HOSTS}, not "${values.hosts ?? ''}"`);
  const store = (values.store ?? 'etcd') as StoreKind;
  if (store !== 'etcd' && store !== 'consul') throw new UsageError(`--store must be etcd or consul, not "${String(store)}"`);
  if (store === 'consul' && values['cluster-store'] === true) {
    // Tried: Debian's docker.io 20.10 is built without libkv's Consul backend.
    throw new UsageError(
      '--cluster-store needs --store etcd: Debian\'s dockerd 20.10 has no Consul backend for --cluster-store ' +
        '("discovery initialization failed (discovery service not supported)"); netmaster and the agents use Consul fine without it',
    );
  }
  const mode = (values.mode ?? 'legacy') as ClusterMode;
  if (mode !== 'legacy' && mode !== 'swarm') throw new UsageError(`--mode must be legacy or swarm, not "${String(mode)}"`);
  const plugin = (values.plugin ?? 'binaries') as PluginKind;
  if (plugin !== 'binaries' && plugin !== 'v2') throw new UsageError(`--plugin must be binaries or v2, not "${String(plugin)}"`);
  if (mode === 'swarm' && plugin !== 'v2') {
    // ENVIRONMENT.md §4.5: swarm services cannot use a legacy (socket-file) plugin.
    throw new UsageError('--mode swarm needs --plugin v2: swarm services use managed plugins only');
  }
  if (mode === 'swarm' && values['cluster-store'] === true) {
    throw new UsageError('--mode swarm cannot go with --cluster-store: Docker refuses swarm mode on an engine with --cluster-store');
  }
  let vxlanPort: number | undefined;
  if (values['vxlan-port'] !== undefined) {
    vxlanPort = Number(values['vxlan-port']);
    if (!Number.isInteger(vxlanPort) || vxlanPort < 1 || vxlanPort > 65535) throw new UsageError(`--vxlan-port must be a UDP port, not "${values['vxlan-port']}"`);
  }
  const masters = Number(values.masters ?? '1');
  if (!Number.isInteger(masters) || masters < 1 || masters > hosts) throw new UsageError(`--masters must be 1..${hosts} (at most --hosts), not "${values.masters ?? ''}"`);
  if (masters > 1 && plugin === 'v2') throw new UsageError('--masters needs --plugin binaries (the managed plugin runs netmaster on h1 only)');
  return {
    hosts,
    store,
    dockerClusterStore: values['cluster-store'] === true,
    ...(vxlanPort !== undefined ? { vxlanPort } : {}),
    debug: values.debug === true,
    mode,
    plugin,
    ...(masters > 1 ? { masters } : {}),
  };
}

function sameOptions(a: ClusterOptions, b: ClusterOptions): boolean {
  return a.hosts === b.hosts && a.store === b.store && a.dockerClusterStore === b.dockerClusterStore && a.vxlanPort === b.vxlanPort && a.debug === b.debug &&
    clusterMode(a) === clusterMode(b) && pluginKind(a) === pluginKind(b) && masterCount(a) === masterCount(b);
}

function tool(layout: ClusterLayout): string {
  const base = process.env['CONTIV_CLUSTER_TOOL'] || 'deploy/local-cluster/cluster';
  return layout.name === DEFAULT_NAME ? base : `${base} --name ${layout.name}`;
}

async function cmdUp(layout: ClusterLayout, args: string[]): Promise<number> {
  const options = parseUp(args);
  checkPrerequisites(options.store, options.plugin);
  const left = await findLeftovers(layout);
  if (left.state?.complete) {
    const st = await clusterStatus(layout, left);
    if (st.state === 'up') {
      if (sameOptions(left.state.options, options)) {
        say(`cluster ${layout.name} is already up (run down first to rebuild it)`);
        console.log(formatStatus(st));
        return 0;
      }
      console.error(`[cluster] cluster ${layout.name} is up with other settings (${JSON.stringify(left.state.options)}); run '${tool(layout)} down' first`);
      return 1;
    }
  }
  if (anythingLeft(left)) {
    say(`cleaning up what an earlier run of cluster ${layout.name} left behind`);
    await teardown(layout, say);
  }
  try {
    await up(layout, options, say);
  } catch (err) {
    console.error(`[cluster] up failed: ${err instanceof Error ? err.message : String(err)}`);
    say(`removing what was started; logs stay in ${layout.logDir}`);
    await teardown(layout, say);
    return 1;
  }
  const t = tool(layout);
  if (options.plugin === 'v2') {
    const p = pluginNames().name;
    const next =
      options.mode === 'swarm'
        ? [
            'docker node ls',
            `docker network create svc-net1 --subnet 100.1.1.0/24 --gateway 100.1.1.254 -d ${p} --ipam-driver ${p}`,
            'docker service create --name my-db --replicas 3 --network svc-net1 --endpoint-mode dnsrr --no-resolve-image busybox sleep 100000',
            'docker service ps my-db',
          ].map((c) => `${t} exec h1 -- ${c}`)
        : [
            `${t} exec h1 -- netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100`,
            `${t} exec h1 -- docker run -itd --net=contiv-net --name=c1 busybox /bin/sh`,
            `${t} exec h${options.hosts} -- docker run --rm --net=contiv-net busybox ping -c2 c1`,
          ];
    console.log(`
Try:
  ${t} exec h1 -- docker plugin ls
  ${t} exec h1 -- cat /var/log/contiv/plugin_bootup.log
${next.map((c) => `  ${c}`).join('\n')}
  ${t} status
Logs: ${layout.logDir}; each host's plugin logs in its own /var/log/contiv (as exec sees it)   Stop: ${t} down`);
    return 0;
  }
  console.log(`
Try:
  ${t} exec h1 -- netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100
  ${t} exec h1 -- docker run -itd --net=contiv-net --name=c1 busybox /bin/sh
  ${t} exec h${options.hosts} -- docker run --rm --net=contiv-net busybox ping -c2 c1
  ${t} status
Logs: ${layout.logDir}   Stop: ${t} down${layout.name === DEFAULT_NAME ? ' (or make demo-cluster-down)' : ''}`);
  return 0;
}

async function cmdDown(layout: ClusterLayout, args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`down takes no arguments (got ${args.join(' ')})`);
  if (process.getuid?.() !== 0) throw new Error('run as root');
  const removed = await teardown(layout, say);
  say(removed ? `cluster ${layout.name} is down (logs kept in ${layout.logDir})` : `cluster ${layout.name} is not up: nothing to do`);
  return 0;
}

async function cmdStatus(layout: ClusterLayout, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  const st = await clusterStatus(layout, await findLeftovers(layout));
  console.log(values.json === true ? JSON.stringify(st, null, 2) : formatStatus(st));
  return st.state === 'up' ? 0 : st.state === 'degraded' ? 1 : 3;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`[cluster] ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`[cluster] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
