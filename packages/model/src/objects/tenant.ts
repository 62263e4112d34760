/** tenant (contivmodel/tenant.json): `/api/v1/tenants/<tenantName>/`. */
import { Type, type Static } from '@sinclair/typebox';
import { NAME_DESCRIPTION, NAME_PATTERN, OPTIONAL_NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

export const TenantSchema = Type.Object({
  tenantName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  defaultNetwork: Type.Optional(Type.String({ maxLength: 64, pattern: OPTIONAL_NAME_PATTERN, description: NAME_DESCRIPTION })),
});
export type TenantConfig = Static<typeof TenantSchema>;

export const tenantSpec: ObjectSpec<typeof TenantSchema> = {
  kind: 'tenant',
  schema: TenantSchema,
  keyFields: ['tenantName'],
};

export const DEFAULT_TENANT = 'default';

/** REST key of a tenant. */
export const tenantKey = (tenantName: string): string => tenantName;

/** Link-set members of a tenant (Contiv's Capitalized names). */
export const TENANT_LINK_SETS = ['AppProfiles', 'EndpointGroups', 'NetProfiles', 'Networks', 'Policies', 'Servicelbs', 'VolumeProfiles', 'Volumes'] as const;

export function validateTenant(input: unknown, key?: string): TenantConfig {
  return validateObject(tenantSpec, input, key);
}

/** Tenant inspect Oper (contivmodel tenant.json operProperties). */
export interface TenantOper {
  totalNetworks?: number;
  totalEPGs?: number;
  totalNetprofiles?: number;
  totalAppProfiles?: number;
  totalServicelbs?: number;
  totalPolicies?: number;
  totalEndpoints?: number;
  networks?: object[];
  endpointGroups?: object[];
  endpoints?: object[];
  policies?: object[];
  servicelbs?: object[];
}
