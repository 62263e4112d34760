/**
 * Parsers for every record read from the store: readers never trust raw JSON.
 * Each codec checks the shape of its record (state.ts) with a compiled TypeBox
 * schema; unknown extra members are tolerated so an older reader can read a
 * newer writer's record. A record that does not parse is MODEL_BAD_STATE.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ModelValidationError } from './errors';
import { validateObject, type ObjectSpec } from './objects/validate';
import type {
  DockerNetworkMapping,
  EndpointState,
  GlobalState,
  GroupState,
  IdAllocation,
  IpAllocation,
  NetworkState,
  NodeRecord,
  RuleState,
} from './state';

const Str = Type.String();
const Origin = Type.Union([Type.Literal('contiv'), Type.Literal('docker')]);

export const NetworkStateSchema = Type.Object({
  tenantName: Str,
  networkName: Str,
  nwType: Type.Union([Type.Literal('data'), Type.Literal('infra')]),
  encap: Type.Union([Type.Literal('vlan'), Type.Literal('vxlan')]),
  pktTag: Type.Integer({ minimum: 0 }),
  extPktTag: Type.Integer({ minimum: 0 }),
  subnet: Str,
  ipRange: Str,
  gateway: Str,
  ipv6Subnet: Str,
  ipv6Gateway: Str,
  networkTag: Str,
  origin: Origin,
  dockerNetworkId: Type.Optional(Str),
  dockerScope: Type.Optional(Str),
});

export const GroupStateSchema = Type.Object({
  tenantName: Str,
  groupName: Str,
  networkName: Str,
  groupId: Type.Integer({ minimum: 0 }),
  policies: Type.Array(Str),
  ipPool: Str,
  groupTag: Str,
  netProfile: Str,
  bandwidthKbps: Type.Integer({ minimum: 0 }),
  burstKb: Type.Integer({ minimum: 0 }),
  dscp: Type.Integer({ minimum: 0, maximum: 63 }),
});

export const RuleStateSchema = Type.Object({
  tenantName: Str,
  policyName: Str,
  ruleId: Str,
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  priority: Type.Integer({ minimum: 1, maximum: 100 }),
  fromEndpointGroup: Str,
  toEndpointGroup: Str,
  fromNetwork: Str,
  toNetwork: Str,
  fromIpAddress: Str,
  toIpAddress: Str,
  protocol: Str,
  ipProtocol: Type.Integer({ minimum: 0, maximum: 255 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  action: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
});

export const GlobalStateSchema = Type.Object({
  networkInfraType: Type.Union([Type.Literal('default'), Type.Literal('aci'), Type.Literal('aci-opflex')]),
  fwdMode: Type.Union([Type.Literal('bridge'), Type.Literal('routing')]),
  arpMode: Type.Union([Type.Literal('proxy'), Type.Literal('flood')]),
  vlans: Str,
  vxlans: Str,
  pvtSubnet: Str,
});

export const EndpointStateSchema = Type.Object({
  endpointId: Str,
  tenantName: Str,
  networkName: Str,
  groupName: Str,
  ipAddress: Str,
  ipv6Address: Str,
  macAddress: Str,
  homingHost: Str,
  intfName: Str,
  vtepIp: Str,
  containerId: Str,
  containerName: Str,
  createdAt: Str,
  labels: Type.Optional(Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 4096 }))),
});

export const NodeRecordSchema = Type.Object({
  hostname: Str,
  ctrlIp: Str,
  vtepIp: Str,
  uplinks: Type.Array(Str),
  agentVersion: Str,
  startedAt: Str,
});

export const DockerNetworkMappingSchema = Type.Object({
  dockerNetworkId: Str,
  tenantName: Str,
  networkName: Str,
  groupName: Str,
  dockerName: Str,
  origin: Origin,
});

export const IpAllocationSchema = Type.Object({ owner: Str, host: Str, allocatedAt: Str });
export const IdAllocationSchema = Type.Object({ owner: Str, allocatedAt: Str });

// Compile-time proof that each schema describes exactly its state.ts record.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchRecords: [
  Same<Static<typeof NetworkStateSchema>, NetworkState>,
  Same<Static<typeof GroupStateSchema>, GroupState>,
  Same<Static<typeof GlobalStateSchema>, GlobalState>,
  Same<Static<typeof EndpointStateSchema>, EndpointState>,
  Same<Static<typeof NodeRecordSchema>, NodeRecord>,
  Same<Static<typeof DockerNetworkMappingSchema>, DockerNetworkMapping>,
  Same<Static<typeof IpAllocationSchema>, IpAllocation>,
  Same<Static<typeof IdAllocationSchema>, IdAllocation>,
  Same<Static<typeof RuleStateSchema>, RuleState>,
] = [true, true, true, true, true, true, true, true, true];
void schemasMatchRecords;

export interface StateCodec<T> {
  /** Parses and checks a stored value; `where` (usually the key) goes into the error message. */
  decode(raw: string, where?: string): T;
  /** Checks and serialises a record for the store. */
  encode(value: T): string;
  /** True when `value` has the record's shape. */
  is(value: unknown): value is T;
}

function badState(what: string, where: string | undefined, detail: string, cause?: unknown): ModelValidationError {
  return new ModelValidationError('MODEL_BAD_STATE', `${what}${where ? ` at ${where}` : ''} is not valid: ${detail}`, [], { cause });
}

function parseJson(raw: string, what: string, where: string | undefined): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badState(what, where, `not JSON (${(err as Error).message})`, err);
  }
}

export function createStateCodec<S extends TSchema>(what: string, schema: S): StateCodec<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  const explain = (value: unknown): string => {
    const e = check.Errors(value).First();
    return e ? `${e.path || '/'}: ${e.message}` : 'unknown problem';
  };
  return {
    decode(raw, where) {
      const value = parseJson(raw, what, where);
      if (!check.Check(value)) throw badState(what, where, explain(value));
      return value;
    },
    encode(value) {
      if (!check.Check(value)) throw badState(what, undefined, explain(value));
      return JSON.stringify(value);
    },
    is(value): value is Static<S> {
      return check.Check(value);
    },
  };
}

export const networkStateCodec = createStateCodec('network state', NetworkStateSchema);
export const groupStateCodec = createStateCodec('group state', GroupStateSchema);
export const ruleStateCodec = createStateCodec('rule state', RuleStateSchema);
export const globalStateCodec = createStateCodec('global state', GlobalStateSchema);
export const endpointStateCodec = createStateCodec('endpoint state', EndpointStateSchema);
export const nodeRecordCodec = createStateCodec('node record', NodeRecordSchema);
export const dockerNetworkMappingCodec = createStateCodec('docker network mapping', DockerNetworkMappingSchema);
export const ipAllocationCodec = createStateCodec('IP allocation', IpAllocationSchema);
export const idAllocationCodec = createStateCodec('id allocation', IdAllocationSchema);

/** Parses a stored config object (written through REST) with the same rules as the API. */
export function decodeConfig<S extends TObject>(spec: ObjectSpec<S>, raw: string, where?: string): Static<S> {
  const value = parseJson(raw, spec.kind, where);
  try {
    return validateObject(spec, value);
  } catch (err) {
    throw badState(spec.kind, where, (err as Error).message, err);
  }
}
