/**
 * netprofile (contivmodel/netProfile.json): `/api/v1/netprofiles/<tenantName>:<profileName>/`.
 * A rate limit (bandwidth, burst) and a DSCP mark that endpoint groups apply
 * by naming the profile in their `netProfile`; netmaster copies the settings
 * into each such group's GroupState, which the agents program.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import type { GroupState } from '../state';
import { NAME_DESCRIPTION, NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

export const MAX_DSCP = 63;
/** Largest burst, KB (Contiv's model). */
export const MAX_BURST_KB = 10486;
/**
 * Largest rate, kbit/s: OVS keeps ingress_policing_rate in 32 bits. Contiv had
 * no limit and passed on whatever its conversion produced.
 */
export const MAX_BANDWIDTH_KBPS = 4294967295;

/**
 * Contiv's bandwidth format: a positive number and a unit, with or without a
 * space: `10Mbps`, `10 Gbps`, `5Gb`, `4G`, `100kbps`; or empty (no limit).
 * (netProfile.json's character classes also admitted `{`, `1` and `}` as
 * units, a typo left out here.)
 */
export const BANDWIDTH_PATTERN =
  '^([1-9][0-9]* (([kmgKMG]bps)|[kmgKMG]|(kb|Kb|Gb|gb|Mb|mb)))?$|^([1-9][0-9]*(((k|m|g|K|G|M)bps)|(k|m|g|K|M|G)|(kb|Kb|Gb|gb|Mb|mb)))?$';

const Name = Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION });

export const NetProfileSchema = Type.Object({
  profileName: Name,
  tenantName: Name,
  bandwidth: Type.Optional(
    Type.String({ maxLength: 64, pattern: BANDWIDTH_PATTERN, description: 'a valid bandwidth (a number and a unit k, m or g, e.g. 10Mbps, 10 Gbps, 5Gb, 4G, 100kbps)' }),
  ),
  DSCP: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DSCP })),
  burst: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BURST_KB })),
});
export type NetProfileConfig = Static<typeof NetProfileSchema>;

/** kbit/s per unit: the plain SI meaning (k = 10^3, m and M = 10^6, g and G = 10^9 bit/s), whatever the case or suffix. */
const KBPS_PER_UNIT: Readonly<Record<string, number>> = { k: 1, m: 1000, g: 1000000 };

/**
 * A bandwidth string in kbit/s: `10Mbps` = 10000, `5Gb` = 5000000, `100kbps`
 * = 100; "" = 0 (no limit). Contiv multiplied by powers of 1024 and divided by
 * 1000 (`10Mbps` = 10485); we read the units as SI, as `tc` and OVS do.
 * Returns undefined for a string that is not in BANDWIDTH_PATTERN.
 */
export function bandwidthKbps(bandwidth: string | undefined): number | undefined {
  if (!bandwidth) return 0;
  if (!new RegExp(BANDWIDTH_PATTERN).test(bandwidth)) return undefined;
  const m = /^([0-9]+) ?([kmgKMG])/.exec(bandwidth);
  if (!m) return undefined;
  return Number(m[1]) * (KBPS_PER_UNIT[(m[2] ?? '').toLowerCase()] ?? 0);
}

/** The bandwidth as netctl lists it: the number and Kbps, Mbps or Gbps. */
export function formatBandwidth(bandwidth: string | undefined): string {
  const m = bandwidth ? /^([0-9]+) ?([kmgKMG])/.exec(bandwidth) : null;
  if (!m) return bandwidth ?? '';
  return `${m[1] ?? ''}${{ k: 'Kbps', m: 'Mbps', g: 'Gbps' }[(m[2] ?? '').toLowerCase()] ?? ''}`;
}

function checkNetProfile(p: NetProfileConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // Contiv's NetprofileCreate refused a burst of 1 KB (too small for any packet to pass).
  if (p.burst === 1) issues.push({ field: 'burst', message: 'burst 1 is invalid: give 0 (the default) or 2-10486 KB' });
  const kbps = bandwidthKbps(p.bandwidth);
  if (kbps !== undefined && kbps > MAX_BANDWIDTH_KBPS) {
    issues.push({ field: 'bandwidth', message: `bandwidth ${JSON.stringify(p.bandwidth)} is more than the largest rate supported (${MAX_BANDWIDTH_KBPS} kbit/s)` });
  }
  return issues;
}

export const netProfileSpec: ObjectSpec<typeof NetProfileSchema> = {
  kind: 'netprofile',
  schema: NetProfileSchema,
  keyFields: ['tenantName', 'profileName'],
  check: checkNetProfile,
};

/** REST key of a netprofile: `tenant:profile`. */
export const netProfileKey = (tenantName: string, profileName: string): string => `${tenantName}:${profileName}`;

/** Link-set and link members of a netprofile (Contiv's Capitalized names). */
export const NET_PROFILE_LINK_SETS = ['EndpointGroups'] as const;
export const NET_PROFILE_LINKS = ['Tenant'] as const;

export function validateNetProfile(input: unknown, key?: string): NetProfileConfig {
  return validateObject(netProfileSpec, input, key);
}

/** The GroupState fields a group takes from its netprofile (all 0 without one). */
export type GroupQos = Pick<GroupState, 'bandwidthKbps' | 'burstKb' | 'dscp'>;

export function groupQosOf(profile: NetProfileConfig | undefined): GroupQos {
  if (!profile) return { bandwidthKbps: 0, burstKb: 0, dscp: 0 };
  return { bandwidthKbps: bandwidthKbps(profile.bandwidth) ?? 0, burstKb: profile.burst ?? 0, dscp: profile.DSCP ?? 0 };
}

/** Profiles compare equal when every configured field does (a re-POST of the same profile writes nothing). */
export function netProfilesEqual(a: NetProfileConfig, b: NetProfileConfig): boolean {
  return (a.bandwidth ?? '') === (b.bandwidth ?? '') && (a.DSCP ?? 0) === (b.DSCP ?? 0) && (a.burst ?? 0) === (b.burst ?? 0);
}
