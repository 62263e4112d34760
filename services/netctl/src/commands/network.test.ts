import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';
import { FakeNetmaster } from '../testing/fake-netmaster';
import { runCli } from '../testing/run-cli';

const { nm, run } = cliSuite();

const NETWORKS = [
  { key: 'default:contiv-net', tenantName: 'default', networkName: 'contiv-net', nwType: 'data', encap: 'vxlan', subnet: '100.1.1.0/24', gateway: '100.1.1.100' },
  { key: 'blue:net1', tenantName: 'blue', networkName: 'net1', nwType: 'data', encap: 'vlan', pktTag: 100, subnet: '10.1.1.0/24', gateway: '10.1.1.254', cfgdTag: 'web' },
  { key: 'default:a-net', tenantName: 'default', networkName: 'a-net', nwType: 'infra', encap: 'vxlan', subnet: '10.9.0.0/24' },
];

void describe('network create', () => {
  void test('the seed command sends the subnet as typed, with Contiv\'s body and a JSON content type', async () => {
    nm.on('POST', '/api/v1/networks/default:contiv-net/', { json: {} });
    const r = await run('network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Creating network default:contiv-net\n');
    assert.equal(r.stderr, '');
    assert.deepEqual(nm.calls(), ['POST /api/v1/networks/default:contiv-net/']);
    assert.equal(
      nm.requests[0]?.body,
      '{"encap":"vxlan","gateway":"100.1.1.100","networkName":"contiv-net","nwType":"data","subnet":"100.1.1.1/24","tenantName":"default","link-sets":{},"links":{"Tenant":{}}}',
    );
    assert.equal(nm.requests[0]?.headers['content-type'], 'application/json');
  });

  void test('flags before the name, as Contiv users type them (CONTIV-REST example)', async () => {
    nm.on('POST', '/api/v1/networks/blue:net1/', { json: {} });
    const r = await run('network', 'create', '-t', 'blue', '-e', 'vxlan', '-s', '10.1.1.0/24', '-g', '10.1.1.254', 'net1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Creating network blue:net1\n');
    assert.equal(
      nm.requests[0]?.body,
      '{"encap":"vxlan","gateway":"10.1.1.254","networkName":"net1","nwType":"data","subnet":"10.1.1.0/24","tenantName":"blue","link-sets":{},"links":{"Tenant":{}}}',
    );
  });

  void test('every flag, long and short forms, including -s6/-g6 and --tag', async () => {
    nm.on('POST', '/api/v1/networks/blue:n6/', { json: {} });
    const r = await run(
      'net', 'create', 'n6', '--tenant=blue', '-n', 'infra', '--encap', 'vlan', '-p', '200',
      '-s', '10.2.0.0/16', '--gateway', '10.2.0.1', '-s6', '2001:db8::/64', '-g6', '2001:db8::1', '--tag', 'tag6',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      nm.requests[0]?.body,
      '{"cfgdTag":"tag6","encap":"vlan","gateway":"10.2.0.1","ipv6Gateway":"2001:db8::1","ipv6Subnet":"2001:db8::/64","networkName":"n6","nwType":"infra","pktTag":200,"subnet":"10.2.0.0/16","tenantName":"blue","link-sets":{},"links":{"Tenant":{}}}',
    );
  });

  void test('--netmaster after the command overrides NETMASTER', async () => {
    nm.on('POST', '/api/v1/networks/default:n/', { json: {} });
    const r = await runCli(['network', 'create', 'n', '-s', '10.1.0.0/16', '--netmaster', nm.url], { NETMASTER: 'http://127.0.0.1:1' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(nm.calls(), ['POST /api/v1/networks/default:n/']);
  });

  const usageCases: [string, string[], RegExp][] = [
    ['missing --subnet', ['network', 'create', 'n'], /Subnet is required/],
    ['host-less subnet', ['network', 'create', 'n', '-s', '10.1.1/24'], /Invalid subnet '10\.1\.1\/24'/],
    ['/32 subnet', ['network', 'create', 'n', '-s', '10.1.1.0/32'], /Invalid subnet/],
    ['bad gateway', ['network', 'create', 'n', '-s', '10.1.1.0/24', '-g', '10.1.1'], /Invalid gateway '10\.1\.1'/],
    ['bad IPv6 subnet', ['network', 'create', 'n', '-s', '10.1.1.0/24', '-s6', 'zz::/64'], /Invalid IPv6 subnet/],
    ['no name', ['network', 'create', '-s', '10.1.1.0/24'], /missing required argument 'network'/],
    ['two names', ['network', 'create', 'a', 'b', '-s', '10.1.1.0/24'], /too many arguments/],
    ['unknown flag', ['network', 'create', 'n', '-s', '10.1.1.0/24', '--mtu', '9000'], /unknown option '--mtu'/],
    ['bad encap', ['network', 'create', 'n', '-s', '10.1.1.0/24', '-e', 'gre'], /Allowed choices are vxlan, vlan/],
    ['bad pkt-tag', ['network', 'create', 'n', '-s', '10.1.1.0/24', '-p', 'ten'], /pkt-tag/],
    ['unknown subcommand', ['network', 'make', 'n'], /unknown command 'make'/],
    ['bad NETMASTER', ['network', 'create', 'n', '-s', '10.1.1.0/24', '--netmaster', 'localhost:9999'], /must begin with http:\/\//],
  ];
  for (const [name, args, message] of usageCases) {
    void test(`usage error, exit 1, nothing sent: ${name}`, async () => {
      const r = await run(...args);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^error: /);
      assert.match(lines[0] ?? '', message);
      assert.match(lines.at(-1) ?? '', /--help' for usage\)$/);
      assert.deepEqual(nm.calls(), []);
    });
  }
});

void describe('network rm / inspect', () => {
  void test('rm prints Contiv\'s line and DELETEs the key', async () => {
    nm.on('DELETE', '/api/v1/networks/blue:net1/', { json: 'blue:net1' });
    const r = await run('network', 'rm', '-t', 'blue', 'net1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleting network blue:net1\n');
    assert.deepEqual(nm.calls(), ['DELETE /api/v1/networks/blue:net1/']);
  });

  void test('delete is an alias of rm; a refusal exits 3 with the server\'s message', async () => {
    nm.on('DELETE', '/api/v1/networks/default:contiv-net/', {
      status: 409,
      json: { error: { code: 'IN_USE', message: 'network default:contiv-net has 2 active endpoints' } },
    });
    const r = await run('net', 'delete', 'contiv-net');
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'network default:contiv-net has 2 active endpoints\n');
  });

  void test('inspect prints the inspect JSON indented 2 spaces', async () => {
    const inspect = { Config: NETWORKS[0], Oper: { allocatedAddressesCount: 1, allocatedIPAddresses: '100.1.1.100', pktTag: 1, externalPktTag: 1 } };
    nm.on('GET', '/api/v1/inspect/networks/default:contiv-net/', { json: inspect });
    const r = await run('network', 'inspect', 'contiv-net');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${JSON.stringify(inspect, null, 2)}\n`);
  });

  void test('a name cannot escape its path segment', async () => {
    const r = await run('network', 'inspect', '../../version');
    assert.equal(r.code, 3);
    assert.deepEqual(nm.calls(), ['GET /api/v1/inspect/networks/default:..%2F..%2Fversion/']);
  });
});

void describe('network ls', () => {
  beforeEach(() => {
    nm.on('GET', '/api/v1/tenants/default/', { json: { key: 'default', tenantName: 'default' } });
    nm.on('GET', '/api/v1/tenants/blue/', { json: { key: 'blue', tenantName: 'blue' } });
    nm.on('GET', '/api/v1/networks/', { json: NETWORKS });
  });

  void test('reads the tenant first, then lists its networks as a table sorted by name', async () => {
    const r = await run('network', 'ls');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/default/', 'GET /api/v1/networks/']);
    assert.equal(
      r.stdout,
      [
        'Tenant   Network     Nw Type  Encap type  Packet tag  Subnet        Gateway      IPv6Subnet  IPv6Gateway  Cfgd Tag',
        '------   -------     -------  ----------  ----------  ------        -------      ----------  -----------  --------',
        'default  a-net       infra    vxlan       0           10.9.0.0/24',
        'default  contiv-net  data     vxlan       0           100.1.1.0/24  100.1.1.100',
        '',
      ].join('\n'),
    );
  });

  void test('-t selects the tenant, -a lists all, -q prints names, -j prints JSON', async () => {
    assert.equal((await run('net', 'list', '-t', 'blue', '-q')).stdout, 'net1\n');
    assert.equal((await run('net', 'ls', '-a', '-q')).stdout, 'net1\na-net\ncontiv-net\n');
    const json = await run('net', 'ls', '--json', '--tenant', 'blue');
    assert.deepEqual(JSON.parse(json.stdout), [NETWORKS[1]]);
    assert.equal(json.stdout, `${JSON.stringify([NETWORKS[1]], null, 2)}\n`);
    const table = await run('net', 'ls', '-t', 'blue');
    assert.equal(
      table.stdout.split('\n')[2],
      'blue    net1     data     vlan        100         10.1.1.0/24  10.1.1.254                           web',
    );
  });

  void test('an unknown tenant fails with exit 3 before listing', async () => {
    nm.on('GET', '/api/v1/tenants/nope/', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'tenant nope not found' } } });
    const r = await run('net', 'ls', '-t', 'nope');
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'tenant nope not found\n');
    assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/nope/']);
  });

  void test('excess arguments are a usage error', async () => {
    const r = await run('net', 'ls', 'extra');
    assert.equal(r.code, 1);
    assert.deepEqual(nm.calls(), []);
  });
});

void describe('request errors', () => {
  void test('Contiv-style 500 text body: only its first line is printed', async () => {
    nm.on('POST', '/api/v1/networks/default:n/', {
      status: 500,
      text: 'Tenant not found\ngithub.com/contiv/netplugin/netmaster/objApi.(*APIController).NetworkCreate [apiController.go 1004]\n',
    });
    const r = await run('network', 'create', 'n', '-s', '10.1.1.0/24');
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Tenant not found\n');
  });

  void test('4xx JSON body: the message is printed', async () => {
    nm.on('POST', '/api/v1/networks/default:n/', {
      status: 400,
      json: { error: { code: 'INVALID_ARGUMENT', message: 'gateway 10.2.0.1 is outside subnet 10.1.1.0/24' } },
    });
    const r = await run('network', 'create', 'n', '-s', '10.1.1.0/24', '-g', '10.2.0.1');
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'gateway 10.2.0.1 is outside subnet 10.1.1.0/24\n');
  });

  void test('connection refused', async () => {
    const closed = await FakeNetmaster.start();
    const url = closed.url;
    await closed.close();
    const r = await runCli(['network', 'ls'], { NETMASTER: url });
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `cannot reach netmaster at ${url}: connect ECONNREFUSED ${url.slice('http://'.length)}\n`);
  });

  void test('a 2xx body that is not JSON', async () => {
    nm.on('GET', '/api/v1/inspect/networks/default:n/', { text: '<html>' });
    const r = await run('network', 'inspect', 'n');
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^netmaster sent a response that is not JSON \(GET \/api\/v1\/inspect\/networks\/default:n\/\)\n$/);
  });
});
