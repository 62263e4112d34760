import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError, type ControlClient } from '@contiv/rpc';
import { netmasterLeaderLock } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { controlTarget, controlTargetFor, ReconnectingControl } from './control-api';

void test('control_url forms', () => {
  assert.equal(controlTarget(':9999'), '127.0.0.1:9999');
  assert.equal(controlTarget('10.0.0.1:9999'), '10.0.0.1:9999');
  assert.equal(controlTarget('http://netmaster:9999/'), 'netmaster:9999');
});

void test('an unreachable netmaster: the channel is rebuilt and the call retried; other errors pass through', async () => {
  let created = 0;
  let calls = 0;
  const make = (): ControlClient => {
    created++;
    return {
      close: () => undefined,
      DeleteEndpoint: () => {
        calls++;
        if (calls < 3) return Promise.reject(new RpcError('NETMASTER_UNAVAILABLE', 'netmaster is unreachable: connect ECONNREFUSED'));
        return Promise.resolve({});
      },
      ReleaseAddress: () => Promise.reject(new RpcError('NOT_FOUND', 'no such address')),
    } as unknown as ControlClient;
  };
  const c = new ReconnectingControl({ target: 'x:1', log: noopLogger, createClient: make, budgetMs: 5_000 });
  await c.DeleteEndpoint({ endpointId: 'e', releaseAddress: false });
  assert.equal(calls, 3);
  assert.equal(created, 3);
  await assert.rejects(c.ReleaseAddress({ tenantName: 't', networkName: 'n', address: '1.2.3.4' }), /no such address/);
});

void test('control_url without a host follows the leading netmaster from the store, on every reconnect', async () => {
  const store = new MemoryStore();
  assert.equal(controlTargetFor('10.0.0.1:9999', store, noopLogger), '10.0.0.1:9999');
  const follow = controlTargetFor(':9999', store, noopLogger);
  assert.equal(typeof follow, 'function');
  if (typeof follow === 'string') return;
  assert.equal(await follow(), '127.0.0.1:9999', 'no leader yet: this host');
  await store.put(netmasterLeaderLock(), '192.168.250.11:9999');
  assert.equal(await follow(), '192.168.250.11:9999');

  const targets: string[] = [];
  let failing = true;
  const c = new ReconnectingControl({
    target: follow,
    log: noopLogger,
    budgetMs: 5_000,
    createClient: (t) => {
      targets.push(t);
      return {
        close: () => undefined,
        DeleteEndpoint: () => (failing ? Promise.reject(new RpcError('NETMASTER_UNAVAILABLE', 'gone')) : Promise.resolve({})),
      } as unknown as ControlClient;
    },
  });
  const call = c.DeleteEndpoint({ endpointId: 'e', releaseAddress: false });
  // The leader moves while the old one is unreachable: the next channel goes to the new one.
  await store.put(netmasterLeaderLock(), '192.168.250.12:9999');
  setTimeout(() => (failing = false), 300);
  await call;
  assert.equal(targets[0], '192.168.250.11:9999');
  assert.equal(targets[targets.length - 1], '192.168.250.12:9999');
  await store.close();
});
