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

void test('netmaster unavailable and the store unreadable: fails at once, naming the store; a readable store keeps the retries', async () => {
  const store = new MemoryStore();
  let calls = 0;
  let netmasterBack = false;
  const c = new ReconnectingControl({
    target: 'x:1',
    log: noopLogger,
    budgetMs: 10_000,
    store,
    createClient: () =>
      ({
        close: () => undefined,
        AllocateAddress: () => {
          calls++;
          return netmasterBack ? Promise.resolve({ address: '10.0.0.2/24' }) : Promise.reject(new RpcError('NETMASTER_UNAVAILABLE', 'no netmaster leads right now'));
        },
      }) as unknown as ControlClient,
  });
  // The store answers: netmaster is only restarting, so the call waits for it.
  setTimeout(() => (netmasterBack = true), 600);
  const ok = await c.AllocateAddress({ tenantName: 't', networkName: 'n', requestId: 'r1' } as never);
  assert.equal(ok.address, '10.0.0.2/24');
  assert.ok(calls > 1);

  // The store is away too: the first failed read ends the call, long before the budget.
  netmasterBack = false;
  store.setAvailable(false);
  calls = 0;
  await assert.rejects(c.AllocateAddress({ tenantName: 't', networkName: 'n', requestId: 'r2' } as never), (err: unknown) => {
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, 'STORE_UNAVAILABLE');
    assert.match(err.message, /^the cluster store is unreachable, so netmaster cannot serve AllocateAddress \(.*unavailable.*; netmaster: no netmaster leads right now\)$/);
    return true;
  });
  assert.equal(calls, 1, 'no retry once the store read failed');
  await store.close();
});
