import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamSplitter } from './json-splitter';
import { isOvsdbError } from '../errors';

const tricky = [
  { id: 1, method: 'echo', params: ['{', '}', '[', ']'] },
  { id: 2, result: { s: 'a "quoted" } brace', t: 'back\\slash\\', u: '\\"}' }, error: null },
  { id: null, method: 'update2', params: ['m1', { Port: { x: { modify: { name: 'ünïcødé ✓ 😀' } } } }] },
  [1, 2, { a: [] }],
  { id: 3, result: [], error: null },
];
const stream = Buffer.from(tricky.map((m) => JSON.stringify(m)).join('\n  '), 'utf8');

function collect(chunks: Buffer[]): unknown[] {
  const s = new JsonStreamSplitter();
  const out: unknown[] = [];
  for (const c of chunks) for (const m of s.push(c)) out.push(JSON.parse(m.text));
  assert.equal(s.hasPartialMessage, false);
  return out;
}

void describe('JsonStreamSplitter', () => {
  void it('splits several messages delivered in one chunk', () => {
    assert.deepEqual(collect([stream]), tricky);
  });

  void it('splits correctly when the stream is cut at every byte boundary', () => {
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(collect([stream.subarray(0, i), stream.subarray(i)]), tricky, `cut at ${i}`);
    }
  });

  void it('splits correctly when fed one byte at a time (multi-byte UTF-8 split too)', () => {
    const bytes: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) bytes.push(stream.subarray(i, i + 1));
    assert.deepEqual(collect(bytes), tricky);
  });

  void it('splits correctly at every pair of cut points of a short stream', () => {
    const small = Buffer.from('{"a":"}\\""}[{"b":"\\\\"}]{}');
    const expected = [{ a: '}"' }, [{ b: '\\' }], {}];
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        assert.deepEqual(collect([small.subarray(0, i), small.subarray(i, j), small.subarray(j)]), expected, `cuts ${i},${j}`);
      }
    }
  });

  void it('flags long digit runs outside strings as possible big integers', () => {
    const s = new JsonStreamSplitter();
    const [a, b, c] = s.push(Buffer.from('{"n":9007199254740993}{"n":"12345678901234567890"}{"n":123456789012345}'));
    assert.equal(a?.maybeBigInt, true);
    assert.equal(b?.maybeBigInt, false, 'digits inside a string do not count');
    assert.equal(c?.maybeBigInt, false);
  });

  void it('rejects garbage between messages', () => {
    const s = new JsonStreamSplitter();
    assert.throws(() => s.push(Buffer.from('{} x')), (e) => isOvsdbError(e, 'OVSDB_PROTOCOL'));
  });

  void it('rejects a message larger than the limit', () => {
    const s = new JsonStreamSplitter(16);
    assert.throws(() => s.push(Buffer.from('{"a":"0123456789abcdef')), (e) => isOvsdbError(e, 'OVSDB_PROTOCOL'));
  });
});
