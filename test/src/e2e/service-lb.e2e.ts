/**
 * serviceLB on a 3-host local cluster, through netctl and real connections:
 * a service (VIP 10.38.1.200, port 80 -> 8080/TCP) whose providers are the
 * containers labelled app=web; a client on h1 fetches http://VIP/ from
 * busybox httpd backends on h2 and h3 that answer their own name, and the
 * answers are counted per backend. Then: a backend removed (docker rm -f) no
 * longer gets requests and every request still succeeds; a new backend gets
 * requests; an `in` rule denying TCP 8080 to the backends' group stops the
 * service traffic (the packet carries the backend's address after DNAT) and
 * removing it restores it; bad input is refused with nothing changed.
 * How it works: docs/service-lb.md.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import type { RunResult } from '../harness/exec';
import { netctlErrorLines } from './support';

const TENANT = 'lb';
const NET = 'svcnet';
const SUBNET = '10.38.1.0/24';
const GATEWAY = '10.38.1.254';
const VIP = '10.38.1.200';
const SERVICE = 'web-svc';
const POLICY = 'webpol';
const BRIDGE = 'contivbr';
const REQUESTS = 40;

/** Backends (group web, label app=web) and their hosts; the client is on h1 in group cli. */
const BACKEND_HOST = { b2: 'h2', b3: 'h3', b4: 'h3' } as const;
type Backend = keyof typeof BACKEND_HOST;


interface Inspect {
  Config: Record<string, unknown>;
  Oper: { serviceVip?: string; numProviders?: number; providers?: Array<{ containerName?: string }> };
}

void describe('serviceLB on 3 hosts: spread across backends, backends coming and going, policy, bad input', { timeout: 600_000 }, () => {
  const cluster = useCluster({ hosts: 3 });
  const c = (): LocalCluster => cluster();
  const netctl = (...args: string[]): Promise<RunResult> => c().netctl('h1', ...args);
  const tryNetctl = (...args: string[]): Promise<RunResult> => c().exec('h1', ['netctl', ...args], { allowFail: true });
  const inspect = async (): Promise<Inspect> => JSON.parse((await netctl('service', 'inspect', '-t', TENANT, SERVICE)).stdout) as Inspect;
  /** Buckets of the service's select group on h1 (the client's host, where the balancing happens). */
  const h1Buckets = async (): Promise<number> => {
    const dump = (await c().ofctl('h1', '-O', 'OpenFlow13', 'dump-groups', BRIDGE)).stdout;
    return (dump.match(/bucket=/g) ?? []).length;
  };

  async function waitDockerNetwork(host: string, net: string): Promise<void> {
    await eventually(async () => (await c().docker(host, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').includes(net), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `docker network ${net} on ${host}`,
    });
  }

  async function startBackend(name: Backend): Promise<void> {
    const host = BACKEND_HOST[name];
    await waitDockerNetwork(host, `web/${TENANT}`);
    await c().docker(host, 'run', '-d', '-l', 'app=web', '-l', 'tier=front', `--net=web/${TENANT}`, `--name=${name}`, `--hostname=${name}`, 'busybox', 'sh', '-c', 'mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 8080 -h /w');
  }

  /** `n` fetches of http://VIP/ from the client, one connection each: the answering backend's name, or FAIL. */
  async function fetchMany(n: number, timeoutSec = 2): Promise<string[]> {
    // busybox timeout, not wget -T: Debian's busybox 1.35 wget crashes on -T.
    const script = `for i in $(seq ${n}); do timeout ${timeoutSec} wget -q -O- http://${VIP}/ 2>/dev/null || echo FAIL; done`;
    const r = await c().docker('h1', 'exec', 'client', 'sh', '-c', script);
    return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  const countOf = (answers: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const a of answers) out[a] = (out[a] ?? 0) + 1;
    return out;
  };

  async function waitProviders(n: number): Promise<void> {
    await eventually(async () => (await inspect()).Oper.numProviders === n, { timeoutMs: 30_000, intervalMs: 250, what: `${n} providers in service inspect` });
    await eventually(async () => (await h1Buckets()) === n, { timeoutMs: 30_000, intervalMs: 250, what: `${n} buckets in h1's select group` });
  }

  void test('the issue’s workflow: requests from h1 are spread over backends on h2 and h3', async (t) => {
    await netctl('tenant', 'create', TENANT);
    await netctl('network', 'create', '-t', TENANT, '-s', SUBNET, '-g', GATEWAY, NET);
    await netctl('policy', 'create', '-t', TENANT, POLICY);
    await netctl('group', 'create', '-t', TENANT, '-p', POLICY, NET, 'web');
    await netctl('group', 'create', '-t', TENANT, NET, 'cli');
    await startBackend('b2');
    await startBackend('b3');
    await waitDockerNetwork('h1', `cli/${TENANT}`);
    await c().docker('h1', 'run', '-d', `--net=cli/${TENANT}`, '--name=client', 'busybox', 'sleep', '3600');

    const created = await netctl('service', 'create', '-t', TENANT, '-network', NET, '-ip', VIP, '-selector', 'app=web', '-port', '80:8080:TCP', SERVICE);
    assert.equal(created.stdout.trim(), `Creating ServiceLB ${TENANT}:${SERVICE}`);
    const ls = (await netctl('service', 'ls', '-t', TENANT)).stdout;
    assert.match(ls, new RegExp(`^${SERVICE}\\s+${TENANT}\\s+${NET}\\s+app=web\\s+${VIP.replace(/\./g, '\\.')}\\s+80:8080:TCP\\s*$`, 'm'), ls);

    const started = Date.now();
    await waitProviders(2);
    const i = await inspect();
    assert.equal(i.Oper.serviceVip, VIP);
    assert.deepEqual((i.Oper.providers ?? []).map((p) => p.containerName).sort(), ['b2', 'b3']);
    await eventually(async () => (await fetchMany(1))[0] !== 'FAIL', { timeoutMs: 30_000, intervalMs: 250, what: 'a first answer through the VIP' });
    t.diagnostic(`service usable ${Date.now() - started} ms after create`);

    const answers = await fetchMany(REQUESTS);
    const counts = countOf(answers);
    t.diagnostic(`${REQUESTS} requests: ${JSON.stringify(counts)}`);
    assert.equal(answers.length, REQUESTS);
    assert.equal(counts.FAIL, undefined, `every request is answered: ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).sort(), ['b2', 'b3'], `both backends answer: ${JSON.stringify(counts)}`);
  });

  void test('a backend removed gets no more requests and every request still succeeds', async (t) => {
    await c().docker('h3', 'rm', '-f', 'b3');
    await waitProviders(1);
    const answers = await fetchMany(REQUESTS / 2);
    const counts = countOf(answers);
    t.diagnostic(`after docker rm -f b3: ${JSON.stringify(counts)}`);
    assert.deepEqual(counts, { b2: REQUESTS / 2 });
  });

  void test('a new backend starting receives requests', async (t) => {
    await startBackend('b4');
    await waitProviders(2);
    const answers = await fetchMany(REQUESTS);
    const counts = countOf(answers);
    t.diagnostic(`after b4 started: ${JSON.stringify(counts)}`);
    assert.equal(counts.FAIL, undefined, JSON.stringify(counts));
    assert.ok((counts.b4 ?? 0) > 0, `b4 answers: ${JSON.stringify(counts)}`);
    assert.ok((counts.b2 ?? 0) > 0, `b2 answers: ${JSON.stringify(counts)}`);
  });

  void test('policy applies to service traffic: denying TCP 8080 into the backends’ group stops it, removing the rule restores it', async (t) => {
    await netctl('policy', 'rule-add', '-t', TENANT, '-d', 'in', '-l', 'tcp', '-P', '8080', '-j', 'deny', POLICY, '1');
    const denied = Date.now();
    await eventually(async () => (await fetchMany(1, 1))[0] === 'FAIL', { timeoutMs: 30_000, intervalMs: 250, what: 'the deny rule to stop service traffic' });
    t.diagnostic(`deny effective after ${Date.now() - denied} ms`);
    assert.deepEqual(countOf(await fetchMany(6, 1)), { FAIL: 6 }, 'every request is refused while the rule is there');
    await netctl('policy', 'rule-rm', '-t', TENANT, POLICY, '1');
    await eventually(async () => (await fetchMany(1))[0] !== 'FAIL', { timeoutMs: 30_000, intervalMs: 250, what: 'service traffic after the rule went' });
    const counts = countOf(await fetchMany(10));
    t.diagnostic(`after rule-rm: ${JSON.stringify(counts)}`);
    assert.equal(counts.FAIL, undefined, JSON.stringify(counts));
  });

  void test('bad input: one clear line, non-zero exit, and nothing changed', async (t) => {
    const before = (await netctl('service', 'ls', '-t', TENANT, '-j')).stdout;
    const cases: [string[], number, RegExp][] = [
      [['service', 'create', '-t', TENANT, '-network', NET, '-port', '80-8080', 's2'], 1, /ports\[0\] "80-8080" is not a port mapping servicePort:providerPort:protocol/],
      [['service', 'create', '-t', TENANT, '-network', NET, '-ip', '10.99.1.5', '-port', '80:8080:TCP', 's2'], 3, /address 10\.99\.1\.5 is outside network lb:svcnet \(10\.38\.1\.0\/24\)/],
      [['service', 'create', '-t', TENANT, '-network', 'nonet', '-port', '80:8080:TCP', 's2'], 3, /Network nonet not found/],
      [['service', 'create', '-t', TENANT, '-network', NET, '-ip', VIP, '-port', '80:8080:TCP', 's2'], 3, /address 10\.38\.1\.200 is already in use .*service:lb:web-svc/],
      [['network', 'rm', '-t', TENANT, NET], 3, /cannot delete svcnet has .*/],
    ];
    for (const [args, code, message] of cases) {
      const r = await tryNetctl(...args);
      assert.equal(r.code, code, `netctl ${args.join(' ')}: exit ${r.code} (${r.stderr.trim()})`);
      const lines = netctlErrorLines(r);
      assert.equal(lines.length, 1, `netctl ${args.join(' ')}: one line besides the usage hint:\n${r.stderr}`);
      assert.match(lines[0] ?? '', message);
      t.diagnostic(`netctl ${args.join(' ')}: exit ${r.code}: ${lines[0] ?? ''}`);
    }
    assert.equal((await netctl('service', 'ls', '-t', TENANT, '-j')).stdout, before, 'services unchanged');
    assert.equal((await fetchMany(4)).filter((a) => a === 'FAIL').length, 0, 'the service still answers');
  });

  void test('service rm: the VIP stops answering and its flows and group go on every host', async () => {
    await netctl('service', 'rm', '-t', TENANT, SERVICE);
    assert.equal((await tryNetctl('service', 'inspect', '-t', TENANT, SERVICE)).code, 3);
    for (const h of ['h1', 'h2', 'h3']) {
      await eventually(async () => !(await c().ofctl(h, '-O', 'OpenFlow13', 'dump-flows', BRIDGE)).stdout.includes(`nw_dst=${VIP}`), { timeoutMs: 30_000, what: `${h}: the VIP's flows to go` });
      assert.equal((await c().ofctl(h, '-O', 'OpenFlow13', 'dump-groups', BRIDGE)).stdout.includes('group_id='), false, `${h} has no group left`);
    }
    assert.deepEqual(countOf(await fetchMany(2, 1)), { FAIL: 2 });
  });
});
