import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { dockerNetworkKey, dockerNetworkMappingCodec } from '@contiv/model';
import type { msg } from '@contiv/rpc';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { FakeControl, FakeEngine } from '../testing/fakes';
import { eventually, networkState, putGroup, putNetwork, groupState } from '../testing/state';
import { DockerNetworks } from './docker-networks';
import { StateCache } from './state-cache';

const kind: Pick<EngineKindTracker, 'resolve'> = {
  resolve: () => Promise.resolve({ kind: { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' }, detected: true }),
};
const ID = (c: string): string => c.repeat(64);

function create(id: string, generic: Record<string, string>, pool = '10.9.0.0/24', addressSpace = 'contiv-local'): msg.CreateNetworkRequest__Output {
  return { networkId: id, genericOptions: generic, enableIpv6: false, internal: false, ipv4Data: [{ addressSpace, pool, gateway: '10.9.0.1/24', auxAddresses: {} }], ipv6Data: [] };
}

void describe('DockerNetworks', () => {
  let store: MemoryStore;
  let cache: StateCache;
  let control: FakeControl;
  let engine: FakeEngine;
  let nets: DockerNetworks;

  beforeEach(async () => {
    store = new MemoryStore();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24', networkTag: 'ntag' }));
    await putGroup(store, groupState({ groupName: 'web', networkName: 'contiv-net', groupTag: 'gtag' }));
    cache = new StateCache(store, noopLogger);
    cache.start();
    await cache.waitSynced(2_000);
    control = new FakeControl();
    engine = new FakeEngine();
    nets = new DockerNetworks({ cache, store, engine, control, engineKind: kind, driverName: 'netplugin', log: noopLogger, pollMs: 5, registerTimeoutMs: 2_000 });
  });
  afterEach(async () => {
    nets.stop();
    await cache.stop();
    await store.close();
  });

  void test('networks the agent created resolve from their options; deleting them touches nothing in Contiv', async () => {
    nets.onCreateNetwork(create(ID('1'), { tenant: 'default', network: 'contiv-net', group: 'web', encap: 'vxlan', 'pkt-tag': '5' }));
    assert.deepEqual(await nets.resolve(ID('1'), 100), { tenantName: 'default', networkName: 'contiv-net', groupName: 'web', origin: 'contiv', pool: '' });
    await nets.onDeleteNetwork(ID('1'));
    assert.deepEqual(control.calls, []);
  });

  void test('contiv-tag binds to a group or network by tag', async () => {
    nets.onCreateNetwork(create(ID('2'), { 'contiv-tag': 'gtag' }));
    assert.equal((await nets.resolve(ID('2'), 100)).groupName, 'web');
    assert.throws(() => nets.onCreateNetwork(create(ID('3'), { 'contiv-tag': 'nope' })), /no Contiv network or endpoint group has the tag "nope"/);
  });

  void test('a network without our IPAM is refused', () => {
    assert.throws(() => nets.onCreateNetwork(create(ID('4'), {}, '172.18.0.0/16', 'LocalDefault')), /must come from the netplugin IPAM driver .*--ipam-driver netplugin/);
    assert.throws(() => nets.onCreateNetwork({ ...create(ID('4'), {}), ipv4Data: [] }), /needs an IPv4 subnet/);
  });

  void test('Docker-first: registered under its Docker name once the engine shows it; unregistered on delete', async () => {
    nets.onCreateNetwork(create(ID('5'), {}));
    assert.deepEqual(nets.pendingPools(), ['10.9.0.0/24']);
    engine.add({ Id: ID('5'), Name: 'net2', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', IPRange: '10.9.0.128/25' }] } });
    const b = await nets.resolve(ID('5'), 2_000);
    assert.deepEqual(b, { tenantName: 'default', networkName: 'net2', groupName: '', origin: 'docker', pool: '10.9.0.0/24' });
    const reg = control.registered.get(ID('5'));
    assert.deepEqual({ ...reg, options: undefined }, {
      dockerNetworkId: ID('5'), dockerName: 'net2', dockerScope: 'h1', tenantName: '', subnet: '10.9.0.0/24', gateway: '10.9.0.1',
      ipRange: '10.9.0.128/25', ipv6Subnet: '', ipv6Gateway: '', encap: '', options: undefined,
    });
    await nets.onDeleteNetwork(ID('5'));
    assert.deepEqual(control.methods(), ['RegisterDockerNetwork', 'UnregisterDockerNetwork']);
  });

  void test('deleting a Docker-first network before it was registered cancels the registration', async () => {
    nets.onCreateNetwork(create(ID('6'), {}));
    await nets.onDeleteNetwork(ID('6'));
    assert.deepEqual(nets.pendingPools(), []);
    assert.deepEqual(control.methods(), []);
  });

  void test('a registration netmaster refuses fails waiters with its reason', async () => {
    control.fail('RegisterDockerNetwork', 'ALREADY_EXISTS', 'network net3 already exists in tenant default');
    nets.onCreateNetwork(create(ID('7'), {}));
    engine.add({ Id: ID('7'), Name: 'net3', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.9.0.0/24' }] } });
    await assert.rejects(nets.resolvePool('10.9.0.0/24', 2_000), /Docker network net3 could not be registered in Contiv: network net3 already exists/);
    await assert.rejects(nets.resolve(ID('7'), 100), /could not be registered/);
  });

  void test('after a restart: id resolved from the network state, the docknet mapping, or the engine', async () => {
    await putNetwork(store, networkState({ networkName: 'dnet', subnet: '10.20.0.0/24', origin: 'docker', dockerNetworkId: ID('8'), dockerScope: 'h1' }));
    await eventually(() => cache.networkByDockerId(ID('8')) !== undefined);
    assert.equal((await nets.resolve(ID('8'), 100)).networkName, 'dnet');
    await store.put(dockerNetworkKey('h1', ID('a')), dockerNetworkMappingCodec.encode({ dockerNetworkId: ID('a'), tenantName: 'default', networkName: 'contiv-net', groupName: 'web', dockerName: 'web', origin: 'contiv' }));
    assert.equal((await nets.resolve(ID('a'), 100)).groupName, 'web');
    engine.add({ Id: ID('b'), Name: 'contiv-net', Options: { tenant: 'default', network: 'contiv-net' } });
    assert.equal((await nets.resolve(ID('b'), 100)).networkName, 'contiv-net');
    await assert.rejects(nets.resolve(ID('c'), 100), /not known to the local Docker engine/);
  });

  void test('reconcile registers unknown networks of our driver and unregisters vanished ones', async () => {
    engine.add({ Id: ID('d'), Name: 'made-while-down', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.30.0.0/24', Gateway: '10.30.0.1' }] } });
    engine.add({ Id: ID('e'), Name: 'legacy', Options: { tenant: 'default', network: 'contiv-net' } });
    engine.add({ Id: ID('f'), Name: 'other-driver', Driver: 'bridge' });
    await putNetwork(store, networkState({ networkName: 'gone', subnet: '10.40.0.0/24', origin: 'docker', dockerNetworkId: ID('0'), dockerScope: 'h1' }));
    await putNetwork(store, networkState({ networkName: 'other-host', subnet: '10.41.0.0/24', origin: 'docker', dockerNetworkId: ID('2'), dockerScope: 'h2' }));
    await eventually(() => cache.network('default', 'other-host') !== undefined);
    await nets.reconcile();
    await eventually(() => control.registered.has(ID('d')), 2_000, 'registration');
    assert.equal(control.registered.get(ID('d'))?.dockerName, 'made-while-down');
    const unreg = control.calls.filter((c) => c.method === 'UnregisterDockerNetwork').map((c) => c.req);
    assert.deepEqual(unreg, [{ dockerNetworkId: ID('0'), dockerScope: 'h1' }]);
  });
});
