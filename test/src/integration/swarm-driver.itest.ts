/**
 * Swarm mode through the real driver shims and agents: three "nodes" (m1, the
 * manager, and w1, w2), each a netns with its own OVS, netplugin (own state
 * dir and agent socket) and driver shim, against one real etcd and a real
 * netmaster. No dockerd: each agent's engine is a small stand-in that says
 * "swarm active" and, on the manager, knows the swarm networks' names; the
 * plugin calls are made exactly as swarm's allocator (on the manager) and each
 * node's libnetwork make them (PROTOCOLS.md §3.5, ENVIRONMENT.md §5.4):
 *
 *   manager: RequestPool, gateway RequestAddress, AllocateNetwork, then a
 *            RequestAddress per task and per VIP (serial option set);
 *   node of a task: CreateNetwork (the manager's options), RequestPool,
 *            RequestAddress with the task's address, CreateEndpoint, Join;
 *            later DeleteEndpoint + ReleaseAddress;
 *   manager: ReleaseAddress of the task, of the VIP, then FreeNetwork.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  endpointKey,
  endpointStateCodec,
  ipAllocationCodec,
  ipAllocPrefix,
  networkStateCodec,
  networkStateKey,
  dockerNetworkKey,
} from '@contiv/model';
import { createStore, type Store } from '@contiv/store';
import { startEtcd, type EtcdServer } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { onExitCleanup, randomSuffix, run, runSyncQuiet, startDaemon, startForwarder, tailFile, type Daemon } from '../harness/exec';
import { startOvs, type Ovs } from '../harness/ovs';
import { freePort } from '../harness/ports';
import { BRIDGE, pluginCall, serviceMain, type PluginReply } from './netplugin-rig';

const SERIAL = { 'com.docker.network.ipam.serial': 'true' };
const GATEWAY = { RequestAddressType: 'com.docker.network.gateway' };
const NET1 = '5a'.repeat(32);
const NET2 = '6b'.repeat(32);
const POOL1 = 'docker|100.1.1.0/24';
const epId = (node: number, n: number): string => `${node}${n}`.repeat(32);
const bare = (cidr: string): string => cidr.split('/')[0] as string;

interface DockerNetworkView {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope: string;
  readonly Options: Record<string, string>;
  readonly IPAM: { Driver: string; Config: Array<{ Subnet?: string; Gateway?: string }> };
}

/** The few Engine API answers an agent asks for: /info (in swarm) and the networks it knows. */
class EngineStandIn {
  readonly networks = new Map<string, DockerNetworkView>();
  private server: http.Server | undefined;

  constructor(
    readonly socket: string,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const p = url.pathname.replace(/^\/v[\d.]+/, '');
      if (req.method === 'GET' && p === '/info') return reply(200, { Name: this.name, ServerVersion: '28.0.0', Swarm: { LocalNodeState: 'active' } });
      if (req.method === 'GET' && p === '/networks') return reply(200, [...this.networks.values()]);
      const m = /^\/networks\/([^/]+)$/.exec(p);
      if (req.method === 'GET' && m) {
        const n = this.networks.get(decodeURIComponent(m[1] as string));
        return n ? reply(200, { ...n, Containers: {} }) : reply(404, { message: 'network not found' });
      }
      return reply(404, { message: `no such call ${req.method} ${p}` });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.socket, resolve);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface SwarmNode {
  readonly name: string;
  readonly ovs: Ovs;
  readonly engine: EngineStandIn;
  call(method: string, body?: unknown): Promise<PluginReply>;
  ok(method: string, body?: unknown): Promise<Record<string, unknown>>;
  startNetplugin(): Promise<void>;
  stopNetplugin(): Promise<void>;
  waitGlobalScope(): Promise<void>;
  logs(): string;
}

void describe('swarm mode: the manager allocates, the nodes of the tasks attach', { timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(path.join('/tmp', `swi${randomSuffix(4)}-`));
  const daemons: Daemon[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const unregisterExit = onExitCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  let etcd: EtcdServer;
  let store: Store;
  let restUrl = '';
  const nodes: SwarmNode[] = [];

  async function startNode(name: string, index: number, nmPort: number, nmSock: string, etcdSock: string): Promise<SwarmNode> {
    const netns = `swi${randomSuffix(5)}`;
    const nodeDir = path.join(dir, name);
    const logDir = path.join(nodeDir, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    await run('ip', ['netns', 'add', netns]);
    const unregisterNetns = onExitCleanup(() => runSyncQuiet('ip', ['netns', 'del', netns]));
    cleanups.push(async () => {
      await run('ip', ['netns', 'del', netns], { allowFail: true });
      unregisterNetns();
    });
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const ovs = await startOvs({ netns });
    cleanups.push(() => ovs.stop());
    daemons.push(
      await startForwarder(
        `fwd-${netns}`,
        [
          { listen: `tcp:127.0.0.1:${etcd.port}`, connect: `unix:${etcdSock}` },
          { listen: `tcp:127.0.0.1:${nmPort}`, connect: `unix:${nmSock}` },
        ],
        { netns, logFile: path.join(logDir, 'fwd.log') },
      ),
    );
    const engine = new EngineStandIn(path.join(nodeDir, 'docker.sock'), name);
    await engine.start();
    cleanups.push(() => engine.stop());
    const agentSocket = path.join(nodeDir, 'run', 'netplugin.sock');
    const pluginSocket = path.join(nodeDir, 'plugins', 'netplugin.sock');
    const args = [
      serviceMain('netplugin'),
      '--cluster-store', `etcd://127.0.0.1:${etcd.port}`,
      '--control-url', `127.0.0.1:${nmPort}`,
      '--plugin-mode', 'swarm-mode',
      '--host-name', name,
      '--ctrl-ip', `192.0.2.${11 + index}`,
      '--docker-host', `unix://${engine.socket}`,
      '--ovsdb', ovs.dbSocket,
      '--bridge', BRIDGE,
      '--datapath', 'netdev',
      '--agent-socket', agentSocket,
      '--state-dir', path.join(nodeDir, 'state'),
      '--log-dir', logDir,
      '--debug',
    ];
    let netplugin: Daemon | undefined;
    let shimUp = false;
    const node: SwarmNode = {
      name,
      ovs,
      engine,
      call: (method, body) => pluginCall(pluginSocket, method, body),
      async ok(method, body) {
        const r = await pluginCall(pluginSocket, method, body);
        if (r.status !== 200 || r.json.Err) throw new Error(`${name} ${method} failed: HTTP ${r.status} ${r.raw}\n${node.logs()}`);
        return r.json;
      },
      async startNetplugin() {
        const d = startDaemon(`netplugin-${netns}`, 'ip', ['netns', 'exec', netns, process.execPath, ...args], { logFile: path.join(logDir, 'netplugin.console.log') });
        netplugin = d;
        daemons.push(d);
        await eventually(() => fs.existsSync(agentSocket) || (d.isRunning() ? false : Promise.reject(new Error(`netplugin exited:\n${tailFile(path.join(logDir, 'netplugin.console.log'))}`))), {
          timeoutMs: 30_000,
          what: `netplugin on ${name} to serve its socket`,
        });
        if (shimUp) await node.waitGlobalScope();
      },
      async waitGlobalScope() {
        // The driver's scope follows the engine, which says "in swarm".
        await eventually(async () => (await node.ok('/NetworkDriver.GetCapabilities')).Scope === 'global', { timeoutMs: 20_000, what: `${name} to report global scope` });
      },
      async stopNetplugin() {
        await netplugin?.stop(15_000);
      },
      logs() {
        return ['netplugin.log', 'driver-shim.log'].map((f) => `--- ${name} ${f}\n${tailFile(path.join(logDir, f), 25)}`).join('\n');
      },
    };
    await node.startNetplugin();
    daemons.push(
      startDaemon(`shim-${netns}`, process.execPath, [serviceMain('driver-shim'), '--socket', pluginSocket, '--agent-socket', agentSocket, '--log-dir', logDir, '--debug'], {
        logFile: path.join(logDir, 'driver-shim.console.log'),
      }),
    );
    await eventually(async () => (await pluginCall(pluginSocket, '/Plugin.Activate', '')).status === 200, { timeoutMs: 15_000, what: `the shim on ${name}` });
    shimUp = true;
    await node.waitGlobalScope();
    return node;
  }

  before(async () => {
    etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    store = createStore(etcd.url);
    cleanups.push(() => store.close());
    const nmPort = await freePort();
    restUrl = `http://127.0.0.1:${nmPort}`;
    daemons.push(
      startDaemon('netmaster-swarm', process.execPath, [serviceMain('netmaster'), '--cluster-store', etcd.url, '--listen-url', `127.0.0.1:${nmPort}`, '--plugin-mode', 'swarm-mode', '--log-dir', dir, '--debug'], {
        logFile: path.join(dir, 'netmaster.console.log'),
      }),
    );
    await eventually(async () => (await fetch(`${restUrl}/version`)).ok, { timeoutMs: 30_000, what: 'netmaster to answer /version' });
    const etcdSock = path.join(dir, 'etcd.sock');
    const nmSock = path.join(dir, 'nm.sock');
    daemons.push(
      await startForwarder(
        'fwd-swarm-root',
        [
          { listen: `unix:${etcdSock}`, connect: `tcp:127.0.0.1:${etcd.port}` },
          { listen: `unix:${nmSock}`, connect: `tcp:127.0.0.1:${nmPort}` },
        ],
        { logFile: path.join(dir, 'fwd-root.log') },
      ),
    );
    for (const [i, name] of ['m1', 'w1', 'w2'].entries()) nodes.push(await startNode(name, i, nmPort, nmSock, etcdSock));
  });

  after(async () => {
    for (const d of [...daemons].reverse()) await d.stop(10_000).catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    unregisterExit();
  });

  const node = (name: string): SwarmNode => nodes.find((n) => n.name === name) as SwarmNode;

  async function allocations(tenant: string, network: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const e of (await store.list(ipAllocPrefix(tenant, network))).entries) out.set(e.key.split('/').at(-1) as string, ipAllocationCodec.decode(e.value, e.key).owner);
    return out;
  }

  async function post(pathname: string, body: unknown): Promise<void> {
    const res = await fetch(`${restUrl}${pathname}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${pathname}: ${res.status} ${await res.text()}`);
  }

  /** What a node's libnetwork does when a task lands there: network, pool, the task's address, endpoint, join. */
  async function attachTask(n: SwarmNode, networkId: string, options: Record<string, unknown>, pool: { id: string; cidr: string; gateway: string; ipamOptions: Record<string, string> }, address: string, endpointId: string): Promise<Record<string, unknown>> {
    await n.ok('/NetworkDriver.CreateNetwork', {
      NetworkID: networkId,
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': options },
      IPv4Data: [{ AddressSpace: 'contiv-global', Pool: pool.cidr, Gateway: `${pool.gateway}/24` }],
      IPv6Data: [],
    });
    const p = await n.ok('/IpamDriver.RequestPool', { AddressSpace: 'contiv-global', Pool: pool.cidr, SubPool: '', Options: pool.ipamOptions, V6: false });
    assert.equal(p.PoolID, pool.id, `${n.name}: the manager's pool`);
    assert.equal((await n.ok('/IpamDriver.RequestAddress', { PoolID: pool.id, Address: pool.gateway, Options: GATEWAY })).Address, `${pool.gateway}/24`);
    const a = await n.ok('/IpamDriver.RequestAddress', { PoolID: pool.id, Address: bare(address), Options: { 'com.docker.network.endpoint.name': `task-${endpointId.slice(0, 4)}` } });
    assert.equal(a.Address, address, `${n.name}: the task's address, as the manager allocated it`);
    const created = await n.ok('/NetworkDriver.CreateEndpoint', { NetworkID: networkId, EndpointID: endpointId, Interface: { Address: address, AddressIPv6: '', MacAddress: '' }, Options: {} });
    const join = await n.ok('/NetworkDriver.Join', { NetworkID: networkId, EndpointID: endpointId, SandboxKey: `/var/run/docker/netns/${endpointId.slice(0, 12)}`, Options: {} });
    // In a swarm the container gets no gateway from us: Docker adds docker_gwbridge (egress, published ports).
    assert.equal(join.Gateway, '');
    return created;
  }

  /** What a node's libnetwork does when the task's container stops. */
  async function detachTask(n: SwarmNode, networkId: string, poolId: string, address: string, endpointId: string): Promise<void> {
    await n.ok('/NetworkDriver.Leave', { NetworkID: networkId, EndpointID: endpointId });
    await n.ok('/NetworkDriver.DeleteEndpoint', { NetworkID: networkId, EndpointID: endpointId });
    await n.ok('/IpamDriver.ReleaseAddress', { PoolID: poolId, Address: bare(address) });
  }

  let options1: Record<string, string> = {};
  let tasks: string[] = [];
  let vip = '';

  void test('the manager creates the swarm network (--subnet) and allocates three tasks and a VIP', async () => {
    const m1 = node('m1');
    assert.deepEqual(await m1.ok('/IpamDriver.GetDefaultAddressSpaces'), { LocalDefaultAddressSpace: 'contiv-local', GlobalDefaultAddressSpace: 'contiv-global' });
    const pool = await m1.ok('/IpamDriver.RequestPool', { AddressSpace: 'contiv-global', Pool: '100.1.1.0/24', SubPool: '', Options: SERIAL, V6: false });
    assert.deepEqual(pool, { PoolID: POOL1, Pool: '100.1.1.0/24', Data: {} });
    assert.equal((await m1.ok('/IpamDriver.RequestAddress', { PoolID: POOL1, Address: '100.1.1.254', Options: { ...SERIAL, ...GATEWAY } })).Address, '100.1.1.254/24');
    // The network is in the swarm's store before the allocator runs: the manager's engine shows it.
    m1.engine.networks.set(NET1, { Id: NET1, Name: 'svc-net1', Driver: 'netplugin', Scope: 'swarm', Options: {}, IPAM: { Driver: 'netplugin', Config: [{ Subnet: '100.1.1.0/24', Gateway: '100.1.1.254' }] } });
    const alloc = await m1.ok('/NetworkDriver.AllocateNetwork', { NetworkID: NET1, Options: { 'com.docker.network.driver.mtu': '1450' }, IPv4Data: [{ AddressSpace: '', Gateway: '100.1.1.254/24', Pool: '100.1.1.0/24' }], IPv6Data: null });
    options1 = alloc.Options as Record<string, string>;
    assert.deepEqual(options1, { 'com.docker.network.driver.mtu': '1450', 'contiv.tenant': 'default', 'contiv.network': 'svc-net1' });
    const st = await store.get(networkStateKey('default', 'svc-net1'));
    assert.ok(st, 'the Contiv network exists');
    const state = networkStateCodec.decode(st.value);
    assert.deepEqual([state.origin, state.dockerNetworkId, state.dockerScope, state.subnet, state.gateway], ['docker', NET1, 'cluster', '100.1.1.0/24', '100.1.1.254']);

    for (let i = 0; i < 3; i++) tasks.push(String((await m1.ok('/IpamDriver.RequestAddress', { PoolID: POOL1, Address: '', Options: SERIAL })).Address));
    vip = String((await m1.ok('/IpamDriver.RequestAddress', { PoolID: POOL1, Address: '', Options: SERIAL })).Address);
    assert.equal(new Set([...tasks, vip]).size, 4, `distinct: ${[...tasks, vip].join(' ')}`);
    const held = await allocations('default', 'svc-net1');
    assert.deepEqual([...held.keys()].sort(), [...tasks, vip].map(bare).sort());
    for (const owner of held.values()) assert.match(owner, /^pending:m1:swarm\./);
  });

  void test('each node attaches its task with the address the manager allocated; nothing is allocated twice', async () => {
    const pool = { id: POOL1, cidr: '100.1.1.0/24', gateway: '100.1.1.254', ipamOptions: SERIAL };
    const placement = ['m1', 'w1', 'w2'];
    for (const [i, name] of placement.entries()) {
      const created = await attachTask(node(name), NET1, options1, pool, tasks[i] as string, epId(i + 1, 1));
      assert.match(String((created.Interface as { MacAddress: string }).MacAddress), /^02:02:64:01:01:/);
    }
    // CreateNetwork again on a node that has it (a second task): fine.
    await node('w1').ok('/NetworkDriver.CreateNetwork', { NetworkID: NET1, Options: { 'com.docker.network.generic': options1 }, IPv4Data: [{ AddressSpace: 'contiv-global', Pool: '100.1.1.0/24', Gateway: '100.1.1.254/24' }], IPv6Data: [] });
    const held = await allocations('default', 'svc-net1');
    assert.equal(held.size, 4, 'three tasks and the VIP, no second allocation');
    for (const [i, name] of placement.entries()) {
      const id = epId(i + 1, 1);
      assert.equal(held.get(bare(tasks[i] as string)), id);
      const rec = await store.get(endpointKey(id));
      assert.ok(rec);
      const ep = endpointStateCodec.decode(rec.value);
      assert.deepEqual([ep.homingHost, ep.ipAddress, ep.networkName], [name, bare(tasks[i] as string), 'svc-net1']);
      assert.equal(await node(name).ovs.vsctl('get', 'Port', `cvh${id.slice(0, 12)}`, 'external_ids:contiv-address-lease'), 'swarm');
    }
    assert.match(held.get(bare(vip)) ?? '', /^pending:m1:swarm\./, 'the VIP stays held for the service');
  });

  void test('a task leaving its node keeps its address until the manager releases it; the VIP is never handed out', async () => {
    const w1 = node('w1');
    const m1 = node('m1');
    const t = tasks[1] as string;
    await detachTask(w1, NET1, POOL1, t, epId(2, 1));
    await eventually(async () => (await store.get(endpointKey(epId(2, 1)))) === undefined, { what: 'the record of the task that left' });
    assert.ok((await allocations('default', 'svc-net1')).has(bare(t)), 'still held for the manager');
    // The allocator's next task gets neither the released-by-the-node address nor the VIP.
    const next = String((await m1.ok('/IpamDriver.RequestAddress', { PoolID: POOL1, Address: '', Options: SERIAL })).Address);
    assert.ok(![...tasks, vip].includes(next), next);
    // The allocator releases the dead task: now it is free.
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: bare(t) });
    await eventually(async () => !(await allocations('default', 'svc-net1')).has(bare(t)), { what: 'the address to be freed' });
    tasks = [tasks[0] as string, next, tasks[2] as string];
    await attachTask(w1, NET1, options1, { id: POOL1, cidr: '100.1.1.0/24', gateway: '100.1.1.254', ipamOptions: SERIAL }, next, epId(2, 2));
  });

  void test("the manager's own task: its node's release and the allocator's, the second one frees", async () => {
    const m1 = node('m1');
    const t = tasks[0] as string;
    await detachTask(m1, NET1, POOL1, t, epId(1, 1));
    await eventually(async () => (await store.get(endpointKey(epId(1, 1)))) === undefined, { what: 'the record' });
    assert.ok((await allocations('default', 'svc-net1')).has(bare(t)));
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: bare(t) });
    await eventually(async () => !(await allocations('default', 'svc-net1')).has(bare(t)), { what: 'the address to be freed' });
  });

  void test('released by the allocator before its node tore the task down: held until the endpoint is gone, also across an agent restart', async () => {
    const m1 = node('m1');
    const w2 = node('w2');
    const t = tasks[2] as string;
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: bare(t) });
    await w2.stopNetplugin();
    await w2.startNetplugin();
    assert.equal((await allocations('default', 'svc-net1')).get(bare(t)), epId(3, 1), 'the live endpoint keeps it');
    await detachTask(w2, NET1, POOL1, t, epId(3, 1));
    await eventually(async () => !(await allocations('default', 'svc-net1')).has(bare(t)), { timeoutMs: 20_000, what: 'the address to be freed once the endpoint is gone' });
  });

  void test('removing the service and the network: VIP freed, the nodes forget, FreeNetwork deletes the Contiv network', async () => {
    const m1 = node('m1');
    const w1 = node('w1');
    const t = tasks[1] as string;
    await detachTask(w1, NET1, POOL1, t, epId(2, 2));
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: bare(t) });
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: bare(vip) });
    await eventually(async () => (await allocations('default', 'svc-net1')).size === 0, { what: 'every address to be freed' });
    // The last task left each node: DeleteNetwork there changes nothing in Contiv.
    for (const n of nodes) await n.ok('/NetworkDriver.DeleteNetwork', { NetworkID: NET1 });
    assert.ok(await store.get(networkStateKey('default', 'svc-net1')));
    await m1.ok('/NetworkDriver.FreeNetwork', { NetworkID: NET1 });
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL1, Address: '100.1.1.254' });
    await m1.ok('/IpamDriver.ReleasePool', { PoolID: POOL1 });
    await eventually(async () => (await store.get(networkStateKey('default', 'svc-net1'))) === undefined, { what: 'the Contiv network to be deleted' });
  });

  void test('contiv-tag: the swarm network is the group of an existing Contiv network; tasks get its addresses and sit in the group', async () => {
    await post('/api/v1/networks/default:contiv-net-1/', { key: 'default:contiv-net-1', tenantName: 'default', networkName: 'contiv-net-1', subnet: '200.1.1.1/24', gateway: '200.1.1.200', encap: 'vxlan', nwType: 'data' });
    await post('/api/v1/policys/default:p1/', { tenantName: 'default', policyName: 'p1' });
    await post('/api/v1/endpointGroups/default:group1/', { tenantName: 'default', groupName: 'group1', networkName: 'contiv-net-1', policies: ['p1'], cfgdTag: 'policylabel' });
    const m1 = node('m1');
    const ipamOptions = { 'contiv-tag': 'policylabel', ...SERIAL };
    await eventually(async () => (await m1.call('/IpamDriver.RequestPool', { AddressSpace: 'contiv-global', Pool: '', SubPool: '', Options: ipamOptions, V6: false })).status === 200, { what: 'the agent to know the tag' });
    const pool = await m1.ok('/IpamDriver.RequestPool', { AddressSpace: 'contiv-global', Pool: '', SubPool: '', Options: ipamOptions, V6: false });
    assert.deepEqual(pool, { PoolID: 'default/contiv-net-1/group1|200.1.1.0/24', Pool: '200.1.1.0/24', Data: {} });
    const poolId = String(pool.PoolID);
    assert.equal((await m1.ok('/IpamDriver.RequestAddress', { PoolID: poolId, Address: '', Options: { ...ipamOptions, ...GATEWAY } })).Address, '200.1.1.200/24');
    m1.engine.networks.set(NET2, { Id: NET2, Name: 'svc-net2', Driver: 'netplugin', Scope: 'swarm', Options: { 'contiv-tag': 'policylabel' }, IPAM: { Driver: 'netplugin', Config: [{ Subnet: '200.1.1.0/24', Gateway: '200.1.1.200' }] } });
    const alloc = await m1.ok('/NetworkDriver.AllocateNetwork', { NetworkID: NET2, Options: { 'contiv-tag': 'policylabel' }, IPv4Data: [{ AddressSpace: '', Gateway: '200.1.1.200/24', Pool: '200.1.1.0/24' }], IPv6Data: null });
    const options2 = alloc.Options as Record<string, string>;
    assert.deepEqual(options2, { 'contiv-tag': 'policylabel', 'contiv.tenant': 'default', 'contiv.network': 'contiv-net-1', 'contiv.group': 'group1' });
    const task = String((await m1.ok('/IpamDriver.RequestAddress', { PoolID: poolId, Address: '', Options: ipamOptions })).Address);
    assert.match(task, /^200\.1\.1\.\d+\/24$/);
    await attachTask(node('w2'), NET2, options2, { id: poolId, cidr: '200.1.1.0/24', gateway: '200.1.1.200', ipamOptions }, task, epId(9, 1));
    const rec = await store.get(endpointKey(epId(9, 1)));
    assert.ok(rec);
    assert.deepEqual([endpointStateCodec.decode(rec.value).groupName, endpointStateCodec.decode(rec.value).homingHost], ['group1', 'w2']);
    const inspect = (await (await fetch(`${restUrl}/api/v1/inspect/endpointGroups/default:group1/`)).json()) as { Oper?: { endpoints?: Array<{ ipAddress?: string[] | string }> } };
    assert.ok(JSON.stringify(inspect.Oper?.endpoints ?? []).includes(bare(task)), JSON.stringify(inspect));

    await detachTask(node('w2'), NET2, poolId, task, epId(9, 1));
    await m1.ok('/IpamDriver.ReleaseAddress', { PoolID: poolId, Address: bare(task) });
    await eventually(async () => (await allocations('default', 'contiv-net-1')).size === 0, { what: 'the task address to be freed' });
    await m1.ok('/NetworkDriver.FreeNetwork', { NetworkID: NET2 });
    await eventually(async () => (await store.get(dockerNetworkKey('cluster', NET2))) === undefined, { what: 'the mapping to go' });
    assert.ok(await store.get(networkStateKey('default', 'contiv-net-1')), 'the tagged network stays');
  });
});
