/**
 * appProfile (contivmodel/appProfile.json): `/api/v1/appProfiles/<tenantName>:<appProfileName>/`.
 * A named set of endpoint groups of one tenant. Contiv pushed it to ACI as an
 * application profile; without ACI it is bookkeeping only (a group belongs to
 * at most one profile and cannot be deleted while one names it).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import { NAME_DESCRIPTION, NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

/**
 * Most groups one app profile names: it is written in one store transaction
 * with a condition per group, and Consul caps a transaction at 64 keys.
 */
export const MAX_APP_PROFILE_GROUPS = 48;

const Name = Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION });

export const AppProfileSchema = Type.Object({
  appProfileName: Name,
  tenantName: Name,
  endpointGroups: Type.Optional(Type.Array(Name)),
});
export type AppProfileConfig = Static<typeof AppProfileSchema>;

function checkAppProfile(a: AppProfileConfig): FieldIssue[] {
  const groups = a.endpointGroups ?? [];
  if (groups.length > MAX_APP_PROFILE_GROUPS) return [{ field: 'endpointGroups', message: `endpointGroups names ${groups.length} groups; an app profile can name at most ${MAX_APP_PROFILE_GROUPS}` }];
  const twice = groups.filter((g, i) => groups.indexOf(g) !== i);
  if (twice.length > 0) return [{ field: 'endpointGroups', message: `endpointGroups names ${[...new Set(twice)].join(', ')} more than once` }];
  return [];
}

export const appProfileSpec: ObjectSpec<typeof AppProfileSchema> = {
  kind: 'appProfile',
  schema: AppProfileSchema,
  keyFields: ['tenantName', 'appProfileName'],
  check: checkAppProfile,
};

/** REST key of an app profile: `tenant:profile`. */
export const appProfileKey = (tenantName: string, appProfileName: string): string => `${tenantName}:${appProfileName}`;

/** Link-set and link members of an app profile (Contiv's Capitalized names). */
export const APP_PROFILE_LINK_SETS = ['EndpointGroups'] as const;
export const APP_PROFILE_LINKS = ['Tenant'] as const;

export function validateAppProfile(input: unknown, key?: string): AppProfileConfig {
  return validateObject(appProfileSpec, input, key);
}
