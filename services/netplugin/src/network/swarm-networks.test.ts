import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { dockerNetworkKey } from '@contiv/model';
import type { msg } from '@contiv/rpc';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { FakeEngine } from '../testing/fakes';
import { StoreControl } from '../testing/store-control';
import { eventually, groupState, networkState, putGroup, putNetwork } from '../testing/state';
import { DockerNetworks } from './docker-networks';
import { StateCache } from './state-cache';

const swarm: Pick<EngineKindTracker, 'resolve'> = {
  resolve: () => Promise.resolve({ kind: { flavor: 'swarm', driverScope: 'global', docknetScope: 'cluster' }, detected: true }),
};
const ID = (c: string): string => c.repeat(64);
const net1 = networkState({ networkName: 'contiv-net-1', subnet: '200.1.1.0/24', gateway: '200.1.1.200' });

function allocate(id: string, options: Record<string, string>, pool = ''): msg.AllocateNetworkRequest__Output {
  return { networkId: id, options, ipv4Data: pool ? [{ addressSpace: '', pool, gateway: '', auxAddresses: {} }] : [], ipv6Data: [] };
}

void describe('DockerNetworks of an engine in swarm', () => {
  let store: MemoryStore;
  let cache: StateCache;
  let control: StoreControl;
  let engine: FakeEngine;
  let nets: DockerNetworks;

  beforeEach(async () => {
    store = new MemoryStore();
    await putNetwork(store, net1);
    await putGroup(store, groupState({ groupName: 'group1', networkName: 'contiv-net-1', groupTag: 'policylabel' }));
    cache = new StateCache(store, noopLogger);
    cache.start();
    assert.ok(await cache.waitSynced(2_000));
    control = new StoreControl(store, net1);
    engine = new FakeEngine();
    nets = new DockerNetworks({ cache, store, engine, control, engineKind: swarm, driverName: 'netplugin', log: noopLogger, pollMs: 5 });
  });
  afterEach(async () => {
    nets.stop();
    await cache.stop();
    await store.close();
  });

  void test('AllocateNetwork with contiv-tag binds to the tagged group and echoes every option with the Contiv names', async () => {
    control.mapTo = { tenantName: 'default', networkName: 'contiv-net-1', groupName: 'group1', origin: 'contiv' };
    engine.add({ Id: ID('1'), Name: 'svc-net2', Scope: 'swarm' });
    const input = { 'contiv-tag': 'policylabel', 'com.docker.network.ipam.serial': 'true' };
    const out = await nets.onAllocateNetwork(allocate(ID('1'), input, '200.1.1.0/24'));
    assert.deepEqual(out, { ...input, 'contiv.tenant': 'default', 'contiv.network': 'contiv-net-1', 'contiv.group': 'group1' });
    const reg = control.calls[0]?.req as msg.RegisterDockerNetworkRequest;
    assert.deepEqual([reg.dockerName, reg.dockerScope, reg.subnet, reg.options], ['svc-net2', 'cluster', '200.1.1.0/24', input]);
    assert.deepEqual(await nets.resolve(ID('1'), 0), { tenantName: 'default', networkName: 'contiv-net-1', groupName: 'group1', origin: 'swarm', pool: '' });

    // A new leader allocates again with what the first answer stored: the same answer.
    assert.deepEqual(await nets.onAllocateNetwork(allocate(ID('1'), out, '200.1.1.0/24')), out);
    assert.deepEqual((control.calls[1]?.req as msg.RegisterDockerNetworkRequest).options, input, 'the added names are not sent to netmaster as options');
  });

  void test('AllocateNetwork of a network of its own: registered under the Docker name, with the --ip-range the engine knows', async () => {
    engine.add({ Id: ID('2'), Name: 'svc-net1', Scope: 'swarm', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '100.1.1.0/24', Gateway: '100.1.1.254', IPRange: '100.1.1.0/25' }] } });
    const out = await nets.onAllocateNetwork({ ...allocate(ID('2'), {}, '100.1.1.0/24'), ipv4Data: [{ addressSpace: '', pool: '100.1.1.0/24', gateway: '100.1.1.254/24', auxAddresses: {} }] });
    assert.deepEqual(out, { 'contiv.tenant': 'default', 'contiv.network': 'svc-net1' });
    const reg = control.calls[0]?.req as msg.RegisterDockerNetworkRequest;
    assert.deepEqual([reg.dockerName, reg.gateway, reg.ipRange], ['svc-net1', '100.1.1.254', '100.1.1.0/25']);
    // The manager's task addresses find it by its pool right away (before the watch brings the network state).
    assert.equal(nets.lookupPool('100.1.1.0/24')?.binding?.networkName, 'svc-net1');
    assert.equal(nets.swarmNetworkWithPool('100.1.1.0/24')?.networkName, 'svc-net1');
    // An engine that cannot tell the name: the id stands in for it.
    await nets.onAllocateNetwork(allocate(ID('3'), {}, '100.2.1.0/24'));
    assert.equal((control.calls[1]?.req as msg.RegisterDockerNetworkRequest).dockerName, ID('3').slice(0, 12));
    await assert.rejects(nets.onAllocateNetwork({ ...allocate(ID('4'), {}, '100.3.1.0/24'), ipv6Data: [{ addressSpace: '', pool: 'fd00::/64', gateway: '', auxAddresses: {} }] }), /IPv6/);
  });

  void test("a worker's CreateNetwork and DeleteNetwork only learn and forget; FreeNetwork unregisters cluster-wide", async () => {
    const options = { 'contiv.tenant': 'default', 'contiv.network': 'svc-net1' };
    nets.onCreateNetwork({ networkId: ID('5'), genericOptions: options, enableIpv6: false, internal: false, ipv4Data: [], ipv6Data: [] });
    nets.onCreateNetwork({ networkId: ID('5'), genericOptions: options, enableIpv6: false, internal: false, ipv4Data: [], ipv6Data: [] });
    assert.equal((await nets.resolve(ID('5'), 0)).networkName, 'svc-net1');
    await nets.onDeleteNetwork(ID('5'));
    // After an agent restart the worker knows the network from its state only: still not the worker's to unregister.
    await putNetwork(store, networkState({ networkName: 'svc-net3', subnet: '100.4.1.0/24', origin: 'docker', dockerNetworkId: ID('6'), dockerScope: 'cluster' }));
    await eventually(() => cache.networkByDockerId(ID('6')) !== undefined);
    assert.equal((await nets.resolve(ID('6'), 0)).networkName, 'svc-net3');
    await nets.onDeleteNetwork(ID('6'));
    // Nor does the reconcile unregister it although this engine does not list it.
    await nets.reconcile();
    assert.equal(control.calls.length, 0);

    await store.put(dockerNetworkKey('cluster', ID('6')), '{}');
    await nets.onFreeNetwork(ID('6'));
    assert.deepEqual(control.calls.map((c) => c.req), [{ dockerNetworkId: ID('6'), dockerScope: 'cluster' }]);
  });
});
