/**
 * The fluent flow builder (Antrea's FlowBuilder):
 *
 *   flow(table, priority).cookie(c)
 *     .match((m) => m.inPort(3).ip().ipv4Dst('10.1.1.2'))
 *     .actions((a) => a.setField('tunnel_id', 5000n).output(4))
 *     .gotoTable(next)
 *     .build()
 *
 * `actions` is the apply-actions instruction; `meter`, `writeActions`,
 * `clearActions`, `writeMetadata` and `gotoTable` add the other
 * instructions. No actions and no goto = drop.
 */
import { OpenFlowError } from '../errors';
import { OFPFF, OFPM } from '../codec/constants';
import type { Instruction } from '../codec/instructions';
import type { Match } from '../codec/oxm';
import { normalizeMatch } from '../codec/oxm';
import type { Flow } from '../flow';
import { ActionBuilder } from './action-builder';
import { MatchBuilder } from './match-builder';

function checkU(v: number, bits: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new OpenFlowError('OF_INVALID_ARGUMENT', `${what} ${v} is not a ${bits}-bit unsigned integer`);
  return v;
}

export class FlowBuilder {
  private cookieValue = 0n;
  private idle = 0;
  private hard = 0;
  private flagBits = 0;
  private matchValue: Match = [];
  private apply: ActionBuilder | undefined;
  private write: ActionBuilder | undefined;
  private clear = false;
  private metadata: { value: bigint; mask: bigint } | undefined;
  private gotoValue: number | undefined;
  private meterValue: number | undefined;

  constructor(
    private readonly table: number,
    private readonly priority: number,
  ) {
    if (!Number.isInteger(table) || table < 0 || table > 254) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Table ${table} is not 0..254`);
    checkU(priority, 16, 'Priority');
  }

  cookie(cookie: bigint): this {
    if (cookie < 0n || cookie >= 1n << 64n) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Cookie ${cookie} is not a 64-bit value`);
    this.cookieValue = cookie;
    return this;
  }
  idleTimeout(seconds: number): this {
    this.idle = checkU(seconds, 16, 'idle_timeout');
    return this;
  }
  hardTimeout(seconds: number): this {
    this.hard = checkU(seconds, 16, 'hard_timeout');
    return this;
  }
  sendFlowRemoved(): this {
    this.flagBits |= OFPFF.SEND_FLOW_REM;
    return this;
  }
  /** Adds to the match (callable several times). */
  match(fn: (m: MatchBuilder) => MatchBuilder): this {
    const m = new MatchBuilder();
    for (const f of this.matchValue) m.field(f.field, f.value, f.mask);
    this.matchValue = fn(m).build();
    return this;
  }
  /** Uses a prepared match (replaces what was matched so far). */
  withMatch(match: Match): this {
    this.matchValue = normalizeMatch(match);
    return this;
  }
  /** Appends to the apply-actions list. */
  actions(fn: (a: ActionBuilder) => ActionBuilder): this {
    this.apply = fn(this.apply ?? new ActionBuilder());
    return this;
  }
  writeActions(fn: (a: ActionBuilder) => ActionBuilder): this {
    this.write = fn(this.write ?? new ActionBuilder());
    return this;
  }
  clearActions(): this {
    this.clear = true;
    return this;
  }
  /** write_metadata value/mask (default mask: all bits). */
  writeMetadata(value: bigint, mask = 0xffffffffffffffffn): this {
    this.metadata = { value: value & mask, mask };
    return this;
  }
  /** Sends the packet through meter `meterId` first (it must exist when the flow is added); over the rate, the meter's band decides (drop). */
  meter(meterId: number): this {
    if (!Number.isInteger(meterId) || meterId < 1 || meterId > OFPM.MAX) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Meter id ${meterId} is not 1..${OFPM.MAX}`);
    this.meterValue = meterId;
    return this;
  }
  gotoTable(table: number): this {
    if (!Number.isInteger(table) || table <= this.table || table > 254) {
      throw new OpenFlowError('OF_INVALID_ARGUMENT', `goto_table ${table} must be a later table than ${this.table} (OpenFlow only goes forward)`);
    }
    this.gotoValue = table;
    return this;
  }

  build(): Flow {
    const instructions: Instruction[] = [];
    if (this.meterValue !== undefined) instructions.push({ type: 'meter', meterId: this.meterValue });
    const apply = this.apply?.build() ?? [];
    if (apply.length > 0) instructions.push({ type: 'apply_actions', actions: apply });
    if (this.clear) instructions.push({ type: 'clear_actions' });
    if (this.write !== undefined) instructions.push({ type: 'write_actions', actions: this.write.build() });
    if (this.metadata !== undefined) instructions.push({ type: 'write_metadata', metadata: this.metadata.value, mask: this.metadata.mask });
    if (this.gotoValue !== undefined) instructions.push({ type: 'goto_table', table: this.gotoValue });
    return {
      table: this.table,
      priority: this.priority,
      cookie: this.cookieValue,
      ...(this.idle !== 0 ? { idleTimeout: this.idle } : {}),
      ...(this.hard !== 0 ? { hardTimeout: this.hard } : {}),
      ...(this.flagBits !== 0 ? { flags: this.flagBits } : {}),
      match: this.matchValue,
      instructions,
    };
  }
}

/** Starts a flow for `table` at `priority`. */
export function flow(table: number, priority: number): FlowBuilder {
  return new FlowBuilder(table, priority);
}
