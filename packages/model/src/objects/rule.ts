/**
 * rule (contivmodel/rule.json): `/api/v1/rules/<tenantName>:<policyName>:<ruleId>/`.
 * One match-and-action entry of a policy. `in` rules match traffic coming
 * into the groups that use the policy (from a group, a network or addresses),
 * `out` rules traffic leaving them (to a group, a network or addresses).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import type { RuleState } from '../state';
import {
  NAME_DESCRIPTION,
  NAME_PATTERN,
  OPTIONAL_NAME_PATTERN,
  RULE_IP_PATTERN,
  RULE_PROTOCOL_PATTERN,
} from './patterns';
import { validateObject, type ObjectSpec } from './validate';

/** Rule priorities: higher wins (Contiv's model range). */
export const MIN_RULE_PRIORITY = 1;
export const MAX_RULE_PRIORITY = 100;
export const DEFAULT_RULE_PRIORITY = 1;
export const MAX_PORT = 65535;
export const MAX_IP_PROTOCOL = 255;

const Name = Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION });
const OptionalName = Type.Optional(Type.String({ maxLength: 64, pattern: OPTIONAL_NAME_PATTERN, description: NAME_DESCRIPTION }));
const RuleIp = Type.Optional(
  Type.String({ pattern: RULE_IP_PATTERN, description: 'a valid IPv4 address, optionally with a last-octet range and a prefix length (a.b.c.d, a.b.c.d/len, a.b.c.d-e)' }),
);

export const RuleSchema = Type.Object({
  tenantName: Name,
  policyName: Name,
  ruleId: Name,
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')], { description: 'in or out' }),
  priority: Type.Integer({ minimum: MIN_RULE_PRIORITY, maximum: MAX_RULE_PRIORITY }),
  fromEndpointGroup: OptionalName,
  toEndpointGroup: OptionalName,
  fromNetwork: OptionalName,
  toNetwork: OptionalName,
  fromIpAddress: RuleIp,
  toIpAddress: RuleIp,
  protocol: Type.Optional(Type.String({ pattern: RULE_PROTOCOL_PATTERN, description: 'tcp, udp, icmp or an IP protocol number (0-255)' })),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PORT })),
  action: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { description: 'allow or deny' }),
});
export type RuleConfig = Static<typeof RuleSchema>;

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** The IP protocol number a rule matches; 0 = any protocol (no `protocol` given). */
export function ipProtocolNumber(protocol: string | undefined): number {
  if (!protocol) return 0;
  return PROTOCOL_NUMBERS[protocol] ?? Number(protocol);
}

const FROM_FIELDS = ['fromEndpointGroup', 'fromNetwork', 'fromIpAddress'] as const;
const TO_FIELDS = ['toEndpointGroup', 'toNetwork', 'toIpAddress'] as const;

/** A last-octet range (`10.1.1.5-3`) must not end before it starts. */
function checkIpRange(field: 'fromIpAddress' | 'toIpAddress', value: string | undefined): FieldIssue[] {
  const m = value ? /^\d+\.\d+\.\d+\.(\d+)-(\d+)/.exec(value) : null;
  if (m && Number(m[2]) < Number(m[1])) return [{ field, message: `${field} ${JSON.stringify(value)} has its range end before its start` }];
  return [];
}

/** Contiv's RuleCreate checks on how the match fields combine with the direction. */
function checkRule(r: RuleConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const wrongSide = r.direction === 'in' ? TO_FIELDS.filter((f) => f !== 'toIpAddress') : FROM_FIELDS;
  for (const f of wrongSide) {
    if (r[f]) {
      const phrase = r.direction === 'in' ? "can not specify 'to' parameters in incoming rule" : "can not specify 'from' parameters in outgoing rule";
      issues.push({ field: f, message: `${phrase} (${f} ${JSON.stringify(r[f])})` });
    }
  }
  const side = r.direction === 'in' ? 'from' : 'to';
  const net = r.direction === 'in' ? r.fromNetwork : r.toNetwork;
  if (net) {
    const ip = r.direction === 'in' ? r.fromIpAddress : r.toIpAddress;
    const group = r.direction === 'in' ? r.fromEndpointGroup : r.toEndpointGroup;
    if (ip) issues.push({ field: `${side}IpAddress`, message: `can not specify both ${side}Network and ${side}IpAddress` });
    if (group) issues.push({ field: `${side}EndpointGroup`, message: `can not specify both ${side}Network and ${side}EndpointGroup` });
  }
  issues.push(...checkIpRange('fromIpAddress', r.fromIpAddress), ...checkIpRange('toIpAddress', r.toIpAddress));
  const proto = ipProtocolNumber(r.protocol);
  if (proto > MAX_IP_PROTOCOL) issues.push({ field: 'protocol', message: `protocol ${JSON.stringify(r.protocol)} is not tcp, udp, icmp or an IP protocol number (0-255)` });
  // A port only means something for TCP and UDP; Contiv accepted it anyway and the rule matched nothing useful.
  if (r.port && proto !== 6 && proto !== 17) {
    issues.push({ field: 'port', message: `port ${r.port} needs protocol tcp or udp (protocol is ${r.protocol ? JSON.stringify(r.protocol) : 'not set'})` });
  }
  return issues;
}

export const ruleSpec: ObjectSpec<typeof RuleSchema> = {
  kind: 'rule',
  schema: RuleSchema,
  keyFields: ['tenantName', 'policyName', 'ruleId'],
  defaults: { priority: DEFAULT_RULE_PRIORITY },
  check: checkRule,
};

/** REST key of a rule: `tenant:policy:ruleId`. */
export const ruleKey = (tenantName: string, policyName: string, ruleId: string): string => `${tenantName}:${policyName}:${ruleId}`;

/** Link-set and link members of a rule. */
export const RULE_LINK_SETS = ['Policies'] as const;
export const RULE_LINKS = ['MatchEndpointGroup'] as const;

export function validateRule(input: unknown, key?: string): RuleConfig {
  return validateObject(ruleSpec, input, key);
}

/** The group a rule matches on: its `from` group (in) or `to` group (out), "" if none. */
export function ruleMatchGroup(r: Pick<RuleConfig, 'direction' | 'fromEndpointGroup' | 'toEndpointGroup'>): string {
  return (r.direction === 'in' ? r.fromEndpointGroup : r.toEndpointGroup) ?? '';
}

/** Rules compare equal when every configured field does (a re-POST of the same rule is a no-op). */
export function rulesEqual(a: RuleConfig, b: RuleConfig): boolean {
  const fields = Object.keys(RuleSchema.properties) as (keyof RuleConfig)[];
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

/** The record agents read: every field explicit (no omitempty), the protocol resolved to its number. */
export function ruleStateOf(r: RuleConfig): RuleState {
  return {
    tenantName: r.tenantName,
    policyName: r.policyName,
    ruleId: r.ruleId,
    direction: r.direction,
    priority: r.priority,
    fromEndpointGroup: r.fromEndpointGroup ?? '',
    toEndpointGroup: r.toEndpointGroup ?? '',
    fromNetwork: r.fromNetwork ?? '',
    toNetwork: r.toNetwork ?? '',
    fromIpAddress: r.fromIpAddress ?? '',
    toIpAddress: r.toIpAddress ?? '',
    protocol: r.protocol ?? '',
    ipProtocol: ipProtocolNumber(r.protocol),
    port: r.port ?? 0,
    action: r.action,
  };
}
