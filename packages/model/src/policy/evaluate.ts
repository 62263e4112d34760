/**
 * What the policy says about one packet, from the compiled rules: the `out`
 * rules of the sender's group, then the `in` rules of the receiver's group,
 * each deciding by its first matching rule (compile.ts orders them) and
 * allowing when none matches. The datapath does the same with flows; `netctl
 * policy trace` answers with this.
 */
import type { CompiledRule } from './compile';

export interface TracePacket {
  /** Group id of the sender (0 = in no group, or not a Contiv endpoint). */
  readonly srcGroupId: number;
  readonly dstGroupId: number;
  /** IPv4 addresses as 32-bit numbers (IPv6 packets: undefined, and address rules never match). */
  readonly srcIp: number | undefined;
  readonly dstIp: number | undefined;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp...). */
  readonly ipProtocol: number;
  /** TCP/UDP destination port; 0 when the protocol has none. */
  readonly dstPort: number;
}

export interface DirectionVerdict {
  readonly direction: 'in' | 'out';
  readonly action: 'allow' | 'deny';
  /** The deciding rule, or undefined when no rule matched (the default, allow). */
  readonly rule: CompiledRule | undefined;
}

export interface PolicyVerdict {
  readonly action: 'allow' | 'deny';
  /** The sender's `out` decision, then the receiver's `in` decision (absent when `out` already denied). */
  readonly steps: readonly DirectionVerdict[];
}

function prefixContains(address: number, prefix: { address: number; prefixLength: number }): boolean {
  const size = 2 ** (32 - prefix.prefixLength);
  return address - (address % size) === prefix.address;
}

/** Whether `rule` matches the packet, leaving aside which group it applies to. */
export function ruleMatches(rule: CompiledRule, pkt: TracePacket): boolean {
  const peerGroup = rule.direction === 'in' ? pkt.srcGroupId : pkt.dstGroupId;
  const peerIp = rule.direction === 'in' ? pkt.srcIp : pkt.dstIp;
  if (rule.peerGroupId !== 0 && rule.peerGroupId !== peerGroup) return false;
  if (rule.peerPrefixes.length > 0 && (peerIp === undefined || !rule.peerPrefixes.some((p) => prefixContains(peerIp, p)))) return false;
  if (rule.ownPrefixes.length > 0 && (pkt.dstIp === undefined || !rule.ownPrefixes.some((p) => prefixContains(pkt.dstIp as number, p)))) return false;
  if (rule.ipProtocol !== 0 && rule.ipProtocol !== pkt.ipProtocol) return false;
  if (rule.port !== 0 && rule.port !== pkt.dstPort) return false;
  return true;
}

/** The first rule of `direction` applied to `groupId` that matches, in decision order. */
export function decide(rules: readonly CompiledRule[], direction: 'in' | 'out', groupId: number, pkt: TracePacket): DirectionVerdict {
  if (groupId !== 0) {
    for (const r of rules) {
      if (r.direction === direction && r.appliedTo.includes(groupId) && ruleMatches(r, pkt)) return { direction, action: r.action, rule: r };
    }
  }
  return { direction, action: 'allow', rule: undefined };
}

/** The verdict for a new connection's first packet (replies of allowed connections always pass). */
export function evaluatePolicy(rules: readonly CompiledRule[], pkt: TracePacket): PolicyVerdict {
  const out = decide(rules, 'out', pkt.srcGroupId, pkt);
  if (out.action === 'deny') return { action: 'deny', steps: [out] };
  const inn = decide(rules, 'in', pkt.dstGroupId, pkt);
  return { action: inn.action, steps: [out, inn] };
}
