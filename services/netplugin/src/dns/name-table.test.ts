import assert from 'node:assert/strict';
import test from 'node:test';
import { buildNameTable, endpointNames, lookupName, nameTableSize, normalizeName } from './name-table';
import { swarmServiceOf, swarmTaskNames } from './swarm-names';
import { endpoint } from './testing/frames';

const CID1 = '0123456789abcdef'.repeat(4);
const CID2 = 'fedcba9876543210'.repeat(4);
const TASK = 'k3v9x2m1q8w7e6r5t4y3u2i1o';
const NODE = 'a1b2c3d4e5f6g7h8i9j0k1l2m';

void test('names: container name without the leading slash and the 12-character id, lowercase', () => {
  assert.deepEqual(endpointNames({ containerName: '/Web-1', containerId: CID1 }), ['web-1', '0123456789ab']);
  assert.deepEqual(endpointNames({ containerName: '', containerId: '' }), []);
  assert.deepEqual(endpointNames({ containerName: 'db', containerId: 'short' }), ['db']);
  assert.equal(normalizeName('WEB.Example.'), 'web.example');
  assert.equal(normalizeName('Ünï'), 'Ünï', 'only ASCII letters fold');
});

void test('swarm tasks: web.1.<task id> and web.<node id>.<task id> also answer to web and tasks.web; other dotted names do not', () => {
  assert.equal(swarmServiceOf(`web.1.${TASK}`), 'web');
  assert.equal(swarmServiceOf(`my-db.12.${TASK}`), 'my-db');
  assert.equal(swarmServiceOf(`agent.${NODE}.${TASK}`), 'agent');
  assert.equal(swarmServiceOf(`a.b.1.${TASK}`), 'a.b');
  assert.equal(swarmServiceOf('web.1'), undefined);
  assert.equal(swarmServiceOf(`web.x.${TASK}`), undefined, 'a slot is a number or a 25-character id');
  assert.equal(swarmServiceOf(`web.1.${TASK.slice(1)}`), undefined, 'task ids have 25 characters');
  assert.equal(swarmServiceOf(`.1.${TASK}`), undefined);
  assert.deepEqual(swarmTaskNames(`web.1.${TASK}`), ['web', 'tasks.web']);
  assert.deepEqual(endpointNames({ containerName: `/Web.1.${TASK}`, containerId: CID1 }), [`web.1.${TASK}`, 'web', 'tasks.web', '0123456789ab']);
  // The service label (recorded with the endpoint) wins over the name's shape.
  const labels = { 'com.docker.swarm.service.name': 'My-Db', 'com.docker.swarm.task.name': `my-db.2.${TASK}` };
  assert.deepEqual(endpointNames({ containerName: `my-db.2.${TASK}`, containerId: '', labels }), [`my-db.2.${TASK}`, 'my-db', 'tasks.my-db']);
  assert.deepEqual(swarmTaskNames('db-proxy', { 'com.docker.swarm.service.name': 'db' }), ['db', 'tasks.db']);
  assert.deepEqual(swarmTaskNames('plain', { app: 'web' }), []);
});

void test('per tenant: names of every network of the tenant, the own network first, never another tenant', () => {
  const table = buildNameTable([
    endpoint({ endpointId: 'e1', ipAddress: '10.1.1.10', containerName: '/web', containerId: CID1, homingHost: 'h1' }),
    endpoint({ endpointId: 'e2', ipAddress: '10.1.1.9', containerName: 'web', containerId: CID2, homingHost: 'h2' }),
    endpoint({ endpointId: 'e3', ipAddress: '10.1.1.3', containerName: 'db', homingHost: 'h3' }),
    endpoint({ endpointId: 'e4', ipAddress: '10.2.1.3', networkName: 'other', containerName: 'db' }),
    endpoint({ endpointId: 'e4b', ipAddress: '10.2.1.4', networkName: 'other', containerName: 'cache' }),
    endpoint({ endpointId: 'e4c', ipAddress: '10.3.1.4', networkName: 'third', containerName: 'cache' }),
    endpoint({ endpointId: 'e5', ipAddress: '10.1.1.3', tenantName: 'blue', containerName: 'db' }),
    endpoint({ endpointId: 'e6', ipAddress: '10.1.1.5' }),
    endpoint({ endpointId: 'e7', ipAddress: '', containerName: 'pending' }),
  ]);
  assert.deepEqual([...table.keys()].sort(), ['blue', 'default']);
  const addr = (net: string, name: string): readonly string[] | undefined => lookupName(table, net, name)?.addresses;
  assert.deepEqual(addr('default/net', 'web'), ['10.1.1.9', '10.1.1.10'], 'same name twice: both, in address order');
  assert.deepEqual(addr('default/net', 'WEB.'), ['10.1.1.9', '10.1.1.10']);
  assert.deepEqual(addr('default/net', '0123456789AB'), ['10.1.1.10']);
  assert.deepEqual(addr('default/net', 'db'), ['10.1.1.3'], 'own network first');
  assert.deepEqual(addr('default/other', 'db'), ['10.2.1.3'], 'own network first, from the other side');
  assert.deepEqual(addr('default/other', 'web'), ['10.1.1.9', '10.1.1.10'], 'a name of another network of the tenant');
  assert.deepEqual(addr('default/net', 'cache'), ['10.2.1.4', '10.3.1.4'], 'in two other networks: all of them');
  assert.deepEqual(addr('default/no-endpoints-yet', 'db'), ['10.1.1.3', '10.2.1.3']);
  assert.deepEqual(addr('blue/net', 'db'), ['10.1.1.3']);
  assert.equal(addr('blue/net', 'web'), undefined, "another tenant's name");
  assert.equal(addr('red/net', 'db'), undefined, 'a tenant with no names');
  assert.equal(addr('default/net', 'pending'), undefined);
  assert.equal(addr('default/net', 'web.net'), undefined, 'no name.network form (Contiv had none)');
  assert.deepEqual(nameTableSize(table), { tenants: 2, service: 0, group: 0, endpoint: 6 });
});

void test('groups: the addresses of their endpoints on every network of the tenant; services: their VIP; service > group > endpoint', () => {
  const table = buildNameTable(
    [
      endpoint({ endpointId: 'e1', ipAddress: '10.1.1.2', groupName: 'Web', containerName: 'w1' }),
      endpoint({ endpointId: 'e2', ipAddress: '10.1.1.3', groupName: 'web', containerName: 'w2', homingHost: 'h2' }),
      endpoint({ endpointId: 'e3', ipAddress: '10.1.1.4', groupName: 'db', containerName: 'web-svc' }),
      endpoint({ endpointId: 'e4', ipAddress: '10.1.1.5', groupName: 'web', containerName: 'other', tenantName: 'blue' }),
      endpoint({ endpointId: 'e5', ipAddress: '10.1.1.6', containerName: 'db' }),
    ],
    [
      { tenantName: 'default', serviceName: 'web-svc', ipAddress: '10.1.1.200' },
      { tenantName: 'blue', serviceName: 'Web-Svc', ipAddress: '10.9.9.9' },
      { tenantName: 'default', serviceName: 'no-vip', ipAddress: '' },
    ],
  );
  assert.deepEqual(lookupName(table, 'default/net', 'web'), { kind: 'group', addresses: ['10.1.1.2', '10.1.1.3'] });
  assert.deepEqual(lookupName(table, 'default/net', 'WEB'), { kind: 'group', addresses: ['10.1.1.2', '10.1.1.3'] });
  assert.deepEqual(lookupName(table, 'default/net', 'db'), { kind: 'group', addresses: ['10.1.1.4'] }, 'a group before a container of that name');
  assert.deepEqual(lookupName(table, 'default/net', 'web-svc'), { kind: 'service', addresses: ['10.1.1.200'] }, 'a service before a container of that name');
  assert.deepEqual(lookupName(table, 'blue/net', 'web-svc'), { kind: 'service', addresses: ['10.9.9.9'] });
  assert.deepEqual(lookupName(table, 'blue/net', 'web'), { kind: 'group', addresses: ['10.1.1.5'] });
  assert.deepEqual(lookupName(table, 'default/net', 'w1'), { kind: 'endpoint', addresses: ['10.1.1.2'] });
  assert.equal(lookupName(table, 'default/net', 'no-vip'), undefined, 'a service without a VIP has no name');
  assert.equal(lookupName(table, 'blue/net', 'w1'), undefined);
});

void test('swarm names resolve through the table: task name, service name and tasks.<service>', () => {
  const table = buildNameTable([
    endpoint({ endpointId: 't1', ipAddress: '100.1.1.1', networkName: 'svc-net1', containerName: `my-db.1.${TASK}` }),
    endpoint({ endpointId: 't2', ipAddress: '100.1.1.2', networkName: 'svc-net1', containerName: `my-db.2.${TASK.replace('k', 'z')}`, homingHost: 'h2' }),
  ]);
  assert.deepEqual(lookupName(table, 'default/svc-net1', `my-db.1.${TASK}`)?.addresses, ['100.1.1.1']);
  assert.deepEqual(lookupName(table, 'default/svc-net1', 'my-db')?.addresses, ['100.1.1.1', '100.1.1.2']);
  assert.deepEqual(lookupName(table, 'default/svc-net1', 'tasks.my-db')?.addresses, ['100.1.1.1', '100.1.1.2']);
});
