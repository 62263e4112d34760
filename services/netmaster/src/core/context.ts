/**
 * The pieces every netmaster operation uses, built once per store connection.
 */
import { groupIdAllocKey, groupIdAllocPrefix, KEY_PREFIX, vlanAllocKey, vlanAllocPrefix, vxlanAllocKey, vxlanAllocPrefix } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { IdPool } from '../allocator/id-pool';
import { IpAllocator } from '../allocator/ip-pool';
import { Locks } from '../util/locks';
import { Catalog } from './catalog';
import { StoreMirror } from './store-mirror';
import { StoreWriter } from './store-writer';

export interface Core {
  readonly store: Store;
  readonly mirror: StoreMirror;
  readonly catalog: Catalog;
  readonly writer: StoreWriter;
  readonly locks: Locks;
  readonly vlans: IdPool;
  readonly vxlans: IdPool;
  readonly groupIds: IdPool;
  readonly ips: IpAllocator;
  readonly log: Logger;
  readonly now: () => Date;
}

export function createCore(store: Store, log: Logger, now: () => Date = () => new Date()): Core {
  const mirror = new StoreMirror(store, KEY_PREFIX, log.child({ component: 'mirror' }));
  const catalog = new Catalog(mirror, log.child({ component: 'catalog' }));
  const writer = new StoreWriter(store, mirror);
  return {
    store,
    mirror,
    catalog,
    writer,
    locks: new Locks(),
    vlans: new IdPool('vlan', vlanAllocPrefix(), vlanAllocKey, catalog),
    vxlans: new IdPool('vxlan', vxlanAllocPrefix(), vxlanAllocKey, catalog),
    groupIds: new IdPool('group id', groupIdAllocPrefix(), groupIdAllocKey, catalog),
    ips: new IpAllocator(mirror, catalog, writer, log.child({ component: 'ipam' }), now),
    log,
    now,
  };
}

/** The `owner` of an id allocation held by a network or a group. */
export const networkOwner = (tenant: string, network: string): string => `network:${tenant}:${network}`;
export const groupOwner = (tenant: string, group: string): string => `group:${tenant}:${group}`;

/** How many times a write is retried after losing a compare-and-swap race. */
export const MAX_ATTEMPTS = 8;
