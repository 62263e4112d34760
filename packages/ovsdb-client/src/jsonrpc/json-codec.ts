import { OvsdbError } from '../errors';

/**
 * A JSON value as this package reads and writes it. Integers outside
 * ±(2^53-1) are `bigint` so 64-bit OVSDB integers (Interface.statistics,
 * other 64-bit counters) are never rounded silently.
 */
export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Parses one JSON text. With `maybeBigInt` false the fast built-in parser is
 * used (the splitter saw no digit run long enough to exceed 2^53).
 */
export function parseJson(text: string, maybeBigInt = true): Json {
  if (!maybeBigInt) return JSON.parse(text) as Json;
  const parser = new BigIntJsonParser(text);
  const value = parser.parseValue();
  parser.expectEnd();
  return value;
}

/** Serialises a Json value; bigint is written as a plain integer literal. */
export function stringifyJson(value: Json): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new OvsdbError('OVSDB_PROTOCOL', 'Cannot encode a non-finite number as JSON');
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  const members: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    members.push(`${JSON.stringify(k)}:${stringifyJson(v)}`);
  }
  return `{${members.join(',')}}`;
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WS_RE = /[ \t\n\r]*/y;

/** A small recursive-descent JSON parser that yields bigint for large integers. */
class BigIntJsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseValue(): Json {
    this.skipWs();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject();
      case '[':
        return this.parseArray();
      case '"':
        return this.parseString();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.parseNumber();
    }
  }

  expectEnd(): void {
    this.skipWs();
    if (this.pos !== this.text.length) this.fail('trailing characters');
  }

  private parseObject(): JsonObject {
    const obj: JsonObject = {};
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const key = this.parseString();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      // defineProperty keeps a "__proto__" member an ordinary key.
      Object.defineProperty(obj, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === '}') return obj;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private parseArray(): Json[] {
    const arr: Json[] = [];
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue());
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === ']') return arr;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private parseString(): string {
    const start = this.pos;
    let i = start + 1;
    let hasEscape = false;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x5c) {
        hasEscape = true;
        i += 2;
        continue;
      }
      if (c === 0x22) break;
      i++;
    }
    this.pos = i + 1;
    if (!hasEscape) return this.text.slice(start + 1, i);
    // Escapes (incl. \u surrogate pairs) are delegated to the built-in parser.
    return JSON.parse(this.text.slice(start, i + 1)) as string;
  }

  private parseNumber(): number | bigint {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (m === null || m[0].length === 0) this.fail('unexpected character');
    const lit = m[0];
    this.pos += lit.length;
    const n = Number(lit);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(lit);
    return n;
  }

  private literal<T extends Json>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected character');
    this.pos += word.length;
    return value;
  }

  private skipWs(): void {
    WS_RE.lastIndex = this.pos;
    WS_RE.exec(this.text);
    this.pos = WS_RE.lastIndex;
  }

  private fail(what: string): never {
    throw new OvsdbError('OVSDB_PROTOCOL', `Invalid JSON at offset ${this.pos}: ${what}`);
  }
}
