/**
 * A private single-member etcd (Debian's etcd 3.4 binary) on free loopback
 * ports, in a temp dir, for integration and end-to-end tests
 * (ENVIRONMENT.md §6). It is SIGKILLed and its temp dir removed if the test
 * process exits without stopping it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tailFile, type Daemon } from './exec';
import { findOnPath, httpGet } from './local-server';
import { freePort } from './ports';
import { makeTempDir } from './tmp';

export interface EtcdOptions {
  /** Also serve the v2 API (Docker's `--cluster-store` speaks only v2). */
  readonly enableV2?: boolean;
  /** Data directory to use (default: a fresh one in the server's temp dir). */
  readonly dataDir?: string;
}

export interface EtcdServer {
  /** Cluster store URL, `etcd://127.0.0.1:PORT`. */
  readonly url: string;
  /** Client endpoint, `http://127.0.0.1:PORT`. */
  readonly clientUrl: string;
  readonly port: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** etcd's stdout and stderr, appended across restarts. */
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 3 s (etcd can hang on shutdown); keeps the data dir. */
  stop(): Promise<void>;
  /** SIGKILL now (a crash); keeps the data dir. */
  kill(): Promise<void>;
  /** Stops it if running, then starts it again on the same ports and data dir, and waits until healthy. */
  restart(): Promise<void>;
}

const STOP_GRACE_MS = 3000;
const HEALTHY_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 3;

/** Starts etcd and resolves once `/health` says it is healthy; fails with the tail of its log otherwise. */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdServer> {
  const binary = findOnPath('etcd');
  if (binary === undefined) {
    throw new Error('etcd is not installed: no "etcd" on PATH (apt-get install etcd-server; see ENVIRONMENT.md §6)');
  }
  const tmp = await makeTempDir('contiv-etcd-');
  const dataDir = opts.dataDir ?? path.join(tmp.path, 'data');
  const logFile = path.join(tmp.path, 'etcd.log');
  const name = `contiv-test-${randomBytes(4).toString('hex')}`;

  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    let peerPort = await freePort();
    while (peerPort === port) peerPort = await freePort();
    const args = etcdArgs(name, dataDir, port, peerPort, opts.enableV2 === true);
    let daemon = startDaemon('etcd', binary, args, { logFile });
    try {
      await waitHealthy(daemon, port, logFile);
    } catch (err) {
      lastError = err as Error;
      await daemon.kill();
      // Another process took a port between freePort() and etcd's bind: try new
      // ones, in a fresh data dir (the old one remembers the old peer URL).
      if (/address already in use/.test(tailFile(logFile)) && attempt < START_ATTEMPTS) {
        if (opts.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
        continue;
      }
      await tmp.cleanup();
      throw err;
    }
    const stop = async (): Promise<void> => {
      await daemon.stop(STOP_GRACE_MS);
    };
    return {
      url: `etcd://127.0.0.1:${port}`,
      clientUrl: `http://127.0.0.1:${port}`,
      port,
      peerPort,
      dataDir,
      logFile,
      stop,
      kill: () => daemon.kill(),
      async restart() {
        await stop();
        daemon = startDaemon('etcd', binary, args, { logFile });
        try {
          await waitHealthy(daemon, port, logFile);
        } catch (err) {
          await daemon.kill();
          throw err;
        }
      },
    };
  }
  await tmp.cleanup();
  throw lastError ?? new Error('etcd did not start');
}

function etcdArgs(name: string, dataDir: string, port: number, peerPort: number, enableV2: boolean): string[] {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name',
    name,
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `${name}=${peer}`,
    '--initial-cluster-token',
    name,
    ...(enableV2 ? ['--enable-v2=true'] : []),
  ];
}

async function waitHealthy(daemon: Daemon, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!daemon.isRunning()) {
      const code = await daemon.exited;
      throw new Error(`etcd exited with code ${code} before it was healthy on port ${port}; log tail:\n${tailFile(logFile)}`);
    }
    try {
      const body = await httpGet(`http://127.0.0.1:${port}/health`);
      if (/"health"\s*:\s*"true"/.test(body)) return;
      last = body.trim();
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `etcd was not healthy on port ${port} after ${HEALTHY_TIMEOUT_MS} ms (last /health: ${last}); log tail:\n${tailFile(logFile)}`,
  );
}
