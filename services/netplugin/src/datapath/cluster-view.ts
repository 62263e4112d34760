/**
 * What the agent needs to know about the rest of the cluster to program its
 * datapath: every endpoint record (remote endpoints, and their hosts' VTEPs)
 * and every node record (peer VTEPs), mirrored from the store and kept while
 * the store is away.
 */
import { endpointPrefix, endpointStateCodec, nodePrefix, nodeRecordCodec, type EndpointState, type NodeRecord } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { PrefixMirror } from '../controller/prefix-mirror';

export class ClusterView {
  private readonly endpointMirror: PrefixMirror<EndpointState>;
  private readonly nodeMirror: PrefixMirror<NodeRecord>;

  constructor(store: Store, log: Logger) {
    const l = log.child({ component: 'cluster-view' });
    this.endpointMirror = new PrefixMirror({ store, prefix: endpointPrefix(), what: 'endpoints', decode: (r, k) => endpointStateCodec.decode(r, k), log: l });
    this.nodeMirror = new PrefixMirror({ store, prefix: nodePrefix(), what: 'nodes', decode: (r, k) => nodeRecordCodec.decode(r, k), log: l });
  }

  start(): void {
    this.endpointMirror.start();
    this.nodeMirror.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.endpointMirror.stop(), this.nodeMirror.stop()]);
  }

  /** Called after any change, and when each mirror has its first listing (so isSynced() may have turned true). */
  onChange(listener: () => void): void {
    for (const m of [this.endpointMirror, this.nodeMirror] as Array<PrefixMirror<unknown>>) {
      m.onChange(() => listener());
      m.onSynced(() => listener());
    }
  }

  isSynced(): boolean {
    return this.endpointMirror.isSynced() && this.nodeMirror.isSynced();
  }

  endpoints(): EndpointState[] {
    return [...this.endpointMirror.entries.values()];
  }

  nodes(): NodeRecord[] {
    return [...this.nodeMirror.entries.values()];
  }
}
