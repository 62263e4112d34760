/** endpointGroup (contivmodel/endpointGroup.json): `/api/v1/endpointGroups/<tenantName>:<groupName>/`. */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import { parseAddressSpan } from '../ip/spans';
import type { EndpointOper } from './endpoint';
import { IP_POOL_PATTERN, NAME_DESCRIPTION, NAME_PATTERN, TAG_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

/** Group ids are carried in 15-bit flow metadata fields. */
export const MAX_GROUP_ID = 32767;

const NameList = Type.Array(Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }));

export const EndpointGroupSchema = Type.Object({
  groupName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  tenantName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  networkName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  ipPool: Type.Optional(Type.String({ pattern: IP_POOL_PATTERN, description: 'a valid IPv4 address range (a.b.c.d-a.b.c.e)' })),
  policies: Type.Optional(NameList),
  extContractsGrps: Type.Optional(NameList),
  netProfile: Type.Optional(Type.String({ maxLength: 64 })),
  cfgdTag: Type.Optional(Type.String({ maxLength: 128, pattern: TAG_PATTERN, description: 'a valid tag (a name, or empty)' })),
});
export type EndpointGroupConfig = Static<typeof EndpointGroupSchema>;

function checkGroup(g: EndpointGroupConfig): FieldIssue[] {
  if (g.ipPool && !parseAddressSpan(g.ipPool)) {
    return [{ field: 'ipPool', message: `ipPool ${JSON.stringify(g.ipPool)} has its start after its end` }];
  }
  return [];
}

export const endpointGroupSpec: ObjectSpec<typeof EndpointGroupSchema> = {
  kind: 'endpointGroup',
  schema: EndpointGroupSchema,
  keyFields: ['tenantName', 'groupName'],
  check: checkGroup,
};

/** REST key of a group: `tenant:group`. */
export const endpointGroupKey = (tenantName: string, groupName: string): string => `${tenantName}:${groupName}`;

/** Contiv's internal group key (`<group>:<tenant>`, reversed) used in endpoint oper. */
export const endpointGroupStateId = (tenantName: string, groupName: string): string => `${groupName}:${tenantName}`;

/** Contiv's default group tag: `<group>.<tenant>`. */
export const defaultGroupTag = (tenantName: string, groupName: string): string => `${groupName}.${tenantName}`;

export const ENDPOINT_GROUP_LINK_SETS = ['ExtContractsGrps', 'MatchRules', 'Policies', 'Services'] as const;
export const ENDPOINT_GROUP_LINKS = ['AppProfile', 'NetProfile', 'Network', 'Tenant'] as const;

export function validateEndpointGroup(input: unknown, key?: string): EndpointGroupConfig {
  return validateObject(endpointGroupSpec, input, key);
}

/** Endpoint group inspect Oper (contivmodel endpointGroup.json operProperties). */
export interface EndpointGroupOper {
  allocatedIPAddresses?: string;
  availableIPAddresses?: string;
  endpoints?: EndpointOper[];
  externalPktTag?: number;
  groupTag?: string;
  numEndpoints?: number;
  pktTag?: number;
}
