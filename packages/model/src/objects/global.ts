/** global (contivmodel/global.json): `/api/v1/globals/global/`. */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldIssue } from '../errors';
import { parseIdSpan } from '../ip/spans';
import { MAX_VLAN_ID, MAX_VNI } from './network';
import { PVT_SUBNET_PATTERN, VLAN_RANGE_PATTERN, VXLAN_RANGE_PATTERN } from './patterns';
import { validateObject, type ObjectSpec } from './validate';

export const GlobalSchema = Type.Object({
  name: Type.String({ maxLength: 64, pattern: '^(global)$', description: '"global"' }),
  networkInfraType: Type.Optional(Type.String({ maxLength: 64, pattern: '^(aci|aci-opflex|default)?$', description: 'aci, aci-opflex or default' })),
  vlans: Type.String({ pattern: VLAN_RANGE_PATTERN, description: 'a VLAN range (start-end)' }),
  vxlans: Type.String({ pattern: VXLAN_RANGE_PATTERN, description: 'a VXLAN range (start-end)' }),
  fwdMode: Type.Optional(Type.String({ maxLength: 64, pattern: '^(bridge|routing)?$', description: 'bridge or routing' })),
  arpMode: Type.Optional(Type.String({ maxLength: 64, pattern: '^(proxy|flood)?$', description: 'proxy or flood' })),
  pvtSubnet: Type.String({ pattern: PVT_SUBNET_PATTERN, description: 'a valid IPv4 /16 subnet' }),
});
export type GlobalConfig = Static<typeof GlobalSchema>;

function checkRange(field: 'vlans' | 'vxlans', text: string, max: number): FieldIssue[] {
  const span = parseIdSpan(text);
  if (!span) return [{ field, message: `${field} ${JSON.stringify(text)} has its start after its end` }];
  if (span.start < 1 || span.end > max) return [{ field, message: `${field} ${JSON.stringify(text)} is outside 1-${max}` }];
  return [];
}

function checkGlobal(g: GlobalConfig): FieldIssue[] {
  return [...checkRange('vlans', g.vlans, MAX_VLAN_ID), ...checkRange('vxlans', g.vxlans, MAX_VNI)];
}

export const globalSpec: ObjectSpec<typeof GlobalSchema> = {
  kind: 'global',
  schema: GlobalSchema,
  keyFields: ['name'],
  check: checkGlobal,
};

/** The only key of the global collection. */
export const GLOBAL_KEY = 'global';

/** What netmaster creates on first start (Contiv's initGlobalConfigs). */
export const DEFAULT_GLOBAL: Readonly<Required<GlobalConfig>> = Object.freeze({
  name: 'global',
  networkInfraType: 'default',
  vlans: '1-4094',
  vxlans: '1-10000',
  fwdMode: 'bridge',
  arpMode: 'proxy',
  pvtSubnet: '172.19.0.0/16',
});

export function validateGlobal(input: unknown, key?: string): GlobalConfig {
  return validateObject(globalSpec, input, key);
}

/** Global inspect Oper (contivmodel global.json operProperties). */
export interface GlobalOper {
  clusterMode?: string;
  defaultNetwork?: string;
  freeVXLANsStart?: number;
  numNetworks?: number;
  vlansInUse?: string;
  vxlansInUse?: string;
}
