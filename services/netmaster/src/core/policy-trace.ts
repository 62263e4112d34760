/**
 * `netctl policy trace`: would a new connection from one end to the other be
 * allowed, and by which rule? Answered from the same records the agents
 * program their flows from (GroupState, RuleState, NetworkState, EndpointState)
 * through the same compilePolicyRules/evaluatePolicy of @contiv/model, so the
 * answer is what the datapath decides, not a second interpretation of the
 * rules. Semantics: docs/rest-api.md "Policy trace".
 */
import {
  compilePolicyRules,
  evaluatePolicy,
  formatIPv4,
  groupStatePrefix,
  isIPv4,
  MAX_IP_PROTOCOL,
  MAX_PORT,
  networkStatePrefix,
  parseIPv4,
  parseSubnet,
  ruleStatePrefix,
  type CompiledRule,
  type DirectionVerdict,
  type EndpointState,
  type GroupState,
  type NetworkState,
  type RuleState,
} from '@contiv/model';
import { NetmasterError } from '../errors';
import type { Core } from './context';

/** A trace request, already split into its parameters (each still as typed). */
export interface PolicyTraceRequest {
  readonly tenant: string;
  /** Container name, container or endpoint id (or a unique prefix of >= 6 hex digits), or an IPv4 address. */
  readonly from: string;
  readonly to: string;
  /** tcp, udp, icmp or an IP protocol number 1..255; default tcp with a port, else icmp. */
  readonly protocol?: string;
  /** TCP/UDP destination port 1..65535, as typed (only with tcp/udp). */
  readonly port?: string;
}

/** One end of the traced packet, with what the datapath knows of it. */
export interface TraceEnd {
  /** What the caller gave. */
  readonly query: string;
  /** `endpoint`: a Contiv endpoint of the tenant; `address`: an address no endpoint of the tenant holds. */
  readonly kind: 'endpoint' | 'address';
  /** "" for an address. */
  readonly endpointId: string;
  readonly containerId: string;
  /** Without Docker's leading "/". */
  readonly containerName: string;
  readonly ip: string;
  readonly mac: string;
  /** The endpoint's network, or the tenant's network whose subnet holds the address, or "" (none). */
  readonly network: string;
  /** "" when in no group (plain network, or an address). */
  readonly group: string;
  /** 0 when in no group. */
  readonly groupId: number;
  /** Node the endpoint lives on (homingHost), its VTEP address and OVS port name; "" for an address. */
  readonly host: string;
  readonly vtepIp: string;
  readonly interface: string;
}

export interface TraceRule {
  /** `<tenant>/<policy>/<ruleId>`. */
  readonly id: string;
  readonly policy: string;
  readonly ruleId: string;
  readonly direction: 'in' | 'out';
  readonly priority: number;
  readonly action: 'allow' | 'deny';
  /** What the rule matches, e.g. "from group client, tcp port 80", or "any traffic". */
  readonly match: string;
  /** Its place in the decision order (higher first; the agent's OpenFlow priority offset). */
  readonly rank: number;
}

/** The decision of one direction: `out` of the sender's group, then `in` of the receiver's. */
export interface TraceStep {
  readonly direction: 'in' | 'out';
  /** The group whose rules were consulted ("" = none: no rules apply). */
  readonly group: string;
  readonly groupId: number;
  readonly action: 'allow' | 'deny';
  /** The deciding rule, or null when none matched (the default: allow). */
  readonly rule: TraceRule | null;
  /** One line, e.g. "blue/prod-web rule 2 (in, priority 1, deny; from group client, icmp)" or "no rule matched: default allow". */
  readonly summary: string;
}

export interface PolicyTraceAnswer {
  readonly tenant: string;
  /** `unreachable`: the datapath would not carry the packet at all (see `reason`); `policyVerdict` says what the rules alone decide. */
  readonly verdict: 'allow' | 'deny' | 'unreachable';
  readonly policyVerdict: 'allow' | 'deny';
  /** Why the packet is unreachable; "" otherwise. */
  readonly reason: string;
  readonly packet: { readonly protocol: string; readonly ipProtocol: number; readonly port: number };
  readonly from: TraceEnd;
  readonly to: TraceEnd;
  /** `out` then `in`; `in` is absent when `out` denied (it is never consulted). */
  readonly steps: readonly TraceStep[];
}

const PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };
/** An id prefix must be this long, so a short word is never taken for an id. */
export const MIN_ID_PREFIX = 6;

const invalid = (message: string): NetmasterError => new NetmasterError('INVALID_ARGUMENT', message);

/** protocol and port as the packet carries them; errors name the parameter. */
export function tracePacketProtocol(protocol: string | undefined, port: string | undefined): { protocol: string; ipProtocol: number; port: number } {
  let dstPort = 0;
  if (port !== undefined) {
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= MAX_PORT)) throw invalid(`port ${JSON.stringify(port)} is not a port number (1-${MAX_PORT})`);
    dstPort = n;
  }
  let ipProtocol: number;
  if (protocol === undefined) {
    ipProtocol = dstPort !== 0 ? 6 : 1;
  } else if (PROTOCOLS[protocol] !== undefined) {
    ipProtocol = PROTOCOLS[protocol];
  } else {
    const n = /^[0-9]{1,3}$/.test(protocol) ? Number(protocol) : NaN;
    if (!(n >= 1 && n <= MAX_IP_PROTOCOL)) throw invalid(`protocol ${JSON.stringify(protocol)} is not tcp, udp, icmp or an IP protocol number (1-${MAX_IP_PROTOCOL})`);
    ipProtocol = n;
  }
  const hasPorts = ipProtocol === 6 || ipProtocol === 17;
  const name = PROTOCOL_NAMES[ipProtocol] ?? String(ipProtocol);
  if (dstPort !== 0 && !hasPorts) throw invalid(`port ${dstPort} needs protocol tcp or udp (protocol is ${name})`);
  // A TCP/UDP packet always has a port, and which one decides port rules: guessing one would trace another packet.
  if (dstPort === 0 && hasPorts) throw invalid(`protocol ${name} needs a port (1-${MAX_PORT})`);
  return { protocol: name, ipProtocol, port: dstPort };
}

interface Resolved {
  readonly end: TraceEnd;
  /** Other endpoints the query also matched (a container on several networks); empty when unique. */
  readonly candidates: readonly TraceEnd[];
}

export class PolicyTraceService {
  constructor(private readonly core: Core) {}

  trace(req: PolicyTraceRequest): PolicyTraceAnswer {
    const t = req.tenant;
    const packet = tracePacketProtocol(req.protocol, req.port);
    const c = this.core.catalog;
    if (!c.tenant(t)) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
    const groups = this.groupStates(t);
    const networks = this.networkStates(t);
    const endpoints = c.endpoints().map((e) => e.value);
    const groupIds = new Map(groups.map((g) => [g.groupName, g.groupId]));

    let from = this.resolve('from', req.from, t, endpoints, networks, groupIds);
    let to = this.resolve('to', req.to, t, endpoints, networks, groupIds);
    // A container on several networks: the one on the other end's network is meant.
    if (from.candidates.length > 1 && to.candidates.length <= 1) from = pickOn(from, to.end.network);
    if (to.candidates.length > 1 && from.candidates.length <= 1) to = pickOn(to, from.end.network);
    for (const [param, r] of [['from', from], ['to', to]] as const) {
      if (r.candidates.length > 1) {
        const list = r.candidates.map((e) => `${e.endpointId.slice(0, 12)} on ${e.network} (${e.ip})`).join(', ');
        throw invalid(`${param} ${JSON.stringify(r.end.query)} is ambiguous: it matches ${r.candidates.length} endpoints of tenant ${t} (${list}); give an IP address or an endpoint id`);
      }
    }
    if (from.end.kind === 'address' && to.end.kind === 'address') {
      throw invalid(`neither from (${from.end.query}) nor to (${to.end.query}) is an endpoint of tenant ${t}: policies apply to endpoints`);
    }

    const states = this.ruleStates(t);
    const rules = compilePolicyRules({ groups, rules: states, networks });
    const verdict = evaluatePolicy(rules, {
      srcGroupId: from.end.groupId,
      dstGroupId: to.end.groupId,
      srcIp: parseIPv4(from.end.ip),
      dstIp: parseIPv4(to.end.ip),
      ipProtocol: packet.ipProtocol,
      dstPort: packet.port,
    });
    const byId = new Map(states.map((s) => [`${s.tenantName}/${s.policyName}/${s.ruleId}`, s]));
    const groupNames = new Map(groups.map((g) => [g.groupId, g.groupName]));
    const steps = verdict.steps.map((s) => step(s, s.direction === 'out' ? from.end : to.end, byId, groupNames));
    const reason = unreachable(t, from.end, to.end);
    return {
      tenant: t,
      verdict: reason === '' ? verdict.action : 'unreachable',
      policyVerdict: verdict.action,
      reason,
      packet,
      from: from.end,
      to: to.end,
      steps,
    };
  }

  // The tenant's state records, read as the agents read them (by key prefix).

  private groupStates(t: string): GroupState[] {
    return this.names(groupStatePrefix(), t)
      .map((g) => this.core.catalog.groupState(t, g)?.value)
      .filter((g): g is GroupState => g !== undefined);
  }

  private networkStates(t: string): NetworkState[] {
    return this.names(networkStatePrefix(), t)
      .map((n) => this.core.catalog.networkState(t, n)?.value)
      .filter((n): n is NetworkState => n !== undefined);
  }

  private ruleStates(t: string): RuleState[] {
    const out: RuleState[] = [];
    for (const rest of this.names(ruleStatePrefix(), t)) {
      const [policy, ruleId, extra] = rest.split('/');
      if (policy === undefined || ruleId === undefined || extra !== undefined) continue;
      const r = this.core.catalog.ruleState(t, policy, ruleId)?.value;
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * The key suffixes of tenant `t` under a state prefix, sorted. Listing the
   * whole prefix uses the mirror's index where it has one; decoding goes
   * through the catalog, which caches and reports bad records.
   */
  private names(root: string, t: string): string[] {
    const prefix = `${root}${t}/`;
    return this.core.mirror
      .list(root)
      .filter((e) => e.key.startsWith(prefix))
      .map((e) => e.key.slice(prefix.length))
      .sort();
  }

  private resolve(param: 'from' | 'to', query: string, t: string, all: EndpointState[], networks: NetworkState[], groupIds: Map<string, number>): Resolved {
    if (query === '') throw invalid(`${param} is empty`);
    const mine = all.filter((e) => e.tenantName === t);
    const endOf = (e: EndpointState): TraceEnd => ({
      query,
      kind: 'endpoint',
      endpointId: e.endpointId,
      containerId: e.containerId,
      containerName: e.containerName.replace(/^\//, ''),
      ip: e.ipAddress,
      mac: e.macAddress,
      network: e.networkName,
      group: e.groupName,
      groupId: e.groupName ? (groupIds.get(e.groupName) ?? 0) : 0,
      host: e.homingHost,
      vtepIp: e.vtepIp,
      interface: e.intfName,
    });
    if (isIPv4(query)) {
      const ip = formatIPv4(parseIPv4(query) as number);
      const hits = mine.filter((e) => e.ipAddress === ip).map(endOf);
      if (hits.length > 0) return { end: hits[0] as TraceEnd, candidates: hits };
      const address: TraceEnd = {
        query,
        kind: 'address',
        endpointId: '',
        containerId: '',
        containerName: '',
        ip,
        mac: '',
        network: networkHolding(networks, parseIPv4(ip) as number),
        group: '',
        groupId: 0,
        host: '',
        vtepIp: '',
        interface: '',
      };
      return { end: address, candidates: [] };
    }
    if (query.includes(':')) throw invalid(`${param} ${JSON.stringify(query)}: only IPv4 addresses can be traced`);
    const matches = (eps: EndpointState[]): EndpointState[] => {
      const name = query.replace(/^\//, '');
      const exact = eps.filter((e) => e.endpointId === query || e.containerId === query || e.containerName.replace(/^\//, '') === name);
      if (exact.length > 0 || !new RegExp(`^[0-9a-fA-F]{${MIN_ID_PREFIX},}$`).test(query)) return exact;
      const q = query.toLowerCase();
      return eps.filter((e) => e.endpointId.startsWith(q) || (e.containerId !== '' && e.containerId.startsWith(q)));
    };
    const hits = matches(mine).map(endOf);
    if (hits.length > 0) return { end: hits[0] as TraceEnd, candidates: hits };
    const elsewhere = [...new Set(matches(all).map((e) => e.tenantName))];
    if (elsewhere.length > 0) throw new NetmasterError('NOT_FOUND', `${param} ${JSON.stringify(query)} is an endpoint of tenant ${elsewhere.join(', ')}, not of ${t}`);
    throw new NetmasterError('NOT_FOUND', `${param} ${JSON.stringify(query)}: no endpoint of tenant ${t} has that container name, container id or endpoint id (ids: a unique prefix of at least ${MIN_ID_PREFIX} hex digits)`);
  }
}

function pickOn(r: Resolved, network: string): Resolved {
  const on = r.candidates.filter((e) => e.network === network);
  return on.length === 1 ? { end: on[0] as TraceEnd, candidates: on } : r;
}

/** The tenant's network whose subnet holds `ip` ("" if none; a tenant's subnets do not overlap). */
function networkHolding(networks: NetworkState[], ip: number): string {
  for (const n of networks) {
    const s = parseSubnet(n.subnet);
    if (s.ok && ip >= s.value.network && ip <= s.value.broadcast) return n.networkName;
  }
  return '';
}

/** Why the datapath would not carry the packet at all, or "". It bridges within a network and routes nothing. */
function unreachable(t: string, from: TraceEnd, to: TraceEnd): string {
  if (from.kind === 'endpoint' && from.endpointId === to.endpointId) return `from and to are the same endpoint (${label(from)}): its traffic to itself never reaches the bridge`;
  for (const e of [from, to]) {
    if (e.network === '') return `${e.ip} is in none of tenant ${t}'s networks, and the datapath only bridges within a network (no routing)`;
  }
  if (from.network !== to.network) return `${label(from)} is on network ${from.network} and ${label(to)} on network ${to.network}: the datapath only bridges within a network (no routing between networks)`;
  return '';
}

function label(e: TraceEnd): string {
  return e.kind === 'address' ? e.ip : e.containerName || e.endpointId.slice(0, 12);
}

function step(v: DirectionVerdict, end: TraceEnd, byId: Map<string, RuleState>, groupNames: Map<number, string>): TraceStep {
  const base = { direction: v.direction, group: end.group, groupId: end.groupId, action: v.action };
  if (v.rule === undefined) {
    const summary = end.groupId === 0 ? `${label(end)} is in no group: no ${v.direction} rules apply, default allow` : 'no rule matched: default allow';
    return { ...base, rule: null, summary };
  }
  const r = v.rule;
  const match = matchSummary(r, byId.get(r.id), groupNames);
  const rule: TraceRule = { id: r.id, policy: r.policyName, ruleId: r.ruleId, direction: r.direction, priority: r.priority, action: r.action, match, rank: r.rank };
  return { ...base, rule, summary: `${r.tenantName}/${r.policyName} rule ${r.ruleId} (${r.direction}, priority ${r.priority}, ${r.action}; ${match})` };
}

/** What a compiled rule matches on, in the words of rule-add's flags. */
export function matchSummary(r: CompiledRule, state: RuleState | undefined, groupNames: Map<number, string>): string {
  const side = r.direction === 'in' ? 'from' : 'to';
  const parts: string[] = [];
  if (r.peerGroupId !== 0) parts.push(`${side} group ${groupNames.get(r.peerGroupId) ?? `#${r.peerGroupId}`}`);
  const network = state ? (r.direction === 'in' ? state.fromNetwork : state.toNetwork) : '';
  if (network) parts.push(`${side} network ${network}`);
  else if (r.peerPrefixes.length > 0) parts.push(`${side} ${(state ? (r.direction === 'in' ? state.fromIpAddress : state.toIpAddress) : '') || r.peerPrefixes.map((p) => p.text).join(',')}`);
  const proto = r.ipProtocol !== 0 ? (PROTOCOL_NAMES[r.ipProtocol] ?? `protocol ${r.ipProtocol}`) : '';
  if (proto || r.port !== 0) parts.push([proto, r.port !== 0 ? `port ${r.port}` : ''].filter(Boolean).join(' '));
  return parts.length > 0 ? parts.join(', ') : 'any traffic';
}
