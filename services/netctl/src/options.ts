/**
 * netctl's settings: where netmaster is and how long to wait for it. The only
 * module that reads the environment.
 */
import type { Env } from '@contiv/runtime';
import { envString, processEnv } from '@contiv/runtime';
import { UsageError } from './errors';

export const ENV_NETMASTER = 'NETMASTER';
/**
 * Contiv's default was http://netmaster:9999 (a host name that only resolved in
 * its containers). Our netmaster usually runs on the same host, so we default
 * to the local one.
 */
export const DEFAULT_NETMASTER = 'http://localhost:9999';
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface NetctlOptions {
  /** From `--netmaster`; wins over the environment. */
  netmaster?: string;
  timeoutMs?: number;
}

export type NetctlConfig = Readonly<Required<NetctlOptions>>;

export function loadConfig(flags: NetctlOptions, env: Env = processEnv()): NetctlConfig {
  const fromFlag = flags.netmaster?.trim();
  const fromEnv = envString(env, ENV_NETMASTER);
  const source = fromFlag ? '--netmaster' : fromEnv ? ENV_NETMASTER : undefined;
  const raw = fromFlag || fromEnv || DEFAULT_NETMASTER;
  return Object.freeze({
    netmaster: validateNetmasterUrl(raw, source),
    timeoutMs: flags.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
}

/**
 * Contiv's client required an explicit scheme; we keep that rule (an https URL
 * must never silently become http) but say what to type instead.
 */
export function validateNetmasterUrl(raw: string, source?: string): string {
  const from = source ? ` (from ${source})` : '';
  if (!/^https?:\/\//i.test(raw)) {
    throw new UsageError(`invalid netmaster URL '${raw}'${from}: it must begin with http:// or https://, e.g. http://${raw}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid netmaster URL '${raw}'${from}`);
  }
  if (url.hostname === '') throw new UsageError(`invalid netmaster URL '${raw}'${from}: no host`);
  return raw.replace(/\/+$/, '');
}
