import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, stringifyJson } from './json-codec';
import { isOvsdbError } from '../errors';

void describe('parseJson / stringifyJson', () => {
  void it('keeps integers beyond 2^53 exact as bigint', () => {
    const v = parseJson('{"rx_bytes":18446744073709551615,"small":42,"neg":-9223372036854775808,"real":1.5e300}');
    assert.deepEqual(v, { rx_bytes: 18446744073709551615n, small: 42, neg: -9223372036854775808n, real: 1.5e300 });
  });

  void it('writes bigint back as an exact integer literal', () => {
    assert.equal(stringifyJson({ a: [18446744073709551615n, 1, 'x', null, true] }), '{"a":[18446744073709551615,1,"x",null,true]}');
  });

  void it('the slow parser agrees with JSON.parse on ordinary input', () => {
    const text = '{"a":[1,-2.5,3e2,"\\u00e9\\ud83d\\ude00\\n\\"",true,false,null,{}],"b":{"c":[]},"__proto__":1}';
    assert.deepEqual(parseJson(text, true), JSON.parse(text));
    assert.equal(Object.keys(parseJson(text, true) as object).includes('__proto__'), true);
  });

  void it('round-trips strings with quotes, braces and escapes', () => {
    const v = { s: 'a "b" {c} [d] \\ \u0001 ✓' };
    assert.deepEqual(parseJson(stringifyJson(v)), v);
  });

  void it('rejects malformed JSON with OVSDB_PROTOCOL', () => {
    for (const bad of ['{"a":}', '[1,]', '{"a" 1}', 'tru', '"open']) {
      assert.throws(() => parseJson(bad, true), (e) => isOvsdbError(e, 'OVSDB_PROTOCOL'), bad);
    }
  });
});
