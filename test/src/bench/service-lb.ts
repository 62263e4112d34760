/**
 * serviceLB connection rate: on a 3-host local cluster, a client container on
 * h1 makes HTTP/1.0 requests (one TCP connection each, one at a time) to
 * busybox httpd backends on h2 and h3, either through the service's VIP (the
 * select group, conntrack DNAT on h1, un-NAT of the replies) or straight to
 * one backend's address and port. Connections per second of each, and their
 * ratio (VIP / direct: 1.0 = the load balancer costs nothing).
 *
 * The requests are made by this machine's node in the client's network
 * namespace (`nsenter --net=/proc/<pid>/ns/net`; the cluster's dockerds share
 * this pid namespace), so no process is spawned per request. Rounds alternate
 * VIP and direct so drift in the machine's load hits both. Figures only.
 */
import { spawn } from 'node:child_process';
import { LocalCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { table } from './stats';

export interface ServiceLbBenchOptions {
  /** Alternating VIP/direct rounds. */
  readonly rounds: number;
  /** Length of one round. */
  readonly seconds: number;
}

const TENANT = 'lbbench';
const NET = 'lbnet';
const SUBNET = '10.61.1.0/24';
const GATEWAY = '10.61.1.254';
const VIP = '10.61.1.200';
const HTTPD = 'mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 8080 -h /w';

/** Requests one connection at a time for `ms`; prints `<connections> <failures>`. */
const CLIENT_SCRIPT = `
const net = require('node:net');
const [host, port, ms] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const end = Date.now() + ms;
let ok = 0, failed = 0;
function one() {
  if (Date.now() >= end) { console.log(ok + ' ' + failed); return; }
  let got = '';
  const s = net.connect({ host, port });
  s.setTimeout(2000, () => s.destroy(new Error('timeout')));
  s.on('connect', () => s.write('GET / HTTP/1.0\\r\\n\\r\\n'));
  s.on('data', (d) => (got += d));
  s.on('close', () => { if (got.includes('200 OK')) ok++; else failed++; one(); });
  s.on('error', () => undefined);
}
one();
`;

function runIn(pid: number, host: string, port: number, ms: number): Promise<{ ok: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', CLIENT_SCRIPT, host, String(port), String(ms)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /^(\d+) (\d+)$/m.exec(out);
      if (code !== 0 || !m) reject(new Error(`client in netns exited ${String(code)}: ${err.trim() || out.trim()}`));
      else resolve({ ok: Number(m[1]), failed: Number(m[2]) });
    });
  });
}

export async function benchServiceLb(opts: ServiceLbBenchOptions): Promise<void> {
  const c = LocalCluster.create();
  try {
    await c.up({ hosts: 3, debug: false });
    const netctl = (...args: string[]) => c.netctl('h1', ...args);
    await netctl('tenant', 'create', TENANT);
    await netctl('network', 'create', '-t', TENANT, '-s', SUBNET, '-g', GATEWAY, NET);
    const dockerNet = `${NET}/${TENANT}`;
    for (const h of ['h1', 'h2', 'h3']) {
      await eventually(async () => (await c.docker(h, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').includes(dockerNet), { timeoutMs: 30_000, what: `${dockerNet} on ${h}` });
    }
    for (const [name, host] of [
      ['lbb2', 'h2'],
      ['lbb3', 'h3'],
    ] as const) {
      await c.docker(host, 'run', '-d', '-l', 'app=bench', `--net=${dockerNet}`, `--name=${name}`, `--hostname=${name}`, 'busybox', 'sh', '-c', HTTPD);
    }
    await c.docker('h1', 'run', '-d', `--net=${dockerNet}`, '--name=lbclient', 'busybox', 'sleep', '86400');
    const pid = Number((await c.docker('h1', 'inspect', '-f', '{{.State.Pid}}', 'lbclient')).stdout.trim());
    const direct = (await c.docker('h2', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'lbb2')).stdout.trim();
    await netctl('service', 'create', '-t', TENANT, '-network', NET, '-ip', VIP, '-selector', 'app=bench', '-port', '80:8080:TCP', 'bench-svc');
    await eventually(async () => (await c.ofctl('h1', '-O', 'OpenFlow13', 'dump-groups', 'contivbr')).stdout.split('bucket=').length - 1 === 2, { timeoutMs: 30_000, what: "h1's select group with 2 buckets" });
    // Warm up both paths (ARP, tunnels, the first connections).
    await eventually(async () => (await runIn(pid, VIP, 80, 300)).ok > 0, { timeoutMs: 30_000, what: 'a first answer through the VIP' });
    await eventually(async () => (await runIn(pid, direct, 8080, 300)).ok > 0, { timeoutMs: 30_000, what: 'a first answer from lbb2' });

    const ms = opts.seconds * 1000;
    const rates = { vip: [] as number[], direct: [] as number[] };
    let failures = 0;
    for (let r = 0; r < opts.rounds; r++) {
      const v = await runIn(pid, VIP, 80, ms);
      const d = await runIn(pid, direct, 8080, ms);
      rates.vip.push(v.ok / opts.seconds);
      rates.direct.push(d.ok / opts.seconds);
      failures += v.failed + d.failed;
    }
    const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`\nserviceLB connection rate: HTTP/1.0 requests one connection at a time from h1 (node in the client's netns), ${opts.rounds} alternating rounds of ${opts.seconds} s`);
    console.log(
      table([
        ['path', 'conn/s (mean)', 'min', 'max'],
        [`through the VIP ${VIP}:80 (2 backends, h2 and h3)`, mean(rates.vip).toFixed(0), Math.min(...rates.vip).toFixed(0), Math.max(...rates.vip).toFixed(0)],
        [`direct to lbb2 ${direct}:8080 (h2)`, mean(rates.direct).toFixed(0), Math.min(...rates.direct).toFixed(0), Math.max(...rates.direct).toFixed(0)],
      ]),
    );
    console.log(`ratio VIP / direct: ${(mean(rates.vip) / mean(rates.direct)).toFixed(2)}; failed connections: ${failures}`);
  } finally {
    await c.destroy();
  }
}
