/**
 * In legacy docker mode the agents, not netmaster, create each network (and
 * group) in Docker, a moment after netmaster stored it. Without waiting,
 * `netctl network create X` followed at once by `docker run --net=X` failed
 * with "network X not found". So the REST create waits until every live
 * node's engine has registered the Docker network (a docknet mapping in the
 * node's scope, or in the shared scope of --cluster-store/swarm engines),
 * for at most a few seconds: a node whose engine is down must not block
 * the cluster, and its agent creates the network when it is back anyway.
 */
import { dockerNetworkMappingCodec, dockerNetworkRootPrefix, nodePrefix, nodeRecordCodec } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { StoreMirror } from './store-mirror';

/** The docknet scope of engines that share networks (netplugin's CLUSTER_DOCKNET_SCOPE). */
export const SHARED_DOCKNET_SCOPE = 'cluster';
export const DEFAULT_DOCKER_READY_WAIT_MS = 10_000;

export interface DockerReadinessOptions {
  readonly mirror: Pick<StoreMirror, 'list'>;
  /** Only `docker` (legacy) mode has agents creating networks. */
  readonly pluginMode: string;
  readonly log: Logger;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

export class DockerReadiness {
  constructor(private readonly o: DockerReadinessOptions) {}

  /** Waits until the object is a Docker network on every live node's engine, or the timeout; never throws. */
  async wait(tenantName: string, networkName: string, groupName: string, requestId?: string): Promise<void> {
    if (this.o.pluginMode !== 'docker') return;
    const started = Date.now();
    const deadline = started + (this.o.timeoutMs ?? DEFAULT_DOCKER_READY_WAIT_MS);
    for (;;) {
      const missing = this.nodesWithout(tenantName, networkName, groupName);
      if (missing.length === 0) {
        this.o.log.debug('Docker network ready on every node', { tenantName, networkName, groupName, ms: Date.now() - started, requestId });
        return;
      }
      if (Date.now() >= deadline) {
        this.o.log.warn('Not every node has the Docker network yet; answering anyway (their agents keep trying)', { tenantName, networkName, groupName, nodes: missing, requestId });
        return;
      }
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 50));
    }
  }

  /** Live nodes (node records under lease) whose engine has no Docker network for the object yet. */
  nodesWithout(tenantName: string, networkName: string, groupName: string): string[] {
    const scopes = new Set<string>();
    for (const e of this.o.mirror.list(dockerNetworkRootPrefix())) {
      try {
        const m = dockerNetworkMappingCodec.decode(e.value, e.key);
        if (m.tenantName === tenantName && m.networkName === networkName && m.groupName === groupName) scopes.add(e.key.slice(dockerNetworkRootPrefix().length).split('/')[0] ?? '');
      } catch {
        // a record that does not parse is reported by the catalog
      }
    }
    if (scopes.has(SHARED_DOCKNET_SCOPE)) return [];
    const missing: string[] = [];
    for (const e of this.o.mirror.list(nodePrefix())) {
      try {
        const node = nodeRecordCodec.decode(e.value, e.key);
        if (!scopes.has(node.hostname)) missing.push(node.hostname);
      } catch {
        // idem
      }
    }
    return missing;
  }
}
