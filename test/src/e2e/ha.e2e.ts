/**
 * netmaster HA on a 3-host local cluster with netmaster on h1 and h2
 * (`cluster up --masters 2`): one leads, the other forwards; the leader is
 * killed (SIGKILL) a few times with writes running from h3:
 *
 * - a REST write loop (tenants, ~30/s) through the follower: the failover gap
 *   is the longest time between two acknowledged writes (reported; the
 *   issue's target is 5 s, the assertion is a generous bound);
 * - netctl through the follower (networks: VXLAN ids and subnets allocated)
 *   rides out the failover with its 503 retry; netctl through the killed
 *   leader fails with a clear one-line error;
 * - docker run on h3 (addresses allocated by the leader over gRPC).
 *
 * Afterwards nothing acknowledged is missing, nothing unacknowledged appeared,
 * no VXLAN id or address was handed out twice, and no address leaked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import type { Attempt } from './ha-write-loop';
import { allocatedIps, type NetworkInspect } from './support';

const PORT = 9999;
const KILLS = 3;
/** A bound for the assertion; the figure itself is reported (target: 5 s). */
const MAX_GAP_MS = 15_000;
const LOOP_JS = path.join(__dirname, 'ha-write-loop.js');

interface Info {
  readonly 'local-ip': string;
  readonly 'leader-ip': string;
  readonly 'current-state': string;
}

async function curlJson(c: LocalCluster, from: string, url: string, method = 'GET'): Promise<unknown> {
  const r = await c.exec(from, ['curl', '-fsS', '-m', '10', '-X', method, url]);
  return JSON.parse(r.stdout) as unknown;
}

const urlOf = (c: LocalCluster, host: string): string => `http://${c.hostState(host).ip}:${PORT}`;

/** Which master host leads, as h3 sees it through each of them (they must agree). */
async function leaderHost(c: LocalCluster, masters: readonly string[]): Promise<string> {
  return eventually(
    async () => {
      const infos = await Promise.all(masters.map(async (h) => (await curlJson(c, 'h3', `${urlOf(c, h)}/info`)) as Info));
      const leaders = masters.filter((_, i) => infos[i]?.['current-state'] === 'leader');
      assert.equal(leaders.length, 1, `exactly one leader: ${JSON.stringify(infos)}`);
      const leaderIp = c.hostState(leaders[0] as string).ip;
      for (const i of infos) assert.equal(i['leader-ip'], `${leaderIp}:${PORT}`, `every netmaster names the leader: ${JSON.stringify(infos)}`);
      return leaders[0] as string;
    },
    { timeoutMs: 30_000, what: 'one netmaster leads and the others follow it' },
  );
}

/** The write loop, running in h3's namespace against `url`. */
class WriteLoop {
  readonly attempts: Attempt[] = [];
  private readonly done: Promise<void>;
  private readonly child;

  constructor(c: LocalCluster, url: string, prefix: string) {
    this.child = spawn('ip', ['netns', 'exec', c.hostState('h3').netns, process.execPath, LOOP_JS, url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.attempts.push(JSON.parse(buf.slice(0, nl)) as Attempt);
        buf = buf.slice(nl + 1);
      }
    });
    this.done = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  acked(since = 0): Attempt[] {
    return this.attempts.filter((a) => a.status === 200 && a.t1 >= since);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.done;
  }
}

/** Longest time between two acknowledged writes (the request in flight when it started counts). */
function longestGap(acked: readonly Attempt[]): { ms: number; from: number } {
  let best = { ms: 0, from: 0 };
  for (let i = 1; i < acked.length; i++) {
    const ms = (acked[i] as Attempt).t1 - (acked[i - 1] as Attempt).t1;
    if (ms > best.ms) best = { ms, from: (acked[i - 1] as Attempt).t1 };
  }
  return best;
}

interface CliWrite {
  readonly name: string;
  readonly ok: boolean;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `write(n)` until `stop()` says so; each is one netctl call from h3. */
function cliLoop(write: (n: number) => Promise<CliWrite>): { results: CliWrite[]; stop: () => Promise<void> } {
  const results: CliWrite[] = [];
  let stopping = false;
  const running = (async () => {
    for (let n = 0; !stopping; n++) results.push(await write(n));
  })();
  return {
    results,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

void describe('netmaster HA: netmaster on h1 and h2, the leader killed with writes running', { timeout: 600_000 }, () => {
  const cluster = useCluster({ hosts: 3, masters: 2 });
  const c = (): LocalCluster => cluster();
  const MASTERS = ['h1', 'h2'];

  void test('one leads, the other follows: a write through the follower is read back through both', async () => {
    const leader = await leaderHost(c(), MASTERS);
    assert.equal(leader, 'h1', 'h1 started first and leads');
    await c().netctl('h3', '--netmaster', urlOf(c(), 'h2'), 'network', 'create', '-s', '10.200.0.0/16', '-g', '10.200.0.1', 'ha-net');
    for (const h of MASTERS) {
      const r = await c().netctl('h3', '--netmaster', urlOf(c(), h), 'network', 'ls');
      assert.match(r.stdout, /ha-net/, `network ls through ${h}`);
    }
  });

  void test(`leader kill (SIGKILL) x${KILLS} with a REST write loop, netctl and docker run going: the gap, and nothing lost or duplicated`, async (t) => {
    const gaps: number[] = [];
    const loops: WriteLoop[] = [];
    const viaFollower: CliWrite[] = [];
    const viaLeader: CliWrite[] = [];
    const containers: { name: string; ok: boolean; err: string }[] = [];
    const netctlFrom = (url: string) => async (args: string[], name: string): Promise<CliWrite> => {
      const t0 = Date.now();
      const r = await c().exec('h3', ['netctl', '--netmaster', url, ...args], { allowFail: true, timeoutMs: 60_000 });
      return { name, ok: r.code === 0, stderr: r.stderr.trim(), ms: Date.now() - t0 };
    };

    for (let round = 1; round <= KILLS; round++) {
      const leader = await leaderHost(c(), MASTERS);
      const follower = MASTERS.find((h) => h !== leader) as string;
      const loop = new WriteLoop(c(), urlOf(c(), follower), `r${round}`);
      loops.push(loop);
      const fNet = netctlFrom(urlOf(c(), follower));
      const lNet = netctlFrom(urlOf(c(), leader));
      const nets = cliLoop((n) => fNet(['network', 'create', '-s', `10.${100 + round}.${n}.0/24`, `r${round}-n${n}`], `r${round}-n${n}`));
      const tenants = cliLoop((n) => lNet(['tenant', 'create', `r${round}-l${n}`], `r${round}-l${n}`));
      const runs = cliLoop(async (n) => {
        const name = `ha${round}-${n}`;
        const r = await c().exec('h3', ['docker', 'run', '-d', '--net=ha-net', `--name=${name}`, 'busybox', 'sleep', '3600'], { allowFail: true, timeoutMs: 90_000 });
        containers.push({ name, ok: r.code === 0, err: r.stderr.trim() });
        return { name, ok: r.code === 0, stderr: r.stderr.trim(), ms: 0 };
      });
      await eventually(() => loop.acked().length >= 20, { timeoutMs: 30_000, what: 'the write loop gets going' });

      await c().kill(leader, 'netmaster');
      // The process is gone when kill returns.
      const killedAt = Date.now();
      // Writes through the follower work again (it leads now), then run a while longer.
      const ackedAfterKill = (): Attempt[] => loop.acked().filter((a) => a.t0 > killedAt);
      await eventually(() => ackedAfterKill().length >= 20, {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: `writes through ${follower} succeed again after the leader ${leader} was killed`,
      });
      const back = ackedAfterKill();
      await Promise.all([nets.stop(), tenants.stop(), runs.stop(), loop.stop()]);
      viaFollower.push(...nets.results);
      viaLeader.push(...tenants.results);

      const gap = longestGap(loop.acked());
      gaps.push(gap.ms);
      const refused = loop.attempts.filter((a) => a.status !== 200);
      t.diagnostic(
        `kill ${round}: ${leader} killed, ${follower} took over; longest gap between acknowledged writes ${gap.ms} ms ` +
          `(it began ${killedAt - gap.from} ms before kill returned; writes acknowledged again ${(back[0] as Attempt).t1 - killedAt} ms after it); ` +
          `${refused.length} attempts refused meanwhile (HTTP ${[...new Set(refused.map((a) => a.status))].join(', ')})`,
      );
      const sample = refused.find((a) => a.status === 503);
      if (sample?.err) t.diagnostic(`  a refusal during the failover: ${sample.err.slice(0, 200)}`);

      // Bring the killed netmaster back: it follows the new leader.
      await c().start(leader, 'netmaster');
      await eventually(
        async () => {
          const i = (await curlJson(c(), 'h3', `${urlOf(c(), leader)}/info`)) as Info;
          return i['current-state'] === 'follower' && i['leader-ip'] === `${c().hostState(follower).ip}:${PORT}`;
        },
        { timeoutMs: 30_000, what: `${leader}'s netmaster is back, following ${follower}` },
      );
    }

    t.diagnostic(`failover gap over ${KILLS} kills: p50 ${median(gaps)} ms, max ${Math.max(...gaps)} ms (target 5000 ms)`);
    const retried = viaFollower.filter((w) => /retrying/.test(w.stderr));
    const waited = retried.map((w) => /answered after ([\d.]+) s/.exec(w.stderr)?.[1] ?? '?');
    t.diagnostic(`netctl through the follower: ${viaFollower.filter((w) => w.ok).length}/${viaFollower.length} network creates succeeded, ${retried.length} rode out a failover (netctl: "answered after ${waited.join(' s", "')} s")`);
    const deadLeader = viaLeader.filter((w) => !w.ok);
    t.diagnostic(`netctl through the leader: ${viaLeader.length - deadLeader.length}/${viaLeader.length} tenant creates succeeded; after the kill: ${deadLeader[0]?.stderr ?? '(none failed)'}`);
    t.diagnostic(`docker run on h3: ${containers.filter((x) => x.ok).length}/${containers.length} started${containers.some((x) => !x.ok) ? `; a failure: ${containers.find((x) => !x.ok)?.err.slice(0, 200)}` : ''}`);
    assert.ok(Math.max(...gaps) <= MAX_GAP_MS, `every failover gap is under ${MAX_GAP_MS} ms: ${gaps.join(', ')}`);

    // netctl through the follower rides out the failover with its 503 retry; what fails is at most the
    // create the leader was handling when it died (502: outcome unknown, said so).
    const inFlight = viaFollower.filter((w) => !w.ok);
    for (const w of inFlight) assert.match(w.stderr, /failed while handling the request .*may or may not have been applied/, `${w.name}: ${w.stderr}`);
    assert.ok(inFlight.length <= KILLS, `at most one write in flight per kill is lost to it: ${inFlight.map((w) => w.name).join(' ')}`);
    // Through the dead leader: one clear line, nothing else.
    for (const w of deadLeader) assert.match(w.stderr, /^cannot reach netmaster at http:\/\/[\d.]+:9999: /, w.stderr);

    const leader = await leaderHost(c(), MASTERS);
    const base = urlOf(c(), leader);
    // Every acknowledged tenant exists, and no other of the loop's: nothing lost, nothing made up.
    const tenants = new Set(((await curlJson(c(), 'h3', `${base}/api/v1/tenants/`)) as { tenantName: string }[]).map((x) => x.tenantName));
    const ackedTenants = new Set([...loops.flatMap((l) => l.acked().map((a) => a.name)), ...viaLeader.filter((w) => w.ok).map((w) => w.name)]);
    const missing = [...ackedTenants].filter((n) => !tenants.has(n));
    assert.deepEqual(missing, [], 'every acknowledged tenant exists');
    // A write whose connection broke after it was sent may or may not have been applied (said so); every other
    // unacknowledged write was refused before anything was done (503, connection refused).
    const unknown = new Set([
      ...loops.flatMap((l) => l.attempts.filter((a) => a.status === 502 || a.status === 0).map((a) => a.name)),
      ...viaLeader.filter((w) => !w.ok && !/ECONNREFUSED/.test(w.stderr)).map((w) => w.name),
    ]);
    const phantom = [...tenants].filter((n) => /^r\d+-/.test(n) && !ackedTenants.has(n) && !unknown.has(n));
    assert.deepEqual(phantom, [], 'no tenant appeared that was not acknowledged');
    t.diagnostic(`${ackedTenants.size} acknowledged tenant creates, all present; ${loops.reduce((n, l) => n + l.attempts.length, 0)} attempts in all`);

    // Every acknowledged network exists once, with a VXLAN id of its own.
    const networks = (await curlJson(c(), 'h3', `${base}/api/v1/networks/`)) as { networkName: string; tenantName: string }[];
    const ackedNets = viaFollower.filter((w) => w.ok).map((w) => w.name);
    for (const n of ackedNets) assert.equal(networks.filter((x) => x.networkName === n).length, 1, `network ${n} exists exactly once`);
    for (const w of inFlight) t.diagnostic(`${w.name}, in flight at a kill: ${networks.some((x) => x.networkName === w.name) ? 'was applied' : 'was not applied'}`);
    const tags = new Map<number, string>();
    for (const n of networks) {
      const ins = (await curlJson(c(), 'h3', `${base}/api/v1/inspect/networks/${n.tenantName}:${n.networkName}/`)) as NetworkInspect;
      const tag = Number(ins.Oper['pktTag']);
      assert.ok(!tags.has(tag), `VXLAN id ${tag} given to ${n.networkName} and to ${tags.get(tag) ?? ''}`);
      tags.set(tag, n.networkName);
    }

    // Containers: distinct addresses, each allocated in netmaster; no allocation without a container.
    const started = containers.filter((x) => x.ok).map((x) => x.name);
    const ips = await Promise.all(started.map(async (n) => (await c().docker('h3', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', n)).stdout.trim()));
    assert.equal(new Set(ips).size, ips.length, `distinct addresses: ${ips.join(' ')}`);
    const netInspect = (await curlJson(c(), 'h3', `${base}/api/v1/inspect/networks/default:ha-net/`)) as NetworkInspect;
    const allocated = allocatedIps(netInspect);
    for (const ip of ips) assert.ok(allocated.has(ip), `netmaster shows ${ip}`);
    allocated.delete('10.200.0.1');
    const leaked = [...allocated].filter((ip) => !ips.includes(ip));
    t.diagnostic(`${ips.length} containers, ${ips.length} distinct addresses; allocated without a container: ${leaked.length ? leaked.join(' ') : 'none'}`);
    if (containers.every((x) => x.ok)) assert.deepEqual(leaked, [], 'no address allocated without a container');
  });
});
