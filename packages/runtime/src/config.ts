/**
 * Environment helpers with one fixed rule: an empty value means unset.
 * Together with each service's options.ts this is the only code that reads
 * `process.env`; everything else gets a frozen config object.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The process environment, read once at the edge. */
export function processEnv(): Env {
  return process.env;
}

export function envString(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function envList(env: Env, name: string): string[] | undefined {
  const v = envString(env, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function envBool(env: Env, name: string): boolean | undefined {
  const v = envString(env, name);
  if (v === undefined) return undefined;
  return /^(1|true|yes|on)$/i.test(v);
}

/** Contiv's `dbg_flag=-debug` (also `--debug`, `debug`, `true`) selects the debug log level. */
export function isDebugFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  return /^(-{0,2}debug|true|1)$/i.test(value.trim());
}
