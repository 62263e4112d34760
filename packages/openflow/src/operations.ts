/**
 * FlowOperations: the narrow seam between a pipeline and the switch
 * (Antrea's OFEntryOperations). OpenFlowBridge implements it against
 * ovs-vswitchd; RecordingBridge (`@contiv/openflow/testing`) records calls
 * for unit tests.
 */
import type { FlowStats } from './codec/flow-mod';
import type { GroupMod } from './codec/group-mod';
import type { MeterConfig, MeterMod } from './codec/meter-mod';
import type { FlowModCommand } from './codec/constants';
import { OFPG, OFPP, OFP_NO_BUFFER } from './codec/constants';
import type { FlowMod } from './codec/flow-mod';
import type { Flow, FlowFilter } from './flow';
import { flowToString } from './flow-string';

/** One atomic change. Inside the bundle: group adds/modifies, flow deletes, modifies, adds, then group deletes. */
export interface BundleOps {
  /** OFPFC_ADD: installs, or replaces a flow with the same table, priority and match (counters restart). */
  readonly adds?: readonly Flow[];
  /** OFPFC_MODIFY_STRICT: new instructions for the flow with this table, priority and match; its cookie and counters stay. No-op if absent. */
  readonly modifies?: readonly Flow[];
  /** OFPFC_DELETE_STRICT by table, priority and match (cookie and instructions are ignored). */
  readonly deletes?: readonly Flow[];
  readonly groups?: readonly GroupMod[];
}

export interface FlowOperations {
  /** Installs flows in one atomic bundle. */
  addAll(flows: readonly Flow[]): Promise<void>;
  /** Applies all changes atomically: every packet sees the tables before or after, and a failure applies nothing (OF_BUNDLE_REJECTED). */
  bundle(ops: BundleOps): Promise<void>;
  /** Deletes every flow whose cookie matches (in `filter.table`, or all tables). */
  deleteAll(filter: FlowFilter): Promise<void>;
  /** The installed flows whose cookie (and table) match. */
  dumpFlows(filter?: FlowFilter): Promise<FlowStats[]>;
}

/**
 * Meters (OpenFlow 1.3 rate limiters) as a pipeline manages them. They are
 * not part of bundles (OVS refuses METER_MOD inside one), so a caller orders
 * them around the flow bundle itself: a flow's `meter` instruction needs the
 * meter to exist, and deleting a meter deletes the flows that use it.
 */
export interface MeterOperations {
  /** METER_MODs outside a bundle, each applied on its own; OF_ERROR_REPLY lists the failed ones. */
  meterMods(mods: readonly MeterMod[]): Promise<void>;
  /** The switch's meters (all, or the one with `meterId`), in meter id order. */
  dumpMeters(meterId?: number): Promise<MeterConfig[]>;
}

/** The FLOW_MOD that applies `flow` with `command`. */
export function flowModFor(command: FlowModCommand, flow: Flow): FlowMod {
  const base = { command, table: flow.table, priority: flow.priority, bufferId: OFP_NO_BUFFER, outPort: OFPP.ANY, outGroup: OFPG.ANY, match: flow.match };
  if (command === 'delete_strict' || command === 'delete') return { ...base, cookie: 0n, cookieMask: 0n, instructions: [] };
  return {
    ...base,
    cookie: flow.cookie,
    cookieMask: 0n,
    idleTimeout: flow.idleTimeout ?? 0,
    hardTimeout: flow.hardTimeout ?? 0,
    flags: flow.flags ?? 0,
    instructions: flow.instructions,
  };
}

export type PlannedOp =
  | { readonly kind: 'flow'; readonly command: FlowModCommand; readonly flow: Flow; readonly message: { readonly type: 'flow_mod' } & FlowMod }
  | { readonly kind: 'group'; readonly group: GroupMod; readonly message: { readonly type: 'group_mod' } & GroupMod };

/** `add <flow string>`, `delete_strict <flow string>`, `group add group_id=5` (rendered only when needed: errors). */
export function describeOp(op: PlannedOp): string {
  return op.kind === 'flow' ? `${op.command} ${flowToString(op.flow)}` : `group ${op.group.command} group_id=${op.group.groupId}`;
}

/** The messages of a bundle, in the order they are applied. */
export function planBundle(ops: BundleOps): PlannedOp[] {
  const out: PlannedOp[] = [];
  const group = (g: GroupMod): PlannedOp => ({ kind: 'group', group: g, message: { type: 'group_mod', ...g } });
  const flowOp = (command: FlowModCommand, f: Flow): PlannedOp => ({ kind: 'flow', command, flow: f, message: { type: 'flow_mod', ...flowModFor(command, f) } });
  for (const g of ops.groups ?? []) if (g.command !== 'delete') out.push(group(g));
  for (const f of ops.deletes ?? []) out.push(flowOp('delete_strict', f));
  for (const f of ops.modifies ?? []) out.push(flowOp('modify_strict', f));
  for (const f of ops.adds ?? []) out.push(flowOp('add', f));
  for (const g of ops.groups ?? []) if (g.command === 'delete') out.push(group(g));
  return out;
}
