import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError } from '@contiv/rpc';
import { mapError } from './error-map';
import { ShimError } from './errors';

void test('network driver failures are HTTP 200 with Err', () => {
  assert.deepEqual(mapError(new RpcError('NOT_FOUND', 'no network'), 'NetworkDriver'), { status: 200, body: { Err: 'no network' } });
});

void test('IPAM failures are HTTP 500 with both Err and Error', () => {
  assert.deepEqual(mapError(new RpcError('POOL_EXHAUSTED', 'full'), 'IpamDriver'), { status: 500, body: { Err: 'full', Error: 'full' } });
});

void test('malformed JSON is a 400 in every subsystem', () => {
  const e = new ShimError('SHIM_MALFORMED_JSON', 'malformed JSON in /X: bad');
  assert.equal(mapError(e, 'NetworkDriver').status, 400);
  assert.deepEqual(mapError(e, 'IpamDriver').body, { Err: e.message, Error: e.message });
});

void test('unknown methods are 404', () => {
  assert.equal(mapError(new ShimError('SHIM_UNKNOWN_METHOD', 'x'), 'NetworkDriver').status, 404);
});

void test('an unreachable agent is a failure of the call, not a bad request', () => {
  const e = new ShimError('SHIM_AGENT_UNREACHABLE', 'netplugin agent is not reachable at unix:/x: no socket');
  assert.deepEqual(mapError(e, 'NetworkDriver'), { status: 200, body: { Err: e.message } });
  assert.equal(mapError(e, 'IpamDriver').status, 500);
});

void test('unexpected errors are 500 and say where they came from', () => {
  const r = mapError(new TypeError('boom'), 'NetworkDriver');
  assert.equal(r.status, 500);
  assert.match(String(r.body.Err), /driver-shim internal error: boom/);
});
