/**
 * A private Consul agent (Debian bullseye's 1.8.7, installed by
 * deploy/host/install-deps.sh) on free loopback ports, in a temp dir, for
 * integration and end-to-end tests (ENVIRONMENT.md, Packages). It is
 * SIGKILLed and its temp dir removed if the test process exits without
 * stopping it.
 *
 * Two modes: `consul agent -dev` (the default: in-memory, ready in ~1 s, its
 * data dies with it), and `persistent` (a one-node server with its raft data
 * on disk, so restart() keeps the data, as an etcd restart does; ~1.5 s).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startDaemon, tailFile, type Daemon } from './exec';
import { findOnPath, httpGet } from './local-server';
import { freePort } from './ports';
import { makeTempDir } from './tmp';

export interface ConsulOptions {
  /** A server with its data on disk instead of a dev agent: restart() keeps the data. */
  readonly persistent?: boolean;
  /**
   * Consul's `session_ttl_min` (a Go duration, e.g. "1s"); unset: Consul's
   * default, 10 s, under which ConsulStore's leases last at least 20 s.
   */
  readonly sessionTtlMin?: string;
}

export interface ConsulServer {
  /** Cluster store URL, `consul://127.0.0.1:PORT`. */
  readonly url: string;
  /** HTTP API, `http://127.0.0.1:PORT`. */
  readonly httpUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** The agent's stdout and stderr, appended across restarts. */
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 5 s; keeps the data dir. */
  stop(): Promise<void>;
  /** SIGKILL now (a crash); keeps the data dir. */
  kill(): Promise<void>;
  /** Stops it if running, then starts it again on the same ports and data dir, and waits until ready. */
  restart(): Promise<void>;
}

const STOP_GRACE_MS = 5000;
const READY_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;

/** Starts Consul and resolves once it has a leader, serves consistent reads and its node is healthy (sessions need it). */
export async function startConsul(opts: ConsulOptions = {}): Promise<ConsulServer> {
  const binary = findOnPath('consul');
  if (binary === undefined) {
    throw new Error('consul is not installed: no "consul" on PATH (deploy/host/install-deps.sh installs it from bullseye)');
  }
  const tmp = await makeTempDir('contiv-consul-');
  const dataDir = path.join(tmp.path, 'data');
  const logFile = path.join(tmp.path, 'consul.log');
  const node = `contiv-test-${randomBytes(4).toString('hex')}`;

  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const ports = await distinctFreePorts(4);
    const args = consulArgs(node, dataDir, ports, opts);
    const port = ports[0] as number;
    let daemon = startDaemon('consul', binary, args, { logFile });
    try {
      await waitReady(daemon, port, node, logFile);
    } catch (err) {
      lastError = err as Error;
      await daemon.kill();
      // Another process took a port between freePort() and Consul's bind: try new ones.
      if (/address already in use/.test(tailFile(logFile)) && attempt < START_ATTEMPTS) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        continue;
      }
      await tmp.cleanup();
      throw err;
    }
    const stop = (): Promise<void> => daemon.stop(STOP_GRACE_MS);
    return {
      url: `consul://127.0.0.1:${port}`,
      httpUrl: `http://127.0.0.1:${port}`,
      port,
      dataDir,
      logFile,
      async stop() {
        await stop();
      },
      kill: () => daemon.kill(),
      async restart() {
        await stop();
        daemon = startDaemon('consul', binary, args, { logFile });
        try {
          await waitReady(daemon, port, node, logFile);
        } catch (err) {
          await daemon.kill();
          throw err;
        }
      },
    };
  }
  await tmp.cleanup();
  throw lastError ?? new Error('consul did not start');
}

function consulArgs(node: string, dataDir: string, ports: readonly number[], opts: ConsulOptions): string[] {
  const [httpPort, serfLan, serfWan, server] = ports as [number, number, number, number];
  return [
    'agent',
    ...(opts.persistent === true ? ['-server', '-bootstrap-expect', '1'] : ['-dev']),
    '-node',
    node,
    '-bind',
    '127.0.0.1',
    '-client',
    '127.0.0.1',
    '-http-port',
    String(httpPort),
    '-dns-port',
    '-1',
    '-grpc-port',
    '-1',
    '-serf-lan-port',
    String(serfLan),
    '-serf-wan-port',
    String(serfWan),
    '-server-port',
    String(server),
    '-data-dir',
    dataDir,
    // No internet here; a one-node server elects itself in ~1 s instead of ~7 s.
    '-hcl',
    'disable_update_check = true',
    '-hcl',
    'performance { raft_multiplier = 1 }',
    ...(opts.sessionTtlMin !== undefined ? ['-hcl', `session_ttl_min = ${JSON.stringify(opts.sessionTtlMin)}`] : []),
  ];
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function waitReady(daemon: Daemon, port: number, node: string, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!daemon.isRunning()) {
      const code = await daemon.exited;
      throw new Error(`consul exited with code ${code} before it was ready on port ${port}; log tail:\n${tailFile(logFile)}`);
    }
    try {
      const leader = await httpGet(`http://127.0.0.1:${port}/v1/status/leader`);
      const checks = leader.includes(':') ? await httpGet(`http://127.0.0.1:${port}/v1/health/node/${node}`) : '[]';
      // A consistent read answers only once the leader has applied its whole log (after a restart).
      if (serfHealthPassing(checks) && (await httpStatus(`http://127.0.0.1:${port}/v1/kv/contiv-harness-probe?consistent`)) === 404) return;
      last = `leader ${leader.trim() || '(none)'}, node checks ${checks.replace(/\s+/g, ' ').slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`consul was not ready on port ${port} after ${READY_TIMEOUT_MS} ms (last: ${last}); log tail:\n${tailFile(logFile)}`);
}

function serfHealthPassing(body: string): boolean {
  const checks: unknown = JSON.parse(body);
  return Array.isArray(checks) && checks.some((c: { CheckID?: unknown; Status?: unknown }) => c.CheckID === 'serfHealth' && c.Status === 'passing');
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
