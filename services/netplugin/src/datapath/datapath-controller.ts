/**
 * Keeps the bridge's datapath equal to what the cluster says: the OpenFlow
 * pipeline (through PipelineReconciler), the VXLAN tunnel ports towards every
 * peer VTEP and the VLAN uplink ports. Any change of its inputs (networks,
 * endpoint and node records, the bridge's ports and their ofports) schedules
 * one coalesced run; a run that fails is retried with backoff.
 *
 * Nothing is programmed before the store has been read once: the flows a
 * previous run left stay in the switch (fail_mode secure keeps them), so
 * containers keep talking while the agent restarts or the store is away.
 * After ovs-vswitchd restarts, the cached flows (and meters) are replayed at
 * once, then flow-restore-wait is lifted (flow-restore.ts) and the tunnel
 * neighbors warmed again.
 */
import type { VswitchClient } from '@contiv/ovsdb-client';
import type { OpenFlowBridge } from '@contiv/openflow';
import { OpenFlowBridge as Bridge } from '@contiv/openflow';
import type { Logger } from '@contiv/runtime';
import { errorMessage } from '../errors';
import { countOvsErrors, observeDatapathFailure, observeDatapathRun } from '../metrics';
import type { StateCache } from '../network/state-cache';
import { COOKIE_ROUND_MASK, COOKIE_ROUND_SHIFT, groupRound, tableNames } from '../pipeline/framework';
import type { Feature } from '../pipeline/framework';
import { meterSpecs } from '../pipeline/features/egress-qos';
import { PipelineReconciler, type ReconcileResult } from '../pipeline/reconciler';
import type { ClusterView } from './cluster-view';
import { CoalescingRunner } from './coalescing-runner';
import { buildDesiredState, type BuiltState } from './desired-state-builder';
import { FlowRestoreWait, ovsdbFlowRestoreWait } from './flow-restore';
import { EXT_FLOW_ROUND, nextFlowRound, staleRounds } from './flow-rounds';
import { MeterSync } from './meters';
import type { TunnelNeighborWarmer } from './tunnel-neighbors';
import { planTunnelPorts } from './tunnel-ports';
import { planUplinkPorts } from './uplink-ports';

export interface DatapathControllerOptions {
  readonly vswitch: VswitchClient;
  readonly cache: StateCache;
  readonly cluster: ClusterView;
  readonly bridge: string;
  /** `unix:<rundir>/<bridge>.mgmt` or `tcp:host:port`. */
  readonly openflowEndpoint: string;
  readonly hostName: string;
  readonly vtepIp: string;
  readonly iflist: readonly string[];
  readonly vxlanPort: number;
  readonly features?: readonly Feature[];
  /** Userspace datapath only: keeps OVS's tunnel neighbor cache filled (see tunnel-neighbors.ts). */
  readonly neighbors?: TunnelNeighborWarmer;
  /** Seam for tests; default: over the vswitch client's OVSDB connection. */
  readonly flowRestoreWait?: FlowRestoreWait;
  readonly log: Logger;
}

/**
 * Reconnect policy of the OpenFlow connection: a local socket, cheap to try,
 * and while vswitchd waits for us (flow-restore-wait) every moment between its
 * start and our replay is a moment without forwarding.
 */
const OPENFLOW_RECONNECT = { minBackoffMs: 50, maxBackoffMs: 200 } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class DatapathController {
  private of: OpenFlowBridge | undefined;
  private reconciler: PipelineReconciler | undefined;
  private meters: MeterSync | undefined;
  private round = 0;
  private readonly runner = new CoalescingRunner(() => this.runOnce());
  private staleCleaned = false;
  /** A full reconcile has succeeded in this run (the reconciler's cache is the bridge's flows). */
  private reconciledOnce = false;
  /** A replay after a reconnect is under way: a reconcile meanwhile sends only differences, so it restores nothing. */
  private replaying = false;
  private readonly restoreWait: FlowRestoreWait;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 500;
  private stopped = false;
  private lastSummary = '';
  /** ofport -> network key of the local endpoints last programmed. */
  private portNetworks: ReadonlyMap<number, string> = new Map();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly o: DatapathControllerOptions) {
    this.restoreWait = o.flowRestoreWait ?? new FlowRestoreWait({ ops: ovsdbFlowRestoreWait(o.vswitch.ovsdb), log: o.log });
  }

  /** The OpenFlow connection, once up (the DNS responder shares it). */
  get openflow(): OpenFlowBridge | undefined {
    return this.of;
  }

  /**
   * Connects to the bridge's OpenFlow endpoint (retrying until it answers:
   * vswitchd creates the socket just after the bridge), takes a new cookie
   * round and starts following the inputs.
   */
  async start(): Promise<void> {
    const log = this.o.log;
    const of = await this.connect();
    if (of === undefined) return;
    this.of = of;
    this.round = nextFlowRound(this.o.vswitch.bridgeExternalIds(this.o.bridge));
    await this.o.vswitch.setBridgeExternalIds(this.o.bridge, { [EXT_FLOW_ROUND]: String(this.round) });
    this.reconciler = new PipelineReconciler({ bridge: of, round: this.round, ...(this.o.features ? { features: this.o.features } : {}), logger: log });
    const meters = new MeterSync({ ops: of, logger: log });
    this.meters = meters;
    await this.nameTables(of);
    this.unsubscribe.push(of.onReconnect(() => void this.onReconnect(of, meters)));
    this.restoreWait.begin('agent start');
    const trigger = (): void => void this.sync();
    this.o.cache.onChange(trigger);
    this.o.cluster.onChange(trigger);
    this.unsubscribe.push(this.o.vswitch.onChange(trigger));
    log.info('Datapath controller started', { bridge: this.o.bridge, openflow: this.o.openflowEndpoint, flowRound: this.round, vxlanPort: this.o.vxlanPort, uplinks: this.o.iflist });
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.restoreWait.stop();
    for (const u of this.unsubscribe) u();
    this.o.neighbors?.stop();
    await this.runner.idle();
    this.of?.close();
  }

  /**
   * Brings the datapath up to date with everything known now; resolves when a
   * run that started after this call is done. Never rejects: a failed run is
   * logged and retried in the background.
   */
  async sync(): Promise<void> {
    if (this.stopped || this.reconciler === undefined) return;
    await this.runner.run().catch(() => undefined);
  }

  /** The network of a local endpoint's port, as last programmed (the DNS responder's scope). */
  networkOfPort(ofport: number): string | undefined {
    return this.portNetworks.get(ofport);
  }

  /** Flows the pipeline has installed (for logs and tests). */
  installedFlowCount(): number {
    return this.reconciler?.installedFlowCount() ?? 0;
  }

  private async connect(): Promise<OpenFlowBridge | undefined> {
    for (let backoff = 200; !this.stopped; backoff = Math.min(backoff * 2, 5_000)) {
      try {
        // missSendLen: packet-ins (DNS) reach a connection to the mgmt socket only when asked for.
        const of = await Bridge.connect({ endpoint: this.o.openflowEndpoint, logger: this.o.log.child({ component: 'openflow' }), missSendLen: 0xffff, reconnect: OPENFLOW_RECONNECT });
        return countOvsErrors(of, 'openflow');
      } catch (err) {
        this.o.log.warn('Cannot connect to the bridge over OpenFlow; retrying', { endpoint: this.o.openflowEndpoint, retryInMs: backoff, err: errorMessage(err) });
        await sleep(backoff);
      }
    }
    return undefined;
  }

  /**
   * A restarted ovs-vswitchd has no flows and no meters: put back what the
   * cache says is installed (meters first: a flow whose meter is missing is
   * refused, and with it the whole replay), then let vswitchd forward again.
   * Before the first full reconcile of this run the cache is empty: the first
   * reconcile restores instead (runOnce).
   */
  private async onReconnect(of: OpenFlowBridge, meters: MeterSync): Promise<void> {
    const log = this.o.log;
    log.warn('OpenFlow connection to the bridge re-established; replaying the pipeline (a restarted ovs-vswitchd has no flows)');
    this.restoreWait.begin('OpenFlow reconnect');
    this.replaying = true;
    const t0 = Date.now();
    try {
      await meters.replay();
    } catch (err) {
      log.error('Replaying the meters failed', { err: errorMessage(err) });
    }
    try {
      const flows = (await this.reconciler?.replay()) ?? 0;
      this.replaying = false;
      if (this.reconciledOnce) await this.restoreWait.restored(`${flows} flows replayed in ${Date.now() - t0} ms`);
    } catch (err) {
      // `replaying` stays set: a reconcile cannot restore what the cache wrongly holds installed; the
      // next reconnect replays again, or flow-restore-wait is given up on (flow-restore.ts).
      log.error('Replaying the pipeline failed', { err: errorMessage(err) });
    }
    // The restarted vswitchd's tunnel neighbor cache is empty too (after the clear: the pings go out through OVS).
    void this.o.neighbors?.refresh();
    // Cosmetic, so after what forwards packets (vswitchd answers a TABLE_FEATURES request slowly).
    void this.nameTables(of);
  }

  /** Names the tables for `ovs-ofctl --names`; cosmetic, so a failure is only logged. */
  private async nameTables(of: OpenFlowBridge): Promise<void> {
    await of.setTableNames(tableNames()).catch((err: unknown) => this.o.log.debug('Could not name the OpenFlow tables', { err: errorMessage(err) }));
  }

  private ready(): boolean {
    return this.o.cache.isSynced() && this.o.cluster.isSynced();
  }

  private inputs(): BuiltState {
    return buildDesiredState({
      hostName: this.o.hostName,
      vtepIp: this.o.vtepIp,
      networks: this.o.cache.allNetworks(),
      groups: this.o.cache.allGroups(),
      rules: this.o.cache.allRules(),
      services: this.o.cache.allServiceLbs(),
      endpoints: this.o.cluster.endpoints(),
      nodes: this.o.cluster.nodes(),
      ports: this.o.vswitch.listPorts(this.o.bridge),
      uplinks: this.o.iflist,
    });
  }

  private async runOnce(): Promise<void> {
    const reconciler = this.reconciler;
    const meters = this.meters;
    if (this.stopped || reconciler === undefined || meters === undefined || !this.ready()) return;
    const started = performance.now();
    try {
      const built = await this.ensurePorts(this.inputs());
      void this.o.neighbors?.update(built.tunnelPeers);
      // The flows' meters exist before the bundle and go only after it (datapath/meters.ts).
      const result = await meters.around(meterSpecs(built.state), () => reconciler.reconcile(built.state));
      this.portNetworks = new Map(built.state.localEndpoints.map((e) => [e.ofport, e.network]));
      this.report(built, result);
      const s = built.state;
      observeDatapathRun({ seconds: (performance.now() - started) / 1000, localEndpoints: s.localEndpoints.length, remoteEndpoints: s.remoteEndpoints.length, ...result });
      this.reconciledOnce = true;
      // The first full reconcile of this run restores the flows (a replay after a reconnect restores them itself).
      if (this.restoreWait.pending && !this.replaying) await this.restoreWait.restored(`reconcile: ${result.total} flows`);
      if (!this.staleCleaned) await this.deleteStaleRounds();
      this.retryMs = 500;
    } catch (err) {
      observeDatapathFailure((performance.now() - started) / 1000);
      this.o.log.warn('Programming the datapath failed; retrying', { retryInMs: this.retryMs, err: errorMessage(err) });
      this.scheduleRetry();
      throw err;
    }
  }

  /** Tunnel and uplink ports first; returns the inputs again if ports changed (new ofports come with the next OVSDB update). */
  private async ensurePorts(built: BuiltState): Promise<BuiltState> {
    const vs = this.o.vswitch;
    const ports = vs.listPorts(this.o.bridge);
    const tunnels = planTunnelPorts(built.tunnelPeers, ports, this.o.vxlanPort);
    const uplinks = planUplinkPorts(this.o.iflist, ports);
    const changes = tunnels.ensure.length + tunnels.remove.length + uplinks.ensure.length + uplinks.remove.length;
    if (changes === 0) return built;
    for (const spec of [...tunnels.ensure, ...uplinks.ensure]) await vs.addPort(this.o.bridge, spec);
    for (const name of [...tunnels.remove, ...uplinks.remove]) await vs.deletePort(this.o.bridge, name);
    this.o.log.info('Datapath ports updated', {
      tunnelsAdded: tunnels.ensure.map((s) => `${s.name}->${s.options?.remote_ip ?? ''}`),
      tunnelsRemoved: tunnels.remove,
      uplinksAdded: uplinks.ensure.map((s) => s.name),
      uplinksRemoved: uplinks.remove,
    });
    return this.inputs();
  }

  /** After the first full reconcile of this run: flows of earlier rounds are leftovers. */
  private async deleteStaleRounds(): Promise<void> {
    const of = this.of;
    if (of === undefined) return;
    const rounds = staleRounds(await of.dumpFlows(), this.round);
    for (const r of rounds) await of.deleteAll({ cookie: BigInt(r) << COOKIE_ROUND_SHIFT, cookieMask: COOKIE_ROUND_MASK });
    // serviceLB's select groups carry the round in their id (pipeline/framework.ts makeGroupId); the flows using old ones are gone now.
    const staleGroups = (await of.dumpGroups()).filter((g) => groupRound(g.groupId) !== (this.round & 0x7fff));
    if (staleGroups.length > 0) {
      await of.bundle({ groups: staleGroups.map((g) => ({ command: 'delete', groupId: g.groupId, groupType: g.groupType, buckets: [] })) });
      this.o.log.info('Deleted the groups of earlier agent runs', { groups: staleGroups.length, currentRound: this.round });
    }
    this.staleCleaned = true;
    if (rounds.length > 0) this.o.log.info('Deleted the flows of earlier agent runs', { rounds, currentRound: this.round });
  }

  private report(built: BuiltState, result: ReconcileResult): void {
    const s = built.state;
    const summary = `${s.networks.length}/${s.localEndpoints.length}/${s.remoteEndpoints.length}/${s.remoteHosts.map((h) => `${h.host}:${h.tunnelOfport ?? '-'}`).join(',')}/${s.uplinkOfports.join(',')}`;
    const changed = result.adds + result.modifies + result.deletes > 0;
    if (changed || summary !== this.lastSummary) {
      this.o.log.info('Datapath programmed', {
        networks: s.networks.length,
        localEndpoints: s.localEndpoints.length,
        remoteEndpoints: s.remoteEndpoints.length,
        remoteHosts: s.remoteHosts.map((h) => ({ host: h.host, vtep: h.vtepIp, ofport: h.tunnelOfport })),
        uplinkOfports: s.uplinkOfports,
        flows: { adds: result.adds, modifies: result.modifies, deletes: result.deletes, total: result.total },
      });
      if (built.skipped.length > 0) this.o.log.debug('Left out of the datapath', { skipped: built.skipped });
    }
    this.lastSummary = summary;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const ms = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.sync();
    }, ms);
    this.retryTimer.unref();
  }
}
