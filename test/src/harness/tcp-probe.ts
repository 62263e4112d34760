/**
 * TCP and UDP reachability inside network namespaces, with node itself (the
 * one runtime every test machine has): a listener that answers "ok" to
 * every connection or datagram, and probes that say whether the answer came;
 * and a TCP throughput meter between two namespaces.
 */
import { run, startDaemon, type Daemon } from './exec';

const LISTENER = `
const [proto, port] = [process.argv[1], Number(process.argv[2])];
if (proto === 'udp') {
  const s = require('dgram').createSocket('udp4');
  s.on('message', (m, r) => s.send('ok', r.port, r.address));
  s.bind(port);
} else {
  require('net').createServer((c) => c.end('ok')).listen(port);
}`;

const PROBE = `
const [proto, host, port, ms] = [process.argv[1], process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const done = (ok) => process.exit(ok ? 0 : 1);
setTimeout(() => done(false), ms);
if (proto === 'udp') {
  const s = require('dgram').createSocket('udp4');
  s.on('message', (m) => done(String(m) === 'ok'));
  s.send('hi', port, host);
} else {
  const c = require('net').connect({ host, port });
  c.on('data', (d) => done(String(d) === 'ok'));
  c.on('error', () => done(false));
}`;

export type Proto = 'tcp' | 'udp';

/** Starts a listener on `port` in `ns` (all addresses); stop() ends it. */
export function startListener(ns: string, proto: Proto, port: number, logFile: string): Daemon {
  return startDaemon(`${proto}-listener-${ns}-${port}`, 'ip', ['netns', 'exec', ns, process.execPath, '-e', LISTENER, proto, String(port)], { logFile });
}

/** Whether a connection (tcp) or a datagram (udp) to host:port from `ns` gets the listener's answer within `ms`. */
export async function reaches(ns: string, proto: Proto, host: string, port: number, ms = 1500): Promise<boolean> {
  const r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', PROBE, proto, host, String(port), String(ms)], { allowFail: true, timeoutMs: ms + 10_000 });
  return r.code === 0;
}

/**
 * A TCP throughput meter run with node in two namespaces. `recv PORT
 * WARMUP_MS`: accepts one connection and prints {kbps} counted from WARMUP_MS
 * after the first byte (a rate limiter's bucket starts full: skipping the first
 * second measures the sustained rate) to the end. `send HOST PORT MS`:
 * connects (retrying until the receiver listens) and writes as fast as the
 * socket takes it for MS.
 */
const THROUGHPUT = `
const net = require('net');
const [mode, a, b, c] = process.argv.slice(1);
if (mode === 'recv') {
  const warmup = Number(b);
  const srv = net.createServer((s) => {
    let first = 0, from = 0, last = 0, bytes = 0;
    s.on('data', (d) => {
      const now = performance.now();
      if (first === 0) first = now;
      if (now - first < warmup) return;
      if (from === 0) from = now; else bytes += d.length;
      last = now;
    });
    s.on('end', () => { console.log(JSON.stringify({ kbps: last > from ? Math.round((bytes * 8) / (last - from)) : 0, bytes })); srv.close(); s.destroy(); });
  });
  srv.listen(Number(a), '0.0.0.0');
} else {
  const chunk = Buffer.alloc(16384, 120);
  const go = () => {
    const s = net.connect(Number(b), a);
    s.on('error', (e) => { if (e.code === 'ECONNREFUSED') setTimeout(go, 100); else { console.error(e.message); process.exit(1); } });
    s.on('connect', () => {
      const end = Date.now() + Number(c);
      const pump = () => { while (Date.now() < end) { if (!s.write(chunk)) { s.once('drain', pump); return; } } s.end(); };
      pump();
    });
  };
  go();
}
`;

/** A network namespace by file: /proc/PID/ns/net (a container's) or /run/netns/NAME (`ip netns`). */
export type NetnsFile = string;

/**
 * kbit/s of one TCP stream from the `from` namespace to `toAddr`:`port` (a
 * listener the meter starts in the `to` namespace), sustained (after the
 * first second) over `ms`.
 */
export async function tcpKbps(from: NetnsFile, to: NetnsFile, toAddr: string, port: number, ms: number): Promise<number> {
  const timeoutMs = ms + 30_000;
  const recv = run('nsenter', [`--net=${to}`, process.execPath, '-e', THROUGHPUT, 'recv', String(port), '1000'], { timeoutMs });
  const send = run('nsenter', [`--net=${from}`, process.execPath, '-e', THROUGHPUT, 'send', toAddr, String(port), String(ms)], { timeoutMs });
  const [r] = await Promise.all([recv, send]);
  return (JSON.parse(r.stdout) as { kbps: number }).kbps;
}
