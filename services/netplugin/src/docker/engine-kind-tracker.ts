/**
 * Detects the local engine's kind in the background (retrying until the engine
 * answers, then re-checking now and then: a dockerd restarted with other flags
 * changes it) and lets callers wait a bounded time for the answer.
 */
import type { Logger } from '@contiv/runtime';
import type { DockerEngineClient } from './engine-client';
import { classifyEngine, type EngineKind, type EngineKindFile } from './engine-kind';

export interface EngineKindTrackerOptions {
  readonly engine: Pick<DockerEngineClient, 'info'>;
  readonly hostName: string;
  readonly file?: EngineKindFile;
  readonly log: Logger;
  /**
   * What to assume before the engine ever answered and nothing is remembered:
   * a standalone engine, unless the plugin was installed for swarm mode.
   */
  readonly assumeSwarm?: boolean;
  /** Bound on one /info call (a daemon still initialising accepts but does not answer). */
  readonly infoTimeoutMs?: number;
  readonly retryMs?: number;
  readonly recheckMs?: number;
}

export class EngineKindTracker {
  private kind: EngineKind | undefined;
  private waiters: Array<(k: EngineKind) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: EngineKindTrackerOptions) {}

  start(): void {
    void this.detect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  current(): EngineKind | undefined {
    return this.kind;
  }

  /** The detected kind, waiting at most `timeoutMs`; undefined if the engine has not answered yet. */
  wait(timeoutMs: number): Promise<EngineKind | undefined> {
    if (this.kind) return Promise.resolve(this.kind);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(undefined);
      }, timeoutMs);
      const done = (k: EngineKind): void => {
        clearTimeout(t);
        resolve(k);
      };
      this.waiters.push(done);
    });
  }

  /** The detected kind, else the remembered one, else a standalone (or, assumeSwarm, a swarm) engine. */
  async resolve(waitMs: number): Promise<{ kind: EngineKind; detected: boolean }> {
    const k = await this.wait(waitMs);
    if (k) return { kind: k, detected: true };
    const remembered = this.opts.file?.read(this.opts.hostName);
    const assumed = this.opts.assumeSwarm === true ? classifyEngine({ Swarm: { LocalNodeState: 'active' } }, this.opts.hostName) : classifyEngine({}, this.opts.hostName);
    return { kind: remembered ?? assumed, detected: false };
  }

  private async detect(): Promise<void> {
    if (this.stopped) return;
    let next = this.opts.retryMs ?? 2_000;
    try {
      const info = await this.opts.engine.info(this.opts.infoTimeoutMs ?? 3_000);
      const kind = classifyEngine(info, this.opts.hostName);
      if (!this.kind || this.kind.flavor !== kind.flavor) {
        this.opts.log.info('Detected the Docker engine kind', { flavor: kind.flavor, driverScope: kind.driverScope, docknetScope: kind.docknetScope, engine: info.ServerVersion });
        this.opts.file?.write(kind);
      }
      this.kind = kind;
      for (const w of this.waiters.splice(0)) w(kind);
      next = this.opts.recheckMs ?? 60_000;
    } catch (err) {
      this.opts.log[this.kind ? 'debug' : 'warn']('Docker engine not reachable yet', { err: (err as Error).message });
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.detect(), next);
      this.timer.unref();
    }
  }
}
