/**
 * Builds an action list fluently: `a.setField('tunnel_id', 5000n).output(4)`.
 * An empty list means drop.
 */
import { OpenFlowError } from '../errors';
import type { Action, Subfield } from '../codec/actions';
import { OFPCML_NO_BUFFER, OFPP } from '../codec/constants';
import type { FieldName } from '../codec/fields';
import { OFPVID_PRESENT, fieldDef, isFieldName } from '../codec/fields';
import type { FieldInput } from './values';
import { fieldValue } from './values';
import type { RegField, RegMark } from './reg-field';
import { isRegField, regSubfield } from './reg-field';

/** A whole field (`'eth_src'`), a bit range of one, or a RegField. */
export type SubfieldSpec = FieldName | Subfield | RegField;

export function toSubfield(spec: SubfieldSpec): Subfield {
  if (typeof spec === 'string') {
    if (!isFieldName(spec)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Unknown field ${JSON.stringify(spec)}`);
    return { field: spec, ofs: 0, nBits: fieldDef(spec).bits };
  }
  if (isRegField(spec)) return regSubfield(spec);
  return spec;
}

export interface CtOptions {
  readonly commit?: boolean;
  readonly force?: boolean;
  /** An immediate zone, or a field to take it from. */
  readonly zone?: number | SubfieldSpec;
  /** Recirculate to this table with ct_* fields filled in. */
  readonly table?: number;
  readonly alg?: number;
  /** Actions applied on commit (`exec(...)`), e.g. setting ct_mark. */
  readonly actions?: (a: ActionBuilder) => ActionBuilder;
  /**
   * NAT: `true` applies the translation of the packet's committed connection
   * (`ct(nat)`: replies un-NATed, later packets translated like the first);
   * an object sets up a new one on commit (`nat(dst=10.1.1.10:8080)`).
   */
  readonly nat?: true | CtNat;
}

/** A new translation: to `ip` (dotted quad) and, if given, `port`. */
export interface CtNat {
  readonly kind: 'src' | 'dst';
  readonly ip: string;
  readonly port?: number;
}

function natAction(n: CtNat): Action {
  const ip = fieldValue('ipv4_dst', n.ip).value;
  if (n.port !== undefined && (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `NAT port ${n.port} is not 1..65535`);
  return { type: 'nat', kind: n.kind, ipv4Min: Number(ip), ...(n.port !== undefined ? { portMin: n.port } : {}) };
}

export class ActionBuilder {
  private readonly list: Action[] = [];

  /** Appends a prepared action. */
  action(a: Action): this {
    this.list.push(a);
    return this;
  }

  output(port: number, maxLen?: number): this {
    return this.action(maxLen === undefined ? { type: 'output', port } : { type: 'output', port, maxLen });
  }
  /** Back out of the port the packet came in on (`IN_PORT`). */
  inPort(): this {
    return this.output(OFPP.IN_PORT);
  }
  normal(): this {
    return this.output(OFPP.NORMAL);
  }
  local(): this {
    return this.output(OFPP.LOCAL);
  }
  flood(): this {
    return this.output(OFPP.FLOOD);
  }
  controller(maxLen = OFPCML_NO_BUFFER): this {
    return this.output(OFPP.CONTROLLER, maxLen);
  }
  group(groupId: number): this {
    return this.action({ type: 'group', groupId });
  }
  pushVlan(ethertype = 0x8100): this {
    return this.action({ type: 'push_vlan', ethertype });
  }
  popVlan(): this {
    return this.action({ type: 'pop_vlan' });
  }
  /** set_field vlan_vid (OFPVID_PRESENT added); the frame must carry a tag (pushVlan first). */
  setVlanVid(vid: number): this {
    if (!Number.isInteger(vid) || vid < 0 || vid > 4095) throw new OpenFlowError('OF_INVALID_ARGUMENT', `VLAN id ${vid} is not 0..4095`);
    return this.action({ type: 'set_field', field: 'vlan_vid', value: BigInt(OFPVID_PRESENT | vid) });
  }
  /** OFPAT_SET_FIELD; with a mask it goes out as NXAST_REG_LOAD2 (OpenFlow 1.3's set_field has none). */
  setField(field: FieldName, value: FieldInput, mask?: FieldInput): this {
    const v = fieldValue(field, value, mask);
    return this.action(v.mask === undefined ? { type: 'set_field', field, value: v.value } : { type: 'set_field', field, value: v.value & v.mask, mask: v.mask });
  }
  /** NXAST_REG_LOAD into a field or bit range (`load:value->dst`). */
  load(dst: SubfieldSpec, value: bigint | number): this {
    return this.action({ type: 'load', dst: toSubfield(dst), value: BigInt(value) });
  }
  loadRegMark(mark: RegMark): this {
    return this.load(mark.field, mark.value);
  }
  /** NXAST_REG_MOVE: copies src bits to dst (`move:src->dst`), e.g. eth_src to eth_dst. */
  move(src: SubfieldSpec, dst: SubfieldSpec): this {
    return this.action({ type: 'move', src: toSubfield(src), dst: toSubfield(dst) });
  }
  /** NXAST_RESUBMIT_TABLE: continue in `table` and come back (`resubmit(,table)`). */
  resubmit(table?: number, inPort?: number): this {
    return this.action({ type: 'resubmit', ...(table !== undefined ? { table } : {}), ...(inPort !== undefined ? { inPort } : {}) });
  }
  ct(opts: CtOptions = {}): this {
    const nat: Action[] = opts.nat === undefined ? [] : [opts.nat === true ? { type: 'nat' } : natAction(opts.nat)];
    const sub = [...nat, ...(opts.actions?.(new ActionBuilder()).build() ?? [])];
    const zone = opts.zone === undefined ? {} : typeof opts.zone === 'number' ? { zone: opts.zone } : { zoneSrc: toSubfield(opts.zone) };
    return this.action({
      type: 'ct',
      ...(opts.commit === true ? { commit: true } : {}),
      ...(opts.force === true ? { force: true } : {}),
      ...zone,
      ...(opts.table !== undefined ? { table: opts.table } : {}),
      ...(opts.alg !== undefined ? { alg: opts.alg } : {}),
      ...(sub.length > 0 ? { actions: sub } : {}),
    });
  }
  ctClear(): this {
    return this.action({ type: 'ct_clear' });
  }
  /** `conjunction(id, clause/nClauses)`, clause counted from 1. */
  conjunction(id: number, clause: number, nClauses: number): this {
    return this.action({ type: 'conjunction', id, clause, nClauses });
  }
  decTtl(): this {
    return this.action({ type: 'dec_ttl' });
  }
  setQueue(queueId: number): this {
    return this.action({ type: 'set_queue', queueId });
  }
  note(data: Buffer | string): this {
    return this.action({ type: 'note', data: typeof data === 'string' ? Buffer.from(data) : data });
  }

  build(): Action[] {
    return [...this.list];
  }
}

/** Builds an action list with a callback: `actions((a) => a.output(4))`. */
export function actions(fn: (a: ActionBuilder) => ActionBuilder): Action[] {
  return fn(new ActionBuilder()).build();
}
