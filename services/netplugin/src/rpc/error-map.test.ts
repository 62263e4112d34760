import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OvsdbError } from '@contiv/ovsdb-client';
import { RpcError } from '@contiv/rpc';
import { StoreError } from '@contiv/store';
import { AgentError } from '../errors';
import { toRpcError } from './error-map';

void test('agent, store, OVS and netmaster failures become RpcErrors with stable codes', () => {
  assert.equal(toRpcError(new AgentError('AGENT_INVALID_ARGUMENT', 'x')).code, 'INVALID_ARGUMENT');
  assert.equal(toRpcError(new AgentError('AGENT_DOCKER_FAILURE', 'x')).code, 'DOCKER_FAILURE');
  const s = toRpcError(new StoreError('STORE_UNAVAILABLE', 'etcd down'));
  assert.equal(s.code, 'STORE_UNAVAILABLE');
  assert.equal(s.message, 'cluster store: etcd down');
  assert.equal(toRpcError(new OvsdbError('OVSDB_TIMEOUT', 'no reply')).code, 'OVS_FAILURE');
  const fromNetmaster = new RpcError('POOL_EXHAUSTED', 'no free address in contiv-net');
  assert.equal(toRpcError(fromNetmaster), fromNetmaster);
  const reg = new AgentError('AGENT_REGISTRATION_FAILED', 'net2 could not be registered: overlaps', { cause: new RpcError('INVALID_ARGUMENT', 'overlaps') });
  assert.equal(toRpcError(reg).code, 'INVALID_ARGUMENT');
  assert.equal(toRpcError(new TypeError('bug')).code, 'INTERNAL');
});
