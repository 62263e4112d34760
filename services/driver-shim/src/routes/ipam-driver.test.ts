import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseAddressRequest, requestAddressRequest, requestPoolRequest } from './ipam-driver';

void test('RequestPool: Docker fields to the agent message', () => {
  assert.deepEqual(requestPoolRequest({ AddressSpace: 'contiv-local', Pool: '10.55.0.0/24', SubPool: '', Options: {}, V6: false }), {
    addressSpace: 'contiv-local',
    pool: '10.55.0.0/24',
    subPool: '',
    options: {},
    v6: false,
  });
  assert.deepEqual(requestPoolRequest({ Pool: '', Options: { tenant: 't', network: 'n' }, V6: true }).options, { tenant: 't', network: 'n' });
});

void test('RequestAddress: null options (classic libnetwork) and the gateway request', () => {
  assert.deepEqual(requestAddressRequest({ PoolID: 'p', Address: '', Options: null }), { poolId: 'p', address: '', options: {} });
  assert.deepEqual(requestAddressRequest({ PoolID: 'p', Address: '10.0.0.1', Options: { RequestAddressType: 'com.docker.network.gateway' } }).options, {
    RequestAddressType: 'com.docker.network.gateway',
  });
  assert.throws(() => requestAddressRequest({ Address: '' }), /PoolID must be a non-empty string/);
});

void test('ReleaseAddress needs both fields', () => {
  assert.deepEqual(releaseAddressRequest({ PoolID: 'p', Address: '10.0.0.2' }), { poolId: 'p', address: '10.0.0.2' });
  assert.throws(() => releaseAddressRequest({ PoolID: 'p' }), /Address/);
});
