/**
 * Secrets (tokens, private keys) in config objects. A Secret prints as
 * "[redacted]" however it is logged (JSON, util.inspect, string templates), so
 * a config dump or an error that carries one cannot leak it; only reveal()
 * gives the value, at the one place that uses it.
 */
import fs from 'node:fs';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class Secret<T extends string | Buffer = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export interface SecretFile {
  readonly value: Secret<Buffer>;
  /** Set when others than the owner may read the file (the value is used anyway). */
  readonly warning?: string;
}

/**
 * Reads a file holding a secret. Errors name the file and the setting, never
 * the content. A file group or others may read is accepted with a warning:
 * refusing it would turn a permissions slip into an outage.
 */
export function readSecretFile(file: string, setting: string): SecretFile {
  let st: fs.Stats;
  let value: Buffer;
  try {
    st = fs.statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    value = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${setting} ${file}: cannot read it (${e.code ?? e.message})`);
  }
  const mode = st.mode & 0o777;
  const warning = (mode & 0o077) !== 0 ? `${setting} ${file} may be read by others than its owner (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it` : undefined;
  return { value: new Secret(value), ...(warning ? { warning } : {}) };
}
