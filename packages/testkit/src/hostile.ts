/**
 * fast-check arbitraries for hostile input: strings with unicode, control
 * characters and path tricks, values of the wrong type, huge and deeply
 * nested JSON, written as JSON *text* so that what no JSON.stringify would
 * produce (1e999, duplicate keys, truncation) can be sent too.
 *
 * Test-only (@contiv/testkit): the fuzz tests of netmaster and the driver shim share it.
 */
import fc from 'fast-check';

/** Strings that have broken parsers, routers, key schemes and terminals before. */
export const SPECIAL_STRINGS: readonly string[] = [
  '', ' ', ' x', 'x ', '.', '..', '../..', '../../etc/passwd', '%2e%2e', '%2F', '%252F', '%00', '%', '%zz', '%c0%ae',
  'a/b', '/', 'a:b', ':', '::', 'a::b', 'a:b:c:d', '\\', '..\\..', '\u0000', 'a\nb', '\r\n', '\t', '\u001b[31mred', '\u0007',
  '\u202e', '\u2028', '\ufeff', '\u200b', '😀', 'ß', 'İ', 'ﬀ', '\ud800', 'null', 'undefined', 'true', '0', '-1', 'NaN',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '<script>alert(1)</script>',
  "' OR 1=1 --", '${jndi:ldap://x}', '{{7*7}}', '%s%n%x', 'A'.repeat(65), 'a'.repeat(1000), '-', '--', '-h', '--help',
];

const CONTROL = fc.constantFrom(...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\u007f', '\u0085', '\u2028', '\u2029');

/** A string a hostile client might send anywhere. */
export function hostileString(opts: { huge?: boolean } = {}): fc.Arbitrary<string> {
  const arbs: Array<fc.WeightedArbitrary<string>> = [
    { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: CONTROL, minLength: 1, maxLength: 6 }) },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/) },
  ];
  if (opts.huge !== false) {
    arbs.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom('A', 'é', '😀', '\u0000', '%', ':'), fc.integer({ min: 64, max: 70_000 })).map(([c, n]) => c.repeat(n)) });
  }
  return fc.oneof(...arbs);
}

/** `depth` nested arrays or objects around a scalar, as text (built iteratively: the depth is the point). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(10, 100, 1000, 5000, 20_000, 100_000), fc.constantFrom('array' as const, 'object' as const))
  .map(([d, k]) => deepJson(d, k));

/** Numbers as they may appear in JSON text, including the ones JSON.stringify never writes. */
export const NUMBER_TOKENS: readonly string[] = [
  '0', '-0', '1', '-1', '1.5', '0.1', '1e308', '1e999', '-1e999', '1e-999', '9007199254740993', '-9007199254740993',
  '123456789012345678901234567890', '4294967296', '4294967295', '65535', '65536', '4094', '4095', '4096', '32767', '32768',
  '255', '256', '63', '64', '10486', '10487', '100', '101', '2147483648', '1E2', '0e0',
];

/** Any JSON value, as text, of a type or size a field may not expect. */
export const hostileJsonValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString().map((s) => JSON.stringify(s)) },
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_TOKENS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map((d) => JSON.stringify(d)) },
  { weight: 2, arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '{}', '[null]', '[1,2]', '{"a":1}', '""', '"\\u0000"', '"\\ud800"', '[""]', '[{}]') },
  { weight: 1, arbitrary: deepJsonText },
  { weight: 1, arbitrary: fc.array(hostileString({ huge: false }), { maxLength: 5 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: fc.array(fc.constant('x'), { minLength: 100, maxLength: 5000 }).map((a) => JSON.stringify(a.map((x, i) => `${x}${i}`))) },
  { weight: 1, arbitrary: fc.dictionary(hostileString({ huge: false }), hostileString({ huge: false }), { maxKeys: 4 }).map((d) => JSON.stringify(d)) },
);

/** Text that JSON.parse refuses. */
export function notJson(template: string): fc.Arbitrary<string> {
  const isJson = (s: string): boolean => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  };
  return fc.oneof(
    // A proper prefix of JSON.stringify's output is never JSON (no whitespace to stop at).
    fc.integer({ min: 1, max: Math.max(1, template.length - 1) }).map((n) => template.slice(0, n)),
    fc.constantFrom('{', '}', '{"a":}', "{'a':1}", '{"a":1,}', '{a:1}', 'NaN', 'undefined', '\ufeff{}', '{"a":"\u0000"}', '{"a":1}}', '[', '{"a":01}', '{"a":+1}', '{"a":.5}', '{"a":"\\x41"}', '{"a":"\\u12"}', '\u0000'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).filter((s) => s.trim() !== '' && !isJson(s)),
    fc.tuple(fc.integer({ min: 1, max: Math.max(1, template.length - 1) }), fc.string({ unit: 'binary', minLength: 1, maxLength: 4 })).map(([n, junk]) => template.slice(0, n) + junk + template.slice(n)).filter((s) => !isJson(s)),
  );
}

/** JSON text of an object whose members are given as raw value texts, in order (duplicates allowed). */
export function objectText(members: ReadonlyArray<readonly [string, string]>): string {
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}
