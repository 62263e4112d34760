/**
 * RecordingBridge: a FlowOperations double for unit tests of a pipeline. It
 * records every call, keeps the flow table and groups the calls would leave
 * on a switch (same identity rules: table + priority + match), and can be
 * told to reject the next change, which then applies nothing, like a
 * rejected bundle. It keeps meters too, with OVS's rules: add of an existing
 * meter or modify/delete of a missing one fails, and deleting a meter
 * deletes the flows that use it.
 */
import { OpenFlowError } from '../errors';
import type { FlowStats } from '../codec/flow-mod';
import type { GroupDesc } from '../codec/group-mod';
import type { MeterConfig, MeterMod } from '../codec/meter-mod';
import { OFPM } from '../codec/constants';
import type { Flow, FlowFilter } from '../flow';
import type { FlowStringOptions } from '../flow-string';
import { flowKey, flowsToStrings } from '../flow-string';
import type { BundleOps, FlowOperations, MeterOperations } from '../operations';

export type RecordedCall =
  | { readonly op: 'addAll'; readonly flows: readonly Flow[] }
  | { readonly op: 'bundle'; readonly ops: BundleOps }
  | { readonly op: 'deleteAll'; readonly filter: FlowFilter }
  | { readonly op: 'dumpFlows'; readonly filter: FlowFilter }
  | { readonly op: 'meterMods'; readonly mods: readonly MeterMod[] }
  | { readonly op: 'dumpMeters' };

const cookieMatches = (cookie: bigint, f: FlowFilter): boolean => {
  const mask = f.cookieMask ?? 0n;
  return (cookie & mask) === ((f.cookie ?? 0n) & mask);
};

export class RecordingBridge implements FlowOperations, MeterOperations {
  /** Every call, in order. */
  readonly calls: RecordedCall[] = [];
  private readonly installed = new Map<string, Flow>();
  private readonly groupTable = new Map<number, GroupDesc>();
  private readonly meterTable = new Map<number, MeterConfig>();
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

  /** The meters now installed, in id order. */
  meters(): MeterConfig[] {
    return [...this.meterTable.values()].sort((a, b) => a.meterId - b.meterId);
  }

  /** Forgets every flow, group and meter, as a restarted ovs-vswitchd would (the calls stay). */
  wipe(): void {
    this.installed.clear();
    this.groupTable.clear();
    this.meterTable.clear();
  }

  /** The next addAll/bundle/deleteAll/meterMods rejects with `err` (default OF_BUNDLE_REJECTED) and changes nothing. */
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

  /** Applied one by one like on the switch: the mods before a failing one stay applied. */
  async meterMods(mods: readonly MeterMod[]): Promise<void> {
    this.calls.push({ op: 'meterMods', mods });
    this.takeFailure();
    for (const m of mods) {
      const exists = this.meterTable.has(m.meterId);
      if (m.command === 'add' && exists) throw new OpenFlowError('OF_ERROR_REPLY', `Meter ${m.meterId} exists (OFPMMFC_METER_EXISTS)`);
      if (m.command === 'modify' && !exists) throw new OpenFlowError('OF_ERROR_REPLY', `Meter ${m.meterId} does not exist (OFPMMFC_UNKNOWN_METER)`);
      if (m.command === 'delete') {
        const ids = m.meterId === OFPM.ALL ? [...this.meterTable.keys()] : [m.meterId];
        for (const id of ids) {
          this.meterTable.delete(id);
          for (const [key, f] of this.installed) if (f.instructions.some((i) => i.type === 'meter' && i.meterId === id)) this.installed.delete(key);
        }
      } else {
        this.meterTable.set(m.meterId, { meterId: m.meterId, flags: m.flags, bands: m.bands });
      }
    }
  }

  async dumpMeters(meterId: number = OFPM.ALL): Promise<MeterConfig[]> {
    this.calls.push({ op: 'dumpMeters' });
    return this.meters().filter((m) => meterId === OFPM.ALL || m.meterId === meterId);
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
    for (const f of [...(ops.adds ?? []), ...(ops.modifies ?? [])]) {
      for (const i of f.instructions) {
        // OVS refuses a flow whose meter does not exist (OFPMMFC_INVALID_METER).
        if (i.type === 'meter' && !this.meterTable.has(i.meterId)) throw new OpenFlowError('OF_BUNDLE_REJECTED', `Flow uses meter ${i.meterId}, which does not exist (OFPMMFC_INVALID_METER)`);
      }
    }
    for (const g of ops.groups ?? []) if (g.command === 'delete') groups.delete(g.groupId);
    this.installed.clear();
    for (const [k, v] of flows) this.installed.set(k, v);
    this.groupTable.clear();
    for (const [k, v] of groups) this.groupTable.set(k, v);
  }
}
