import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('policy create sends Contiv’s body and prints Contiv’s line', async () => {
  nm.on('POST', '/api/v1/policys/blue:prod-web/', { json: {} });
  const r = await run('policy', 'create', '-t', 'blue', 'prod-web');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating policy blue:prod-web\n');
  assert.equal(nm.requests[0]?.body, '{"policyName":"prod-web","tenantName":"blue","link-sets":{},"links":{"Tenant":{}}}');
});

void test('policy rm, inspect; a refused delete is one line and exit 3', async () => {
  nm.on('DELETE', '/api/v1/policys/default:p1/', { json: 'default:p1' });
  const rm = await run('policy', 'delete', 'p1');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'Deleting policy default:p1\n');
  nm.on('DELETE', '/api/v1/policys/default:p2/', { status: 409, json: { error: { code: 'IN_USE', message: 'Policy p2 is being used by 1 endpoint groups: web (tenant default)' } } });
  const busy = await run('policy', 'rm', 'p2');
  assert.equal(busy.code, 3);
  assert.equal(busy.stderr, 'Policy p2 is being used by 1 endpoint groups: web (tenant default)\n');
  const body = { Config: { key: 'default:p1' }, Oper: { numEndpoints: 2 } };
  nm.on('GET', '/api/v1/inspect/policys/default:p1/', { json: body });
  const inspect = await run('policy', 'inspect', 'p1');
  assert.equal(inspect.stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('policy ls: tenant check, columns Tenant Policy, -q, -a, -j', async () => {
  nm.on('GET', '/api/v1/tenants/default/', { json: { tenantName: 'default' } });
  const list = [
    { tenantName: 'default', policyName: 'web' },
    { tenantName: 'blue', policyName: 'db' },
    { tenantName: 'default', policyName: 'app' },
  ];
  nm.on('GET', '/api/v1/policys/', { json: list });
  const r = await run('policy', 'ls');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/default/', 'GET /api/v1/policys/']);
  assert.equal(r.stdout, ['Tenant   Policy', '------   ------', 'default  app', 'default  web', ''].join('\n'));
  assert.equal((await run('policy', 'list', '-a', '-q')).stdout, 'db\napp\nweb\n');
  assert.deepEqual(JSON.parse((await run('policy', 'ls', '-j')).stdout), [list[2], list[0]]);
  nm.on('GET', '/api/v1/tenants/nosuch/', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'tenant nosuch not found' } } });
  const missing = await run('policy', 'ls', '-t', 'nosuch');
  assert.equal(missing.code, 3);
  assert.equal(missing.stderr, 'tenant nosuch not found\n');
});

void test('policy rule-add sends the bodies of CONTIV-REST.md and prints nothing', async () => {
  nm.on('POST', '/api/v1/rules/blue:prod-web:1/', { json: {} });
  const r = await run('policy', 'rule-add', '-t', 'blue', '-d', 'in', '-l', 'tcp', '-P', '80', '-j', 'allow', 'prod-web', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(
    nm.requests[0]?.body,
    '{"action":"allow","direction":"in","policyName":"prod-web","port":80,"priority":1,"protocol":"tcp","ruleId":"1","tenantName":"blue","link-sets":{},"links":{"MatchEndpointGroup":{}}}',
  );
  nm.on('POST', '/api/v1/rules/blue:prod-web:4/', { json: {} });
  const out = await run('policy', 'rule-add', '-t', 'blue', '-d', 'out', '-l', 'udp', '-P', '53', '-s', '10.2.0.0/16', '-j', 'allow', 'prod-web', '4');
  assert.equal(out.code, 0, out.stderr);
  assert.equal(
    nm.requests[1]?.body,
    '{"action":"allow","direction":"out","policyName":"prod-web","port":53,"priority":1,"protocol":"udp","ruleId":"4","tenantName":"blue","toIpAddress":"10.2.0.0/16","link-sets":{},"links":{"MatchEndpointGroup":{}}}',
  );
});

void test('policy rule-add: every flag in long, short and Go-style spellings', async () => {
  nm.on('POST', '/api/v1/rules/default:p1:r2/', { json: {} });
  const bodies: string[] = [];
  for (const args of [
    ['--priority', '7', '--direction', 'in', '--from-group', 'db', '--from-ip-address', '10.1.1.0/24', '--protocol', 'tcp', '--port', '5432', '--action', 'deny', 'p1', 'r2'],
    ['-p', '7', '-g', 'db', '-i', '10.1.1.0/24', '-l', 'tcp', '-P', '5432', '-j', 'deny', 'p1', 'r2'],
    ['p1', 'r2', '-priority', '7', '-from-group=db', '-from-ip-address', '10.1.1.0/24', '-protocol', 'tcp', '-port', '5432', '-action', 'deny'],
  ]) {
    const r = await run('policy', 'rule-add', ...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    bodies.push(nm.requests.at(-1)?.body ?? '');
  }
  const want = '{"action":"deny","direction":"in","fromEndpointGroup":"db","fromIpAddress":"10.1.1.0/24","policyName":"p1","port":5432,"priority":7,"protocol":"tcp","ruleId":"r2","tenantName":"default","link-sets":{},"links":{"MatchEndpointGroup":{}}}';
  assert.deepEqual(bodies, [want, want, want]);
  nm.on('POST', '/api/v1/rules/default:p1:r3/', { json: {} });
  const outNet = await run('policy', 'rule-add', '-d', 'out', '-o', 'net2', '-e', '', 'p1', 'r3');
  assert.equal(outNet.code, 0, outNet.stderr);
  assert.match(nm.requests.at(-1)?.body ?? '', /"direction":"out".*"toNetwork":"net2"/);
});

void test('policy rule-add usage errors exit 1 before any request', async () => {
  const cases: [string[], RegExp][] = [
    [['p1'], /missing required argument 'ruleid'/],
    [['-d', 'both', 'p1', '1'], /argument 'both' is invalid/],
    [['-j', 'drop', 'p1', '1'], /argument 'drop' is invalid/],
    [['-p', '0', 'p1', '1'], /expected an integer from 1 to 100/],
    [['-p', '101', 'p1', '1'], /expected an integer from 1 to 100/],
    [['-l', 'tcp', '-P', '65536', 'p1', '1'], /expected an integer from 0 to 65535/],
    [['-e', 'db', 'p1', '1'], /can not specify 'to' parameters in incoming rule \(--to-group db\)/],
    [['-s', '10.1.1.1', 'p1', '1'], /can not specify 'to' parameters in incoming rule \(--to-ip-address 10\.1\.1\.1\)/],
    [['-d', 'out', '-g', 'web', 'p1', '1'], /can not specify 'from' parameters in outgoing rule \(--from-group web\)/],
    [['-n', 'net1', '-g', 'web', 'p1', '1'], /can not specify both --from-network and --from-group/],
    [['-n', 'net1', '-i', '10.1.1.1', 'p1', '1'], /can not specify both --from-network and --from-ip-address/],
    [['-d', 'out', '-o', 'net1', '-e', 'web', 'p1', '1'], /can not specify both --to-network and --to-group/],
    [['-i', '10.1.1.0/32', 'p1', '1'], /Invalid IP address '10\.1\.1\.0\/32' for --from-ip-address/],
    [['-l', 'sctp', 'p1', '1'], /Invalid protocol 'sctp'/],
    [['-l', '256', 'p1', '1'], /Invalid protocol '256'/],
    [['-P', '80', 'p1', '1'], /port 80 needs protocol tcp or udp/],
    [['-l', 'icmp', '-P', '80', 'p1', '1'], /port 80 needs protocol tcp or udp \(protocol is "icmp"\)/],
    [['p_1', '1'], /policyName "p_1" is not a valid name/],
  ];
  for (const [args, re] of cases) {
    const r = await run('policy', 'rule-add', ...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /run 'netctl policy rule-add --help' for usage/);
  }
  assert.deepEqual(nm.calls(), []);
});

void test('policy rule-add: netmaster’s refusal is one line, exit 3', async () => {
  nm.on('POST', '/api/v1/rules/default:p1:1/', { status: 500, text: 'Policy p1 not found (tenant default)\ngithub.com/x/y [a.go 1]\n' });
  const r = await run('policy', 'rule-add', 'p1', '1');
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'Policy p1 not found (tenant default)\n');
});

void test('policy rule-rm deletes quietly', async () => {
  nm.on('DELETE', '/api/v1/rules/blue:p1:3/', { json: 'blue:p1:3' });
  const r = await run('policy', 'rule-rm', '-t', 'blue', 'p1', '3');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(nm.calls(), ['DELETE /api/v1/rules/blue:p1:3/']);
  assert.equal((await run('policy', 'rule-rm', 'p1')).code, 1);
});

void test('policy rule-ls: the policy’s rules by priority, in two tables; -q and -j', async () => {
  nm.on('GET', '/api/v1/policys/default:p1/', { json: { key: 'default:p1' } });
  nm.on('GET', '/api/v1/rules/', {
    json: [
      { tenantName: 'default', policyName: 'p1', ruleId: '2', direction: 'in', priority: 10, fromEndpointGroup: 'db', protocol: 'tcp', port: 5432, action: 'allow' },
      { tenantName: 'default', policyName: 'p1', ruleId: '1', direction: 'in', priority: 1, protocol: 'tcp', action: 'deny' },
      { tenantName: 'default', policyName: 'p1', ruleId: '4', direction: 'out', priority: 1, toIpAddress: '10.2.0.0/16', protocol: 'udp', port: 53, action: 'allow' },
      { tenantName: 'default', policyName: 'other', ruleId: '9', direction: 'in', priority: 1, action: 'allow' },
      { tenantName: 'blue', policyName: 'p1', ruleId: '8', direction: 'in', priority: 1, action: 'allow' },
    ],
  });
  const r = await run('policy', 'rule-ls', 'p1');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(nm.calls(), ['GET /api/v1/policys/default:p1/', 'GET /api/v1/rules/']);
  assert.equal(
    r.stdout,
    [
      'Incoming Rules:',
      'Rule  Priority  From EndpointGroup  From Network  From IpAddress  To IpAddress  Protocol  Port  Action',
      '----  --------  ------------------  ------------  --------------  ------------  --------  ----  ------',
      '1     1                                                                         tcp       0     deny',
      '2     10        db                                                              tcp       5432  allow',
      'Outgoing Rules:',
      'Rule  Priority  To EndpointGroup  To Network  To IpAddress  Protocol  Port  Action',
      '----  --------  ----------------  ----------  ------------  --------  ----  ------',
      '4     1                                       10.2.0.0/16   udp       53    allow',
      '',
    ].join('\n'),
  );
  assert.equal((await run('policy', 'rule-ls', '-q', 'p1')).stdout, '1\n4\n2\n');
  const json = JSON.parse((await run('policy', 'rule-ls', '-j', 'p1')).stdout) as { ruleId: string }[];
  assert.deepEqual(json.map((x) => x.ruleId), ['1', '4', '2']);
  nm.on('GET', '/api/v1/policys/default:nosuch/', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'policy default:nosuch not found' } } });
  const missing = await run('policy', 'rule-ls', 'nosuch');
  assert.equal(missing.code, 3);
  assert.equal(missing.stderr, 'policy default:nosuch not found\n');
});
