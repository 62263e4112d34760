/**
 * What kind of engine the agent serves decides the driver's scope (DESIGN.md
 * decision 4): an engine with a cluster store (20.10 `--cluster-store`) or in
 * swarm shares global-scope networks, so the driver says "global" and Docker
 * network ids are cluster-wide (docknet scope "cluster"); a standalone engine
 * refuses global-scope remote drivers outside swarm, so the driver says "local"
 * and its network ids are its own (docknet scope = host name).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@contiv/runtime';
import type { DockerInfo } from './engine-client';

export type EngineFlavor = 'standalone' | 'cluster-store' | 'swarm';

export interface EngineKind {
  readonly flavor: EngineFlavor;
  readonly driverScope: 'local' | 'global';
  /** Scope segment of docknet keys: the host name, or "cluster". */
  readonly docknetScope: string;
}

export const CLUSTER_DOCKNET_SCOPE = 'cluster';

export function classifyEngine(info: DockerInfo, hostName: string): EngineKind {
  if (info.Swarm?.LocalNodeState === 'active') return { flavor: 'swarm', driverScope: 'global', docknetScope: CLUSTER_DOCKNET_SCOPE };
  if (info.ClusterStore) return { flavor: 'cluster-store', driverScope: 'global', docknetScope: CLUSTER_DOCKNET_SCOPE };
  return { flavor: 'standalone', driverScope: 'local', docknetScope: hostName };
}

/**
 * Remembers the last detection on disk. dockerd activates plugins while it is
 * still initialising (restoring containers) and answers no API call until it is
 * done, so at that moment GetCapabilities cannot ask it: the remembered kind
 * (else "standalone") answers instead.
 */
export class EngineKindFile {
  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  read(hostName: string): EngineKind | undefined {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { flavor?: unknown };
      if (raw.flavor === 'standalone') return { flavor: 'standalone', driverScope: 'local', docknetScope: hostName };
      if (raw.flavor === 'cluster-store' || raw.flavor === 'swarm') return { flavor: raw.flavor, driverScope: 'global', docknetScope: CLUSTER_DOCKNET_SCOPE };
    } catch {
      // never written, or unreadable: no memory
    }
    return undefined;
  }

  write(kind: EngineKind): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, JSON.stringify({ flavor: kind.flavor, savedAt: new Date().toISOString() }));
    } catch (err) {
      this.log.warn('Cannot remember the engine kind', { file: this.file, err });
    }
  }
}
