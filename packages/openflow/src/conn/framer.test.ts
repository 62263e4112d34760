import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageFramer } from './framer';
import { isOpenFlowError } from '../errors';

describe('MessageFramer', () => {
  const a = Buffer.from('0402000a000000016869', 'hex');
  const b = Buffer.from('0414000800000002', 'hex');
  const c = Buffer.from('0403000c00000003deadbeef', 'hex');
  const stream = Buffer.concat([a, b, c]);

  it('splits a stream cut at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      for (let cut2 = cut; cut2 <= stream.length; cut2++) {
        const f = new MessageFramer();
        const out = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut, cut2)), ...f.push(stream.subarray(cut2))];
        assert.deepEqual(out, [a, b, c], `cuts ${cut},${cut2}`);
        assert.equal(f.buffered, 0);
      }
    }
  });

  it('feeds byte by byte', () => {
    const f = new MessageFramer();
    const out: Buffer[] = [];
    for (const byte of stream) out.push(...f.push(Buffer.from([byte])));
    assert.deepEqual(out, [a, b, c]);
  });

  it('rejects a length below the header size', () => {
    assert.throws(() => new MessageFramer().push(Buffer.from('0402000400000001', 'hex')), (e) => isOpenFlowError(e, 'OF_PROTOCOL'));
  });
});
