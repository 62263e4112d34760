/**
 * Group-based policy on a 3-host local cluster, with real containers and real
 * packets across hosts: the issue's workflow (web allows TCP 80 and denies
 * the rest), rule changes reaching running containers on every host, rules by
 * peer group, network and address, `out` rules, priorities, a policy added to
 * a running group, 200 rules, a hitless rule replacement under a continuous
 * ping, `netctl policy trace` against OVS's own ofproto/trace on the hosts'
 * bridges, and bad input refused with nothing changed. Semantics: docs/policy.md.
 *
 * Probes: `ping -c 2` (allowed = a reply) and busybox `nc -w 2 IP PORT`
 * (allowed = connected; dropped = "timed out"). The web containers listen on
 * every port probed, so a dropped SYN is never mistaken for a closed port.
 * Rule changes reach the agents asynchronously, so every expectation is
 * polled (`expectTraffic`), and how long it took is printed as a diagnostic.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import type { RunResult } from '../harness/exec';

const TENANT = 'blue';
const BRIDGE = 'contivbr';
const SUBNET = '10.36.1.0/24';
const GATEWAY = '10.36.1.254';

/** Every container of the test and its host: web on h1 and h2, clients on h3 and h2, a third group on h3. */
const HOST_OF = { web1: 'h1', web2: 'h2', client3: 'h3', client2: 'h2', other3: 'h3' } as const;
type Name = keyof typeof HOST_OF;

/** Ports of the 200-rule policy that are probed: even ones allowed, odd ones denied. */
const BULK_SAMPLE = [1000, 1001, 1100, 1101, 1198, 1199] as const;
/** What the web containers listen on besides 80. */
const EXTRA_PORTS = [8080, ...BULK_SAMPLE];

/** `icmp`, or a TCP port. */
type What = 'icmp' | number;
/** from, to, what, whether it must pass. */
type Case = readonly [Name, Name, What, boolean];

const show = (w: What): string => (w === 'icmp' ? 'ping' : `tcp/${w}`);

interface RestCall {
  method: string;
  path: string;
  body?: unknown;
}
interface RestReply {
  status: number;
  text: string;
}

/**
 * Runs REST calls one after the other from inside h1 (netmaster is only
 * reachable from the cluster's hosts) in one node process: 200 netctl runs
 * through `cluster exec` take about a second each.
 */
const REST_SCRIPT = `
let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => (input += d)).on('end', async () => {
  const out = [];
  for (const q of JSON.parse(input)) {
    const res = await fetch(process.env.NETMASTER + q.path, { method: q.method, ...(q.body === undefined ? {} : { body: JSON.stringify(q.body) }) });
    out.push({ status: res.status, text: await res.text() });
  }
  process.stdout.write(JSON.stringify(out));
});`;

interface TraceEndJson {
  containerName: string;
  ip: string;
  mac: string;
  host: string;
  vtepIp: string;
  interface: string;
}
interface TraceStepJson {
  direction: 'in' | 'out';
  action: 'allow' | 'deny';
  rule: { id: string; ruleId: string } | null;
}
interface TraceAnswerJson {
  verdict: string;
  from: TraceEndJson;
  to: TraceEndJson;
  steps: TraceStepJson[];
}

void describe('group-based policy on 3 hosts: rules, changes, trace, bad input', { timeout: 900_000 }, () => {
  const cluster = useCluster({ hosts: 3 });
  const c = (): LocalCluster => cluster();
  const ips = new Map<Name, string>();
  const ip = (n: Name): string => {
    const a = ips.get(n);
    if (a === undefined) throw new Error(`${n} has not been started`);
    return a;
  };

  /** netctl on a host (h1 unless told); throws with its output on a non-zero exit. */
  const netctl = (...args: string[]): Promise<RunResult> => c().netctl('h1', ...args);
  const netctlOn = (host: string, ...args: string[]): Promise<RunResult> => c().netctl(host, ...args);

  async function rest(calls: readonly RestCall[]): Promise<RestReply[]> {
    const r = await c().exec('h1', ['node', '-e', REST_SCRIPT], { input: JSON.stringify(calls), timeoutMs: 300_000 });
    return JSON.parse(r.stdout) as RestReply[];
  }

  async function startContainer(name: Name, group: string, cmd: string[]): Promise<void> {
    const host = HOST_OF[name];
    // netctl returns when netmaster stored the group; each engine gets its Docker network a moment later.
    await eventually(async () => (await c().docker(host, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').includes(`${group}/${TENANT}`), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `docker network ${group}/${TENANT} on ${host}`,
    });
    await c().docker(host, 'run', '-d', `--net=${group}/${TENANT}`, `--name=${name}`, ...cmd);
    const r = await c().docker(host, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
    const addr = r.stdout.trim();
    assert.match(addr, /^10\.36\.1\.\d+$/, `${name} on ${host} has an address of net1`);
    ips.set(name, addr);
  }
  const startWeb = (name: Name): Promise<void> =>
    // busybox httpd without -f daemonizes: one per extra port, then the issue's `httpd -f -p 80` in front.
    startContainer(name, 'web', ['busybox', 'sh', '-c', `for p in ${EXTRA_PORTS.join(' ')}; do httpd -p $p; done; exec httpd -f -p 80`]);
  const startIdle = (name: Name, group: string): Promise<void> => startContainer(name, group, ['-it', 'busybox', 'sh']);

  /** One probe: does `what` from `from` reach `to` now? Anything but a pass or a drop (a refused port, a missing container) throws. */
  async function reaches(from: Name, to: Name, what: What): Promise<boolean> {
    const host = HOST_OF[from];
    if (what === 'icmp') {
      const r = await c().exec(host, ['docker', 'exec', from, 'ping', '-c', '2', '-i', '0.3', '-W', '1', ip(to)], { allowFail: true });
      const m = /(\d+) packets transmitted, (\d+) packets received/.exec(r.stdout);
      if (!m) throw new Error(`ping ${from} -> ${to} did not run (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
      return Number(m[2]) > 0;
    }
    const r = await c().exec(host, ['docker', 'exec', from, 'nc', '-w', '2', ip(to), String(what)], { allowFail: true });
    if (r.code === 0) return true;
    if (/timed out/.test(r.stderr)) return false;
    throw new Error(`nc ${from} -> ${to}:${what} failed otherwise (exit ${r.code}): ${r.stderr.trim()}`);
  }

  /**
   * Polls until every case holds at once (a deny must drop, an allow must
   * pass); prints how long that took after `since` (a probe round included).
   */
  async function expectTraffic(t: TestContext, label: string, cases: readonly Case[], since = Date.now()): Promise<number> {
    await eventually(
      async () => {
        const got = await Promise.all(cases.map(([f, to, w]) => reaches(f, to, w)));
        const wrong = cases.filter((cs, i) => got[i] !== cs[3]).map(([f, to, w, ok]) => `${f} -> ${to} ${show(w)} should be ${ok ? 'allowed' : 'dropped'}`);
        if (wrong.length > 0) throw new Error(wrong.join('; '));
      },
      { timeoutMs: 30_000, intervalMs: 100, what: label },
    );
    const ms = Date.now() - since;
    t.diagnostic(`${label}: as expected ${ms} ms after the change`);
    return ms;
  }

  /** A rule-add with the policy and id last, as netctl takes them. */
  const ruleAdd = (policy: string, id: string, ...flags: string[]): Promise<RunResult> => netctl('policy', 'rule-add', '-t', TENANT, ...flags, policy, id);
  const ruleRm = (policy: string, id: string): Promise<RunResult> => netctl('policy', 'rule-rm', '-t', TENANT, policy, id);

  async function groupPolicies(group: string): Promise<string[]> {
    const j = JSON.parse((await netctl('group', 'inspect', '-t', TENANT, group)).stdout) as { Config: { policies?: string[] } };
    return j.Config.policies ?? [];
  }

  void test("the issue's workflow: from group client on other hosts, TCP 80 to web passes; ping and another port are dropped", async (t) => {
    await netctl('tenant', 'create', TENANT);
    await netctl('network', 'create', '-t', TENANT, '-s', SUBNET, '-g', GATEWAY, 'net1');
    // The commands, verbatim.
    await netctl('policy', 'create', '-t', 'blue', 'prod-web');
    await netctl('policy', 'rule-add', '-t', 'blue', '-d', 'in', '-l', 'tcp', '-P', '80', '-j', 'allow', 'prod-web', '1');
    await netctl('policy', 'rule-add', '-t', 'blue', '-d', 'in', '-j', 'deny', '-p', '1', 'prod-web', '2');
    await netctl('group', 'create', '-t', 'blue', '-p', 'prod-web', 'net1', 'web');
    await netctl('group', 'create', '-t', 'blue', 'net1', 'client');
    const ls = await netctl('policy', 'rule-ls', '-t', TENANT, '-q', 'prod-web');
    assert.deepEqual(ls.stdout.trim().split('\n'), ['1', '2']);
    assert.deepEqual(await groupPolicies('web'), ['prod-web']);

    await startWeb('web1');
    await startWeb('web2');
    await startIdle('client3', 'client');
    await startIdle('client2', 'client');
    await expectTraffic(t, 'h3 and h2 clients to web on h1 and h2', [
      ['client3', 'web1', 80, true],
      ['client3', 'web1', 'icmp', false],
      ['client3', 'web1', 8080, false],
      ['client2', 'web1', 80, true],
      ['client2', 'web1', 'icmp', false],
      ['client3', 'web2', 80, true],
      ['client3', 'web2', 'icmp', false],
      ['client2', 'web2', 8080, false],
    ]);
    // web's in rules do not govern what web opens; the replies come back on its connection.
    await expectTraffic(t, "web's own traffic", [
      ['web1', 'client3', 'icmp', true],
      ['web2', 'client3', 'icmp', true],
    ]);
  });

  void test('rule-rm and rule-add take effect on running containers on every host', async (t) => {
    let since = Date.now();
    await ruleRm('prod-web', '2');
    const open = await expectTraffic(
      t,
      'rule-rm prod-web 2: ping and tcp/8080 pass from h3 and h2',
      [
        ['client3', 'web1', 'icmp', true],
        ['client2', 'web1', 'icmp', true],
        ['client3', 'web2', 'icmp', true],
        ['client2', 'web2', 8080, true],
      ],
      since,
    );
    since = Date.now();
    await netctlOn('h3', 'policy', 'rule-add', '-t', TENANT, '-d', 'in', '-j', 'deny', '-p', '1', 'prod-web', '2');
    const closed = await expectTraffic(
      t,
      'rule-add prod-web 2 again (from h3): dropped again',
      [
        ['client3', 'web1', 'icmp', false],
        ['client2', 'web1', 'icmp', false],
        ['client3', 'web2', 'icmp', false],
        ['client2', 'web2', 8080, false],
        ['client3', 'web1', 80, true],
      ],
      since,
    );
    t.diagnostic(`rule-rm effective everywhere within ${open} ms, rule-add within ${closed} ms (probes included)`);
  });

  void test('allow and deny by peer group (-g); deleting rules', async (t) => {
    await netctl('group', 'create', '-t', TENANT, 'net1', 'other');
    await startIdle('other3', 'other');
    await ruleAdd('prod-web', '3', '-d', 'in', '-g', 'client', '-l', 'icmp', '-p', '5', '-j', 'allow');
    await expectTraffic(t, 'allow icmp from group client', [
      ['client3', 'web1', 'icmp', true],
      ['client2', 'web2', 'icmp', true],
      ['other3', 'web1', 'icmp', false],
      ['other3', 'web1', 80, true],
    ]);
    await ruleAdd('prod-web', '4', '-d', 'in', '-g', 'other', '-l', 'tcp', '-P', '80', '-p', '5', '-j', 'deny');
    await expectTraffic(t, 'deny tcp/80 from group other', [
      ['other3', 'web1', 80, false],
      ['other3', 'web2', 80, false],
      ['client3', 'web1', 80, true],
    ]);
    await ruleRm('prod-web', '3');
    await ruleRm('prod-web', '4');
    await expectTraffic(t, 'rules 3 and 4 deleted', [
      ['client3', 'web1', 'icmp', false],
      ['other3', 'web1', 80, true],
    ]);
    const ls = await netctl('policy', 'rule-ls', '-t', TENANT, '-q', 'prod-web');
    assert.deepEqual(ls.stdout.trim().split('\n'), ['1', '2']);
  });

  void test('allow and deny by peer network (-n) and by peer address (-i); a higher priority deny beats a lower allow', async (t) => {
    await ruleAdd('prod-web', '5', '-d', 'in', '-n', 'net1', '-l', 'tcp', '-P', '8080', '-p', '5', '-j', 'allow');
    await expectTraffic(t, 'allow tcp/8080 from network net1', [
      ['client3', 'web1', 8080, true],
      ['other3', 'web2', 8080, true],
      ['client3', 'web1', 'icmp', false],
    ]);
    await ruleAdd('prod-web', '6', '-d', 'in', '-g', 'other', '-l', 'tcp', '-P', '8080', '-p', '6', '-j', 'deny');
    await expectTraffic(t, 'deny tcp/8080 from group other at priority 6 over allow from net1 at 5', [
      ['other3', 'web2', 8080, false],
      ['client3', 'web1', 8080, true],
    ]);
    await ruleRm('prod-web', '5');
    await ruleRm('prod-web', '6');
    await ruleAdd('prod-web', '7', '-d', 'in', '-i', ip('client3'), '-l', 'icmp', '-p', '5', '-j', 'allow');
    await expectTraffic(t, `allow icmp from ${ip('client3')} (client3) only`, [
      ['client3', 'web1', 'icmp', true],
      ['client3', 'web2', 'icmp', true],
      ['client2', 'web1', 'icmp', false],
      ['client3', 'web1', 8080, false],
    ]);
    await ruleRm('prod-web', '7');
    // Denies by address (the a.b.c.d-e form) and by network, over rule 1's allow of tcp/80.
    const c2 = ip('client2');
    await ruleAdd('prod-web', '12', '-d', 'in', '-i', `${c2}-${c2.split('.')[3] ?? ''}`, '-l', 'tcp', '-P', '80', '-p', '5', '-j', 'deny');
    await expectTraffic(t, `rule 7 deleted; deny tcp/80 from ${c2}-${c2.split('.')[3] ?? ''} (client2)`, [
      ['client3', 'web1', 'icmp', false],
      ['client2', 'web1', 80, false],
      ['client2', 'web2', 80, false],
      ['client3', 'web1', 80, true],
    ]);
    await ruleRm('prod-web', '12');
    await ruleAdd('prod-web', '13', '-d', 'in', '-n', 'net1', '-l', 'tcp', '-P', '80', '-p', '5', '-j', 'deny');
    await expectTraffic(t, 'rule 12 deleted; deny tcp/80 from network net1', [
      ['client3', 'web1', 80, false],
      ['other3', 'web2', 80, false],
    ]);
    await ruleRm('prod-web', '13');
    await expectTraffic(t, 'rule 13 deleted', [
      ['client2', 'web1', 80, true],
      ['other3', 'web2', 80, true],
    ]);
  });

  void test('priority order (-p): the higher rule decides, whichever its action', async (t) => {
    await ruleAdd('prod-web', '8', '-d', 'in', '-l', 'icmp', '-p', '10', '-j', 'allow');
    await ruleAdd('prod-web', '9', '-d', 'in', '-l', 'icmp', '-p', '9', '-j', 'deny');
    await expectTraffic(t, 'allow icmp at 10 over deny icmp at 9', [['client3', 'web1', 'icmp', true]]);
    assert.match((await netctl('policy', 'trace', '-t', TENANT, 'client3', 'web1')).stdout, /^allow: /);
    await ruleRm('prod-web', '8');
    await ruleAdd('prod-web', '10', '-d', 'in', '-l', 'icmp', '-p', '8', '-j', 'allow');
    await expectTraffic(t, 'deny icmp at 9 over allow icmp at 8', [['client3', 'web1', 'icmp', false]]);
    assert.match((await netctl('policy', 'trace', '-t', TENANT, 'client3', 'web1')).stdout, /^deny: blue\/prod-web rule 9 \(in, priority 9, deny\)/);
    await ruleRm('prod-web', '9');
    await expectTraffic(t, 'deny at 9 deleted: the allow at 8 decides', [['client3', 'web1', 'icmp', true]]);
    await ruleRm('prod-web', '10');
    await expectTraffic(t, 'back to rules 1 and 2', [['client3', 'web1', 'icmp', false]]);
  });

  void test("out rules (-e group, -s address), added to a running group's policies and removed again", async (t) => {
    await netctl('policy', 'create', '-t', TENANT, 'client-out');
    await ruleAdd('client-out', '1', '-d', 'out', '-e', 'web', '-l', 'tcp', '-P', '80', '-j', 'deny');
    // Not applied yet: the clients still reach web on 80.
    await expectTraffic(t, 'client-out not applied', [['client3', 'web1', 80, true]]);
    // The client group gains the policy while client3 and client2 run.
    await netctl('group', 'create', '-t', TENANT, '-p', 'client-out', 'net1', 'client');
    assert.deepEqual(await groupPolicies('client'), ['client-out']);
    await expectTraffic(t, 'out rule of group client: deny tcp/80 to group web', [
      ['client3', 'web1', 80, false],
      ['client2', 'web2', 80, false],
      ['client2', 'web1', 80, false],
      ['other3', 'web1', 80, true],
    ]);
    await ruleRm('client-out', '1');
    await ruleAdd('client-out', '2', '-d', 'out', '-s', ip('web2'), '-l', 'tcp', '-P', '80', '-j', 'deny');
    await expectTraffic(t, `out rule: deny tcp/80 to ${ip('web2')} (web2) only`, [
      ['client3', 'web2', 80, false],
      ['client2', 'web2', 80, false],
      ['client3', 'web1', 80, true],
    ]);
    // Re-running group create without -p takes the policy off the running group.
    await netctl('group', 'create', '-t', TENANT, 'net1', 'client');
    assert.deepEqual(await groupPolicies('client'), []);
    await expectTraffic(t, 'client-out taken off group client', [
      ['client3', 'web2', 80, true],
      ['client2', 'web2', 80, true],
    ]);
  });

  void test('200 rules programmed through the REST API and still decided right', async (t) => {
    // ~1 s per netctl run through `cluster exec`: 200 of them would take minutes, so one REST client in h1 does it.
    await netctl('policy', 'create', '-t', TENANT, 'bulk');
    const started = Date.now();
    const calls: RestCall[] = Array.from({ length: 200 }, (_, i) => {
      const ruleId = `r${i}`;
      const body = {
        action: i % 2 === 0 ? 'allow' : 'deny',
        direction: 'in',
        policyName: 'bulk',
        port: 1000 + i,
        priority: 1 + (i % 50),
        protocol: 'tcp',
        ruleId,
        tenantName: TENANT,
        'link-sets': {},
        links: { MatchEndpointGroup: {} },
      };
      return { method: 'POST', path: `/api/v1/rules/${TENANT}:bulk:${ruleId}/`, body };
    });
    const replies = await rest(calls);
    const failed = replies.map((r, i) => ({ ...r, i })).filter((r) => r.status >= 300);
    assert.deepEqual(failed, [], 'every rule accepted');
    const posted = Date.now();
    t.diagnostic(`200 rules posted in ${posted - started} ms`);
    const ls = await netctl('policy', 'rule-ls', '-t', TENANT, '-q', 'bulk');
    assert.equal(ls.stdout.trim().split('\n').length, 200, 'rule-ls lists 200 rules');

    await netctl('group', 'create', '-t', TENANT, '-p', 'prod-web', '-p', 'bulk', 'net1', 'web');
    const cases: Case[] = [];
    for (const port of BULK_SAMPLE) {
      cases.push(['client3', 'web1', port, port % 2 === 0], ['client2', 'web2', port, port % 2 === 0]);
    }
    cases.push(['client3', 'web1', 80, true], ['client3', 'web2', 8080, false], ['client2', 'web1', 'icmp', false]);
    await expectTraffic(t, 'bulk applied to web: even ports allowed, odd ones denied', cases);
    t.diagnostic(`200 rules from the first POST to decided right on h1 and h2: ${Date.now() - started} ms`);
    // Each host with a web container holds one conjunction flow per rule of the bulk policy at least.
    for (const host of ['h1', 'h2']) {
      const r = await c().ofctl(host, '-O', 'OpenFlow13', '--names', '--no-stats', 'dump-flows', BRIDGE);
      const conj = r.stdout.split('\n').filter((l) => l.includes('table=IngressRule') && l.includes('conj_id='));
      assert.ok(conj.length >= 200, `${host} has ${conj.length} IngressRule conjunction flows`);
    }
  });

  void test('hitless: a continuous ping survives an allowing rule being replaced; a denying rule stops it', async (t) => {
    await ruleAdd('prod-web', 'ha', '-d', 'in', '-l', 'icmp', '-p', '5', '-j', 'allow');
    await expectTraffic(t, 'icmp allowed by rule ha', [['client2', 'web1', 'icmp', true]]);
    // 400 pings 50 ms apart (20 s), h2 -> h1, while ha and hb (both allow icmp) replace each other.
    const flood = c().exec('h2', ['docker', 'exec', 'client2', 'ping', '-c', '400', '-i', '0.05', '-W', '2', ip('web1')], { allowFail: true, timeoutMs: 120_000 });
    let flooding = true;
    void flood.finally(() => {
      flooding = false;
    });
    const steps: (() => Promise<RunResult>)[] = [
      () => ruleAdd('prod-web', 'hb', '-d', 'in', '-l', 'icmp', '-p', '6', '-j', 'allow'),
      () => ruleRm('prod-web', 'ha'),
      () => ruleAdd('prod-web', 'ha', '-d', 'in', '-l', 'icmp', '-p', '5', '-j', 'allow'),
      () => ruleRm('prod-web', 'hb'),
    ];
    let during = 0;
    for (let cycle = 0; cycle < 3 && flooding; cycle++) {
      for (const step of steps) {
        await step();
        if (flooding) during++;
      }
    }
    const out = (await flood).stdout;
    t.diagnostic(`${during} rule changes while the ping ran`);
    assert.ok(during >= 4, `the rules changed ${during} times during the ping (the test needs 4 or more)`);
    assert.match(out, /400 packets transmitted, 400 packets received/, out.split('\n').slice(-4).join('\n'));

    // Now a deny at a higher priority while a ping runs: replies stop and never come back.
    const stopped = c().exec('h2', ['docker', 'exec', 'client2', 'ping', '-c', '200', '-i', '0.05', '-W', '1', ip('web1')], { allowFail: true, timeoutMs: 120_000 });
    await eventually(async () => (await c().exec('h2', ['docker', 'exec', 'client2', 'pidof', 'ping'], { allowFail: true })).code === 0, {
      timeoutMs: 20_000,
      what: 'the ping to run',
    });
    await ruleAdd('prod-web', 'hd', '-d', 'in', '-l', 'icmp', '-p', '10', '-j', 'deny');
    const out2 = (await stopped).stdout;
    const seqs = [...out2.matchAll(/seq=(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    t.diagnostic(`${seqs.length} of 200 replies before the deny took effect`);
    assert.ok(seqs.length > 0 && seqs.length < 200, `some replies, then none: ${seqs.length}\n${out2.split('\n').slice(-3).join('\n')}`);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i), 'the replies are the first packets, without a gap or a late one');
    await expectTraffic(t, 'icmp denied by hd', [['client3', 'web1', 'icmp', false]]);
    await ruleRm('prod-web', 'hd');
    await ruleRm('prod-web', 'ha');
  });

  void test('netctl policy trace names the deciding rule and agrees with ofproto/trace on the hosts', async (t) => {
    // The out rule of client-out again, so some packets are decided on the sender's host.
    await netctl('group', 'create', '-t', TENANT, '-p', 'client-out', 'net1', 'client');
    await expectTraffic(t, 'client-out back on group client', [['client3', 'web2', 80, false]]);

    const allow = (await netctl('policy', 'trace', '-t', TENANT, 'client3', 'web1', '-l', 'tcp', '-P', '80')).stdout;
    assert.match(allow, /^allow: traffic from client3 \(.*group client\) to web1 \(.*group web\), tcp port 80/, allow);
    assert.match(allow, /in of group web: blue\/prod-web rule 1 \(in, priority 1, allow; tcp port 80\)/, allow);
    const deny = (await netctl('policy', 'trace', '-t', TENANT, 'client3', 'web1')).stdout;
    assert.match(deny, /^deny: blue\/prod-web rule 2 \(in, priority 1, deny\)/, deny);
    const out = (await netctl('policy', 'trace', '-t', TENANT, 'client3', 'web2', '-P', '80')).stdout;
    assert.match(out, /^deny: blue\/client-out rule 2 \(out, priority 1, deny\)/, out);
    assert.match(out, /in: not consulted/, out);

    // The grid, from netmaster's answer (the same as `policy trace -j`) and from OVS on the bridges.
    const senders: Name[] = ['client3', 'client2', 'other3'];
    const receivers: Name[] = ['web1', 'web2'];
    const packets: What[] = [80, 8080, 1000, 1001, 'icmp'];
    const grid = senders.flatMap((from) => receivers.flatMap((to) => packets.map((what) => ({ from, to, what }))));
    const replies = await rest(
      grid.map(({ from, to, what }) => {
        const q = new URLSearchParams({ tenant: TENANT, from, to, ...(what === 'icmp' ? { protocol: 'icmp' } : { protocol: 'tcp', port: String(what) }) });
        return { method: 'GET', path: `/api/v1/inspect/policyTrace/?${q.toString()}` };
      }),
    );
    let compared = 0;
    const verdicts = new Set<string>();
    for (const [i, { from, to, what }] of grid.entries()) {
      const reply = replies[i];
      assert.equal(reply?.status, 200, reply?.text);
      const a = JSON.parse(reply.text) as TraceAnswerJson;
      const label = `${from} -> ${to} ${show(what)}`;
      assert.ok(a.from.host.endsWith(`-${HOST_OF[from]}`) && a.to.host.endsWith(`-${HOST_OF[to]}`), `${label}: hosts ${a.from.host}, ${a.to.host}`);
      const outStep = a.steps.find((s) => s.direction === 'out');
      const inStep = a.steps.find((s) => s.direction === 'in');
      assert.equal(a.verdict, a.steps.every((s) => s.action === 'allow') ? 'allow' : 'deny', `${label}: verdict and steps agree`);
      verdicts.add(`${a.verdict}:${a.steps.find((s) => s.action === 'deny')?.rule?.id ?? ''}`);
      const l4 = what === 'icmp' ? 'icmp,icmp_type=8,icmp_code=0' : `tcp,tcp_src=40000,tcp_dst=${what}`;
      const addrs = `dl_src=${a.from.mac},dl_dst=${a.to.mac},${l4},nw_src=${a.from.ip},nw_dst=${a.to.ip}`;
      // On the sender's host, from its port: its out rules, and for a local receiver the in rules too.
      const local = HOST_OF[from] === HOST_OF[to];
      const sent = await ovsTrace(HOST_OF[from], `in_port=${a.from.interface},${addrs}`);
      const expectSent = local ? a.verdict === 'allow' : outStep?.action !== 'deny';
      assert.equal(sent.allows, expectSent, `${label} on ${HOST_OF[from]}: OVS says ${sent.last}, netctl says ${JSON.stringify(a.steps)}\n${sent.text}`);
      compared++;
      if (!local && outStep?.action !== 'deny') {
        // On the receiver's host, as it arrives from the sender's VTEP: its in rules.
        const tunnel = `vx${a.from.vtepIp.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`;
        const vni = await tunnelId(HOST_OF[to], a.to.interface);
        const got = await ovsTrace(HOST_OF[to], `in_port=${tunnel},tun_id=${vni},${addrs}`);
        assert.equal(got.allows, inStep?.action !== 'deny', `${label} on ${HOST_OF[to]}: OVS says ${got.last}, netctl says ${JSON.stringify(a.steps)}\n${got.text}`);
        compared++;
      }
    }
    t.diagnostic(`${compared} ofproto/trace runs agree with ${grid.length} policy traces; decisions seen: ${[...verdicts].sort().join(', ')}`);
    // The grid exercised allows and denies by both directions and by the bulk policy.
    for (const v of ['allow:', 'deny:blue/prod-web/2', 'deny:blue/client-out/2', 'deny:blue/bulk/r1']) assert.ok(verdicts.has(v), `the grid saw ${v}`);
  });

  void test('bad input is refused with a clear message and changes nothing', async () => {
    const allRules = async (): Promise<string[]> => {
      const [r] = await rest([{ method: 'GET', path: '/api/v1/rules/' }]);
      assert.equal(r?.status, 200);
      return (JSON.parse(r.text) as { key: string }[]).map((x) => x.key).sort();
    };
    const snapshot = async (): Promise<unknown> => ({
      rules: await allRules(),
      policies: (await netctl('policy', 'ls', '-t', TENANT, '-q')).stdout,
      groups: (await netctl('group', 'ls', '-t', TENANT, '-q')).stdout,
      web: await groupPolicies('web'),
      client: await groupPolicies('client'),
      prodWeb: JSON.parse((await netctl('policy', 'rule-ls', '-t', TENANT, '-j', 'prod-web')).stdout) as unknown,
    });
    const before = await snapshot();
    const refused = async (args: string[], re: RegExp): Promise<void> => {
      const r = await c().exec('h1', ['netctl', ...args], { allowFail: true });
      assert.notEqual(r.code, 0, `netctl ${args.join(' ')} succeeded: ${r.stdout}`);
      assert.match(`${r.stderr}${r.stdout}`, re, `netctl ${args.join(' ')}`);
    };
    await refused(['policy', 'rule-add', '-t', TENANT, '-d', 'in', '-j', 'deny', 'nosuch', '1'], /Policy nosuch not found/);
    await refused(['policy', 'rule-add', '-t', TENANT, '-d', 'in', '-g', 'nosuchgroup', '-j', 'deny', 'prod-web', '11'], /EndpointGroup nosuchgroup not found/);
    await refused(['policy', 'rule-add', '-t', TENANT, '-d', 'in', '-l', 'tcp', '-P', '70000', '-j', 'deny', 'prod-web', '11'], /70000.*0 to 65535/);
    await refused(['policy', 'rm', '-t', TENANT, 'prod-web'], /Policy prod-web is being used by .*\bweb\b/);
    await refused(['group', 'create', '-t', TENANT, '-p', 'nosuch', 'net1', 'bad'], /Policy nosuch not found/);
    await refused(['group', 'create', '-t', TENANT, '-p', 'prod-web', '-p', 'nosuch', 'net1', 'web'], /Policy nosuch not found/);
    // netmaster checks the port itself too (a client other than netctl).
    const [direct] = await rest([
      {
        method: 'POST',
        path: `/api/v1/rules/${TENANT}:prod-web:11/`,
        body: { action: 'deny', direction: 'in', policyName: 'prod-web', port: 70000, priority: 1, protocol: 'tcp', ruleId: '11', tenantName: TENANT },
      },
    ]);
    assert.equal(direct?.status, 400, direct?.text);
    assert.match(direct.text, /port 70000 is out of range/);
    assert.deepEqual(await snapshot(), before, 'rules, policies, groups and their policies are unchanged');
  });

  /** ofproto/trace of a new connection's first packet on a host's bridge; `allows` = the last datapath actions are not `drop`. */
  async function ovsTrace(host: string, flow: string): Promise<{ allows: boolean; last: string; text: string }> {
    const text = await c().appctl(host, 'ofproto/trace', BRIDGE, flow, '--ct-next', 'trk,new');
    const actions = [...text.matchAll(/^Datapath actions: (.*)$/gm)].map((m) => m[1] ?? '');
    const last = actions[actions.length - 1] ?? '';
    return { allows: last !== '' && last !== 'drop', last, text };
  }

  /** The VNI of a local port's network on a host: the Classifier's tun_id flow that loads the same network id as the port's flow. */
  async function tunnelId(host: string, port: string): Promise<string> {
    const r = await c().ofctl(host, '-O', 'OpenFlow13', '--names', '--no-stats', 'dump-flows', BRIDGE);
    const classifier = r.stdout.split('\n').filter((l) => l.includes('table=Classifier'));
    const netOf = (l: string): string | undefined => /load:(0x[0-9a-f]+)->NXM_NX_REG1\[0\.\.15\]/.exec(l)?.[1];
    const portFlow = classifier.find((l) => l.includes(`in_port=${port} `) || l.includes(`in_port=${port},`));
    const net = portFlow && netOf(portFlow);
    const tun = classifier.find((l) => l.includes('tun_id=') && netOf(l) === net);
    const vni = tun && /tun_id=(0x[0-9a-f]+)/.exec(tun)?.[1];
    assert.ok(net && vni, `${host}: the network of ${port} and its tunnel flow:\n${classifier.join('\n')}`);
    return vni;
  }
});
