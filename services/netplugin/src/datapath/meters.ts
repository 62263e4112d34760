/**
 * MeterSync keeps the bridge's OpenFlow meters equal to the ones the
 * pipeline's flows use (egress-qos.ts `meterSpecs`: one per rate-limited
 * local endpoint, id = its ofport).
 *
 * Meters live outside the flow bundle (OVS answers OFPBFC_MSG_UNSUP to a
 * METER_MOD inside one), and the two depend on each other: a flow whose
 * meter does not exist is refused, and deleting a meter deletes the flows
 * that use it. So a run is `ensure` (add and modify) before the bundle and
 * `prune` (delete) only after it committed; `around` does the three.
 *
 * The agent owns every meter of its bridge: on its first run (and after any
 * failure or reconnect) it reads the switch's meters, so a restarted agent
 * adopts the ones its previous run left and deletes those nobody uses.
 */
import type { MeterConfig, MeterMod, MeterOperations } from '@contiv/openflow';
import { OFPMF, dropMeterMod } from '@contiv/openflow';
import type { Logger } from '@contiv/runtime';
import type { MeterSpec } from '../pipeline/features/egress-qos';

export type { MeterSpec } from '../pipeline/features/egress-qos';

export interface MeterSyncResult {
  readonly added: number;
  readonly modified: number;
  readonly deleted: number;
}

/** Whether the switch's meter is exactly `spec` (flags compared as far as they change behaviour: kbps and burst). */
export function meterMatches(have: MeterConfig, spec: MeterSpec): boolean {
  const band = have.bands[0];
  const flags = OFPMF.KBPS | OFPMF.BURST;
  return (have.flags & (flags | OFPMF.PKTPS)) === flags && have.bands.length === 1 && band?.type === 'drop' && band.rate === spec.rateKbps && band.burstSize === spec.burstKbits;
}

export class MeterSync {
  /** The switch's meters as far as we know; undefined = read them before the next change. */
  private known: Map<number, MeterConfig> | undefined;
  /** What the last `ensure` asked for (what `replay` restores). */
  private desired: ReadonlyMap<number, MeterSpec> = new Map();
  /** Changes run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: { readonly ops: MeterOperations; readonly logger?: Logger }) {}

  /** Adds the meters of `desired` the switch lacks and fixes those that differ; deletes nothing. */
  ensure(desired: ReadonlyMap<number, MeterSpec>): Promise<MeterSyncResult> {
    return this.enqueue(async () => {
      this.desired = desired;
      const known = await this.read();
      const mods: MeterMod[] = [];
      let added = 0;
      for (const spec of desired.values()) {
        const have = known.get(spec.meterId);
        if (have !== undefined && meterMatches(have, spec)) continue;
        if (have === undefined) added++;
        mods.push(dropMeterMod(have === undefined ? 'add' : 'modify', spec.meterId, spec.rateKbps, spec.burstKbits));
      }
      await this.send(mods);
      return { added, modified: mods.length - added, deleted: 0 };
    });
  }

  /** Deletes every meter of the switch that is not in `desired`: call it once no flow uses them. */
  prune(desired: ReadonlyMap<number, MeterSpec>): Promise<MeterSyncResult> {
    return this.enqueue(async () => {
      const known = await this.read();
      const mods: MeterMod[] = [...known.keys()].filter((id) => !desired.has(id)).map((meterId) => ({ command: 'delete', meterId, flags: 0, bands: [] }));
      await this.send(mods);
      return { added: 0, modified: 0, deleted: mods.length };
    });
  }

  /** `ensure`, then `install` (the flow bundle), then `prune` once it succeeded. */
  async around<T>(desired: ReadonlyMap<number, MeterSpec>, install: () => Promise<T>): Promise<T> {
    const ensured = await this.ensure(desired);
    const result = await install();
    const pruned = await this.prune(desired);
    if (ensured.added + ensured.modified + pruned.deleted > 0) this.o.logger?.info('Meters updated', { ...ensured, deleted: pruned.deleted, meters: desired.size });
    return result;
  }

  /**
   * After an OpenFlow reconnect (a restarted vswitchd has no meters): reads
   * the switch again and restores the last desired meters. Call it before
   * the flows are replayed.
   */
  replay(): Promise<MeterSyncResult> {
    this.known = undefined;
    return this.ensure(this.desired);
  }

  private async read(): Promise<Map<number, MeterConfig>> {
    this.known ??= new Map((await this.o.ops.dumpMeters()).map((m) => [m.meterId, m]));
    return this.known;
  }

  private async send(mods: readonly MeterMod[]): Promise<void> {
    if (mods.length === 0) return;
    try {
      await this.o.ops.meterMods(mods);
    } catch (err) {
      // Some may have been applied (METER_MODs are not atomic): read the switch again next time.
      this.known = undefined;
      throw err;
    }
    const known = this.known ?? new Map<number, MeterConfig>();
    for (const m of mods) {
      if (m.command === 'delete') known.delete(m.meterId);
      else known.set(m.meterId, { meterId: m.meterId, flags: m.flags, bands: m.bands });
    }
    this.known = known;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
