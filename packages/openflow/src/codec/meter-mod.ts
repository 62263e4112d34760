/**
 * OFPT_METER_MOD (ofp13_meter_mod: command u16, flags u16, meter_id u32,
 * then bands) and the entries of an OFPMP_METER_CONFIG reply
 * (ofp13_meter_config: length u16, flags u16, meter_id u32, bands), which
 * carry the same bands. Each band is ofp13_meter_band_*: type u16, len u16,
 * rate u32, burst_size u32, then 4 type-specific bytes.
 */
import { OpenFlowError } from '../errors';
import type { Reader, Writer } from './bytes';
import type { MeterModCommand } from './constants';
import { METER_MOD_COMMANDS, OFPM, OFPMBT, OFPMF } from './constants';

/**
 * One band. `rate` is in kbit/s or packets/s (the meter's KBPS / PKTPS
 * flag), `burstSize` in kbit or packets and only used with the BURST flag.
 */
export type MeterBand =
  /** Drops what exceeds the rate. */
  | { readonly type: 'drop'; readonly rate: number; readonly burstSize: number }
  /** Raises the DSCP drop precedence of what exceeds the rate by `precLevel`. */
  | { readonly type: 'dscp_remark'; readonly rate: number; readonly burstSize: number; readonly precLevel: number }
  /** A band type we do not model (experimenter), kept so a dump still decodes. */
  | { readonly type: 'other'; readonly bandType: number; readonly rate: number; readonly burstSize: number; readonly data: Buffer };

export interface MeterMod {
  readonly command: MeterModCommand;
  /** 1..OFPM.MAX; OFPM.ALL only with delete (every meter). */
  readonly meterId: number;
  /** OFPMF_* bits (ignored by the switch on delete; send 0). */
  readonly flags: number;
  /** At least one for add and modify; none for delete. */
  readonly bands: readonly MeterBand[];
}

/** One entry of a meter-config reply: a meter as the switch holds it. */
export interface MeterConfig {
  readonly meterId: number;
  readonly flags: number;
  readonly bands: readonly MeterBand[];
}

const BAND_LEN = 16;

function checkU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new OpenFlowError('OF_ENCODE', `${what} ${v} is not a 32-bit unsigned integer`);
  return v;
}

function writeBands(w: Writer, bands: readonly MeterBand[]): void {
  for (const b of bands) {
    const rate = checkU32(b.rate, 'Meter band rate');
    const burst = checkU32(b.burstSize, 'Meter band burst_size');
    switch (b.type) {
      case 'drop':
        w.u16(OFPMBT.DROP).u16(BAND_LEN).u32(rate).u32(burst).zeros(4);
        break;
      case 'dscp_remark':
        if (!Number.isInteger(b.precLevel) || b.precLevel < 0 || b.precLevel > 0xff) throw new OpenFlowError('OF_ENCODE', `Meter band prec_level ${b.precLevel} is not 8-bit`);
        w.u16(OFPMBT.DSCP_REMARK).u16(BAND_LEN).u32(rate).u32(burst).u8(b.precLevel).zeros(3);
        break;
      case 'other': {
        const start = w.length;
        w.u16(b.bandType).u16(0).u32(rate).u32(burst).bytes(b.data);
        w.setU16(start + 2, w.length - start);
        break;
      }
    }
  }
}

function readBands(r: Reader): MeterBand[] {
  const out: MeterBand[] = [];
  while (r.remaining > 0) {
    const bandType = r.u16();
    const len = r.u16();
    if (len < BAND_LEN || len % 8 !== 0) throw new OpenFlowError('OF_PROTOCOL', `Meter band of type ${bandType} has bad length ${len}`);
    const b = r.sub(len - 4, 'meter band');
    const rate = b.u32();
    const burstSize = b.u32();
    if (bandType === OFPMBT.DROP) out.push({ type: 'drop', rate, burstSize });
    else if (bandType === OFPMBT.DSCP_REMARK) out.push({ type: 'dscp_remark', rate, burstSize, precLevel: b.u8() });
    else out.push({ type: 'other', bandType, rate, burstSize, data: b.rest() });
  }
  return out;
}

export function writeMeterMod(w: Writer, m: MeterMod): void {
  const command = METER_MOD_COMMANDS.indexOf(m.command);
  if (command < 0) throw new OpenFlowError('OF_ENCODE', `Unknown meter_mod command ${String(m.command)}`);
  checkU32(m.meterId, 'Meter id');
  if (m.meterId === 0 || (m.meterId > OFPM.MAX && !(m.command === 'delete' && m.meterId === OFPM.ALL))) {
    throw new OpenFlowError('OF_ENCODE', `Meter id ${m.meterId} is not 1..${OFPM.MAX}${m.command === 'delete' ? ' or OFPM_ALL' : ''}`);
  }
  if (m.command !== 'delete' && m.bands.length === 0) throw new OpenFlowError('OF_ENCODE', `Meter ${m.meterId}: ${m.command} needs at least one band`);
  if (!Number.isInteger(m.flags) || m.flags < 0 || m.flags > 0xffff) throw new OpenFlowError('OF_ENCODE', `Meter flags ${m.flags} are not 16-bit`);
  w.u16(command).u16(m.flags).u32(m.meterId);
  writeBands(w, m.bands);
}

export function readMeterMod(r: Reader): MeterMod {
  const command = METER_MOD_COMMANDS[r.u16()];
  if (command === undefined) throw new OpenFlowError('OF_PROTOCOL', 'Unknown meter_mod command');
  const flags = r.u16();
  const meterId = r.u32();
  return { command, flags, meterId, bands: readBands(r) };
}

export function writeMeterConfig(w: Writer, m: MeterConfig): void {
  const start = w.length;
  w.u16(0).u16(m.flags).u32(checkU32(m.meterId, 'Meter id'));
  writeBands(w, m.bands);
  w.setU16(start, w.length - start);
}

export function readMeterConfig(r: Reader): MeterConfig {
  const length = r.u16();
  if (length < 8) throw new OpenFlowError('OF_PROTOCOL', `Meter config length ${length} is too short`);
  const e = r.sub(length - 2, 'meter config');
  const flags = e.u16();
  const meterId = e.u32();
  return { meterId, flags, bands: readBands(e) };
}

/**
 * The METER_MOD for a kbit/s meter with one drop band (what rate limiting
 * needs): `rateKbps` with a bucket of `burstKbits`, statistics kept.
 */
export function dropMeterMod(command: 'add' | 'modify', meterId: number, rateKbps: number, burstKbits: number): MeterMod {
  return { command, meterId, flags: OFPMF.KBPS | OFPMF.BURST | OFPMF.STATS, bands: [{ type: 'drop', rate: rateKbps, burstSize: burstKbits }] };
}

/** `meter=1 kbps burst stats bands=type=drop rate=2000 burst_size=1000`, as `ovs-ofctl dump-meters` prints it. */
export function meterToString(m: MeterConfig): string {
  const flags = [m.flags & OFPMF.KBPS ? 'kbps' : '', m.flags & OFPMF.PKTPS ? 'pktps' : '', m.flags & OFPMF.BURST ? 'burst' : '', m.flags & OFPMF.STATS ? 'stats' : ''].filter((f) => f !== '');
  const bands = m.bands.map((b) => {
    const type = b.type === 'other' ? `${b.bandType}` : b.type;
    const burst = m.flags & OFPMF.BURST ? ` burst_size=${b.burstSize}` : '';
    return `type=${type} rate=${b.rate}${burst}${b.type === 'dscp_remark' ? ` prec_level=${b.precLevel}` : ''}`;
  });
  return `meter=${m.meterId} ${[...flags, 'bands='].join(' ')}${bands.join(' ')}`;
}
