import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('netprofile create sends Contiv’s body (CONTIV-REST.md) and prints Contiv’s line', async () => {
  nm.on('POST', '/api/v1/netprofiles/blue:prof1/', { json: {} });
  const r = await run('netprofile', 'create', '-t', 'blue', '-b', '100Mbps', '-d', '6', '-s', '1500', 'prof1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating netprofile blue:prof1\n');
  assert.equal(nm.requests[0]?.body, '{"DSCP":6,"bandwidth":"100Mbps","burst":1500,"profileName":"prof1","tenantName":"blue","link-sets":{},"links":{"Tenant":{}}}');
  nm.on('POST', '/api/v1/netprofiles/default:p2/', { json: {} });
  const spaced = await run('netprofile', 'create', '--bandwidth', '10 Gbps', 'p2');
  assert.equal(spaced.code, 0, spaced.stderr);
  assert.equal(nm.requests[1]?.body, '{"bandwidth":"10 Gbps","profileName":"p2","tenantName":"default","link-sets":{},"links":{"Tenant":{}}}');
});

void test('netprofile create: every bad input is one line, exit 1, nothing sent', async () => {
  const cases: [string[], RegExp][] = [
    [['-b', '10 ms', 'p'], /bandwidth "10 ms" is not a valid bandwidth/],
    [['-b', '10', 'p'], /bandwidth "10" is not a valid bandwidth/],
    [['-d', '64', 'p'], /expected an integer from 0 to 63/],
    [['-d', 'x', 'p'], /expected an integer from 0 to 63/],
    [['-s', '10487', 'p'], /expected an integer from 0 to 10486/],
    [['-s', '1', 'p'], /burst 1 is invalid/],
    [['p_1'], /profileName "p_1" is not a valid name/],
    [[], /missing required argument/],
  ];
  for (const [args, re] of cases) {
    const r = await run('netprofile', 'create', ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr.split('\n')[0] ?? '', re, args.join(' '));
  }
  assert.deepEqual(nm.calls(), []);
});

void test('netprofile rm prints nothing (as Contiv); a refused delete is one line and exit 3; inspect prints JSON', async () => {
  nm.on('DELETE', '/api/v1/netprofiles/default:p1/', { json: 'default:p1' });
  const rm = await run('netprofile', 'rm', 'p1');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, '');
  const msg = 'NetProfile p2 is being used by 1 endpoint groups: web (tenant default)';
  nm.on('DELETE', '/api/v1/netprofiles/default:p2/', { status: 409, json: { error: { code: 'IN_USE', message: msg } } });
  const busy = await run('netprofile', 'delete', 'p2');
  assert.equal(busy.code, 3);
  assert.equal(busy.stderr, `${msg}\n`);
  const body = { Config: { key: 'default:p1', profileName: 'p1' } };
  nm.on('GET', '/api/v1/inspect/netprofiles/default:p1/', { json: body });
  assert.equal((await run('netprofile', 'inspect', 'p1')).stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('netprofile ls: tenant check, Contiv’s columns, bandwidth normalised', async () => {
  nm.on('GET', '/api/v1/tenants/default/', { json: { tenantName: 'default' } });
  nm.on('GET', '/api/v1/netprofiles/', {
    json: [
      { tenantName: 'default', profileName: 'gold', bandwidth: '10 gbps', DSCP: 46, burst: 64 },
      { tenantName: 'blue', profileName: 'x' },
      { tenantName: 'default', profileName: 'bronze', bandwidth: '5mb' },
      { tenantName: 'default', profileName: 'mark', DSCP: 10 },
    ],
  });
  const r = await run('netprofile', 'ls');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/default/', 'GET /api/v1/netprofiles/']);
  assert.equal(
    r.stdout,
    [
      'Name    Tenant   Bandwidth  DSCP  burst size',
      '----    ------   ---------  ----  ----------',
      'bronze  default  5Mbps      0     0',
      'gold    default  10Gbps     46    64',
      'mark    default             10    0',
      '',
    ].join('\n'),
  );
  assert.equal((await run('netprofile', 'list', '-a', '-q')).stdout, 'x\nbronze\ngold\nmark\n');
});
