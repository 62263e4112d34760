import { OvsdbClient } from '../client';
import { OvsdbError } from '../errors';
import type { Logger } from '../logger';
import { noopLogger } from '../logger';
import { Replica } from '../idl/replica';
import type { Row } from '../idl/table-cache';
import { toStringMap, toUuids } from '../schema/datum';
import { tableSchema } from '../schema/schema';
import type { DatabaseSchema } from '../schema/schema';
import type { Operation } from '../txn/operations';
import type { OperationResult } from '../txn/status';
import {
  createBridgeOps,
  createPortOps,
  deleteBridgeOps,
  deletePortOps,
  setExternalIdsOps,
  updateBridgeOps,
  updatePortOps,
} from './ops';
import type { BridgeOptions, PortSpec, PortView } from './types';
import { VswitchIndex, interfaceView, optionalNumber, optionalString, stringAtoms } from './views';

export const VSWITCH_DB = 'Open_vSwitch';

/** Columns replicated per table; columns missing from an older schema are skipped. */
const MONITORED: Readonly<Record<string, readonly string[]>> = {
  Open_vSwitch: ['bridges', 'next_cfg', 'cur_cfg', 'ovs_version', 'db_version', 'datapath_types', 'iface_types', 'external_ids'],
  Bridge: ['name', 'ports', 'datapath_type', 'fail_mode', 'protocols', 'external_ids', 'other_config', 'controller'],
  Port: ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'external_ids'],
  Interface: ['name', 'type', 'options', 'ofport', 'ofport_request', 'mtu', 'mtu_request', 'error', 'external_ids'],
  Controller: ['target', 'is_connected'],
};

const MAX_ATTEMPTS = 20;

export interface VswitchClientOptions {
  /** `unix:/var/run/openvswitch/db.sock` or `tcp:host:port`. */
  endpoint: string;
  logger?: Logger;
  /** Deadline for connect + initial replica, and for each write (incl. waiting for a reconnect). Default 30 000. */
  timeoutMs?: number;
  /** Passed to OvsdbClient (echo keepalive). */
  probeIntervalMs?: number;
}

/**
 * The typed Open_vSwitch layer the agent codes against. Reads come from the
 * replica (no round trip); writes are single transactions built from the
 * replica and retried when they report try-again (a name appeared or vanished
 * concurrently, or the connection dropped), until `timeoutMs`.
 */
export class VswitchClient {
  private readonly index: VswitchIndex;

  private constructor(
    /** The lower layer, for anything not wrapped here. */
    readonly ovsdb: OvsdbClient,
    readonly replica: Replica,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {
    this.index = new VswitchIndex(replica);
  }

  static async connect(opts: VswitchClientOptions): Promise<VswitchClient> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const log = (opts.logger ?? noopLogger).child({ component: 'vswitch' });
    const ovsdb = await OvsdbClient.connect({
      endpoint: opts.endpoint,
      logger: log,
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      ...(opts.probeIntervalMs === undefined ? {} : { probeIntervalMs: opts.probeIntervalMs }),
    });
    try {
      const schema = await ovsdb.getSchema(VSWITCH_DB);
      const replica = await Replica.create({ client: ovsdb, db: VSWITCH_DB, schema, tables: monitoredColumns(schema), logger: log });
      return new VswitchClient(ovsdb, replica, log, timeoutMs);
    } catch (err) {
      await ovsdb.close();
      throw err;
    }
  }

  // ------------------------------------------------------------------ bridges

  /** Creates the bridge (with its local internal port, like ovs-vsctl add-br) or updates the given columns that differ. */
  async ensureBridge(name: string, opts: BridgeOptions = {}): Promise<void> {
    await this.write('ensureBridge', () => {
      const br = this.index.bridge(name);
      return br === undefined ? createBridgeOps(name, opts) : updateBridgeOps(br, opts);
    }, (ops) => this.log.info(ops.some((o) => o.op === 'insert') ? 'Created OVS bridge' : 'Updated OVS bridge', { bridge: name }));
  }

  /** Removes the bridge from Open_vSwitch.bridges (its ports and interfaces are garbage-collected). */
  async deleteBridge(name: string): Promise<boolean> {
    let deleted = false;
    await this.write('deleteBridge', () => {
      const br = this.index.bridge(name);
      deleted = br !== undefined;
      return br === undefined ? [] : deleteBridgeOps(br.uuid);
    });
    if (deleted) this.log.info('Deleted OVS bridge', { bridge: name });
    return deleted;
  }

  bridgeNames(): string[] {
    return this.index.bridges().map((b) => String(optionalString(b.values.name)));
  }

  bridgeExternalIds(name: string): Record<string, string> | undefined {
    const br = this.index.bridge(name);
    return br === undefined ? undefined : toStringMap(br.values.external_ids);
  }

  /** Merges `ids` into Bridge.external_ids (a mutate; other keys stay). */
  async setBridgeExternalIds(name: string, ids: Record<string, string>): Promise<void> {
    await this.write('setBridgeExternalIds', () => setExternalIdsOps('Bridge', this.requireBridge(name), ids));
  }

  // ------------------------------------------------------------------ ports

  /**
   * Adds a port with one interface of the same name in ONE transaction, or,
   * if a port of that name is already on this bridge, updates the columns the
   * spec sets that differ (omitted spec fields are left alone).
   */
  async addPort(bridge: string, spec: PortSpec): Promise<PortView> {
    validatePortSpec(spec);
    await this.write('addPort', () => {
      const br = this.requireBridge(bridge);
      const port = this.index.port(spec.name);
      if (port === undefined) return createPortOps(br.uuid, spec);
      const owner = this.index.bridgeOf(port.uuid);
      if (owner !== undefined && owner.uuid !== br.uuid) {
        throw new OvsdbError('OVSDB_CONFLICT', `Port ${spec.name} already exists on bridge ${String(optionalString(owner.values.name))}`);
      }
      return updatePortOps(port, this.interfaceOf(port, spec.name), spec);
    }, (ops) => this.log.info(ops.some((o) => o.op === 'insert') ? 'Created OVS port' : 'Updated OVS port', { bridge, port: spec.name }));
    // ovsdb-server sends the monitor update before the transact reply, so the replica has the port.
    const view = this.getPort(spec.name);
    if (view === undefined) throw new OvsdbError('OVSDB_TXN_TRY_AGAIN', `Port ${spec.name} vanished right after it was written`);
    return view;
  }

  /** Removes the port from Bridge.ports (a mutate); false if that bridge has no such port. */
  async deletePort(bridge: string, name: string): Promise<boolean> {
    let deleted = false;
    await this.write('deletePort', () => {
      const br = this.index.bridge(bridge);
      const port = this.index.port(name);
      deleted = br !== undefined && port !== undefined && toUuids(br.values.ports).includes(port.uuid);
      return deleted && br !== undefined && port !== undefined ? deletePortOps(br.uuid, port.uuid) : [];
    });
    if (deleted) this.log.info('Deleted OVS port', { bridge, port: name });
    return deleted;
  }

  getPort(name: string): PortView | undefined {
    const row = this.index.port(name);
    return row === undefined ? undefined : this.index.portView(row);
  }

  /**
   * Ports of one bridge (or all), sorted by name. Like `ovs-vsctl list-ports`,
   * a bridge's own local port (same name as the bridge) is not listed.
   */
  listPorts(bridge?: string): PortView[] {
    return this.index
      .ports()
      .map((p) => this.index.portView(p))
      .filter((p) => p.name !== p.bridge && (bridge === undefined || p.bridge === bridge))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** All ports whose Port.external_ids contain every given pair. */
  findPorts(externalIds: Record<string, string>): PortView[] {
    const wanted = Object.entries(externalIds);
    return this.listPorts().filter((p) => wanted.every(([k, v]) => p.externalIds[k] === v));
  }

  /**
   * Resolves with the interface's ofport once vswitchd assigned one (> 0);
   * rejects with OVSDB_INTERFACE_ERROR carrying Interface.error if vswitchd
   * reports one (e.g. "could not open network device x (No such device)"),
   * or OVSDB_TIMEOUT.
   */
  waitForOfport(interfaceName: string, timeoutMs: number): Promise<number> {
    return this.replica.waitFor(
      () => {
        const row = this.index.iface(interfaceName);
        if (row === undefined) return undefined;
        const view = interfaceView(row);
        if (view.ofport !== undefined && view.ofport > 0) return view.ofport;
        if (view.error !== undefined) throw new OvsdbError('OVSDB_INTERFACE_ERROR', view.error);
        return undefined;
      },
      timeoutMs,
      `an ofport for interface ${interfaceName}`,
    );
  }

  /**
   * Waits until ovs-vswitchd has applied every write committed so far
   * (ovs-vsctl's default "wait"): bumps Open_vSwitch.next_cfg and waits for
   * cur_cfg to reach it. Needs a running ovs-vswitchd.
   */
  async waitForApply(timeoutMs: number = this.timeoutMs): Promise<void> {
    const results = await this.ovsdb.transact(VSWITCH_DB, [
      { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
      { op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] },
    ]);
    const target = results[1]?.rows?.[0]?.next_cfg;
    if (typeof target !== 'number') throw new OvsdbError('OVSDB_NOT_FOUND', 'Open_vSwitch table has no row (run ovs-vsctl init)');
    await this.replica.waitFor(
      () => {
        const cur = optionalNumber(this.index.root()?.values.cur_cfg);
        return cur !== undefined && cur >= target ? true : undefined;
      },
      timeoutMs,
      `ovs-vswitchd to apply configuration ${target}`,
    );
  }

  datapathTypes(): string[] {
    return stringAtoms(this.index.root()?.values.datapath_types);
  }

  ovsVersion(): string | undefined {
    return optionalString(this.index.root()?.values.ovs_version);
  }

  /** Called after every replica change, including the rebuild after a reconnect. */
  onChange(listener: () => void): () => void {
    return this.replica.onChange(() => listener());
  }

  async close(): Promise<void> {
    await this.replica.close().catch(() => undefined);
    await this.ovsdb.close();
  }

  // ------------------------------------------------------------------ internals

  private requireBridge(name: string): Row {
    const br = this.index.bridge(name);
    if (br === undefined) throw new OvsdbError('OVSDB_NOT_FOUND', `Bridge ${name} does not exist`);
    return br;
  }

  private interfaceOf(port: Row, name: string): Row | undefined {
    const rows = toUuids(port.values.interfaces)
      .map((u) => this.replica.row('Interface', u))
      .filter((r): r is Row => r !== undefined);
    return rows.find((r) => optionalString(r.values.name) === name) ?? rows[0];
  }

  /**
   * Builds ops from the replica and commits them; on try-again waits for the
   * replica to be in sync and rebuilds. An empty op list means "nothing to do".
   */
  private async write(what: string, build: () => Operation[], onCommitted?: (ops: Operation[]) => void): Promise<readonly OperationResult[]> {
    const deadline = Date.now() + this.timeoutMs;
    let lastError: OvsdbError | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      if (!this.replica.synced) await this.replica.waitFor(() => (this.replica.synced ? true : undefined), remaining, 'the OVSDB replica to resync');
      const ops = build();
      if (ops.length === 0) return [];
      const outcome = await this.ovsdb.tryTransact(VSWITCH_DB, ops, { timeoutMs: Math.max(1, deadline - Date.now()) });
      let retry: OvsdbError | undefined;
      if (outcome.status === 'success') {
        // A row aimed at by uuid that vanished meanwhile: whatever did commit is
        // harmless (unreferenced inserts are garbage-collected); rebuild and retry.
        retry = missedRow(ops, outcome.results);
        if (retry === undefined) {
          onCommitted?.(ops);
          return outcome.results;
        }
      } else if (outcome.status === 'try-again') {
        retry = outcome.error;
      } else {
        throw outcome.error;
      }
      lastError = retry;
      this.log.debug('OVSDB write must be retried', { what, attempt, err: retry.message });
    }
    throw lastError ?? new OvsdbError('OVSDB_TIMEOUT', `${what} did not complete within ${this.timeoutMs} ms`);
  }
}

/** update/mutate ops aimed at one row by uuid must have matched it; otherwise the row vanished. */
function missedRow(ops: readonly Operation[], results: readonly OperationResult[]): OvsdbError | undefined {
  const o = ops.find((op, j) => (op.op === 'update' || op.op === 'mutate') && results[j]?.count === 0);
  if (o === undefined || (o.op !== 'update' && o.op !== 'mutate')) return undefined;
  if (o.op === 'mutate' && o.table === 'Open_vSwitch') {
    throw new OvsdbError('OVSDB_NOT_FOUND', 'The Open_vSwitch table has no row (the database was never initialised: ovs-vsctl init)');
  }
  return new OvsdbError('OVSDB_TXN_TRY_AGAIN', `${o.op} on ${o.table} matched no row (deleted concurrently)`);
}

function validatePortSpec(spec: PortSpec): void {
  const bad = (msg: string): never => {
    throw new OvsdbError('OVSDB_INVALID_ARGUMENT', `Invalid port spec for ${JSON.stringify(spec.name)}: ${msg}`);
  };
  if (typeof spec.name !== 'string' || spec.name === '') bad('name is empty');
  if (spec.tag !== undefined && (!Number.isInteger(spec.tag) || spec.tag < 0 || spec.tag > 4095)) bad('tag must be 0..4095');
  if (spec.ofportRequest !== undefined && (!Number.isInteger(spec.ofportRequest) || spec.ofportRequest < 1 || spec.ofportRequest > 65279)) {
    bad('ofportRequest must be 1..65279');
  }
  for (const t of spec.trunks ?? []) if (!Number.isInteger(t) || t < 0 || t > 4095) bad('trunks must be 0..4095');
}

function monitoredColumns(schema: DatabaseSchema): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [table, cols] of Object.entries(MONITORED)) {
    if (!schema.tables.has(table)) continue;
    const t = tableSchema(schema, table);
    out[table] = cols.filter((c) => t.columns.has(c));
  }
  for (const required of ['Open_vSwitch', 'Bridge', 'Port', 'Interface']) {
    if (out[required] === undefined) throw new OvsdbError('OVSDB_SCHEMA', `Database ${schema.name} has no ${required} table`);
  }
  return out;
}
