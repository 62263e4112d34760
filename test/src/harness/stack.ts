/**
 * A whole installation for end-to-end tests: the cluster store (etcd, or Consul
 * with CONTIV_E2E_STORE=consul, see store-kind.ts), an underlay switch, N hosts,
 * netmaster on the first host and an agent (netplugin + driver shim) on every
 * host. The underlay is the one of underlay.ts (and of the local-cluster tool).
 *
 * Layout (all names carry a random suffix; nothing touches the root namespace's
 * interfaces, other runs share this machine):
 *
 *   root netns:  etcd|consul 127.0.0.1:P   forwarder: unix store.sock -> 127.0.0.1:P
 *                                                     127.0.0.1:Q -> unix netmaster.sock
 *   <stack>-ul:  Linux bridges br0 and br1 (its own netns: the root netns drops bridged frames)
 *   <stack>-hN:  eth0 on br0, owned by OVS bridge br-phy holding 192.168.250.1N/24;
 *                eth1 on br1 (no address; the agent's --iflist); OVS, dockerd, netplugin, shim,
 *                forwarder: 127.0.0.1:P -> unix store.sock (same port: etcd's
 *                advertised URL, which libkv syncs to, is valid everywhere);
 *                on h1 also netmaster :9999 and unix netmaster.sock -> 127.0.0.1:9999
 *
 * So the test process reaches the store at 127.0.0.1:P and netmaster at 127.0.0.1:Q,
 * and every host reaches the store at 127.0.0.1:P and netmaster at 192.168.250.11:9999
 * (Consul's HTTP API goes through the same forwarders).
 */
import { after, before } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsulServer } from './consul';
import { startConsul } from './consul';
import type { EtcdServer } from './etcd';
import { startEtcd } from './etcd';
import type { Daemon, Forward } from './exec';
import { onExitCleanup, randomSuffix, run, runSyncQuiet, startForwarder } from './exec';
import { Host, NETMASTER_PORT } from './host';
import { freePort } from './ports';
import { e2eStore, type StoreKind } from './store-kind';
import { configurePhysBridge, createUnderlay, MAX_HOSTS, plugHost, underlayIp, UNDERLAY_PREFIX_LEN, UPLINK_NIC } from './underlay';

export interface StackOptions {
  /** Number of hosts (default 1). */
  hosts?: number;
  /** Start dockerd with --cluster-store on our etcd (started with --enable-v2); etcd only. */
  dockerClusterStore?: boolean;
  /** The cluster store (default: CONTIV_E2E_STORE, else etcd). */
  store?: StoreKind;
  /** Start netmaster and the agents (default true). */
  services?: boolean;
  /** Debug logs for our services (default true). */
  debug?: boolean;
  /** Extra environment for every netplugin (settings by their env names, e.g. vxlan_port). */
  agentEnv?: Readonly<Record<string, string>>;
}

export interface Stack {
  readonly name: string;
  readonly dir: string;
  readonly storeKind: StoreKind;
  /** The stack's etcd; throws on a Consul stack (what reads etcd directly is etcd-only). */
  readonly etcd: EtcdServer;
  /** etcd://127.0.0.1:P or consul://127.0.0.1:P, valid in the test process and in every host. */
  readonly clusterStore: string;
  /** The store's HTTP endpoint for the test process (http://127.0.0.1:P): etcd's client URL or Consul's API. */
  readonly storeEndpoint: string;
  /** netmaster REST base URL reachable from the test process. */
  readonly netmasterUrl: string;
  readonly hosts: readonly Host[];
  /** The first host (runs netmaster). */
  readonly host: Host;
  stop(): Promise<void>;
}

export async function createStack(opts: StackOptions = {}): Promise<Stack> {
  const name = `ctv${randomSuffix(5)}`;
  // Short path: unix socket paths below it must stay under 108 bytes.
  const dir = fs.mkdtempSync(path.join('/tmp', `${name}-`));
  const underlay = `${name}-ul`;
  const fwdDir = path.join(dir, 'fwd');
  fs.mkdirSync(fwdDir, { recursive: true });
  const storeSock = path.join(fwdDir, 'store.sock');
  const netmasterSock = path.join(fwdDir, 'netmaster.sock');

  const hosts: Host[] = [];
  const storeKind = opts.store ?? e2eStore();
  if (storeKind === 'consul' && opts.dockerClusterStore === true) {
    // Checked before anything starts; such files skip themselves on Consul (describeOnStore).
    throw new Error("dockerClusterStore needs etcd: Debian's dockerd 20.10 has no Consul backend for --cluster-store");
  }
  let server: EtcdServer | ConsulServer | undefined;
  let etcd: EtcdServer | undefined;
  let rootForwarder: Daemon | undefined;
  let underlayUp = false;
  const unregisterExit = onExitCleanup(() => {
    runSyncQuiet('ip', ['netns', 'del', underlay]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stop = async (): Promise<void> => {
    for (const h of [...hosts].reverse()) await h.stop();
    if (underlayUp) await run('ip', ['netns', 'del', underlay], { allowFail: true });
    await rootForwarder?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    keepLogs(name, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    unregisterExit();
  };

  try {
    if (storeKind === 'consul') {
      // Sessions as short as netmaster's leader lease, as the local cluster's Consul allows (cluster/store.ts).
      server = await startConsul({ sessionTtlMin: '1s' });
    } else {
      etcd = await startEtcd(opts.dockerClusterStore ? { enableV2: true } : {});
      server = etcd;
    }
    const port = server.port;
    const clusterStore = `${storeKind}://127.0.0.1:${port}`;
    const netmasterLocalPort = await freePort();
    rootForwarder = await startForwarder(
      `fwd-${name}`,
      [
        { listen: `unix:${storeSock}`, connect: `tcp:127.0.0.1:${port}` },
        { listen: `tcp:127.0.0.1:${netmasterLocalPort}`, connect: `unix:${netmasterSock}` },
      ],
      { logFile: path.join(dir, 'forwarder.log') },
    );

    const count = opts.hosts ?? 1;
    if (count < 1 || count > MAX_HOSTS) throw new Error(`a stack has 1..${MAX_HOSTS} hosts, not ${count}`);
    await createUnderlay(underlay);
    underlayUp = true;

    for (let i = 1; i <= count; i++) {
      const hostName = `${name}-h${i}`;
      const address = `${underlayIp(i)}/${UNDERLAY_PREFIX_LEN}`;
      const forwards: Forward[] = [{ listen: `tcp:127.0.0.1:${port}`, connect: `unix:${storeSock}` }];
      if (i === 1) forwards.push({ listen: `unix:${netmasterSock}`, connect: `tcp:127.0.0.1:${NETMASTER_PORT}` });
      const host = await Host.create(
        {
          name: hostName,
          dir: path.join(dir, `h${i}`),
          address,
          clusterStore,
          ...(opts.dockerClusterStore ? { dockerClusterStore: true } : {}),
          forwards,
          iflist: [UPLINK_NIC],
          ...(opts.agentEnv ? { agentEnv: opts.agentEnv } : {}),
          ...(opts.debug === false ? { debug: false } : {}),
        },
        async (netns, ovs) => {
          await plugHost(underlay, i, netns);
          await configurePhysBridge(ovs.vsctl, netns, i);
        },
      );
      hosts.push(host);
    }
    const first = hosts[0];
    if (!first) throw new Error('a stack needs at least one host');
    if (opts.services !== false) {
      await first.startNetmaster();
      const controlUrl = `${first.ip ?? '127.0.0.1'}:${NETMASTER_PORT}`;
      for (const h of hosts) await h.startAgent({ controlUrl });
    }
    const etcdServer = etcd;
    return {
      name,
      dir,
      storeKind,
      get etcd(): EtcdServer {
        if (etcdServer === undefined) throw new Error(`stack ${name} keeps its state in ${storeKind}, not etcd`);
        return etcdServer;
      },
      clusterStore,
      storeEndpoint: `http://127.0.0.1:${port}`,
      netmasterUrl: `http://127.0.0.1:${netmasterLocalPort}`,
      hosts,
      host: first,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** Copies the stack's logs to $TMPDIR/contiv-e2e-logs/<name> (the newest 20 are kept). */
function keepLogs(name: string, dir: string): void {
  const base = path.join(os.tmpdir(), 'contiv-e2e-logs');
  try {
    const target = path.join(base, name);
    fs.mkdirSync(target, { recursive: true });
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !/^h\d+$/.test(entry.name)) continue;
      const hostDir = path.join(dir, entry.name);
      const out = path.join(target, entry.name);
      fs.mkdirSync(out, { recursive: true });
      for (const f of [...listLogs(path.join(hostDir, 'logs')), path.join(hostDir, 'docker', 'dockerd.log')]) {
        if (fs.existsSync(f)) fs.copyFileSync(f, path.join(out, path.basename(f)));
      }
    }
    const old = fs
      .readdirSync(base)
      .map((n) => ({ n, t: fs.statSync(path.join(base, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(20);
    for (const o of old) fs.rmSync(path.join(base, o.n), { recursive: true, force: true });
  } catch {
    // logs are a convenience; never fail teardown for them
  }
}

function listLogs(dir: string): string[] {
  try {
    return fs.readdirSync(dir).map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/**
 * node:test fixture: one stack for the enclosing file or describe block, created
 * in before() and torn down in after() even when tests fail.
 */
export function useStack(opts: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  before(async () => {
    stack = await createStack(opts);
  }, { timeout: 240_000 });
  after(async () => {
    await stack?.stop();
  }, { timeout: 240_000 });
  return () => {
    if (!stack) throw new Error('the stack did not start (see the before hook error)');
    return stack;
  };
}
