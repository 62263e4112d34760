import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('group create with the defaults', async () => {
  nm.on('POST', '/api/v1/endpointGroups/default:web/', { json: {} });
  const r = await run('group', 'create', 'contiv-net', 'web');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating EndpointGroup default:web\n');
  assert.equal(
    nm.requests[0]?.body,
    '{"groupName":"web","networkName":"contiv-net","tenantName":"default","link-sets":{},"links":{"AppProfile":{},"NetProfile":{},"Network":{},"Tenant":{}}}',
  );
});

void test('group create with every flag (CONTIV-REST example plus more)', async () => {
  nm.on('POST', '/api/v1/endpointGroups/blue:web/', { json: {} });
  const r = await run(
    'group', 'create', '-t', 'blue', '-p', 'prod-web', '-n', 'prof1', 'net1', 'web',
    '--policy', 'p2', '-e', 'ext1', '-r', '10.1.1.10-10.1.1.20', '--tag', 'webtag',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    nm.requests[0]?.body,
    '{"cfgdTag":"webtag","extContractsGrps":["ext1"],"groupName":"web","ipPool":"10.1.1.10-10.1.1.20","netProfile":"prof1","networkName":"net1","policies":["prod-web","p2"],"tenantName":"blue","link-sets":{},"links":{"AppProfile":{},"NetProfile":{},"Network":{},"Tenant":{}}}',
  );
});

void test('group create usage errors', async () => {
  for (const args of [
    ['group', 'create', 'web'],
    ['group', 'create', 'net', 'web', '-r', '10.1.1.10-x'],
    ['group', 'create', 'net', 'web', '-n', 'a/b'],
    ['group', 'create', 'net', 'web', '-e', 'ext_1'],
    ['group', 'create', 'net', 'web', '-p', 'p 1'],
  ]) {
    const r = await run(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 2, `one error line and the --help hint: ${r.stderr}`);
  }
  assert.deepEqual(nm.calls(), []);
});

void test('group rm prints nothing (as Contiv); inspect prints JSON', async () => {
  nm.on('DELETE', '/api/v1/endpointGroups/blue:web/', { json: 'blue:web' });
  const rm = await run('group', 'rm', 'web', '-t', 'blue');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, '');
  const body = { Config: { key: 'default:web' }, Oper: { numEndpoints: 0 } };
  nm.on('GET', '/api/v1/inspect/endpointGroups/default:web/', { json: body });
  const inspect = await run('group', 'inspect', 'web');
  assert.equal(inspect.stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('group ls: tenant check, Contiv\'s columns, policies comma-joined', async () => {
  nm.on('GET', '/api/v1/tenants/default/', { json: { tenantName: 'default' } });
  nm.on('GET', '/api/v1/endpointGroups/', {
    json: [
      { tenantName: 'default', groupName: 'web', networkName: 'contiv-net', policies: ['a', 'b'], netProfile: 'p1' },
      { tenantName: 'blue', groupName: 'db', networkName: 'net1' },
      { tenantName: 'default', groupName: 'app', networkName: 'contiv-net', ipPool: '100.1.1.10-100.1.1.20', cfgdTag: 't' },
    ],
  });
  const r = await run('group', 'ls');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/default/', 'GET /api/v1/endpointGroups/']);
  assert.equal(
    r.stdout,
    [
      'Tenant   Group  Network     IP Pool                CfgdTag  Policies  Network profile',
      '------   -----  -------     -------                -------  --------  ---------------',
      'default  app    contiv-net  100.1.1.10-100.1.1.20  t',
      'default  web    contiv-net                                  a,b       p1',
      '',
    ].join('\n'),
  );
  assert.equal((await run('group', 'ls', '-a', '-q')).stdout, 'db\napp\nweb\n');
});
