/**
 * Policy rules as flows (docs/policy.md). EgressRule holds the `out` rules,
 * decided for packets from local endpoints by the sender's group;
 * IngressRule the `in` rules, decided for packets to local endpoints by the
 * receiver's group. A rule's flows sit at rulePriority(rank), so OpenFlow's
 * highest-priority-match is the decision order of compilePolicyRules, which
 * `netctl policy trace` evaluates too.
 *
 * A rule is a conjunction of two clauses: "the packet's group is one the
 * rule applies to" and "the packet matches the rule's peer, protocol and
 * port". Each clause is its own set of flows (OVS conjunctive match), so
 * flows grow with groups + rules, not groups x rules; flows of one clause
 * that several rules of the same priority share are one flow with several
 * conjunction actions. A rule that matches everything has only the first
 * clause: it is one plain flow per group it applies to.
 */
import type { ActionBuilder, Flow, FlowBuilder, MatchBuilder, RegField, RegMark } from '@contiv/openflow';
import { flow, IP_PROTO_ICMP, IP_PROTO_ICMPV6, IP_PROTO_TCP, IP_PROTO_UDP } from '@contiv/openflow';
import type { CompiledRule } from '@contiv/model';
import type { DesiredState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, DstGroupField, FromLocalMark, Priority, SrcGroupField, ToLocalMark, makeCookie, objectIdOf, rulePriority } from '../framework';
import type { Table } from '../framework';
import { ConntrackCommitTable, EgressRuleTable, IngressRuleTable } from '../tables';

type MatchFn = (m: MatchBuilder) => MatchBuilder;

/** How one direction's rules read the packet. */
interface RuleTableSpec {
  readonly direction: 'in' | 'out';
  readonly table: Table;
  /** Where an allowed packet goes next. */
  readonly next: Table;
  /** The packets the table decides for: from local endpoints (out), to local endpoints (in). */
  readonly scope: RegMark;
  /** The group the rules apply to: the sender's (out) or the receiver's (in). */
  readonly appliedField: RegField;
  /** The other end: its group and its address. */
  readonly peerField: RegField;
  readonly peerIpv4: (m: MatchBuilder, prefix: string) => MatchBuilder;
}

const EGRESS: RuleTableSpec = {
  direction: 'out',
  table: EgressRuleTable,
  next: IngressRuleTable,
  scope: FromLocalMark,
  appliedField: SrcGroupField,
  peerField: DstGroupField,
  peerIpv4: (m, p) => m.ipv4Dst(p),
};

const INGRESS: RuleTableSpec = {
  direction: 'in',
  table: IngressRuleTable,
  next: ConntrackCommitTable,
  scope: ToLocalMark,
  appliedField: DstGroupField,
  peerField: SrcGroupField,
  peerIpv4: (m, p) => m.ipv4Src(p),
};

/** Protocol and port of one address family (`icmp` means ICMPv6 for IPv6). */
function protoPort(m: MatchBuilder, rule: CompiledRule, v6: boolean): MatchBuilder {
  if (rule.ipProtocol === 0) return m;
  const proto = v6 && rule.ipProtocol === IP_PROTO_ICMP ? IP_PROTO_ICMPV6 : rule.ipProtocol;
  const withProto = m.ipProto(proto);
  if (rule.port === 0) return withProto;
  return rule.ipProtocol === IP_PROTO_TCP ? withProto.tcpDst(rule.port) : rule.ipProtocol === IP_PROTO_UDP ? withProto.udpDst(rule.port) : withProto;
}

/** One way a packet can match a rule's second clause; `id` names the match (equal ids = equal matches). */
export interface PeerClause {
  readonly id: string;
  readonly match: MatchFn;
}

/** The rule's second clause, one match per address family or prefix; empty when the rule matches every packet. */
export function peerClauses(rule: CompiledRule, spec: RuleTableSpec): PeerClause[] {
  const group = (m: MatchBuilder): MatchBuilder => (rule.peerGroupId === 0 ? m : m.regField(spec.peerField, rule.peerGroupId));
  const base = `g${rule.peerGroupId}|p${rule.ipProtocol}|${rule.port}`;
  if (rule.ownPrefixes.length > 0) {
    // An `in` rule limited to some of the group's own addresses (IPv4): every peer prefix with every own prefix.
    const peers = rule.peerPrefixes.length > 0 ? rule.peerPrefixes.map((p) => p.text) : [undefined];
    return rule.ownPrefixes.flatMap((own) =>
      peers.map((peer) => ({
        id: `${base}|own${own.text}|peer${peer ?? ''}`,
        match: (m: MatchBuilder) => {
          const v4 = m.ip().ipv4Dst(own.text);
          return group(protoPort(peer === undefined ? v4 : spec.peerIpv4(v4, peer), rule, false));
        },
      })),
    );
  }
  if (rule.peerPrefixes.length > 0) {
    return rule.peerPrefixes.map((p) => ({ id: `${base}|peer${p.text}`, match: (m: MatchBuilder) => group(protoPort(spec.peerIpv4(m.ip(), p.text), rule, false)) }));
  }
  if (rule.ipProtocol !== 0) {
    return [
      { id: `${base}|ip`, match: (m) => group(protoPort(m.ip(), rule, false)) },
      { id: `${base}|ipv6`, match: (m) => group(protoPort(m.ipv6(), rule, true)) },
    ];
  }
  if (rule.peerGroupId !== 0) return [{ id: base, match: group }];
  return [];
}

/** Conjunction ids: a hash of the rule id, probed to be unique among the rules of this state. */
export function conjunctionIds(rules: readonly CompiledRule[]): Map<string, number> {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  for (const id of rules.map((r) => r.id).sort()) {
    let conj = objectIdOf(id) || 1;
    while (used.has(conj)) conj = (conj % 0xffffffff) + 1;
    used.add(conj);
    ids.set(id, conj);
  }
  return ids;
}

/** Flows being merged: one per (priority, match), collecting conjunction actions. */
class SharedClauses {
  /** Conjunctions as conjId * 4 + clause (ids < 2^32, clause 1..2): one number each, so sorting and signing allocate little. */
  private readonly flows = new Map<string, { priority: number; match: MatchFn; conjunctions: number[] }>();

  constructor(private readonly spec: RuleTableSpec) {}

  /** `id` names the match: the same id at the same priority is the same flow. */
  add(priority: number, id: string, match: MatchFn, conjId: number, clause: number): void {
    const key = `${priority}|${id}`;
    const entry = this.flows.get(key);
    if (entry === undefined) this.flows.set(key, { priority, match, conjunctions: [conjId * 4 + clause] });
    else entry.conjunctions.push(conjId * 4 + clause);
  }

  build(round: number, keyPrefix: string): ObjectFlows[] {
    const out: ObjectFlows[] = [];
    for (const [key, e] of this.flows) {
      const conjunctions = Float64Array.from(e.conjunctions).sort();
      out.push({
        key: `${keyPrefix}clause:${key}`,
        signature: `${round}|${conjunctions.join(';')}`,
        flows: () => [
          flow(this.spec.table.id, e.priority)
            .cookie(makeCookie(round, CookieCategory.PolicyRule, 0))
            .match(e.match)
            .actions((a) => conjunctions.reduce((acc: ActionBuilder, c) => acc.conjunction(Math.floor(c / 4), c % 4, 2), a))
            .build(),
        ],
      });
    }
    return out;
  }
}

function decided(b: FlowBuilder, rule: CompiledRule, spec: RuleTableSpec): Flow {
  return rule.action === 'allow' ? b.gotoTable(spec.next.id).build() : b.build();
}

/** The flows of one direction's table; object keys start with `keyPrefix`. */
function tableFlows(state: DesiredState, spec: RuleTableSpec, round: number, conjIds: ReadonlyMap<string, number>, keyPrefix: string): ObjectFlows[] {
  const out: ObjectFlows[] = [];
  const shared = new SharedClauses(spec);
  const direct = new Map<string, ObjectFlows>();
  // One matcher and clause id per group, shared by every rule applied to it (1,000 rules x 10 groups made 10,000 closures).
  const appliedByGroup = new Map<number, { id: string; match: MatchFn }>();
  const applied = (g: number): { id: string; match: MatchFn } => {
    let a = appliedByGroup.get(g);
    if (a === undefined) {
      a = { id: `applied${g}`, match: (m) => m.regMark(spec.scope).regField(spec.appliedField, g) };
      appliedByGroup.set(g, a);
    }
    return a;
  };
  for (const rule of state.policyRules) {
    if (rule.direction !== spec.direction) continue;
    const priority = rulePriority(rule.rank);
    const conjId = conjIds.get(rule.id) ?? 0;
    const cookie = makeCookie(round, CookieCategory.PolicyRule, conjId);
    const clauses = peerClauses(rule, spec);
    if (clauses.length === 0) {
      // Same rank means same action, so rules that collide here want the same flow.
      for (const g of rule.appliedTo) {
        const key = `${keyPrefix}direct:${priority}:${g}`;
        if (!direct.has(key)) direct.set(key, { key, signature: `${round}|${conjId}|${rule.action}`, flows: () => [decided(flow(spec.table.id, priority).cookie(cookie).match(applied(g).match), rule, spec)] });
      }
      continue;
    }
    for (const g of rule.appliedTo) {
      const a = applied(g);
      shared.add(priority, a.id, a.match, conjId, 1);
    }
    for (const c of clauses) shared.add(priority, c.id, c.match, conjId, 2);
    out.push({
      key: `${keyPrefix}rule:${rule.id}`,
      signature: `${round}|${priority}|${conjId}|${rule.action}`,
      flows: () => [decided(flow(spec.table.id, priority).cookie(cookie).match((m) => m.conjId(conjId)), rule, spec)],
    });
  }
  out.push(...direct.values());
  out.push(...shared.build(round, keyPrefix));
  out.push({ key: `${keyPrefix}miss`, signature: `${round}`, flows: () => [flow(spec.table.id, Priority.Miss).cookie(makeCookie(round, CookieCategory.Pipeline, 0)).gotoTable(spec.next.id).build()] });
  return out;
}

export const policyRulesFeature: Feature = {
  name: 'policy-rules',
  requiredTables: [EgressRuleTable, IngressRuleTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const conjIds = conjunctionIds(state.policyRules);
    return [...tableFlows(state, EGRESS, ctx.round, conjIds, 'out/'), ...tableFlows(state, INGRESS, ctx.round, conjIds, 'in/')];
  },
};
