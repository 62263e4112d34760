import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

const end = (over: Record<string, unknown>) => ({
  query: '', kind: 'endpoint', endpointId: '', containerId: '', containerName: '', ip: '', mac: '', network: 'net1', group: '', groupId: 0, host: 'h1', vtepIp: '', interface: '', ...over,
});
const CLIENT = end({ query: 'client1', endpointId: 'bb22'.repeat(16), containerName: 'client1', ip: '10.1.1.2', mac: '02:02:0a:01:01:02', group: 'client', groupId: 2 });
const WEB = end({ query: 'web1', endpointId: 'aa11'.repeat(16), containerName: 'web1', ip: '10.1.1.1', mac: '02:02:0a:01:01:01', group: 'web', groupId: 1, host: 'h2' });
const DENY_RULE = { id: 'blue/prod-web/2', policy: 'prod-web', ruleId: '2', direction: 'in', priority: 1, action: 'deny', match: 'from group client, icmp', rank: 13 };
const DENY = {
  tenant: 'blue', verdict: 'deny', policyVerdict: 'deny', reason: '', packet: { protocol: 'icmp', ipProtocol: 1, port: 0 }, from: CLIENT, to: WEB,
  steps: [
    { direction: 'out', group: 'client', groupId: 2, action: 'allow', rule: null, summary: 'no rule matched: default allow' },
    { direction: 'in', group: 'web', groupId: 1, action: 'deny', rule: DENY_RULE, summary: 'blue/prod-web rule 2 (in, priority 1, deny; from group client, icmp)' },
  ],
};

void test('policy trace asks netmaster and names the deciding rule', async () => {
  nm.on('GET', '/api/v1/inspect/policyTrace/?tenant=blue&from=client1&to=web1', { json: DENY });
  const r = await run('policy', 'trace', '-t', 'blue', 'client1', 'web1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'deny: blue/prod-web rule 2 (in, priority 1, deny) decided traffic from client1 (10.1.1.2, group client) to web1 (10.1.1.1, group web), icmp',
      '  out of group client: no rule matched: default allow',
      '  in of group web: blue/prod-web rule 2 (in, priority 1, deny; from group client, icmp)',
      '',
    ].join('\n'),
  );
  const json = await run('policy', 'trace', '-t', 'blue', '--json', 'client1', 'web1');
  assert.deepEqual(JSON.parse(json.stdout), DENY);
  assert.equal(json.stdout, `${JSON.stringify(DENY, null, 2)}\n`);
});

void test('policy trace sends protocol and port; allow, out-deny and unreachable answers', async () => {
  const allow = {
    ...DENY, verdict: 'allow', policyVerdict: 'allow', packet: { protocol: 'tcp', ipProtocol: 6, port: 80 },
    steps: [DENY.steps[0], { direction: 'in', group: 'web', groupId: 1, action: 'allow', rule: { ...DENY_RULE, action: 'allow' }, summary: 'blue/prod-web rule 3 (in, priority 10, allow; tcp port 80)' }],
  };
  nm.on('GET', '/api/v1/inspect/policyTrace/?tenant=default&from=client1&to=web1&protocol=tcp&port=80', { json: allow });
  const a = await run('policy', 'trace', '-l', 'tcp', '-P', '80', 'client1', 'web1');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.split('\n')[0], 'allow: traffic from client1 (10.1.1.2, group client) to web1 (10.1.1.1, group web), tcp port 80');

  const addr = end({ query: '10.1.1.200', kind: 'address', ip: '10.1.1.200', host: '' });
  const outDeny = {
    ...DENY, to: addr,
    steps: [{ direction: 'out', group: 'client', groupId: 2, action: 'deny', rule: { ...DENY_RULE, id: 'blue/client-out/1', policy: 'client-out', ruleId: '1', direction: 'out', priority: 5 }, summary: 'blue/client-out rule 1 (out, priority 5, deny; to 10.1.1.200)' }],
  };
  nm.on('GET', '/api/v1/inspect/policyTrace/?tenant=default&from=client1&to=10.1.1.200&protocol=udp&port=53', { json: outDeny });
  const o = await run('policy', 'trace', '-P', '53', '-l', 'udp', 'client1', '10.1.1.200');
  assert.equal(o.code, 0, o.stderr);
  assert.equal(
    o.stdout,
    [
      'deny: blue/client-out rule 1 (out, priority 5, deny) decided traffic from client1 (10.1.1.2, group client) to 10.1.1.200 (no endpoint, network net1), icmp',
      '  out of group client: blue/client-out rule 1 (out, priority 5, deny; to 10.1.1.200)',
      '  in: not consulted (out already denied)',
      '',
    ].join('\n'),
  );

  const other = end({ query: 'other', containerName: 'other', ip: '10.1.2.5', network: 'net2' });
  const unreachable = {
    ...DENY, verdict: 'unreachable', policyVerdict: 'allow', to: other,
    reason: 'client1 is on network net1 and other on network net2: the datapath only bridges within a network (no routing between networks)',
    steps: [DENY.steps[0], { direction: 'in', group: '', groupId: 0, action: 'allow', rule: null, summary: 'other is in no group: no in rules apply, default allow' }],
  };
  nm.on('GET', '/api/v1/inspect/policyTrace/?tenant=default&from=client1&to=other', { json: unreachable });
  const u = await run('policy', 'trace', 'client1', 'other');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(
    u.stdout,
    [
      'unreachable: traffic from client1 (10.1.1.2, group client) to other (10.1.2.5, no group), icmp: client1 is on network net1 and other on network net2: the datapath only bridges within a network (no routing between networks) (the policy alone would allow it)',
      '  out of group client: no rule matched: default allow',
      '  in: other is in no group: no in rules apply, default allow',
      '',
    ].join('\n'),
  );
});

void test('policy trace: bad flags are one line and exit 1, nothing sent; netmaster’s refusal is one line and exit 3', async () => {
  const cases: [string[], RegExp][] = [
    [['client1'], /missing required argument 'to'/],
    [['-P', '0', 'a', 'b'], /expected an integer from 1 to 65535/],
    [['-l', 'icmp', '-P', '80', 'a', 'b'], /--port 80 needs --protocol tcp or udp/],
    [['-l', 'tcp', 'a', 'b'], /--protocol tcp needs --port/],
    [['-l', '17', 'a', 'b'], /--protocol 17 needs --port/],
    [['-l', 'sctp', 'a', 'b'], /Invalid protocol 'sctp'/],
    [['-l', '0', 'a', 'b'], /Invalid protocol '0'/],
  ];
  for (const [args, re] of cases) {
    const r = await run('policy', 'trace', ...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.deepEqual(nm.calls(), []);
  nm.on('GET', '/api/v1/inspect/policyTrace/?tenant=default&from=web9&to=web1', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'from "web9": no endpoint of tenant default has that container name' } } });
  const r = await run('policy', 'trace', 'web9', 'web1');
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'from "web9": no endpoint of tenant default has that container name\n');
});
