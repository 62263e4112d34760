import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError, type ControlClient } from '@contiv/rpc';
import { noopLogger } from '@contiv/runtime';
import { controlTarget, ReconnectingControl } from './control-api';

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
