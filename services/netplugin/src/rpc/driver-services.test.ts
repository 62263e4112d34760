import assert from 'node:assert/strict';
import test from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import type { EndpointManager } from '../endpoint/endpoint-manager';
import type { IpamService } from '../ipam/ipam-service';
import type { Binding } from '../network/binding';
import type { DockerNetworks } from '../network/docker-networks';
import type { StateCache } from '../network/state-cache';
import { EP1 } from '../testing/fakes';
import { networkState } from '../testing/state';
import { createDriverServices, type DriverServicesOptions } from './driver-services';

const NET = 'd'.repeat(64);
const binding: Binding = { tenantName: 'default', networkName: 'contiv-net', groupName: '', origin: 'contiv', pool: '' };

function services(containerNames: DriverServicesOptions['containerNames']): ReturnType<typeof createDriverServices> {
  // Join needs only the network registry and the state cache.
  const networks = { resolve: () => Promise.resolve(binding) } as unknown as DockerNetworks;
  const cache = { network: () => networkState({ networkName: 'contiv-net', subnet: '10.1.1.0/24', gateway: '10.1.1.254' }) } as unknown as StateCache;
  return createDriverServices({
    networks,
    cache,
    endpoints: {} as EndpointManager,
    ipam: {} as IpamService,
    store: new MemoryStore(),
    engineKind: { resolve: () => Promise.resolve({ kind: { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' }, detected: true }) } as unknown as EngineKindTracker,
    vswitch: () => undefined,
    log: noopLogger,
    ...(containerNames ? { containerNames } : {}),
  });
}

const join = { networkId: NET, endpointId: EP1, sandboxKey: '/var/run/docker/netns/x', options: {} };
const ctx = { peer: 'test' };

void test('Join hands the endpoint to the container-name recorder and answers without waiting for it', async () => {
  const asked: string[] = [];
  const svc = services({
    afterJoin: (endpointId, networkId) => {
      asked.push(`${endpointId}@${networkId}`);
      return new Promise<boolean>(() => undefined);
    },
  });
  const res = await svc.network.Join(join, ctx);
  assert.equal(res.gateway, '10.1.1.254');
  assert.deepEqual(asked, [`${EP1}@${NET}`]);
});

void test('Join succeeds when the recorder fails, and without one', async () => {
  const failing = services({ afterJoin: () => Promise.reject(new Error('recorder broke')) });
  assert.equal((await failing.network.Join(join, ctx)).gateway, '10.1.1.254');
  assert.equal((await services(undefined).network.Join(join, ctx)).gateway, '10.1.1.254');
});
