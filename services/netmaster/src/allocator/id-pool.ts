/**
 * A pool of small integer ids (VLAN ids, VXLAN VNIs, group ids): one store key
 * per id in use, taken with a create-if-absent condition inside the
 * transaction that creates the owning object. The pool only picks candidates:
 * the lowest id in the range that the mirror does not show as taken and no
 * concurrent request of this process is trying right now. The ids in use are
 * kept as a set, updated by the mirror, so picking one does not re-read the
 * mirror's keys.
 */
import type { Span } from '@contiv/model';
import type { Catalog } from '../core/catalog';
import type { MirrorEntry, MirrorListener } from '../core/store-mirror';
import { observeAllocationChange, observeAllocationFailure, type AllocationKind } from '../metrics';

export class IdPool implements MirrorListener {
  private readonly inFlight = new Set<number>();
  private readonly used = new Set<number>();

  constructor(
    /** For messages: "vlan", "vxlan", "group id". */
    readonly what: string,
    readonly prefix: string,
    readonly keyOf: (id: number) => string,
    private readonly catalog: Catalog,
  ) {
    catalog.mirror.subscribe(prefix, this);
    this.onReset();
  }

  onReset(): void {
    this.used.clear();
    for (const id of this.catalog.usedIds(this.prefix)) this.used.add(id);
  }

  onChange(key: string, entry: MirrorEntry | undefined): void {
    const id = Number(key.slice(this.prefix.length));
    if (!Number.isInteger(id)) return;
    // A key that appears or goes is an allocation or a release.
    if (this.used.has(id) !== (entry !== undefined)) observeAllocationChange(this.kind, entry !== undefined);
    if (entry) this.used.add(id);
    else this.used.delete(id);
  }

  /** The metrics label of this pool. */
  private get kind(): AllocationKind {
    return this.what === 'group id' ? 'group_id' : this.what === 'vxlan' ? 'vxlan' : 'vlan';
  }

  /** Ids held in the store (per the mirror), without in-flight ones. */
  inUse(): ReadonlySet<number> {
    return this.used;
  }

  /** Takes the lowest free id of `span` for this process; undefined when none is left. */
  reserveLowest(span: Span): number | undefined {
    const used = this.inUse();
    for (let id = span.start; id <= span.end; id++) {
      if (!used.has(id) && !this.inFlight.has(id)) {
        this.inFlight.add(id);
        return id;
      }
    }
    observeAllocationFailure(this.kind, { code: 'TAG_POOL_EXHAUSTED' });
    return undefined;
  }

  /** Takes a specific id; false when it is held or being taken. */
  reserve(id: number): boolean {
    if (this.inFlight.has(id) || this.inUse().has(id)) {
      observeAllocationFailure(this.kind, { code: 'IN_USE' });
      return false;
    }
    this.inFlight.add(id);
    return true;
  }

  /** Ends a reservation (the transaction either wrote the key or failed). */
  unreserve(id: number | undefined): void {
    if (id !== undefined) this.inFlight.delete(id);
  }
}
