/**
 * netctl's settings: where netmaster is, how to prove who we are to it (a
 * token), how to trust its HTTPS certificate, and how long to wait for it. The
 * only module that reads the environment (and the CA file).
 */
import fs from 'node:fs';
import type { Env } from '@contiv/runtime';
import { envBool, envString, processEnv, Secret } from '@contiv/runtime';
import { UsageError } from './errors';

export const ENV_NETMASTER = 'NETMASTER';
export const ENV_TOKEN = 'NETCTL_TOKEN';
/** Contiv's netctl read INSECURE for --insecure. */
export const ENV_INSECURE = 'INSECURE';
export const ENV_TLS_CA_FILE = 'NETCTL_TLS_CA_FILE';
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
  /** From `--token`; wins over NETCTL_TOKEN. */
  token?: string;
  /** From `--insecure`: do not verify netmaster's HTTPS certificate. */
  insecure?: boolean;
  /** From `--tls-ca-file`: CA certificates that verify netmaster's HTTPS certificate. */
  tlsCaFile?: string;
}

export interface NetctlTls {
  /** Replaces the system's CAs when set. */
  readonly ca?: Buffer;
  readonly insecure: boolean;
}

export interface NetctlConfig {
  readonly netmaster: string;
  readonly timeoutMs: number;
  /** Sent as `x-auth-token` (docs/security.md). */
  readonly token?: Secret;
  /** Set for an https:// netmaster. */
  readonly tls?: NetctlTls;
}

/** Visible ASCII: what a header carries unchanged. */
const TOKEN_RE = /^[\x21-\x7e]{1,4096}$/;

const isLoopback = (hostname: string): boolean => hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

export function loadConfig(flags: NetctlOptions, env: Env = processEnv()): NetctlConfig {
  const fromFlag = flags.netmaster?.trim();
  const fromEnv = envString(env, ENV_NETMASTER);
  const source = fromFlag ? '--netmaster' : fromEnv ? ENV_NETMASTER : undefined;
  const raw = fromFlag || fromEnv || DEFAULT_NETMASTER;
  const netmaster = validateNetmasterUrl(raw, source);
  const url = new URL(netmaster);

  const tokenFlag = flags.token?.trim();
  const tokenSource = tokenFlag ? '--token' : envString(env, ENV_TOKEN) !== undefined ? ENV_TOKEN : undefined;
  const tokenText = tokenFlag || envString(env, ENV_TOKEN);
  let token: Secret | undefined;
  if (tokenText !== undefined) {
    // The message names where the token came from, never the token.
    if (!TOKEN_RE.test(tokenText)) throw new UsageError(`the token from ${tokenSource ?? ENV_TOKEN} must be 1-4096 visible ASCII characters (no spaces)`);
    // As Contiv's netctl: a token travels over HTTPS only (or stays on this machine).
    if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
      throw new UsageError(`a token is only sent over https: use an https:// netmaster URL instead of ${netmaster} (or unset ${tokenSource ?? ENV_TOKEN})`);
    }
    token = new Secret(tokenText);
  }

  let tls: NetctlTls | undefined;
  if (url.protocol === 'https:') {
    const caFile = flags.tlsCaFile?.trim() || envString(env, ENV_TLS_CA_FILE);
    let ca: Buffer | undefined;
    if (caFile !== undefined) {
      try {
        ca = fs.readFileSync(caFile);
      } catch (err) {
        throw new UsageError(`cannot read the CA file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`the CA file ${caFile} holds no PEM certificate`);
    }
    tls = Object.freeze({ ...(ca ? { ca } : {}), insecure: flags.insecure === true || envBool(env, ENV_INSECURE) === true });
  }

  return Object.freeze({
    netmaster,
    timeoutMs: flags.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(token ? { token } : {}),
    ...(tls ? { tls } : {}),
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
