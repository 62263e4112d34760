import assert from 'node:assert/strict';
import test from 'node:test';
import { buildNameTable, endpointNames, lookupName, normalizeName } from './name-table';
import { endpoint } from './testing/frames';

const CID1 = '0123456789abcdef'.repeat(4);
const CID2 = 'fedcba9876543210'.repeat(4);

void test('names: container name without the leading slash and the 12-character id, lowercase', () => {
  assert.deepEqual(endpointNames({ containerName: '/Web-1', containerId: CID1 }), ['web-1', '0123456789ab']);
  assert.deepEqual(endpointNames({ containerName: '', containerId: '' }), []);
  assert.deepEqual(endpointNames({ containerName: 'db', containerId: 'short' }), ['db']);
  assert.equal(normalizeName('WEB.Example.'), 'web.example');
  assert.equal(normalizeName('Ünï'), 'Ünï', 'only ASCII letters fold');
});

void test('a table per network: local and remote endpoints, same name twice gives both addresses in order', () => {
  const table = buildNameTable([
    endpoint({ endpointId: 'e1', ipAddress: '10.1.1.10', containerName: '/web', containerId: CID1, homingHost: 'h1' }),
    endpoint({ endpointId: 'e2', ipAddress: '10.1.1.9', containerName: 'web', containerId: CID2, homingHost: 'h2' }),
    endpoint({ endpointId: 'e3', ipAddress: '10.1.1.3', containerName: 'db', homingHost: 'h3' }),
    endpoint({ endpointId: 'e4', ipAddress: '10.1.1.3', tenantName: 'blue', containerName: 'db' }),
    endpoint({ endpointId: 'e5', ipAddress: '10.1.1.5' }),
    endpoint({ endpointId: 'e6', ipAddress: '', containerName: 'pending' }),
  ]);
  assert.deepEqual([...table.keys()].sort(), ['blue/net', 'default/net']);
  assert.deepEqual(lookupName(table, 'default/net', 'web'), ['10.1.1.9', '10.1.1.10']);
  assert.deepEqual(lookupName(table, 'default/net', 'WEB.'), ['10.1.1.9', '10.1.1.10']);
  assert.deepEqual(lookupName(table, 'default/net', '0123456789AB'), ['10.1.1.10']);
  assert.deepEqual(lookupName(table, 'default/net', 'fedcba987654'), ['10.1.1.9']);
  assert.deepEqual(lookupName(table, 'default/net', 'db'), ['10.1.1.3']);
  assert.deepEqual(lookupName(table, 'blue/net', 'db'), ['10.1.1.3']);
  assert.equal(lookupName(table, 'blue/net', 'web'), undefined);
  assert.equal(lookupName(table, 'default/net', 'pending'), undefined);
  assert.equal(lookupName(table, 'default/other', 'web'), undefined);
  assert.equal(table.get('default/net')?.size, 4);
});
