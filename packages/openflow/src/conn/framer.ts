/**
 * Splits a byte stream into OpenFlow messages by the header's length field.
 * Keeps partial messages across chunks; rejects a length below the header
 * size (the stream cannot be resynchronised after that).
 */
import { OpenFlowError } from '../errors';
import { OFP_HEADER_LEN } from '../codec/constants';

export class MessageFramer {
  private pending: Buffer[] = [];
  private pendingLen = 0;

  /** Feeds a chunk; returns the whole messages it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    const out: Buffer[] = [];
    if (this.pendingLen < OFP_HEADER_LEN) return out;
    let buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingLen);
    let pos = 0;
    while (buf.length - pos >= OFP_HEADER_LEN) {
      const len = buf.readUInt16BE(pos + 2);
      if (len < OFP_HEADER_LEN) throw new OpenFlowError('OF_PROTOCOL', `Message length ${len} is shorter than a header`);
      if (buf.length - pos < len) break;
      out.push(Buffer.from(buf.subarray(pos, pos + len)));
      pos += len;
    }
    buf = buf.subarray(pos);
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLen = buf.length;
    return out;
  }

  get buffered(): number {
    return this.pendingLen;
  }
}
