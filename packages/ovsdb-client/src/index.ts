/**
 * @module @contiv/ovsdb-client
 * RFC 7047 OVSDB client (JSON-RPC over unix/TCP, transact, monitor with an
 * in-memory replica, echo keepalive, reconnect) and the typed Open_vSwitch
 * layer the agent uses. See docs/ovsdb-client.md.
 */
export type { OvsdbErrorCode, OperationError } from './errors';
export { OvsdbError, isOvsdbError } from './errors';
export type { Logger, LogMeta } from './logger';
export { noopLogger } from './logger';

export type { Json, JsonObject } from './jsonrpc/json-codec';
export { parseJson, stringifyJson } from './jsonrpc/json-codec';
export type { SplitMessage } from './jsonrpc/json-splitter';
export { JsonStreamSplitter } from './jsonrpc/json-splitter';
export type { Endpoint } from './jsonrpc/endpoint';
export { parseEndpoint } from './jsonrpc/endpoint';
export type { BackoffOptions } from './jsonrpc/reconnect';
export type { SessionState, SessionStats } from './jsonrpc/session';

export type { OvsdbClientOptions, ConnectionEvent, MonitorOptions, MonitorHandle } from './client';
export { OvsdbClient, DEFAULT_TIMEOUT_MS, DEFAULT_PROBE_INTERVAL_MS } from './client';

export type { AtomicType, BaseType, ColumnType } from './schema/types';
export type { DatabaseSchema, TableSchema, ColumnSchema } from './schema/schema';
export { parseDatabaseSchema } from './schema/schema';
export type { Atom, Datum } from './schema/datum';
export {
  Uuid,
  NamedUuid,
  OvsSet,
  OvsMap,
  uuid,
  namedUuid,
  ovsSet,
  ovsMap,
  decodeDatum,
  decodeDatumAs,
  encodeDatum,
  datumEquals,
  toAtoms,
  optionalAtom,
  toStringMap,
  toUuids,
} from './schema/datum';

export type { Operation, Condition, ConditionFunction, Mutation, Mutator, RowValues } from './txn/operations';
export type { OperationResult, TransactOutcome } from './txn/status';
export { interpretTransactResult } from './txn/status';

export type { MonitorMethod, MonitorTableRequest, MonitorSelect, MonitorListener, RowUpdate, TableUpdates } from './idl/monitor';
export type { Row, RowChange } from './idl/table-cache';
export type { ReplicaOptions, ReplicaChange } from './idl/replica';
export { Replica } from './idl/replica';

export type { PortSpec, PortView, InterfaceView, BridgeOptions } from './vswitch/types';
export type { VswitchClientOptions } from './vswitch/vswitch-client';
export { VswitchClient, VSWITCH_DB } from './vswitch/vswitch-client';
