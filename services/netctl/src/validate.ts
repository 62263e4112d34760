/**
 * Client-side checks of flag syntax, so a typo fails with exit 1 before any
 * request. The patterns are those of Contiv's model (shared/contiv-model);
 * semantic checks (gateway inside the subnet, overlaps, ranges in use) stay
 * with netmaster.
 */
import net from 'node:net';
import {
  IP_POOL_PATTERN,
  isIPv4,
  MAX_IP_PROTOCOL,
  PVT_SUBNET_PATTERN,
  RULE_IP_PATTERN,
  RULE_PROTOCOL_PATTERN,
  SUBNET_PATTERN,
  VLAN_RANGE_PATTERN,
  VXLAN_RANGE_PATTERN,
} from '@contiv/model';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors';

// The model's own formats, so netctl and netmaster can never disagree on syntax.
/** network.subnet: `A.B.C.D/N` or a range `A.B.C.D-A.B.C.E/N`, N in 1..31 (the address may be a host address). */
const SUBNET_RE = new RegExp(SUBNET_PATTERN);
/** endpointGroup.ipPool: `A.B.C.D` or `A.B.C.D-A.B.C.E` (empty is not a flag value). */
const IP_POOL_RE = new RegExp(IP_POOL_PATTERN);
/** global.pvtSubnet: a /16. */
const PVT_SUBNET_RE = new RegExp(PVT_SUBNET_PATTERN);
const VLAN_RANGE_RE = new RegExp(VLAN_RANGE_PATTERN);
/** rule.fromIpAddress / toIpAddress: `A.B.C.D`, `A.B.C.D/N`, `A.B.C.D-E` (last-octet range). */
const RULE_IP_RE = new RegExp(RULE_IP_PATTERN);
const RULE_PROTOCOL_RE = new RegExp(RULE_PROTOCOL_PATTERN);
const VXLAN_RANGE_RE = new RegExp(VXLAN_RANGE_PATTERN);

/** The largest pktTag the model accepts (network.json `max`). */
export const MAX_PKT_TAG = 16777216;

export const isIpv4 = isIPv4;

export function checkSubnet(value: string): void {
  if (!SUBNET_RE.test(value)) {
    throw new UsageError(`Invalid subnet '${value}' - Enter in A.B.C.D/N or A.B.C.D-A.B.C.E/N format (N from 1 to 31)`);
  }
}

export function checkGateway(value: string): void {
  if (!isIpv4(value)) throw new UsageError(`Invalid gateway '${value}' - Enter in A.B.C.D format`);
}

export function checkSubnetV6(value: string): void {
  const [addr, len, ...rest] = value.split('/');
  const n = Number(len);
  if (rest.length > 0 || addr === undefined || !net.isIPv6(addr) || !/^[0-9]{1,3}$/.test(len ?? '') || n < 1 || n > 128) {
    throw new UsageError(`Invalid IPv6 subnet '${value}' - Enter in X:X::X/N format`);
  }
}

export function checkGatewayV6(value: string): void {
  if (!net.isIPv6(value)) throw new UsageError(`Invalid IPv6 gateway '${value}' - Enter in X:X::X format`);
}

export function checkIpPool(value: string): void {
  if (value === '' || !IP_POOL_RE.test(value)) throw new UsageError(`Invalid IP pool '${value}' - Enter in A.B.C.D-A.B.C.E format`);
}

export function checkPrivateSubnet(value: string): void {
  if (!PVT_SUBNET_RE.test(value)) throw new UsageError(`Invalid private subnet '${value}' - Enter a /16 in A.B.C.D/16 format`);
}

export function checkVlanRange(value: string): void {
  if (!VLAN_RANGE_RE.test(value)) throw new UsageError(`Invalid vlan range '${value}' - Enter in N-M format, e.g. 1-4094`);
}

export function checkVxlanRange(value: string): void {
  if (!VXLAN_RANGE_RE.test(value)) throw new UsageError(`Invalid vxlan range '${value}' - Enter in N-M format, e.g. 1-10000`);
}

/** A rule's address flag (`flag` is how the user spells it, for the message). */
export function checkRuleIp(flag: string, value: string): void {
  if (value === '' || !RULE_IP_RE.test(value)) {
    throw new UsageError(`Invalid IP address '${value}' for ${flag} - Enter in A.B.C.D, A.B.C.D/N or A.B.C.D-E format`);
  }
}

export function checkProtocol(value: string): void {
  if (value === '' || !RULE_PROTOCOL_RE.test(value) || (/^[0-9]+$/.test(value) && Number(value) > MAX_IP_PROTOCOL)) {
    throw new UsageError(`Invalid protocol '${value}' - Enter tcp, udp, icmp or an IP protocol number (0-${MAX_IP_PROTOCOL})`);
  }
}

/** commander argument parser for integer flags. */
export function parseIntFlag(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    const n = Number(value.trim());
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}

/** commander argument parser for repeatable flags (`-p a -p b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
