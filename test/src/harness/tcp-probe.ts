/**
 * TCP and UDP reachability inside network namespaces, with node itself (the
 * one runtime every test machine has): a listener that answers "ok" to
 * every connection or datagram, and probes that say whether the answer came.
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
