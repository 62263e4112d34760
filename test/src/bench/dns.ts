/**
 * DNS answer latency: the agent's responder against Docker's embedded DNS, on
 * a one-host local cluster. A Node client runs in a container's network
 * namespace (nsenter from here, so the busybox image needs no Node) and asks
 * one A query at a time, timing each reply with the monotonic clock:
 *
 *   docker      a container name on a plain bridge network, asked at 127.0.0.11:
 *               Docker's embedded DNS answers from its own engine (the baseline)
 *   agent       a container name of the Contiv network, asked at an address off the
 *               subnet: the query is punted to the agent, answered, sent back (PACKET_IN/OUT)
 *   via docker  a group name asked at 127.0.0.11 from the Contiv network: Docker does not
 *               know it, forwards it out of the default route, and the agent answers
 *               (what a container's `ping group` costs)
 *   forwarded   a name nobody in the cluster has, asked at the agent: it forwards it to an
 *               upstream resolver (a test server in the host's namespace) and relays the answer
 *
 * Figures only: p50, p99, and the agent/docker ratios.
 */
import { LocalCluster } from '../harness/cluster/client';
import { run } from '../harness/exec';
import { underlayIp } from '../harness/underlay';
import { startUpstreamDnsIn } from '../harness/upstream-dns';
import { ms, percentile, table } from './stats';

export interface DnsBenchOptions {
  /** Queries timed per kind (after 20 unmeasured). */
  readonly queries: number;
}

const UPSTREAM_PORT = 5353;
const AGENT = '192.0.2.53';

/** Runs in the container's namespace: `node -e CLIENT server name count warmup`; prints {"rtts": [µs...], "failures": n}. */
const CLIENT = `
const dgram = require('node:dgram');
const [server, name, count, warmup] = process.argv.slice(1);
const sock = dgram.createSocket('udp4');
function query(id) {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const h = Buffer.alloc(12); h.writeUInt16BE(id, 0); h.writeUInt16BE(0x0100, 2); h.writeUInt16BE(1, 4);
  return Buffer.concat([h, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}
function ask(id) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const timer = setTimeout(() => { sock.off('message', on); resolve(-1); }, 2000);
    const on = (m) => {
      if (m.readUInt16BE(0) !== id) return;
      clearTimeout(timer); sock.off('message', on);
      const rcode = m.readUInt16BE(2) & 15, answers = m.readUInt16BE(6);
      resolve(rcode === 0 && answers > 0 ? Number(process.hrtime.bigint() - t0) / 1000 : -1);
    };
    sock.on('message', on);
    sock.send(query(id), 53, server);
  });
}
(async () => {
  const rtts = []; let failures = 0;
  for (let i = 0; i < Number(warmup) + Number(count); i++) {
    const us = await ask((i * 7919) & 0xffff);
    if (i < Number(warmup)) continue;
    if (us < 0) failures++; else rtts.push(us);
  }
  sock.close();
  console.log(JSON.stringify({ rtts, failures }));
})();
`;

interface Sample {
  readonly rttsMs: number[];
  readonly failures: number;
}

async function measure(c: LocalCluster, container: string, server: string, name: string, count: number, warmup = 20): Promise<Sample> {
  const pid = (await c.docker('h1', 'inspect', '-f', '{{.State.Pid}}', container)).stdout.trim();
  const r = await run('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', CLIENT, server, name, String(count), String(warmup)], { timeoutMs: 600_000 });
  const out = JSON.parse(r.stdout) as { rtts: number[]; failures: number };
  return { rttsMs: out.rtts.map((us) => us / 1000), failures: out.failures };
}

export async function benchDns(opts: DnsBenchOptions): Promise<void> {
  const n = opts.queries;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--dns-queries must be a positive whole number (got ${n})`);
  const upstreamIp = underlayIp(1);
  // The agents read dns_upstream from the environment `cluster up` runs in (the cluster keeps a copy of it).
  const saved = process.env['dns_upstream'];
  process.env['dns_upstream'] = `${upstreamIp}:${UPSTREAM_PORT}`;
  const c = LocalCluster.create();
  if (saved === undefined) delete process.env['dns_upstream'];
  else process.env['dns_upstream'] = saved;
  try {
    // Info logs: a debug line per query would slow the agent down.
    await c.up({ hosts: 1, debug: false });
    const upstream = await startUpstreamDnsIn(c.hostState('h1').netns, upstreamIp, UPSTREAM_PORT, { 'outside.bench.test': '198.51.100.9' }, `${c.layout.logDir}/upstream-dns.log`);
    try {
      await c.netctl('h1', 'network', 'create', '-s', '10.72.1.0/24', '-g', '10.72.1.254', 'bench-dns');
      await c.netctl('h1', 'group', 'create', 'bench-dns', 'bench-grp');
      await c.docker('h1', 'network', 'create', '--driver', 'bridge', 'bench-plain');
      for (const [net, name] of [
        ['bench-dns', 'bd-client'],
        ['bench-dns', 'bd-target'],
        ['bench-grp', 'bd-member'],
        ['bench-plain', 'bp-client'],
        ['bench-plain', 'bp-target'],
      ] as const) {
        await c.docker('h1', 'run', '-itd', `--net=${net}`, `--name=${name}`, 'busybox', '/bin/sh');
      }
      // The agent learns container names a moment after they start.
      await measureUntilAnswered(c, 'bd-client', AGENT, 'bd-target');
      await measureUntilAnswered(c, 'bd-client', '127.0.0.11', 'bench-grp');
      const rows: Array<[string, Sample]> = [
        ['docker: own-engine name at 127.0.0.11', await measure(c, 'bp-client', '127.0.0.11', 'bp-target', n)],
        ['agent: container name, asked directly', await measure(c, 'bd-client', AGENT, 'bd-target', n)],
        ['via docker: group name, 127.0.0.11 -> agent', await measure(c, 'bd-client', '127.0.0.11', 'bench-grp', n)],
        ['forwarded: unknown name, agent -> upstream', await measure(c, 'bd-client', AGENT, 'outside.bench.test', n)],
      ];
      const docker = rows[0]?.[1] as Sample;
      const agent = rows[1]?.[1] as Sample;
      const p = (s: Sample, q: number): number => percentile(s.rttsMs, q);
      console.log(`\nDNS answer latency (${n} sequential A queries each, one host, Node client in the container's namespace)`);
      console.log(
        table([
          ['', 'p50', 'p99', 'failures', 'p50 / docker'],
          ...rows.map(([what, s]) => [what, ms(p(s, 50)), ms(p(s, 99)), String(s.failures), `${(p(s, 50) / p(docker, 50)).toFixed(2)}x`]),
        ]),
      );
      console.log(`ratio agent/docker: p50 ${(p(agent, 50) / p(docker, 50)).toFixed(2)}x, p99 ${(p(agent, 99) / p(docker, 99)).toFixed(2)}x`);
    } finally {
      await upstream.close();
    }
  } finally {
    await c.destroy();
  }
}

async function measureUntilAnswered(c: LocalCluster, container: string, server: string, name: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const s = await measure(c, container, server, name, 1, 0);
    if (s.failures === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${name} never resolved at ${server} from ${container}`);
}
