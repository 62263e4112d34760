import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('app-profile create takes Contiv’s comma list or the repeated flag, sends Contiv’s body', async () => {
  nm.on('POST', '/api/v1/appProfiles/blue:app1/', { json: {} });
  const r = await run('app-profile', 'create', '-t', 'blue', '-g', 'web,db', 'app1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating AppProfile blue:app1\n');
  const body = '{"appProfileName":"app1","endpointGroups":["web","db"],"tenantName":"blue","link-sets":{},"links":{"Tenant":{}}}';
  assert.equal(nm.requests[0]?.body, body);
  const repeated = await run('app-profile', 'create', '-t', 'blue', '-g', 'web', '--group', 'db', 'app1');
  assert.equal(repeated.code, 0, repeated.stderr);
  assert.equal(nm.requests[1]?.body, body);
});

void test('app-profile update posts the new list and prints nothing; rm prints nothing', async () => {
  nm.on('POST', '/api/v1/appProfiles/default:app1/', { json: {} });
  const u = await run('app-profile', 'update', '-g', 'web', 'app1');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(u.stdout, '');
  assert.equal(nm.requests[0]?.body, '{"appProfileName":"app1","endpointGroups":["web"],"tenantName":"default","link-sets":{},"links":{"Tenant":{}}}');
  const empty = await run('app-profile', 'update', 'app1');
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(nm.requests[1]?.body, '{"appProfileName":"app1","tenantName":"default","link-sets":{},"links":{"Tenant":{}}}', 'no groups: the list is left out, as Go’s omitempty');
  nm.on('DELETE', '/api/v1/appProfiles/default:app1/', { json: 'default:app1' });
  const rm = await run('app-profile', 'delete', 'app1');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, '');
});

void test('app-profile: bad input is one line, exit 1, nothing sent; a refusal is exit 3', async () => {
  for (const [args, re] of [
    [['-g', 'we_b', 'app1'], /endpointGroups\[0\] "we_b" is not a valid name/],
    [['-g', 'web,web', 'app1'], /endpointGroups names web more than once/],
    [['-g', 'web', 'a/b'], /appProfileName "a\/b" is not a valid name/],
    [['-g', 'web'], /missing required argument/],
  ] as const) {
    const r = await run('app-profile', 'create', ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr.split('\n')[0] ?? '', re);
  }
  assert.deepEqual(nm.calls(), []);
  const msg = 'an endpoint group belongs to at most one app profile: web (in app1) (tenant default); remove it from that profile first';
  nm.on('POST', '/api/v1/appProfiles/default:app2/', { status: 409, json: { error: { code: 'IN_USE', message: msg } } });
  const refused = await run('app-profile', 'create', '-g', 'web', 'app2');
  assert.equal(refused.code, 3);
  assert.equal(refused.stderr, `${msg}\n`);
  assert.equal(refused.stdout, '', 'no "Creating" line for a refused create');
});

void test('app-profile ls, group-ls, inspect', async () => {
  nm.on('GET', '/api/v1/tenants/default/', { json: { tenantName: 'default' } });
  nm.on('GET', '/api/v1/appProfiles/', {
    json: [
      { tenantName: 'default', appProfileName: 'app2', endpointGroups: ['web', 'db'] },
      { tenantName: 'blue', appProfileName: 'other' },
      { tenantName: 'default', appProfileName: 'app1' },
    ],
  });
  const r = await run('app-profile', 'ls');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, ['Tenant   AppProfile  Groups', '------   ----------  ------', 'default  app1', 'default  app2        web,db', ''].join('\n'));
  assert.equal((await run('app-profile', 'ls', '-a', '-q')).stdout, 'other\napp1\napp2\n');
  nm.on('GET', '/api/v1/appProfiles/default:app2/', { json: { tenantName: 'default', appProfileName: 'app2', endpointGroups: ['web', 'db'] } });
  assert.equal((await run('app-profile', 'group-ls', 'app2')).stdout, 'web,db\n');
  const body = { Config: { key: 'default:app2' } };
  nm.on('GET', '/api/v1/inspect/appProfiles/default:app2/', { json: body });
  assert.equal((await run('app-profile', 'inspect', 'app2')).stdout, `${JSON.stringify(body, null, 2)}\n`);
});
