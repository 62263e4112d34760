/**
 * OVS's `other_config:flow-restore-wait` (ovs-vswitchd.conf.db(5)): an
 * ovs-vswitchd that starts while it is "true" neither forwards, nor flushes or
 * expires datapath flows, nor connects to controllers, until it turns false;
 * the bridge's management socket (`<bridge>.mgmt`, our OpenFlow connection)
 * still takes flows. So a restarted vswitchd passes no packet through an empty
 * or half-restored table: it waits until the agent has put its flows back.
 *
 * Who sets it: whoever restarts ovs-vswitchd, right before starting it (the
 * local cluster's `restart HOST ovs-vswitchd`, an operator following
 * docs/debugging.md "Restarting Open vSwitch"), as OVS's hot-upgrade procedure
 * has it. The agent never sets it: left "true" on a host whose agent is gone,
 * the next vswitchd start would keep every bridge of the host dark, the
 * underlay included.
 *
 * Who clears it: the agent, after the first reconcile that follows each
 * OpenFlow (re)connect: the replay of its cached flows after a reconnect, or
 * its first full reconcile after it starts (a vswitchd restarted while the
 * agent was down). Running vswitchds read the value only until it is first
 * false, so clearing it on every connect is harmless. If that reconcile does
 * not come within FLOW_RESTORE_GIVE_UP_MS (the store is away, and a fresh agent
 * has no flows to replay), the agent clears it anyway: the host's other
 * bridges, and the way to the store, may go through this vswitchd.
 */
import type { OperationResult, Operation } from '@contiv/ovsdb-client';
import { ovsSet, toStringMap, VSWITCH_DB } from '@contiv/ovsdb-client';
import type { Logger } from '@contiv/runtime';
import { errorMessage } from '../errors';

export const FLOW_RESTORE_WAIT = 'flow-restore-wait';
/** How long a pending restore may keep vswitchd from forwarding before the agent lets it go. */
export const FLOW_RESTORE_GIVE_UP_MS = 15_000;
const RETRY_MS = 1_000;

export interface FlowRestoreWaitOps {
  /** Removes other_config:flow-restore-wait; resolves whether it was "true". */
  clear(): Promise<boolean>;
}

/** The one transaction: read the Open_vSwitch row's other_config and delete the key. */
export function clearFlowRestoreWaitOps(): Operation[] {
  return [
    { op: 'select', table: 'Open_vSwitch', where: [], columns: ['other_config'] },
    { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['other_config', 'delete', ovsSet([FLOW_RESTORE_WAIT])]] },
  ];
}

/** FlowRestoreWaitOps over an OVSDB connection (VswitchClient.ovsdb). */
export function ovsdbFlowRestoreWait(ovsdb: { transact(db: string, ops: readonly Operation[]): Promise<readonly OperationResult[]> }): FlowRestoreWaitOps {
  return {
    async clear() {
      const [selected] = await ovsdb.transact(VSWITCH_DB, clearFlowRestoreWaitOps());
      const row = selected?.rows?.[0];
      return row !== undefined && toStringMap(row['other_config'])[FLOW_RESTORE_WAIT] === 'true';
    },
  };
}

export interface FlowRestoreWaitOptions {
  readonly ops: FlowRestoreWaitOps;
  readonly log: Logger;
  readonly giveUpMs?: number;
  readonly retryMs?: number;
}

/**
 * The agent's side: `begin()` on every OpenFlow (re)connect, `restored()`
 * once the bridge holds the agent's flows again. Never throws; a failed clear
 * (OVSDB away) is retried.
 */
export class FlowRestoreWait {
  private pendingSince: string | undefined;
  private giveUp: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: FlowRestoreWaitOptions) {}

  /** True between begin() and a successful clear. */
  get pending(): boolean {
    return this.pendingSince !== undefined;
  }

  /** The bridge may have lost its flows (`why`: agent start, reconnect): clear flow-restore-wait once they are back. */
  begin(why: string): void {
    if (this.stopped) return;
    this.pendingSince = why;
    if (this.giveUp) clearTimeout(this.giveUp);
    this.giveUp = setTimeout(() => {
      this.giveUp = undefined;
      void this.clear(`no reconcile within ${Math.round((this.o.giveUpMs ?? FLOW_RESTORE_GIVE_UP_MS) / 1000)} s of the ${why} (is the cluster store reachable?)`, true);
    }, this.o.giveUpMs ?? FLOW_RESTORE_GIVE_UP_MS);
    this.giveUp.unref();
  }

  /** The bridge holds the agent's flows again (`what` says how, for the log). */
  async restored(what: string): Promise<void> {
    if (!this.pending) return;
    await this.clear(what, false);
  }

  stop(): void {
    this.stopped = true;
    if (this.giveUp) clearTimeout(this.giveUp);
    if (this.retry) clearTimeout(this.retry);
  }

  private async clear(what: string, gaveUp: boolean): Promise<void> {
    if (this.stopped || !this.pending) return;
    const why = this.pendingSince;
    if (this.giveUp) clearTimeout(this.giveUp);
    this.giveUp = undefined;
    try {
      const wasSet = await this.o.ops.clear();
      if (this.pendingSince === why) this.pendingSince = undefined;
      if (wasSet && gaveUp) this.o.log.warn('Cleared flow-restore-wait without our flows: ovs-vswitchd forwards again', { after: why, reason: what });
      else if (wasSet) this.o.log.info('Flows restored; cleared flow-restore-wait: ovs-vswitchd forwards again', { after: why, restored: what });
    } catch (err) {
      this.o.log.warn('Could not clear flow-restore-wait; retrying', { retryInMs: this.o.retryMs ?? RETRY_MS, err: errorMessage(err) });
      if (this.retry) clearTimeout(this.retry);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        void this.clear(what, gaveUp);
      }, this.o.retryMs ?? RETRY_MS);
      this.retry.unref();
    }
  }
}
