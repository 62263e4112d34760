/**
 * Policy compilation: the rules of every policy, resolved against the groups
 * that apply them, in the order they are decided. The agent turns this list
 * into its rule flows and `netctl policy trace` evaluates packets against the
 * same list (evaluate.ts), so what trace answers is what the datapath does.
 * The semantics are documented in docs/policy.md.
 */
import { parseIPv4 } from '../ip/ipv4';
import { parseSubnet } from '../ip/subnet';
import type { GroupState, NetworkState, RuleState } from '../state';

/** An IPv4 prefix a rule matches on. */
export interface RulePrefix {
  /** Network address as a 32-bit number. */
  readonly address: number;
  readonly prefixLength: number;
  /** `a.b.c.d/len`. */
  readonly text: string;
}

export interface CompiledRule {
  /** `<tenant>/<policy>/<ruleId>`: unique cluster-wide. */
  readonly id: string;
  readonly tenantName: string;
  readonly policyName: string;
  readonly ruleId: string;
  /** `in`: traffic to a member of an applied group; `out`: traffic from one. */
  readonly direction: 'in' | 'out';
  /** As configured, 1..100: higher is decided first. */
  readonly priority: number;
  /** How many of peer, protocol and port the rule constrains (0..3): the more specific of two equal-priority rules is decided first. */
  readonly specificity: number;
  /** Ids of the groups whose `policies` name the rule's policy, ascending. */
  readonly appliedTo: readonly number[];
  /** The other end's group id (fromEndpointGroup of `in`, toEndpointGroup of `out`); 0 = any. */
  readonly peerGroupId: number;
  /** The other end's addresses (from/to IP address, or the from/to network's subnet); empty = any. IPv4 only. */
  readonly peerPrefixes: readonly RulePrefix[];
  /**
   * The group member's own addresses an `in` rule is limited to (its
   * toIpAddress, which Contiv allowed on `in` rules); empty = any member.
   */
  readonly ownPrefixes: readonly RulePrefix[];
  /** IP protocol number; 0 = any. */
  readonly ipProtocol: number;
  /** TCP/UDP destination port; 0 = any. */
  readonly port: number;
  readonly action: 'allow' | 'deny';
  /**
   * Decision order, unique per (priority, specificity, action): higher is
   * decided first; at the same priority and specificity, deny before allow.
   * The agent uses it as the OpenFlow priority offset of the rule's flows.
   */
  readonly rank: number;
}

/** Ranks fit 0..(MAX_RULE_PRIORITY+1)*8: the agent adds them to a base priority. */
export const RULE_RANK_LIMIT = 101 * 8;

export function ruleRank(priority: number, specificity: number, action: 'allow' | 'deny'): number {
  return priority * 8 + specificity * 2 + (action === 'deny' ? 1 : 0);
}

/** Splits an inclusive address range into the fewest prefixes that cover exactly it. */
export function rangeToPrefixes(start: number, end: number): RulePrefix[] {
  const out: RulePrefix[] = [];
  let cur = start;
  while (cur <= end) {
    let len = 32;
    // Grow the block while it stays aligned at `cur` and inside the range.
    while (len > 0) {
      const size = 2 ** (32 - (len - 1));
      if (cur % size !== 0 || cur + size - 1 > end) break;
      len--;
    }
    out.push(prefixOf(cur, len));
    cur += 2 ** (32 - len);
  }
  return out;
}

function prefixOf(address: number, prefixLength: number): RulePrefix {
  const size = 2 ** (32 - prefixLength);
  const network = address - (address % size);
  const text = `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${prefixLength}`;
  return { address: network, prefixLength, text };
}

/**
 * A rule's IP address field: `a.b.c.d` (one host), `a.b.c.d/len` (a prefix;
 * host bits ignored) or `a.b.c.d-e` (last-octet range d..e; a `/len` after a
 * range is ignored, as the range already says which hosts).
 */
export function ruleAddressPrefixes(text: string): RulePrefix[] {
  if (text === '') return [];
  const [addrPart, len] = text.split('/') as [string, string | undefined];
  const [first, lastOctet] = addrPart.split('-') as [string, string | undefined];
  const start = parseIPv4(first);
  if (start === undefined) return [];
  if (lastOctet !== undefined) {
    const end = start - (start % 256) + Number(lastOctet);
    return end >= start ? rangeToPrefixes(start, end) : [];
  }
  return [prefixOf(start, len === undefined ? 32 : Number(len))];
}

export interface PolicyInputs {
  readonly groups: readonly GroupState[];
  readonly rules: readonly RuleState[];
  readonly networks: readonly NetworkState[];
}

/** Precedence: rank descending, then id so the order is total and stable. */
export function compareRules(a: CompiledRule, b: CompiledRule): number {
  return b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Every rule that applies to at least one group, in decision order. A rule
 * whose peer group or network no longer exists is left out (netmaster refuses
 * to delete them while rules name them, so this only happens mid-update).
 */
export function compilePolicyRules(inputs: PolicyInputs): CompiledRule[] {
  const groupIds = new Map<string, number>();
  const appliedBy = new Map<string, number[]>();
  for (const g of inputs.groups) {
    groupIds.set(`${g.tenantName}/${g.groupName}`, g.groupId);
    for (const p of new Set(g.policies)) {
      const key = `${g.tenantName}/${p}`;
      appliedBy.set(key, [...(appliedBy.get(key) ?? []), g.groupId]);
    }
  }
  const subnets = new Map(inputs.networks.map((n) => [`${n.tenantName}/${n.networkName}`, n.subnet]));
  const out: CompiledRule[] = [];
  for (const r of inputs.rules) {
    const appliedTo = [...new Set(appliedBy.get(`${r.tenantName}/${r.policyName}`) ?? [])].sort((a, b) => a - b);
    if (appliedTo.length === 0) continue;
    const peerGroup = r.direction === 'in' ? r.fromEndpointGroup : r.toEndpointGroup;
    const peerNetwork = r.direction === 'in' ? r.fromNetwork : r.toNetwork;
    const peerIp = r.direction === 'in' ? r.fromIpAddress : r.toIpAddress;
    const peerGroupId = peerGroup ? groupIds.get(`${r.tenantName}/${peerGroup}`) : 0;
    if (peerGroupId === undefined) continue;
    let peerPrefixes: RulePrefix[] = [];
    if (peerNetwork) {
      const subnet = subnets.get(`${r.tenantName}/${peerNetwork}`);
      const parsed = subnet === undefined ? undefined : parseSubnet(subnet);
      if (parsed === undefined || !parsed.ok) continue;
      peerPrefixes = [prefixOf(parsed.value.network, parsed.value.prefixLength)];
    } else if (peerIp) {
      peerPrefixes = ruleAddressPrefixes(peerIp);
      if (peerPrefixes.length === 0) continue;
    }
    const ownPrefixes = r.direction === 'in' && r.toIpAddress ? ruleAddressPrefixes(r.toIpAddress) : [];
    if (r.direction === 'in' && r.toIpAddress && ownPrefixes.length === 0) continue;
    const specificity = (peerGroupId !== 0 || peerPrefixes.length > 0 ? 1 : 0) + (r.ipProtocol !== 0 ? 1 : 0) + (r.port !== 0 ? 1 : 0);
    out.push({
      id: `${r.tenantName}/${r.policyName}/${r.ruleId}`,
      tenantName: r.tenantName,
      policyName: r.policyName,
      ruleId: r.ruleId,
      direction: r.direction,
      priority: r.priority,
      specificity,
      appliedTo,
      peerGroupId,
      peerPrefixes,
      ownPrefixes,
      ipProtocol: r.ipProtocol,
      port: r.port,
      action: r.action,
      rank: ruleRank(r.priority, specificity, r.action),
    });
  }
  return out.sort(compareRules);
}
