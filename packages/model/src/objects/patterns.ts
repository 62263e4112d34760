/**
 * Contiv's field formats (contivmodel/*.json), as JavaScript regex sources.
 * The JSON files double-escape for Go source; these are the effective regexes.
 */
import { IPV4, OCTET } from '../ip/ipv4';

const LABEL = '([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])';
const LAST_LABEL = '([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9])';

/** DNS-label-like names, dot-separated (tenant, network, group names). */
export const NAME_PATTERN = `^(${LABEL}\\.)*${LAST_LABEL}$`;
/** The same, or empty. */
export const OPTIONAL_NAME_PATTERN = `^(${LABEL}\\.)*${LAST_LABEL}?$`;
/** `cfgdTag`: a name or empty. */
export const TAG_PATTERN = `^((${LABEL}\\.)*${LAST_LABEL})?$`;

export const NAME_DESCRIPTION = 'a valid name (letters, digits and "-", dot-separated, starting and ending with a letter or digit)';

/** Bare IPv4 or empty (gateway). */
export const OPTIONAL_IPV4_PATTERN = `^${IPV4}?$`;
/** `ipPool`: empty, an address, or `a.b.c.d-a.b.c.e`. */
export const IP_POOL_PATTERN = `^$|^${IPV4}(\\-${IPV4})?$`;

const HEX = '([0-9]|[a-f]|[A-F])';
const IPV6_BODY = `((${HEX}{1,4})((\\:${HEX}{1,4}){7}))|(((${HEX}{1,4}\\:){0,6}|\\:)((\\:${HEX}{1,4}){0,6}|\\:))`;
/** Contiv's IPv6 prefix regex, prefix-length quirk included (/108, /109, /118, /119, /128 rejected). */
export const IPV6_SUBNET_PATTERN = `^((${IPV6_BODY})/(1[0-2][0-7]|[1-9][0-9]|[1-9]))?$`;
export const IPV6_ADDRESS_PATTERN = `^(${IPV6_BODY})?$`;

/**
 * A rule's `fromIpAddress`/`toIpAddress`: empty, an address, an address with a
 * last-octet range (`10.1.1.1-20`), either with an optional prefix length 1-31.
 */
export const RULE_IP_PATTERN = `^((${IPV4})(\\-${OCTET})?(/(3[0-1]|2[0-9]|1[0-9]|[1-9]))?)?$`;
/** A rule's `protocol`: a name Contiv knows, a protocol number, or empty (any). */
export const RULE_PROTOCOL_PATTERN = '^(tcp|udp|icmp||[0-9]{1,3}?)$';

/** The global object's id ranges. */
export const VLAN_RANGE_PATTERN = '^([0-9]{1,4}?-[0-9]{1,4}?)$';
export const VXLAN_RANGE_PATTERN = '^([0-9]{1,8}?-[0-9]{1,8}?)$';
/** Private /16 of the host bridge. */
export const PVT_SUBNET_PATTERN = `^${IPV4}/16$`;
