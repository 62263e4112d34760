/**
 * @module @contiv/openflow
 * OpenFlow 1.3 with the Nicira/ONF extensions an OVS agent pipeline needs:
 * codec, a reconnecting client, atomic bundles, a fluent flow builder, and
 * flows in ovs-ofctl's text form. See docs/openflow.md.
 */
export type { OpenFlowErrorCode, OfErrorInfo, OperationFailure } from './errors';
export { OpenFlowError, isOpenFlowError } from './errors';
export type { Logger, LogMeta } from './logger';
export { noopLogger } from './logger';

export type { FlowModCommand, GroupModCommand, GroupType, BundleControlType, MeterModCommand } from './codec/constants';
export {
  OFP13_VERSION,
  OFPT,
  OFPP,
  OFPG,
  OFPTT_ALL,
  OFPFF,
  OFPMP,
  OFPM,
  OFPMF,
  OFPMBT,
  OFP_NO_BUFFER,
  OFPCML_NO_BUFFER,
  OFP_DEFAULT_PRIORITY,
  NX_VENDOR_ID,
  ONF_VENDOR_ID,
  OFPBF_ATOMIC,
  OFPBF_ORDERED,
} from './codec/constants';
export type { FieldName, RegName, FieldDef, ValueFormat } from './codec/fields';
export { FIELDS, OFPVID_PRESENT, fieldDef, isFieldName } from './codec/fields';
export type { Match, MatchField, UnknownOxm } from './codec/oxm';
export { normalizeMatch, encodeMatch } from './codec/oxm';
export type { Action, ActionType, Subfield } from './codec/actions';
export { encodeActions, decodeActions } from './codec/actions';
export type { Instruction, InstructionType } from './codec/instructions';
export type { FlowMod, FlowStats } from './codec/flow-mod';
export type { Bucket, GroupMod, GroupDesc } from './codec/group-mod';
export type { MeterBand, MeterMod, MeterConfig } from './codec/meter-mod';
export { dropMeterMod, meterToString } from './codec/meter-mod';
export type { FlowStatsRequest, TableFeatures, PortDesc, SwitchDesc, MultipartRequestBody, MultipartReplyBody } from './codec/multipart';
export { flowStatsRequest } from './codec/multipart';
export type { OfMessage, OfMessageType, OutgoingMessage, MessageHeader } from './codec/message';
export { encodeMessage, decodeMessage, readHeader } from './codec/message';
export { errorName, describeError } from './codec/error-msg';

export type { Endpoint } from './conn/endpoint';
export { parseEndpoint, bridgeMgmtEndpoint } from './conn/endpoint';
export { MessageFramer } from './conn/framer';
export type { BackoffOptions } from './conn/backoff';
export type { Features, MessageOutcome } from './conn/connection';
export type { OpenFlowClientOptions, ConnectionEvent, ClientState, ClientStats } from './client';
export { OpenFlowClient, DEFAULT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PROBE_INTERVAL_MS } from './client';

export type { Flow, FlowFilter } from './flow';
export type { BundleOps, FlowOperations, MeterOperations, PlannedOp } from './operations';
export { flowModFor, planBundle, describeOp } from './operations';
export type { OpenFlowBridgeOptions, BridgeStats } from './bridge';
export { OpenFlowBridge } from './bridge';

export type { FieldInput } from './builder/values';
export type { RegField, RegMark } from './builder/reg-field';
export { regField, regMark } from './builder/reg-field';
export type { CtStateFlag } from './builder/match-builder';
export { MatchBuilder, match, CT_STATE, ETH_TYPE_IP, ETH_TYPE_ARP, ETH_TYPE_IPV6, IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP, IP_PROTO_ICMPV6 } from './builder/match-builder';
export type { SubfieldSpec, CtOptions } from './builder/action-builder';
export { ActionBuilder, actions } from './builder/action-builder';
export { FlowBuilder, flow } from './builder/flow-builder';

export type { FlowLike, FlowStringOptions, NameMap } from './flow-string';
export {
  flowToString,
  flowsToStrings,
  flowKey,
  matchToString,
  actionToString,
  actionsToString,
  instructionsToString,
  normalizeDumpFlows,
  sortFlowStrings,
  formatPort,
  groupToString,
  groupsToStrings,
  normalizeDumpGroups,
} from './flow-string';
export { formatMac, formatIpv4, formatIpv6, parseMac, parseIpv4, parseIpv6 } from './text/addr';
