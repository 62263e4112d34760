/**
 * OpenFlowBridge: FlowOperations against a real switch over an
 * OpenFlowClient, plus the group, packet-out, table-name and raw flow-mod
 * calls a pipeline needs.
 *
 * Bundles are atomic end to end. OVS applies a bundle's messages only at
 * COMMIT, but a BUNDLE_ADD it cannot decode (bad match, bad action) is
 * refused on its own and the bundle stays open, so committing regardless
 * would apply the rest. Hence two round trips: OPEN + ADDs + BARRIER; if
 * anything failed, DISCARD; else COMMIT (which OVS rolls back as a whole if
 * any message fails to apply, naming that message by its xid).
 */
import { OpenFlowError } from './errors';
import type { OperationFailure } from './errors';
import type { Logger } from './logger';
import type { OfMessage, OutgoingMessage } from './codec/message';
import type { Action } from './codec/actions';
import { OFPBF_ATOMIC, OFPBF_ORDERED, OFPM, OFPMPF_MORE, OFPTT_ALL, OFP_MAX_MESSAGE_LEN } from './codec/constants';
import type { FlowMod, FlowStats } from './codec/flow-mod';
import type { GroupDesc, GroupMod } from './codec/group-mod';
import type { MeterConfig, MeterMod } from './codec/meter-mod';
import type { MultipartReplyBody, MultipartRequestBody, PortDesc, TableFeatures } from './codec/multipart';
import { flowStatsRequest } from './codec/multipart';
import type { ConnectionEvent, OpenFlowClientOptions } from './client';
import { OpenFlowClient } from './client';
import type { Features, MessageOutcome } from './conn/connection';
import type { Flow, FlowFilter } from './flow';
import type { BundleOps, FlowOperations, MeterOperations, PlannedOp } from './operations';
import { describeOp, planBundle } from './operations';

export type OpenFlowBridgeOptions = OpenFlowClientOptions;

export interface BridgeStats {
  readonly bundlesCommitted: number;
  readonly bundlesRejected: number;
  /** FLOW_MOD / GROUP_MOD messages sent inside bundles. */
  readonly bundledMessages: number;
}

export class OpenFlowBridge implements FlowOperations, MeterOperations {
  private nextBundleId = 1;
  private readonly counters = { bundlesCommitted: 0, bundlesRejected: 0, bundledMessages: 0 };

  private constructor(
    readonly client: OpenFlowClient,
    private readonly logger: Logger | undefined,
  ) {}

  static async connect(opts: OpenFlowBridgeOptions): Promise<OpenFlowBridge> {
    return new OpenFlowBridge(await OpenFlowClient.connect(opts), opts.logger);
  }

  get features(): Features {
    return this.client.features;
  }

  get stats(): BridgeStats {
    return { ...this.counters };
  }

  /** Called after each reconnect (vswitchd restarted: its tables are empty): replay the flows here. */
  onReconnect(listener: (features: Features) => void): () => void {
    return this.client.onConnectionChange((e: ConnectionEvent) => {
      if (e.connected && e.reconnect) listener(e.features);
    });
  }

  close(): void {
    this.client.close();
  }

  async addAll(flows: readonly Flow[]): Promise<void> {
    await this.bundle({ adds: flows });
  }

  async bundle(ops: BundleOps): Promise<void> {
    const plan = planBundle(ops);
    if (plan.length === 0) return;
    const bundleId = this.nextBundleId;
    this.nextBundleId = (this.nextBundleId % 0xffffffff) + 1;
    const flags = OFPBF_ATOMIC | OFPBF_ORDERED;
    const open: OutgoingMessage = { type: 'bundle_control', bundleId, control: 'open_request', flags };
    const adds: OutgoingMessage[] = plan.map((p) => ({ type: 'bundle_add', bundleId, flags, message: { ...p.message, xid: 0 } }));
    let staged: MessageOutcome[];
    try {
      staged = await this.client.transact([open, ...adds]);
    } catch (err) {
      await this.discard(bundleId, flags);
      throw err;
    }
    const [opened, ...added] = staged;
    if (opened?.error !== undefined) {
      this.counters.bundlesRejected++;
      throw new OpenFlowError('OF_BUNDLE_REJECTED', `Bundle ${bundleId} could not be opened: ${opened.error.name}`, { ofError: opened.error });
    }
    const addFailures = failuresOf(added, plan);
    if (addFailures.length > 0) {
      await this.discard(bundleId, flags);
      this.counters.bundlesRejected++;
      throw rejected(bundleId, addFailures, plan.length);
    }
    const addXids = added.map((o) => o.xid);
    const [committed, ...late] = await this.client.transact([{ type: 'bundle_control', bundleId, control: 'commit_request', flags }], undefined, addXids);
    if (committed?.error !== undefined) {
      this.counters.bundlesRejected++;
      const failures = failuresOf(late, plan);
      throw rejected(bundleId, failures, plan.length, committed.error);
    }
    this.counters.bundlesCommitted++;
    this.counters.bundledMessages += plan.length;
    this.logger?.debug('Committed OpenFlow bundle', { bundleId, messages: plan.length });
  }

  private async discard(bundleId: number, flags: number): Promise<void> {
    try {
      await this.client.transact([{ type: 'bundle_control', bundleId, control: 'discard_request', flags }]);
    } catch (err) {
      // The bundle dies with the connection anyway (OVS drops a connection's bundles on close).
      this.logger?.debug('Could not discard OpenFlow bundle', { bundleId, err: (err as Error).message });
    }
  }

  async deleteAll(filter: FlowFilter): Promise<void> {
    await this.flowMods([
      {
        command: 'delete',
        table: filter.table ?? OFPTT_ALL,
        cookie: filter.cookie ?? 0n,
        cookieMask: filter.cookieMask ?? 0n,
        match: [],
        instructions: [],
      },
    ]);
  }

  async dumpFlows(filter: FlowFilter = {}): Promise<FlowStats[]> {
    const body = await this.multipart(flowStatsRequest({ table: filter.table ?? OFPTT_ALL, cookie: filter.cookie ?? 0n, cookieMask: filter.cookieMask ?? 0n }));
    return body.flatMap((b) => (b.mpType === 'flow' ? [...b.flows] : []));
  }

  /** FLOW_MODs outside a bundle (each applies on its own); OF_ERROR_REPLY lists the failed ones. */
  async flowMods(mods: readonly FlowMod[]): Promise<void> {
    await this.sendChecked(
      mods.map((m) => ({ type: 'flow_mod', ...m })),
      (i) => `${mods[i]?.command ?? ''} table=${mods[i]?.table ?? ''}`,
    );
  }

  /** GROUP_MODs outside a bundle; OF_ERROR_REPLY lists the failed ones. */
  async groupMods(mods: readonly GroupMod[]): Promise<void> {
    await this.sendChecked(
      mods.map((g) => ({ type: 'group_mod', ...g })),
      (i) => `group ${mods[i]?.command ?? ''} group_id=${mods[i]?.groupId ?? ''}`,
    );
  }

  /** METER_MODs outside a bundle (OVS does not bundle them); OF_ERROR_REPLY lists the failed ones. */
  async meterMods(mods: readonly MeterMod[]): Promise<void> {
    await this.sendChecked(
      mods.map((m) => ({ type: 'meter_mod', ...m })),
      (i) => `meter ${mods[i]?.command ?? ''} meter_id=${mods[i]?.meterId ?? ''}`,
    );
  }

  /** OFPMP_METER_CONFIG: the switch's meters (all, or one), in meter id order. */
  async dumpMeters(meterId: number = OFPM.ALL): Promise<MeterConfig[]> {
    const body = await this.multipart({ mpType: 'meter_config', meterId });
    return body.flatMap((b) => (b.mpType === 'meter_config' ? [...b.meters] : [])).sort((a, b) => a.meterId - b.meterId);
  }

  async dumpGroups(): Promise<GroupDesc[]> {
    const body = await this.multipart({ mpType: 'group_desc' });
    return body.flatMap((b) => (b.mpType === 'group_desc' ? [...b.groups] : []));
  }

  async dumpPorts(): Promise<PortDesc[]> {
    const body = await this.multipart({ mpType: 'port_desc' });
    return body.flatMap((b) => (b.mpType === 'port_desc' ? [...b.ports] : []));
  }

  /** Sends a frame through the pipeline (`inPort` CONTROLLER) or out of ports, per `actions`. */
  async packetOut(opts: { inPort: number; actions: readonly Action[]; data: Buffer }): Promise<void> {
    await this.sendChecked([{ type: 'packet_out', inPort: opts.inPort, actions: opts.actions, data: opts.data }], () => 'packet_out');
  }

  /**
   * Names tables so `ovs-ofctl --names dump-flows` prints `table=Name`:
   * OFPMP_TABLE_FEATURES with a body replaces the table configuration, and
   * OVS then takes the names (ofproto.c handle_table_features_change). OVS
   * wants every table listed with its max_entries unchanged and refuses to
   * add features, so we read the tables first and send them back without
   * properties. A name set in OVSDB (Flow_Table.name) cannot be overridden.
   */
  async setTableNames(names: ReadonlyMap<number, string>): Promise<void> {
    const current = (await this.multipart({ mpType: 'table_features', features: [] })).flatMap((b) => (b.mpType === 'table_features' ? [...b.features] : []));
    for (const table of names.keys()) {
      if (!current.some((t) => t.table === table)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Table ${table} does not exist on this switch`);
    }
    // OpenFlow 1.3 wants every required property in a set request; sending
    // back what the switch reported (about 5 KB a table) changes nothing but the names.
    const features: TableFeatures[] = current.map((t) => ({ ...t, name: names.get(t.table) ?? t.name }));
    const parts: TableFeatures[][] = [[]];
    let size = 16;
    for (const f of features) {
      const len = 64 + f.properties.length;
      if (size + len > OFP_MAX_MESSAGE_LEN) {
        parts.push([]);
        size = 16;
      }
      parts[parts.length - 1]?.push(f);
      size += len;
    }
    const messages: OutgoingMessage[] = parts.map((p, i) => ({
      type: 'multipart_request',
      flags: i < parts.length - 1 ? OFPMPF_MORE : 0,
      body: { mpType: 'table_features', features: p },
    }));
    const [outcome] = await this.client.transact(messages);
    if (outcome?.error !== undefined) {
      throw new OpenFlowError('OF_ERROR_REPLY', `Setting table names failed: ${outcome.error.name} (${outcome.error.description})`, { ofError: outcome.error });
    }
  }

  /** Table names as the switch reports them (empty names left out). */
  async tableNames(): Promise<Map<number, string>> {
    const body = await this.multipart({ mpType: 'table_features', features: [] });
    const out = new Map<number, string>();
    for (const b of body) if (b.mpType === 'table_features') for (const t of b.features) if (t.name !== '') out.set(t.table, t.name);
    return out;
  }

  /** One multipart request; the bodies of all its reply parts. */
  async multipart(body: MultipartRequestBody): Promise<MultipartReplyBody[]> {
    const replies = await this.client.request({ type: 'multipart_request', flags: 0, body });
    return replies.flatMap((r: OfMessage) => (r.type === 'multipart_reply' ? [r.body] : []));
  }

  private async sendChecked(messages: OutgoingMessage[], describe: (index: number) => string): Promise<MessageOutcome[]> {
    if (messages.length === 0) return [];
    const outcomes = await this.client.transact(messages);
    const failures: OperationFailure[] = [];
    outcomes.forEach((o, index) => {
      if (o.error !== undefined) failures.push({ index, operation: describe(index), error: o.error });
    });
    const first = failures[0];
    if (first !== undefined) {
      throw new OpenFlowError('OF_ERROR_REPLY', `${failures.length} of ${messages.length} messages failed; first: ${first.operation}: ${first.error.name} (${first.error.description})`, {
        ofError: first.error,
        failures,
      });
    }
    return outcomes;
  }
}

function failuresOf(outcomes: readonly MessageOutcome[], plan: readonly PlannedOp[]): OperationFailure[] {
  const out: OperationFailure[] = [];
  outcomes.forEach((o, index) => {
    const op = plan[index];
    if (o.error !== undefined) out.push({ index, operation: op !== undefined ? describeOp(op) : '?', error: o.error });
  });
  return out;
}

function rejected(bundleId: number, failures: readonly OperationFailure[], total: number, commitError?: MessageOutcome['error']): OpenFlowError {
  const first = failures[0];
  const why = first !== undefined ? `${first.operation}: ${first.error.name} (${first.error.description})` : (commitError?.name ?? 'unknown error');
  return new OpenFlowError('OF_BUNDLE_REJECTED', `Bundle ${bundleId} of ${total} messages rejected, nothing applied: ${why}`, {
    ofError: first?.error ?? commitError,
    failures,
  });
}
