/**
 * The global object: created on first start, changed through REST (Contiv's
 * GlobalUpdate rules), mirrored into GlobalState for the agents.
 */
import {
  DEFAULT_GLOBAL,
  DEFAULT_TENANT,
  formatIdSpans,
  GLOBAL_KEY,
  globalStateCodec,
  globalStateKey,
  objectKey,
  parseIdSpan,
  spansFromSorted,
  tenantKey,
  type GlobalConfig,
  type GlobalState,
} from '@contiv/model';
import { NetmasterError } from '../errors';
import type { IdPool } from '../allocator/id-pool';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, put, unchanged } from './store-writer';

export function globalStateOf(g: GlobalConfig): GlobalState {
  return {
    networkInfraType: (g.networkInfraType || 'default') as GlobalState['networkInfraType'],
    fwdMode: (g.fwdMode || 'bridge') as GlobalState['fwdMode'],
    arpMode: (g.arpMode || 'proxy') as GlobalState['arpMode'],
    vlans: g.vlans,
    vxlans: g.vxlans,
    pvtSubnet: g.pvtSubnet,
  };
}

export class GlobalService {
  constructor(private readonly core: Core) {}

  /**
   * Creates the default tenant and the global object if they are missing, and
   * the global state if only that is missing. Idempotent: run at every start
   * (existing settings are never reset, unlike Contiv).
   */
  async bootstrap(): Promise<void> {
    const objKey = objectKey(OBJECT_TYPES.global, GLOBAL_KEY);
    const stateKey = globalStateKey();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = this.core.catalog.global();
      const haveState = this.core.mirror.get(stateKey) !== undefined;
      if (cur && haveState) break;
      const cfg = cur?.value ?? { ...DEFAULT_GLOBAL };
      const conditions = [cur ? unchanged(objKey, cur.modRevision) : absent(objKey), absent(stateKey)];
      const ops = [...(cur ? [] : [put(objKey, JSON.stringify(cfg))]), put(stateKey, globalStateCodec.encode(globalStateOf(cfg)))];
      if (await this.core.writer.txn(conditions, ops)) {
        this.core.log.info('Created the global configuration', { ...cfg });
        break;
      }
      await this.core.writer.refresh([objKey, stateKey]);
    }
    const tenantObj = objectKey(OBJECT_TYPES.tenant, tenantKey(DEFAULT_TENANT));
    if (!this.core.catalog.tenant(DEFAULT_TENANT)) {
      if (await this.core.writer.txn([absent(tenantObj)], [put(tenantObj, JSON.stringify({ tenantName: DEFAULT_TENANT }))])) {
        this.core.log.info('Created the default tenant', { tenant: DEFAULT_TENANT });
      } else {
        await this.core.writer.refresh([tenantObj]);
      }
    }
  }

  /**
   * Applies a new global object. Refused while networks exist for fwdMode or
   * pvtSubnet changes, and when ids in use would fall outside new ranges.
   */
  async update(cfg: GlobalConfig, requestId?: string): Promise<GlobalConfig> {
    return this.core.locks.config.write(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const cur = this.core.catalog.global();
        if (!cur) throw new NetmasterError('NOT_LEADER', 'netmaster is starting: the global configuration is not loaded yet');
        this.checkChange(cur.value, cfg);
        const state = this.core.mirror.get(globalStateKey());
        const conditions = [unchanged(cur.key, cur.modRevision), state ? unchanged(state.key, state.modRevision) : absent(globalStateKey())];
        const ops = [put(cur.key, JSON.stringify(cfg)), put(globalStateKey(), globalStateCodec.encode(globalStateOf(cfg)))];
        if (await this.core.writer.txn(conditions, ops)) {
          this.core.log.info('Updated the global configuration', { ...cfg, requestId });
          return cfg;
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `global: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  private checkChange(cur: GlobalConfig, next: GlobalConfig): void {
    const vlansInUse = this.core.vlans.inUse();
    const vxlansInUse = this.core.vxlans.inUse();
    const networks = this.core.catalog.networks().length;
    if ((cur.fwdMode || 'bridge') !== (next.fwdMode || 'bridge') && networks > 0) {
      throw new NetmasterError('IN_USE', `Unable to update forwarding mode due to existing ${vlansInUse.size} vlans and ${vxlansInUse.size} vxlans`);
    }
    if (cur.pvtSubnet !== next.pvtSubnet && networks > 0) {
      throw new NetmasterError('IN_USE', `Unable to update private subnet due to existing ${networks} networks`);
    }
    this.checkRange(this.core.vlans, next.vlans);
    this.checkRange(this.core.vxlans, next.vxlans);
  }

  private checkRange(pool: IdPool, text: string): void {
    const span = parseIdSpan(text);
    if (!span) throw new NetmasterError('INVALID_ARGUMENT', `${pool.what}s range ${text} is invalid`);
    const outside = [...pool.inUse()].filter((id) => id < span.start || id > span.end).sort((a, b) => a - b);
    if (outside.length > 0) {
      throw new NetmasterError('IN_USE', `cannot update the ${pool.what} range due to existing ${pool.what}s ${formatIdSpans(spansFromSorted(outside))}`);
    }
  }
}
