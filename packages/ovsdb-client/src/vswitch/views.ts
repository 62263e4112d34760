import { optionalAtom, toAtoms, toStringMap, toUuids } from '../schema/datum';
import type { Atom, Datum } from '../schema/datum';
import type { Replica } from '../idl/replica';
import type { Row } from '../idl/table-cache';
import type { InterfaceView, PortView } from './types';

export function stringValue(d: Datum | undefined): string {
  const a = d === undefined ? undefined : optionalAtom(d);
  return typeof a === 'string' ? a : '';
}

export function optionalNumber(d: Datum | undefined): number | undefined {
  const a: Atom | undefined = optionalAtom(d);
  if (typeof a === 'number') return a;
  if (typeof a === 'bigint') return Number(a);
  return undefined;
}

export function optionalString(d: Datum | undefined): string | undefined {
  const a = optionalAtom(d);
  return typeof a === 'string' ? a : undefined;
}

/**
 * Name-keyed views over the replica, rebuilt lazily when its seqno moves.
 * Bridge/Port/Interface names are unique (schema indexes).
 */
export class VswitchIndex {
  private builtAt = -1;
  private bridgesByName = new Map<string, Row>();
  private portsByName = new Map<string, Row>();
  private ifacesByName = new Map<string, Row>();
  private bridgeOfPort = new Map<string, Row>();

  constructor(private readonly replica: Replica) {}

  bridge(name: string): Row | undefined {
    return this.refresh().bridgesByName.get(name);
  }

  bridges(): Row[] {
    return [...this.refresh().bridgesByName.values()];
  }

  port(name: string): Row | undefined {
    return this.refresh().portsByName.get(name);
  }

  ports(): Row[] {
    return [...this.refresh().portsByName.values()];
  }

  iface(name: string): Row | undefined {
    return this.refresh().ifacesByName.get(name);
  }

  bridgeOf(portUuid: string): Row | undefined {
    return this.refresh().bridgeOfPort.get(portUuid);
  }

  /** The single Open_vSwitch row, if the database was initialised. */
  root(): Row | undefined {
    return this.replica.rows('Open_vSwitch').values().next().value;
  }

  portView(row: Row): PortView {
    const interfaces: InterfaceView[] = [];
    for (const u of toUuids(row.values.interfaces)) {
      const i = this.replica.row('Interface', u);
      if (i !== undefined) interfaces.push(interfaceView(i));
    }
    const tag = optionalNumber(row.values.tag);
    return {
      uuid: row.uuid,
      name: stringValue(row.values.name),
      bridge: optionalString(this.bridgeOf(row.uuid)?.values.name),
      tag,
      externalIds: toStringMap(row.values.external_ids),
      interfaces,
    };
  }

  private refresh(): this {
    if (this.builtAt === this.replica.seqno) return this;
    this.bridgesByName = byName(this.replica.rows('Bridge'));
    this.portsByName = byName(this.replica.rows('Port'));
    this.ifacesByName = byName(this.replica.rows('Interface'));
    this.bridgeOfPort = new Map();
    for (const b of this.bridgesByName.values()) for (const p of toUuids(b.values.ports)) this.bridgeOfPort.set(p, b);
    this.builtAt = this.replica.seqno;
    return this;
  }
}

function byName(rows: ReadonlyMap<string, Row>): Map<string, Row> {
  const m = new Map<string, Row>();
  for (const r of rows.values()) m.set(stringValue(r.values.name), r);
  return m;
}

export function interfaceView(row: Row): InterfaceView {
  const error = optionalString(row.values.error);
  return {
    uuid: row.uuid,
    name: stringValue(row.values.name),
    type: stringValue(row.values.type),
    ofport: optionalNumber(row.values.ofport),
    options: toStringMap(row.values.options),
    externalIds: toStringMap(row.values.external_ids),
    error: error === '' ? undefined : error,
    mtu: optionalNumber(row.values.mtu),
  };
}

export function stringAtoms(d: Datum | undefined): string[] {
  return d === undefined ? [] : toAtoms(d).filter((a): a is string => typeof a === 'string');
}
