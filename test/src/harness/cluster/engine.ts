/**
 * The docker CLI against one cluster host's engine, from any process (the
 * engine's socket is a file in the cluster's directory).
 */
import { DOCKER_BIN } from '../dockerd';
import type { Dockerd } from '../dockerd';
import type { RunOptions, RunResult } from '../exec';
import { run } from '../exec';
import type { HostState } from './state';

export type Engine = Pick<Dockerd, 'docker' | 'host'>;

export function engineOf(h: Pick<HostState, 'dockerHost'>): Engine {
  return {
    host: h.dockerHost,
    docker: (args: readonly string[], opts: RunOptions = {}): Promise<RunResult> => run(DOCKER_BIN, ['-H', h.dockerHost, ...args], { timeoutMs: 120_000, ...opts }),
  };
}
