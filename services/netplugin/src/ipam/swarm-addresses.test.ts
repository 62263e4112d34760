import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { endpointKey } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKind } from '../docker/engine-kind';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { TeardownQueue } from '../endpoint/teardown-queue';
import { DockerNetworks } from '../network/docker-networks';
import { StateCache } from '../network/state-cache';
import { FakeEngine } from '../testing/fakes';
import { StoreControl } from '../testing/store-control';
import { eventually, networkState, putNetwork } from '../testing/state';
import { IpamService } from './ipam-service';
import { SWARM_ALLOCATOR_OPTION } from './swarm-addresses';

const SWARM: EngineKind = { flavor: 'swarm', driverScope: 'global', docknetScope: 'cluster' };
const NID = 'c'.repeat(64);
const POOL_ID = 'docker|100.1.1.0/24';
const SERIAL = { [SWARM_ALLOCATOR_OPTION]: 'true' };
const ep = (n: number): string => String(n).repeat(64).slice(0, 64);
const svc = networkState({ networkName: 'svc-net1', subnet: '100.1.1.0/24', gateway: '100.1.1.254', origin: 'docker', dockerNetworkId: NID, dockerScope: 'cluster' });

/** One node: its own agent state (cache, Docker-network registry, IPAM), a shared store and netmaster. */
interface Node {
  readonly cache: StateCache;
  readonly networks: DockerNetworks;
  readonly teardown: TeardownQueue;
  readonly ipam: IpamService;
}

void describe('swarm addresses: the manager allocates, the task nodes use', () => {
  let store: MemoryStore;
  let control: StoreControl;
  let engine: FakeEngine;
  let flavor: EngineKind;
  const nodes: Node[] = [];

  async function node(host: string): Promise<Node> {
    const cache = new StateCache(store, noopLogger);
    cache.start();
    assert.ok(await cache.waitSynced(2_000));
    const engineKind: Pick<EngineKindTracker, 'resolve'> = { resolve: () => Promise.resolve({ kind: flavor, detected: true }) };
    const networks = new DockerNetworks({ cache, store, engine, control, engineKind, driverName: 'netplugin', log: noopLogger, pollMs: 5 });
    const teardown = new TeardownQueue({ control, log: noopLogger, retryFirstMs: 10, mergeWaitMs: 20 });
    const ipam = new IpamService({ cache, networks, control, teardown, hostName: host, log: noopLogger, swarmPollMs: 10 });
    const n = { cache, networks, teardown, ipam };
    nodes.push(n);
    return n;
  }

  const addr = async (n: Node, address: string, options: Record<string, string>): Promise<string> =>
    (await n.ipam.requestAddress({ poolId: POOL_ID, address, options }, undefined)).address ?? '';
  const release = (n: Node, address: string): Promise<void> => n.ipam.releaseAddress({ poolId: POOL_ID, address }, undefined);
  const endpoint = (id: string, ip: string, host: string): Promise<unknown> =>
    control.CreateEndpoint({ endpoint: { endpointId: id, tenantName: 'default', networkName: 'svc-net1', groupName: '', ipAddress: ip, macAddress: '', homingHost: host } });

  /** What the swarm manager does for `docker network create --subnet 100.1.1.0/24 --gateway 100.1.1.254 -d netplugin --ipam-driver netplugin svc-net1`. */
  async function createSwarmNetwork(mgr: Node): Promise<Record<string, string>> {
    const pool = await mgr.ipam.requestPool({ addressSpace: 'contiv-global', pool: '100.1.1.0/24', subPool: '', options: SERIAL, v6: false });
    assert.equal(pool.poolId, POOL_ID);
    assert.equal(await addr(mgr, '100.1.1.254', { ...SERIAL, RequestAddressType: 'com.docker.network.gateway' }), '100.1.1.254/24');
    engine.add({ Id: NID, Name: 'svc-net1', Scope: 'swarm', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '100.1.1.0/24', Gateway: '100.1.1.254' }] } });
    const options = await mgr.networks.onAllocateNetwork({ networkId: NID, options: { foo: 'bar' }, ipv4Data: [{ addressSpace: '', pool: '100.1.1.0/24', gateway: '100.1.1.254/24', auxAddresses: {} }], ipv6Data: [] });
    await putNetwork(store, svc); // what netmaster's registration wrote
    for (const n of nodes) await eventually(() => n.cache.network('default', 'svc-net1') !== undefined);
    return options;
  }

  beforeEach(() => {
    store = new MemoryStore();
    control = new StoreControl(store, svc);
    engine = new FakeEngine();
    flavor = SWARM;
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      n.ipam.stop();
      n.networks.stop();
      await n.cache.stop();
    }
    await store.close();
  });

  void test('a task address is allocated once: the node running the task gets the same address, and only the manager frees it', async () => {
    const mgr = await node('m1');
    const w1 = await node('w1');
    const options = await createSwarmNetwork(mgr);
    assert.deepEqual(options, { foo: 'bar', 'contiv.tenant': 'default', 'contiv.network': 'svc-net1' });
    const reg = control.calls.find((c) => c.method === 'RegisterDockerNetwork')?.req as { dockerName: string; dockerScope: string; subnet: string; gateway: string };
    assert.deepEqual([reg.dockerName, reg.dockerScope, reg.subnet, reg.gateway], ['svc-net1', 'cluster', '100.1.1.0/24', '100.1.1.254']);

    // The allocator: three tasks and the service's VIP.
    const tasks = [await addr(mgr, '', SERIAL), await addr(mgr, '', SERIAL), await addr(mgr, '', SERIAL)];
    const vip = await addr(mgr, '', SERIAL);
    assert.deepEqual([...tasks, vip], ['100.1.1.1/24', '100.1.1.2/24', '100.1.1.3/24', '100.1.1.4/24']);
    for (const a of [...tasks, vip]) assert.match((await control.owner(a.split('/')[0] as string)) ?? '', /^pending:m1:swarm\./);
    assert.equal(control.count('AllocateAddress'), 4);

    // The worker: CreateNetwork with the manager's options, its own RequestPool, and the preferred address.
    w1.networks.onCreateNetwork({ networkId: NID, genericOptions: options, enableIpv6: false, internal: false, ipv4Data: [{ addressSpace: 'contiv-global', pool: '100.1.1.0/24', gateway: '100.1.1.254/24', auxAddresses: {} }], ipv6Data: [] });
    w1.networks.onCreateNetwork({ networkId: NID, genericOptions: options, enableIpv6: false, internal: false, ipv4Data: [], ipv6Data: [] });
    assert.deepEqual(await w1.networks.resolve(NID, 0), { tenantName: 'default', networkName: 'svc-net1', groupName: '', origin: 'swarm', pool: '' });
    const wpool = await w1.ipam.requestPool({ addressSpace: 'contiv-global', pool: '100.1.1.0/24', subPool: '', options: SERIAL, v6: false });
    assert.equal(wpool.poolId, POOL_ID);
    assert.equal(await addr(w1, '100.1.1.1', {}), '100.1.1.1/24');
    assert.equal(control.count('AllocateAddress'), 4, 'the repeat request allocated nothing');
    assert.ok(w1.ipam.swarm.inUse({ tenantName: 'default', networkName: 'svc-net1', ip: '100.1.1.1' }));
    await endpoint(ep(1), '100.1.1.1', 'w1');
    assert.equal(await control.owner('100.1.1.1'), ep(1));

    // The container goes: its node deletes the record and releases; the address stays the manager's.
    await control.DeleteEndpoint({ endpointId: ep(1), releaseAddress: false });
    await release(w1, '100.1.1.1');
    await w1.teardown.idle();
    assert.equal(await control.owner('100.1.1.1'), ep(1));
    assert.equal(await addr(mgr, '', SERIAL), '100.1.1.5/24', 'an address swarm still holds is not handed out');
    // The allocator's release frees it; the VIP stays held until its own release.
    await release(mgr, '100.1.1.1');
    await mgr.teardown.idle();
    assert.equal(await control.owner('100.1.1.1'), undefined);
    assert.match((await control.owner('100.1.1.4')) ?? '', /^pending:m1:swarm\./);
    await release(mgr, '100.1.1.4');
    await mgr.teardown.idle();
    assert.equal(await control.owner('100.1.1.4'), undefined);
  });

  void test("the allocator's release waits while a live endpoint holds the address; asking again keeps it", async () => {
    const mgr = await node('m1');
    const w1 = await node('w1');
    await createSwarmNetwork(mgr);
    const a = (await addr(mgr, '', SERIAL)).split('/')[0] as string;
    const b = (await addr(mgr, '', SERIAL)).split('/')[0] as string;
    assert.equal(await addr(w1, a, {}), `${a}/24`);
    assert.equal(await addr(w1, b, {}), `${b}/24`);
    await endpoint(ep(1), a, 'w1');
    await endpoint(ep(2), b, 'w1');

    // Released by the allocator before the worker tore the container down: still taken.
    await release(mgr, a);
    await release(mgr, b);
    assert.equal(await control.owner(a), ep(1));
    assert.equal(await addr(mgr, '', SERIAL), '100.1.1.3/24');
    // The allocator takes b back (new leader restoring): its release is off.
    assert.equal(await addr(mgr, b, SERIAL), `${b}/24`);

    await control.DeleteEndpoint({ endpointId: ep(1), releaseAddress: false });
    await control.DeleteEndpoint({ endpointId: ep(2), releaseAddress: false });
    await eventually(async () => (await control.owner(a)) === undefined, 3_000, 'the deferred release');
    await mgr.teardown.idle();
    assert.equal(await control.owner(b), ep(2), 'a release taken back frees nothing');
    assert.equal(await store.get(endpointKey(ep(1))), undefined);
  });

  void test("on the manager's own node the address is freed by the second of its two releases", async () => {
    const mgr = await node('m1');
    await createSwarmNetwork(mgr);
    const a = (await addr(mgr, '', SERIAL)).split('/')[0] as string;
    assert.equal(await addr(mgr, a, {}), `${a}/24`);
    // The engine's release and the allocator's carry the same fields: which one comes first does not matter.
    await release(mgr, a);
    await mgr.teardown.idle();
    assert.ok(await control.owner(a), 'held after the first release');
    await release(mgr, a);
    await mgr.teardown.idle();
    assert.equal(await control.owner(a), undefined, 'freed by the second');
  });

  void test('a preferred address swarm does not hold is allocated as usual, and a swarm request id is never reconciled away', async () => {
    const mgr = await node('m1');
    await createSwarmNetwork(mgr);
    assert.equal(await addr(mgr, '100.1.1.77', {}), '100.1.1.77/24');
    const req = control.calls.filter((c) => c.method === 'AllocateAddress').at(-1)?.req as { requestId: string; preferredAddress: string };
    assert.equal(req.preferredAddress, '100.1.1.77');
    assert.ok(mgr.ipam.issuedHere(req.requestId));
    assert.ok(mgr.ipam.issuedHere('swarm.0f0f'), 'allocator addresses are left to the allocator');
    await release(mgr, '100.1.1.77');
    await mgr.teardown.idle();
    assert.equal(await control.owner('100.1.1.77'), undefined);
  });

  void test('not in swarm: the serial option changes nothing and a second network on the same subnet is refused', async () => {
    flavor = { flavor: 'cluster-store', driverScope: 'global', docknetScope: 'cluster' };
    const n = await node('h1');
    await putNetwork(store, svc);
    await eventually(() => n.cache.network('default', 'svc-net1') !== undefined);
    await assert.rejects(n.ipam.requestPool({ addressSpace: '', pool: '100.1.1.0/24', subPool: '', options: SERIAL, v6: false }), /overlaps the subnet 100.1.1.0\/24/);
    const a = ((await n.ipam.requestAddress({ poolId: POOL_ID, address: '', options: SERIAL }, undefined)).address ?? '').split('/')[0] as string;
    const req = control.calls.find((c) => c.method === 'AllocateAddress')?.req as { requestId: string };
    assert.ok(req.requestId.startsWith(`${n.ipam.incarnation}.`), req.requestId);
    await n.ipam.releaseAddress({ poolId: POOL_ID, address: a }, undefined);
    await n.teardown.idle();
    assert.equal(await control.owner(a), undefined);
  });
});
