/**
 * The vocabulary of the agent's OpenFlow pipeline (Antrea's framework.go):
 * tables with stages, named priorities, register fields, and the cookie
 * layout. tables.ts declares the tables; features/ build flows with these.
 */
import type { Bucket, Flow, GroupType, RegField, RegMark } from '@contiv/openflow';
import { regField, regMark } from '@contiv/openflow';
import { AgentError } from '../errors';
import type { DesiredState } from './desired-state';

/** Stages in packet order; a table's stage never goes backwards in declaration order. */
export enum Stage {
  Classifier = 0,
  Qos = 1,
  Arp = 2,
  Conntrack = 3,
  Policy = 4,
  Forwarding = 5,
  Output = 6,
}

export interface Table {
  readonly name: string;
  readonly stage: Stage;
  /** OpenFlow table id: the declaration order. */
  readonly id: number;
}

const declared: Table[] = [];

/**
 * Declares the next table. Declaration order is table order, so a flow can
 * always `goto_table` a table declared after its own (OpenFlow only goes forward).
 */
export function defineTable(name: string, stage: Stage): Table {
  const last = declared[declared.length - 1];
  if (declared.some((t) => t.name === name)) throw new AgentError('AGENT_INVALID_ARGUMENT', `Table ${name} is declared twice`);
  if (last !== undefined && stage < last.stage) throw new AgentError('AGENT_INVALID_ARGUMENT', `Table ${name} is in an earlier stage than ${last.name}`);
  const table: Table = { name, stage, id: declared.length };
  declared.push(table);
  return table;
}

/** Every declared table, in order. */
export function allTables(): readonly Table[] {
  return declared;
}

/** Table id → name, for `OpenFlowBridge.setTableNames` and `--names` rendering. */
export function tableNames(): Map<number, string> {
  return new Map(declared.map((t) => [t.id, t.name]));
}

/** Flow priorities inside a table; a table uses only these. */
export const Priority = {
  /** Exceptions that must win over the normal case (reserved). */
  High: 300,
  /** The per-object flows: one endpoint, one network. */
  Normal: 200,
  /** Catch-alls below the per-object flows (per network). */
  Low: 100,
  /** The table-miss flow. */
  Miss: 0,
} as const;

/**
 * Registers. reg0[0..3] PktSourceField: where the packet entered the bridge
 * (PktSource values below); set by Classifier.
 */
export const PktSourceField: RegField = regField(0, 0, 3, 'PktSource');
export const PktSource = { Local: 1, Tunnel: 2, Uplink: 3 } as const;
export const FromLocalMark: RegMark = regMark(PktSourceField, PktSource.Local);
export const FromTunnelMark: RegMark = regMark(PktSourceField, PktSource.Tunnel);
export const FromUplinkMark: RegMark = regMark(PktSourceField, PktSource.Uplink);

/**
 * reg1[0..15] NetworkIdField: the host-local id of the packet's network (its
 * VRF). Every table after Classifier matches it, so two tenants' networks with
 * the same subnet and MACs never share a flow.
 */
export const NetworkIdField: RegField = regField(1, 0, 15, 'NetworkId');

/**
 * reg0[4] ToLocalField: the receiver is an endpoint on this host (set by
 * DstGroup); `in` rules are decided on the receiver's host only.
 */
export const ToLocalField: RegField = regField(0, 4, 4, 'ToLocal');
export const ToLocalMark: RegMark = regMark(ToLocalField, 1);

/**
 * reg2[0..15] SrcGroupField: the sender's endpoint group id (GroupState.groupId,
 * cluster-wide), 0 if none: set by Classifier for local ports, by SrcGroup
 * from the source address for packets from other hosts.
 */
export const SrcGroupField: RegField = regField(2, 0, 15, 'SrcGroup');

/** reg3[0..15] DstGroupField: the receiver's endpoint group id by destination address (DstGroup), 0 if none. */
export const DstGroupField: RegField = regField(3, 0, 15, 'DstGroup');

/**
 * reg4 ServiceBackendIpField and reg5[0..15] ServiceBackendPortField: the
 * backend a serviceLB select group's bucket chose (its IPv4 address) and the
 * provider port of the service port the connection is for; ServiceDnat
 * translates to them (features/service-lb.ts).
 */
export const ServiceBackendIpField: RegField = regField(4, 0, 31, 'ServiceBackendIp');
export const ServiceBackendPortField: RegField = regField(5, 0, 15, 'ServiceBackendPort');

/** Cookie category: which kind of object a flow belongs to (bits 40..47). */
export enum CookieCategory {
  /** Table-miss and other fixed flows. */
  Pipeline = 1,
  LocalEndpoint = 2,
  Network = 3,
  RemoteEndpoint = 4,
  Uplink = 5,
  /** DNS interception (dns-interceptor feature). */
  Dns = 6,
  /** Policy rule flows; object id = the rule's conjunction id, or 0 for flows several rules share. */
  PolicyRule = 7,
  /** serviceLB flows; object id = a hash of the service (or of the backend, for flows services share). */
  ServiceLb = 8,
}

/**
 * OpenFlow priority of a policy rule's flows in EgressRule/IngressRule: above
 * every fixed priority, ordered by the rule's rank (compilePolicyRules), so
 * the flow order is the decision order `netctl policy trace` uses.
 */
export function rulePriority(rank: number): number {
  return Priority.High + 100 + rank;
}

/** Where the cookie fields sit: round(16) | category(8) | reserved(8) | objectId(32). */
export const COOKIE_ROUND_SHIFT = 48n;
export const COOKIE_CATEGORY_SHIFT = 40n;
export const COOKIE_ROUND_MASK = 0xffffn << COOKIE_ROUND_SHIFT;
export const COOKIE_CATEGORY_MASK = 0xffn << COOKIE_CATEGORY_SHIFT;
export const COOKIE_OBJECT_MASK = 0xffffffffn;

/**
 * The cookie of a flow. `round` is the agent's restart round, so a restarted
 * agent can adopt and then delete the previous round's flows by cookie mask.
 */
export function makeCookie(round: number, category: CookieCategory, objectId: number): bigint {
  if (!Number.isInteger(round) || round < 0 || round > 0xffff) throw new AgentError('AGENT_INVALID_ARGUMENT', `Cookie round ${round} is not 16-bit`);
  if (!Number.isInteger(objectId) || objectId < 0 || objectId > 0xffffffff) throw new AgentError('AGENT_INVALID_ARGUMENT', `Cookie object id ${objectId} is not 32-bit`);
  return (BigInt(round) << COOKIE_ROUND_SHIFT) | (BigInt(category) << COOKIE_CATEGORY_SHIFT) | BigInt(objectId);
}

/** A stable 32-bit id for an object named by a string (FNV-1a), for cookies only: collisions cost nothing but debuggability. */
export function objectIdOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The flows one object (an endpoint, a network...) needs; the unit of caching and diffing. */
export interface ObjectFlows {
  /** Unique within its feature, e.g. `endpoint:<id>` or `network:<tenant>/<name>`. */
  readonly key: string;
  /** The flows, or a function building them (called only when `signature` changed). */
  readonly flows: readonly Flow[] | (() => readonly Flow[]);
  /**
   * Everything the flows depend on, as a string (the round included): when it
   * equals the signature the object had in the last reconcile, the reconciler
   * reuses the flows it built and rendered then. Omit it to always rebuild.
   */
  readonly signature?: string;
}

/**
 * An object's flows built only when what they depend on changed: `inputs`
 * (with the round) is the signature, `build` runs when it differs from the
 * last reconcile's.
 */
export function lazyObjectFlows(key: string, ctx: FeatureContext, inputs: readonly unknown[], build: () => readonly Flow[]): ObjectFlows {
  return { key, signature: `${ctx.round}|${JSON.stringify(inputs)}`, flows: build };
}

/** Context every feature gets besides the desired state. */
export interface FeatureContext {
  /** The cookie round of this agent run. */
  readonly round: number;
}

/** An OpenFlow group a feature's flows use (serviceLB's select groups). */
export interface DesiredGroup {
  readonly groupId: number;
  readonly groupType: GroupType;
  readonly buckets: readonly Bucket[];
}

/** One feature of the pipeline (Antrea's `feature`): computes its flows purely from the desired state. */
export interface Feature {
  readonly name: string;
  readonly requiredTables: readonly Table[];
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[];
  /** The groups its flows use; installed in the same bundle as the flows (added before them, deleted after). */
  groups?(state: DesiredState, ctx: FeatureContext): DesiredGroup[];
}

/**
 * Group ids carry the agent's round like cookies do, so a restarted agent
 * never collides with the groups of the run before and can delete them:
 * bits 16..30 are the round (mod 2^15), bits 0..15 the group's index.
 */
export const GROUP_ROUND_SHIFT = 16;
export function makeGroupId(round: number, index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > 0xffff) throw new AgentError('AGENT_INVALID_ARGUMENT', `Group index ${index} is not 1..65535`);
  return (((round & 0x7fff) << GROUP_ROUND_SHIFT) | index) >>> 0;
}
export function groupRound(groupId: number): number {
  return (groupId >>> GROUP_ROUND_SHIFT) & 0x7fff;
}
