/**
 * extContractsGroup (contivmodel/extContractsGroup.json):
 * `/api/v1/extContractsGroups/<tenantName>:<contractsGroupName>/`.
 * A list of ACI contracts (distinguished names such as
 * `uni/tn-common/brc-default`) that endpoint groups provide or consume by
 * naming the group in their `extContractsGrps`. Only ACI acts on them; here
 * they are kept and referenced, nothing is programmed.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import { NAME_DESCRIPTION, NAME_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

const Name = Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION });

/** One contract: a non-empty ACI distinguished name, no blanks. */
export const CONTRACT_PATTERN = '^[^\\s]+$';

export const ExtContractsGroupSchema = Type.Object({
  contractsGroupName: Name,
  tenantName: Name,
  // Contiv's callback: "Contracts group need to be either 'provided' or 'consumed'".
  contractsType: Type.Union([Type.Literal('provided'), Type.Literal('consumed')], { description: 'provided or consumed' }),
  contracts: Type.Array(Type.String({ maxLength: 256, pattern: CONTRACT_PATTERN, description: 'a contract name (an ACI distinguished name without blanks, e.g. uni/tn-common/brc-default)' })),
});
export type ExtContractsGroupConfig = Static<typeof ExtContractsGroupSchema>;

// An empty list is dropped as Go's omitempty would, so "at least one" is checked here.
function checkExtContractsGroup(x: ExtContractsGroupConfig): FieldIssue[] {
  if ((x.contracts ?? []).length === 0) return [{ field: 'contracts', message: 'contracts must name at least one contract' }];
  return [];
}

export const extContractsGroupSpec: ObjectSpec<typeof ExtContractsGroupSchema> = {
  kind: 'extContractsGroup',
  schema: ExtContractsGroupSchema,
  keyFields: ['tenantName', 'contractsGroupName'],
  check: checkExtContractsGroup,
};

/** REST key of an external contracts group: `tenant:group`. */
export const extContractsGroupKey = (tenantName: string, contractsGroupName: string): string => `${tenantName}:${contractsGroupName}`;

/** Link-set members of an external contracts group (it has no single links). */
export const EXT_CONTRACTS_GROUP_LINK_SETS = ['EndpointGroups'] as const;

export function validateExtContractsGroup(input: unknown, key?: string): ExtContractsGroupConfig {
  return validateObject(extContractsGroupSpec, input, key);
}

/** Groups compare equal when type and contracts do (a re-POST of the same group writes nothing). */
export function extContractsGroupsEqual(a: ExtContractsGroupConfig, b: ExtContractsGroupConfig): boolean {
  return a.contractsType === b.contractsType && JSON.stringify(a.contracts) === JSON.stringify(b.contracts);
}
