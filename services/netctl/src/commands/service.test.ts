import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('service create sends Contiv’s body with Go-style flags and prints Contiv’s line', async () => {
  nm.on('POST', '/api/v1/serviceLBs/blue:web-svc/', { json: {} });
  const r = await run('service', 'create', '-t', 'blue', '-network', 'net1', '-ip', '10.1.1.200', '-selector', 'app=web', '-port', '80:8080:TCP', 'web-svc');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating ServiceLB blue:web-svc\n');
  assert.equal(
    nm.requests[0]?.body,
    '{"ipAddress":"10.1.1.200","networkName":"net1","ports":["80:8080:TCP"],"selectors":["app=web"],"serviceName":"web-svc","tenantName":"blue","link-sets":{},"links":{"Network":{},"Tenant":{}}}',
  );
  nm.on('POST', '/api/v1/serviceLBs/default:dns/', { json: {} });
  const short = await run('service', 'create', '-s', 'net1', '-l', 'app=dns', '-l', 'tier=core', '-p', '53:53:UDP', '-p', '53:53:TCP', 'dns');
  assert.equal(short.code, 0, short.stderr);
  assert.equal(nm.requests[1]?.body, '{"networkName":"net1","ports":["53:53:UDP","53:53:TCP"],"selectors":["app=dns","tier=core"],"serviceName":"dns","tenantName":"default","link-sets":{},"links":{"Network":{},"Tenant":{}}}');
});

void test('service create: every bad input is one line, exit 1, nothing sent', async () => {
  const cases: [string[], RegExp][] = [
    [['-s', 'net1', '-p', '80:8080', 's'], /ports\[0\] "80:8080" is not a port mapping servicePort:providerPort:protocol/],
    [['-s', 'net1', '-p', '80:8080:SCTP', 's'], /is not a port mapping/],
    [['-s', 'net1', '-p', '80:0:TCP', 's'], /has a port outside 1-65535/],
    [['-s', 'net1', '-l', 'web', 's'], /selectors\[0\] "web" is not a selector of the form key=value/],
    [['-s', 'net1', '-ip', '10.1.1', 's'], /ipAddress "10.1.1" is not a valid IPv4 address/],
    [['-l', 'app=web', 's'], /networkName is required/],
    [['-s', 'net1', 's_1'], /serviceName "s_1" is not a valid name/],
    [[], /missing required argument/],
  ];
  for (const [args, re] of cases) {
    const r = await run('service', 'create', ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr.split('\n')[0] ?? '', re, args.join(' '));
  }
  assert.deepEqual(nm.calls(), []);
});

void test('service rm, inspect; a refused request is one line and exit 3', async () => {
  nm.on('DELETE', '/api/v1/serviceLBs/blue:web-svc/', { json: 'blue:web-svc' });
  const rm = await run('service', 'rm', '-t', 'blue', 'web-svc');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'Deleting Service web-svc,blue\n');
  const msg = 'serviceLB blue:nosvc not found';
  nm.on('DELETE', '/api/v1/serviceLBs/blue:nosvc/', { status: 404, json: { error: { code: 'NOT_FOUND', message: msg } } });
  const missing = await run('service', 'delete', '-t', 'blue', 'nosvc');
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /serviceLB blue:nosvc not found/);
  const body = { Config: { key: 'blue:web-svc', serviceName: 'web-svc' }, Oper: { numProviders: 1, serviceVip: '10.1.1.200' } };
  nm.on('GET', '/api/v1/inspect/serviceLBs/blue:web-svc/', { json: body });
  assert.equal((await run('service', 'inspect', '-t', 'blue', 'web-svc')).stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('service ls: tenant check, Contiv’s columns then the VIP and ports', async () => {
  nm.on('GET', '/api/v1/tenants/blue/', { json: { tenantName: 'blue' } });
  nm.on('GET', '/api/v1/serviceLBs/', {
    json: [
      { tenantName: 'blue', serviceName: 'web-svc', networkName: 'net1', selectors: ['app=web', 'tier=front'], ipAddress: '10.1.1.200', ports: ['80:8080:TCP'] },
      { tenantName: 'default', serviceName: 'other', networkName: 'n' },
    ],
  });
  const r = await run('service', 'ls', '-t', 'blue');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^ServiceName\s+Tenant\s+Network\s+Selectors\s+IP\s+Ports$/);
  assert.match(lines.at(-1) ?? '', /^web-svc\s+blue\s+net1\s+app=web,tier=front\s+10\.1\.1\.200\s+80:8080:TCP$/);
  assert.ok(!r.stdout.includes('other'));
  assert.equal((await run('service', 'ls', '-t', 'blue', '-q')).stdout, 'web-svc\n');
});
