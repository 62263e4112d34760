import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipAllocationCodec, ipAllocKey } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { EndpointManager } from '../endpoint/endpoint-manager';
import { vethNames } from '../endpoint/naming';
import { TeardownQueue } from '../endpoint/teardown-queue';
import { IpamService } from '../ipam/ipam-service';
import { DockerNetworks } from '../network/docker-networks';
import { StateCache } from '../network/state-cache';
import { EXT_ADDRESS_LEASE } from '../ovs/endpoint-ports';
import { EP1, FakeEngine, FakeLinks, FakeVswitch } from '../testing/fakes';
import { networkState, putNetwork } from '../testing/state';
import { StoreControl } from '../testing/store-control';
import { createDriverServices } from './driver-services';

const NID = 'e'.repeat(64);
const POOL_ID = 'default/svc|100.1.1.0/24';
const swarm: Pick<EngineKindTracker, 'resolve'> = {
  resolve: () => Promise.resolve({ kind: { flavor: 'swarm', driverScope: 'global', docknetScope: 'cluster' }, detected: true }),
};
const ctx = { peer: 'test' };

void test("a task's endpoint marks its swarm address on the port, so after an agent restart the engine's release still frees nothing", async () => {
  const store = new MemoryStore();
  const net = networkState({ networkName: 'svc', subnet: '100.1.1.0/24', gateway: '100.1.1.254', pktTag: 7 });
  await putNetwork(store, net);
  // The manager's allocation for the task.
  await store.put(ipAllocKey('default', 'svc', '100.1.1.5'), ipAllocationCodec.encode({ owner: 'pending:m1:swarm.1', host: 'm1', allocatedAt: new Date().toISOString() }));
  const control = new StoreControl(store, net);
  const vswitch = new FakeVswitch();
  const links = new FakeLinks();

  /** One run of the worker's agent (the OVS ports outlive it). */
  async function agent(): Promise<{ services: ReturnType<typeof createDriverServices>; teardown: TeardownQueue; stop: () => Promise<void> }> {
    const cache = new StateCache(store, noopLogger);
    cache.start();
    assert.ok(await cache.waitSynced(2_000));
    const networks = new DockerNetworks({ cache, store, engine: new FakeEngine(), control, engineKind: swarm, driverName: 'netplugin', log: noopLogger });
    const teardown = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 10 });
    const ipam = new IpamService({ cache, networks, control, teardown, hostName: 'w1', log: noopLogger });
    const endpoints = new EndpointManager({ vswitch, links, control, teardown, bridge: 'contivbr', disableTxOffload: false, hostName: 'w1', vtepIp: '', uplinkMtu: () => Promise.resolve(1500), log: noopLogger });
    const services = createDriverServices({ networks, endpoints, ipam, cache, store, engineKind: swarm, vswitch: () => vswitch, log: noopLogger });
    const stop = async (): Promise<void> => {
      networks.stop();
      ipam.stop();
      await cache.stop();
    };
    return { services, teardown, stop };
  }

  const first = await agent();
  await first.services.network.CreateNetwork({ networkId: NID, genericOptions: { 'contiv.tenant': 'default', 'contiv.network': 'svc' }, enableIpv6: false, internal: false, ipv4Data: [], ipv6Data: [] }, ctx);
  const got = await first.services.ipam.RequestAddress({ poolId: POOL_ID, address: '100.1.1.5', options: { 'com.docker.network.endpoint.name': 'web.1.x' } }, ctx);
  assert.equal(got.address, '100.1.1.5/24');
  assert.equal(control.count('AllocateAddress'), 0);
  await first.services.network.CreateEndpoint({ networkId: NID, endpointId: EP1, interface: { address: '100.1.1.5/24', addressIpv6: '', macAddress: '' }, options: {} }, ctx);
  assert.equal(vswitch.getPort(vethNames(EP1).host)?.externalIds[EXT_ADDRESS_LEASE], 'swarm');
  assert.equal(await control.owner('100.1.1.5'), EP1);
  await first.stop();

  const second = await agent();
  await second.services.network.DeleteEndpoint({ networkId: NID, endpointId: EP1 }, ctx);
  await second.services.ipam.ReleaseAddress({ poolId: POOL_ID, address: '100.1.1.5' }, ctx);
  await second.teardown.idle();
  assert.deepEqual(control.calls.filter((c) => c.method === 'DeleteEndpoint').map((c) => c.req), [{ endpointId: EP1, releaseAddress: false }]);
  assert.equal(control.count('ReleaseAddress'), 0);
  assert.equal(await control.owner('100.1.1.5'), EP1, 'held until the swarm manager releases it');
  await second.stop();
  await store.close();
});
