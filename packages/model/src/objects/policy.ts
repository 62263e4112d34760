/** policy (contivmodel/policy.json): `/api/v1/policys/<tenantName>:<policyName>/`. */
import { Type, type Static } from '@sinclair/typebox';
import type { EndpointOper } from './endpoint';
import { NAME_DESCRIPTION, NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

export const PolicySchema = Type.Object({
  policyName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  tenantName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
});
export type PolicyConfig = Static<typeof PolicySchema>;

export const policySpec: ObjectSpec<typeof PolicySchema> = {
  kind: 'policy',
  schema: PolicySchema,
  keyFields: ['tenantName', 'policyName'],
};

/** REST key of a policy: `tenant:policy`. */
export const policyKey = (tenantName: string, policyName: string): string => `${tenantName}:${policyName}`;

/** Link-set and link members of a policy (Contiv's Capitalized names). */
export const POLICY_LINK_SETS = ['EndpointGroups', 'Rules'] as const;
export const POLICY_LINKS = ['Tenant'] as const;

export function validatePolicy(input: unknown, key?: string): PolicyConfig {
  return validateObject(policySpec, input, key);
}

/** Policy inspect Oper (contivmodel policy.json operProperties; policyViolations was never filled). */
export interface PolicyOper {
  numEndpoints?: number;
  policyViolations?: number;
  endpoints?: EndpointOper[];
}
