import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAgentError } from '../errors';
import { formatPoolId, parsePoolId, type PoolRef } from './pool-id';

void test('pool ids round-trip', () => {
  const refs: PoolRef[] = [
    { kind: 'contiv', tenant: 'default', network: 'contiv-net', group: '', pool: '100.1.1.0/24' },
    { kind: 'contiv', tenant: 'blue', network: 'n1', group: 'web', pool: '10.1.0.0/16' },
    { kind: 'docker', pool: '10.9.0.0/24', subPool: '' },
    { kind: 'docker', pool: '10.9.0.0/24', subPool: '10.9.0.128/25' },
  ];
  for (const r of refs) assert.deepEqual(parsePoolId(formatPoolId(r)), r);
  assert.equal(formatPoolId(refs[0] as PoolRef), 'default/contiv-net|100.1.1.0/24');
  assert.equal(formatPoolId(refs[1] as PoolRef), 'blue/n1/web|10.1.0.0/16');
  assert.equal(formatPoolId(refs[3] as PoolRef), 'docker|10.9.0.0/24|10.9.0.128/25');
});

void test('a tenant called docker is still a Contiv pool', () => {
  assert.deepEqual(parsePoolId('docker/n|10.0.0.0/8'), { kind: 'contiv', tenant: 'docker', network: 'n', group: '', pool: '10.0.0.0/8' });
});

void test('foreign pool ids are refused clearly', () => {
  for (const id of ['', '10.0.0.0/24', 'n.default|10.0.0.0/24', 'a/b/c/d|x', 'a/b|', 'a/b|x|y', 'docker|', '/b|x']) {
    assert.throws(() => parsePoolId(id), (e: unknown) => isAgentError(e, 'AGENT_INVALID_ARGUMENT') && /was not issued by netplugin/.test(e.message), id);
  }
});
