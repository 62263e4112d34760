/**
 * RecordingBridge: a FlowOperations double for unit tests of a pipeline. It
 * records every call, keeps the flow table and groups the calls would leave
 * on a switch (same identity rules: table + priority + match), and can be
 * told to reject the next change, which then applies nothing, like a
 * rejected bundle.
 */
import { OpenFlowError } from '../errors';
import type { FlowStats } from '../codec/flow-mod';
import type { GroupDesc } from '../codec/group-mod';
import type { Flow, FlowFilter } from '../flow';
import type { FlowStringOptions } from '../flow-string';
import { flowKey, flowsToStrings } from '../flow-string';
import type { BundleOps, FlowOperations } from '../operations';

export type RecordedCall =
  | { readonly op: 'addAll'; readonly flows: readonly Flow[] }
  | { readonly op: 'bundle'; readonly ops: BundleOps }
  | { readonly op: 'deleteAll'; readonly filter: FlowFilter }
  | { readonly op: 'dumpFlows'; readonly filter: FlowFilter };

const cookieMatches = (cookie: bigint, f: FlowFilter): boolean => {
  const mask = f.cookieMask ?? 0n;
  return (cookie & mask) === ((f.cookie ?? 0n) & mask);
};

export class RecordingBridge implements FlowOperations {
  /** Every call, in order. */
  readonly calls: RecordedCall[] = [];
  private readonly installed = new Map<string, Flow>();
  private readonly groupTable = new Map<number, GroupDesc>();
  private pendingFailure: OpenFlowError | undefined;

  /** Bundles sent so far (addAll counts as a bundle of adds, as on the real bridge). */
  get bundles(): BundleOps[] {
    return this.calls.flatMap((c) => (c.op === 'bundle' ? [c.ops] : c.op === 'addAll' ? [{ adds: c.flows }] : []));
  }

  /** FLOW_MOD/GROUP_MOD messages those bundles carried. */
  get messageCount(): number {
    return this.bundles.reduce((n, b) => n + (b.adds?.length ?? 0) + (b.modifies?.length ?? 0) + (b.deletes?.length ?? 0) + (b.groups?.length ?? 0), 0);
  }

  /** The flows now installed. */
  flows(): Flow[] {
    return [...this.installed.values()];
  }

  /** The installed flows as sorted `ovs-ofctl dump-flows --no-stats` lines (compare with golden strings). */
  flowStrings(opts?: FlowStringOptions): string[] {
    return flowsToStrings(this.installed.values(), opts);
  }

  groups(): GroupDesc[] {
    return [...this.groupTable.values()].sort((a, b) => a.groupId - b.groupId);
  }

  /** The next addAll/bundle/deleteAll rejects with `err` (default OF_BUNDLE_REJECTED) and changes nothing. */
  failNext(err?: OpenFlowError): void {
    this.pendingFailure = err ?? new OpenFlowError('OF_BUNDLE_REJECTED', 'RecordingBridge was told to reject this change');
  }

  /** Forgets the recorded calls (the installed state stays). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  private takeFailure(): void {
    const err = this.pendingFailure;
    this.pendingFailure = undefined;
    if (err !== undefined) throw err;
  }

  async addAll(flows: readonly Flow[]): Promise<void> {
    this.calls.push({ op: 'addAll', flows });
    this.takeFailure();
    this.apply({ adds: flows });
  }

  async bundle(ops: BundleOps): Promise<void> {
    this.calls.push({ op: 'bundle', ops });
    this.takeFailure();
    this.apply(ops);
  }

  async deleteAll(filter: FlowFilter): Promise<void> {
    this.calls.push({ op: 'deleteAll', filter });
    this.takeFailure();
    for (const [key, f] of this.installed) {
      if ((filter.table === undefined || filter.table === f.table) && cookieMatches(f.cookie, filter)) this.installed.delete(key);
    }
  }

  async dumpFlows(filter: FlowFilter = {}): Promise<FlowStats[]> {
    this.calls.push({ op: 'dumpFlows', filter });
    return this.flows()
      .filter((f) => (filter.table === undefined || filter.table === f.table) && cookieMatches(f.cookie, filter))
      .map((f) => ({
        table: f.table,
        priority: f.priority,
        cookie: f.cookie,
        idleTimeout: f.idleTimeout ?? 0,
        hardTimeout: f.hardTimeout ?? 0,
        flags: f.flags ?? 0,
        importance: 0,
        durationSec: 0,
        durationNsec: 0,
        packetCount: 0n,
        byteCount: 0n,
        match: f.match,
        instructions: f.instructions,
      }));
  }

  /** Applies a bundle all or nothing (on copies, swapped in at the end). */
  private apply(ops: BundleOps): void {
    const flows = new Map(this.installed);
    const groups = new Map(this.groupTable);
    for (const g of ops.groups ?? []) {
      if (g.command === 'delete') continue;
      if (g.command === 'add' && groups.has(g.groupId)) throw new OpenFlowError('OF_BUNDLE_REJECTED', `Group ${g.groupId} exists (OFPGMFC_GROUP_EXISTS)`);
      groups.set(g.groupId, { groupType: g.groupType, groupId: g.groupId, buckets: g.buckets });
    }
    for (const f of ops.deletes ?? []) flows.delete(flowKey(f));
    for (const f of ops.modifies ?? []) {
      const key = flowKey(f);
      const old = flows.get(key);
      if (old !== undefined) flows.set(key, { ...old, instructions: f.instructions });
    }
    for (const f of ops.adds ?? []) flows.set(flowKey(f), f);
    for (const g of ops.groups ?? []) if (g.command === 'delete') groups.delete(g.groupId);
    this.installed.clear();
    for (const [k, v] of flows) this.installed.set(k, v);
    this.groupTable.clear();
    for (const [k, v] of groups) this.groupTable.set(k, v);
  }
}
