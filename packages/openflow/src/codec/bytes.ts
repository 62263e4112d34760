/**
 * Big-endian reading and writing for OpenFlow structures. The Writer grows as
 * needed and can patch a length field once the body is known; the Reader
 * throws OF_PROTOCOL on any read past its end, so a truncated message can
 * never be half-decoded.
 */
import { OpenFlowError } from '../errors';

export class Writer {
  private buf: Buffer;
  private len = 0;

  // Unsafe allocation is fine: every byte up to `len` is written explicitly (zeros() for padding).
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.len);
    this.len += 8;
    return this;
  }

  /** An unsigned integer of `bytes` bytes (1..16), big-endian. */
  uint(v: bigint, bytes: number): this {
    switch (bytes) {
      case 1:
        return this.u8(Number(v));
      case 2:
        return this.u16(Number(v));
      case 4:
        return this.u32(Number(v));
      case 6:
        return this.u16(Number(v >> 32n)).u32(Number(v & 0xffffffffn));
      case 8:
        return this.u64(v);
      case 16:
        return this.u64(v >> 64n).u64(v);
    }
    this.ensure(bytes);
    let x = v;
    for (let i = bytes - 1; i >= 0; i--) {
      this.buf[this.len + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.len += bytes;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** A NUL-padded fixed-width string (table names, port names). */
  fixedString(s: string, width: number): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length >= width) throw new OpenFlowError('OF_ENCODE', `String ${JSON.stringify(s)} does not fit in ${width - 1} bytes`);
    this.bytes(b);
    return this.zeros(width - b.length);
  }

  /** Pads with zeros to a multiple of `align` bytes, measured from `start`. */
  padTo(align: number, start = 0): this {
    const rem = (this.len - start) % align;
    return rem === 0 ? this : this.zeros(align - rem);
  }

  setU16(offset: number, v: number): void {
    this.buf.writeUInt16BE(v, offset);
  }

  setU32(offset: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, offset);
  }

  /** What was written (a view: the Writer must not be used afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export class Reader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    end = buf.length,
    private readonly what = 'message',
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new OpenFlowError('OF_PROTOCOL', `Truncated ${this.what}: need ${n} more bytes at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  uint(bytes: number): bigint {
    switch (bytes) {
      case 1:
        return BigInt(this.u8());
      case 2:
        return BigInt(this.u16());
      case 4:
        return BigInt(this.u32());
      case 6: {
        const hi = this.u16();
        return (BigInt(hi) << 32n) | BigInt(this.u32());
      }
      case 8:
        return this.u64();
      case 16: {
        const hi = this.u64();
        return (hi << 64n) | this.u64();
      }
    }
    this.need(bytes);
    let v = 0n;
    for (let i = 0; i < bytes; i++) v = (v << 8n) | BigInt(this.buf[this.pos + i] as number);
    this.pos += bytes;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  fixedString(width: number): string {
    const b = this.bytes(width);
    const nul = b.indexOf(0);
    return b.subarray(0, nul < 0 ? width : nul).toString('utf8');
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number, what = this.what): Reader {
    this.need(n);
    const r = new Reader(this.buf, this.pos, this.pos + n, what);
    this.pos += n;
    return r;
  }

  /** The next u16 without consuming it. */
  peekU16(at = 0): number {
    this.need(at + 2);
    return this.buf.readUInt16BE(this.pos + at);
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}
