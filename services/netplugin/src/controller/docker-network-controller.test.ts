import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { groupStateKey, networkStateKey } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { StateCache } from '../network/state-cache';
import { FakeEngine } from '../testing/fakes';
import { eventually, groupState, networkState, putGroup, putNetwork } from '../testing/state';
import { desiredSpec, DockerNetworkController, dockerNetworkName } from './docker-network-controller';

void test('Docker names: <name> in tenant default, <name>/<tenant> otherwise', () => {
  assert.equal(dockerNetworkName('default', 'contiv-net'), 'contiv-net');
  assert.equal(dockerNetworkName('blue', 'contiv-net'), 'contiv-net/blue');
});

void test('the Docker network of a Contiv network and of a group', () => {
  const n = networkState({ networkName: 'contiv-net', subnet: '100.1.1.1/24', gateway: '100.1.1.100', pktTag: 12 });
  assert.deepEqual(desiredSpec(n, undefined, 'netplugin'), {
    Name: 'contiv-net',
    Driver: 'netplugin',
    Options: { tenant: 'default', network: 'contiv-net', encap: 'vxlan', 'pkt-tag': '12' },
    Labels: { 'io.contiv.netplugin.managed': 'true' },
    IPAM: { Driver: 'netplugin', Options: { tenant: 'default', network: 'contiv-net' }, Config: [{ Subnet: '100.1.1.0/24', Gateway: '100.1.1.100' }] },
    CheckDuplicate: true,
  });
  const g = desiredSpec({ ...n, tenantName: 'blue' }, groupState({ groupName: 'web', networkName: 'contiv-net', tenantName: 'blue' }), 'contiv/v2plugin:1.0');
  assert.equal(g.Name, 'web/blue');
  assert.deepEqual(g.IPAM.Options, { tenant: 'blue', network: 'contiv-net', group: 'web' });
  assert.equal(g.Driver, 'contiv/v2plugin:1.0');
  assert.deepEqual(desiredSpec({ ...n, gateway: '' }, undefined, 'netplugin').IPAM.Config, [{ Subnet: '100.1.1.0/24' }]);
});

void describe('DockerNetworkController', () => {
  let store: MemoryStore;
  let cache: StateCache;
  let engine: FakeEngine;
  let ctl: DockerNetworkController;

  beforeEach(async () => {
    store = new MemoryStore();
    cache = new StateCache(store, noopLogger);
    engine = new FakeEngine();
    ctl = new DockerNetworkController({ cache, engine, driverName: 'netplugin', log: noopLogger, debounceMs: 1, periodMs: 60_000 });
  });
  afterEach(async () => {
    ctl.stop();
    await cache.stop();
    await store.close();
  });

  const names = (): string[] => [...engine.networks.values()].map((n) => n.Name).sort();

  void test('follows Contiv networks and groups; leaves Docker-first and foreign networks alone', async () => {
    engine.add({ Id: 'x'.repeat(64), Name: 'net2', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.9.0.0/24' }] } });
    engine.add({ Id: 'y'.repeat(64), Name: 'bridge', Driver: 'bridge' });
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    await putNetwork(store, networkState({ networkName: 'dnet', subnet: '10.9.0.0/24', origin: 'docker', dockerNetworkId: 'x'.repeat(64) }));
    await putNetwork(store, networkState({ networkName: 'infra', subnet: '10.99.0.0/24', nwType: 'infra' }));
    await putGroup(store, groupState({ groupName: 'web', networkName: 'contiv-net', tenantName: 'default' }));
    cache.start();
    ctl.start();
    await eventually(() => names().join() === 'bridge,contiv-net,net2,web', 3_000, 'docker networks');
    await store.delete(groupStateKey('default', 'web'));
    await store.delete(networkStateKey('default', 'contiv-net'));
    await eventually(() => names().join() === 'bridge,net2', 3_000, 'removal');
  });

  void test('"already exists" (a shared cluster store) is fine; networks in use are retried later', async () => {
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    cache.start();
    await cache.waitSynced(2_000);
    await ctl.reconcile();
    await ctl.reconcile();
    assert.equal(engine.calls.filter((c) => c === 'create contiv-net').length, 1);
    const n = [...engine.networks.values()][0];
    assert.ok(n);
    engine.networks.set(n.Id, { ...n, Containers: { c1: { EndpointID: 'e' } } });
    await store.delete(networkStateKey('default', 'contiv-net'));
    await eventually(() => cache.network('default', 'contiv-net') === undefined);
    await ctl.reconcile();
    assert.deepEqual(names(), ['contiv-net']);
  });

  void test('nothing happens before the store has been read', async () => {
    await ctl.reconcile();
    assert.deepEqual(engine.calls, []);
  });
});
