/**
 * Client-side checks of flag syntax, so a typo fails with exit 1 before any
 * request. The patterns are those of Contiv's model (shared/contiv-model);
 * semantic checks (gateway inside the subnet, overlaps, ranges in use) stay
 * with netmaster.
 */
import net from 'node:net';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
const IPV4_RE = new RegExp(`^${IPV4}$`);
/** network.subnet: `A.B.C.D/N` or a range `A.B.C.D-A.B.C.E/N`, N in 1..31 (the address may be a host address). */
const SUBNET_RE = new RegExp(`^${IPV4}(-${IPV4})?/(3[0-1]|2[0-9]|1[0-9]|[1-9])$`);
/** endpointGroup.ipPool: `A.B.C.D` or `A.B.C.D-A.B.C.E`. */
const IP_POOL_RE = new RegExp(`^${IPV4}(-${IPV4})?$`);
/** global.pvtSubnet: a /16. */
const PVT_SUBNET_RE = new RegExp(`^${IPV4}/16$`);
const VLAN_RANGE_RE = /^[0-9]{1,4}-[0-9]{1,4}$/;
const VXLAN_RANGE_RE = /^[0-9]{1,8}-[0-9]{1,8}$/;

/** The largest pktTag the model accepts (network.json `max`). */
export const MAX_PKT_TAG = 16777216;

export const isIpv4 = (s: string): boolean => IPV4_RE.test(s);

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
  if (!IP_POOL_RE.test(value)) throw new UsageError(`Invalid IP pool '${value}' - Enter in A.B.C.D-A.B.C.E format`);
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
