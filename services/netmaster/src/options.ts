/**
 * Netmaster settings. Names follow Contiv's plugin arguments; precedence is
 * defaults < env (v2plugin args arrive as env) < flags. The only code in this
 * service that sees argv or the environment.
 */
import os from 'node:os';
import { DEFAULT_LOG_DIR, envString, isDebugFlag, type Env } from '@contiv/runtime';
import { parseStoreUrl } from '@contiv/store';
import { loadSecurity, type NetmasterSecurity, type SecurityOptions } from './security';

export const DEFAULT_CLUSTER_STORE = 'etcd://127.0.0.1:2379';
export const DEFAULT_LISTEN_URL = ':9999';
/** Contiv's binaries defaulted to legacy docker mode; the v2plugin passes swarm-mode (its own default). */
export const DEFAULT_PLUGIN_MODE = 'docker';
export const PLUGIN_MODES = ['docker', 'swarm-mode'] as const;
/** Leader lock lease: how long a dead leader blocks a successor (failover takes about this long; Consul raises it to 10). */
export const DEFAULT_LEADER_TTL_SECONDS = 4;

export type PluginMode = (typeof PLUGIN_MODES)[number];

/** Raw settings, as given. */
export interface NetmasterOptions extends SecurityOptions {
  clusterStore?: string;
  listenUrl?: string;
  controlUrl?: string;
  pluginMode?: string;
  debug?: boolean;
  logDir?: string;
}

export interface NetmasterConfig {
  readonly clusterStore: string;
  readonly listenUrl: string;
  /** Address to bind ("" = all addresses). */
  readonly listenHost: string;
  readonly listenPort: number;
  /** host:port other processes use to reach this netmaster (leader lock value). */
  readonly advertiseAddress: string;
  readonly pluginMode: PluginMode;
  readonly debug: boolean;
  readonly logDir: string;
  readonly leaderTtlSeconds: number;
  /** TLS and token settings (docs/security.md); all off by default. */
  readonly security: NetmasterSecurity;
}

export const USAGE = `Usage: netmaster [options]
  --cluster-store URL   etcd://host:2379[,host2:2379] or consul://host:8500 (env cluster_store, default ${DEFAULT_CLUSTER_STORE})
  --listen-url ADDR     [host]:port for REST and gRPC  (env listen_url, default ${DEFAULT_LISTEN_URL})
  --control-url ADDR    [host]:port agents and other netmasters use to reach this one; without
                        a host, this host's address (env control_url, default: the listen port)
  --plugin-mode MODE    docker | swarm-mode             (env plugin_mode, default ${DEFAULT_PLUGIN_MODE})
  --debug               debug logs                      (env dbg_flag=-debug)
  --log-dir DIR         log directory                   (env CONTIV_LOG_DIR, default ${DEFAULT_LOG_DIR})
  Security (docs/security.md; all off by default):
  --tls-cert-file FILE  PEM certificate (chain): REST over HTTPS only (env CONTIV_TLS_CERT_FILE)
  --tls-key-file FILE   its PEM private key             (env CONTIV_TLS_KEY_FILE)
  --tls-ca-file FILE    CA that verifies the other netmasters' HTTPS when a follower relays to the
                        leader (env CONTIV_TLS_CA_FILE, default: system CAs and our own certificate)
  --auth-token-file FILE  REST requests must carry the token in this file (header x-auth-token
                        or Authorization: Bearer) (env CONTIV_AUTH_TOKEN_FILE, or the token
                        itself in CONTIV_AUTH_TOKEN; never on the command line)
  --grpc-tls-ca FILE    gRPC (agents) only with a client certificate signed by this CA (env CONTIV_GRPC_TLS_CA)
  --grpc-tls-cert FILE  netmaster's gRPC server certificate (env CONTIV_GRPC_TLS_CERT)
  --grpc-tls-key FILE   its private key                  (env CONTIV_GRPC_TLS_KEY)
  --help                this text`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

const VALUE_FLAGS: Record<string, keyof NetmasterOptions> = {
  'cluster-store': 'clusterStore',
  'listen-url': 'listenUrl',
  'control-url': 'controlUrl',
  'plugin-mode': 'pluginMode',
  'log-dir': 'logDir',
  'tls-cert-file': 'tlsCertFile',
  'tls-key-file': 'tlsKeyFile',
  'tls-ca-file': 'tlsCaFile',
  'auth-token-file': 'authTokenFile',
  'grpc-tls-ca': 'grpcTlsCa',
  'grpc-tls-cert': 'grpcTlsCert',
  'grpc-tls-key': 'grpcTlsKey',
};

/** Flags; `--help` is reported as `{ help: true }`. */
export function parseFlags(argv: readonly string[]): { options: NetmasterOptions; help: boolean; problems: string[] } {
  const options: NetmasterOptions = {};
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}`);
      continue;
    }
    const name = m[1] as string;
    if (name === 'help' || name === 'h') help = true;
    else if (name === 'debug') options.debug = m[2] === undefined ? true : isDebugFlag(m[2]);
    else if (name === 'auth-token') {
      // Refused, and its value skipped so it is not echoed as "unexpected argument".
      if (m[2] === undefined) i++;
      problems.push('--auth-token is not accepted (the command line shows in ps): use --auth-token-file FILE or env CONTIV_AUTH_TOKEN');
    }
    else if (name in VALUE_FLAGS) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) problems.push(`--${name} needs a value`);
      else (options as Record<string, unknown>)[VALUE_FLAGS[name] as string] = value;
    } else problems.push(`unknown flag --${name}`);
  }
  return { options, help, problems };
}

export function optionsFromEnv(env: Env): NetmasterOptions {
  const out: NetmasterOptions = {};
  const set = (k: keyof NetmasterOptions, v: string | undefined): void => {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  };
  set('clusterStore', envString(env, 'cluster_store'));
  set('listenUrl', envString(env, 'listen_url'));
  set('controlUrl', envString(env, 'control_url'));
  set('pluginMode', envString(env, 'plugin_mode'));
  set('logDir', envString(env, 'CONTIV_LOG_DIR'));
  set('tlsCertFile', envString(env, 'CONTIV_TLS_CERT_FILE'));
  set('tlsKeyFile', envString(env, 'CONTIV_TLS_KEY_FILE'));
  set('tlsCaFile', envString(env, 'CONTIV_TLS_CA_FILE'));
  set('authTokenFile', envString(env, 'CONTIV_AUTH_TOKEN_FILE'));
  set('authToken', envString(env, 'CONTIV_AUTH_TOKEN'));
  set('grpcTlsCa', envString(env, 'CONTIV_GRPC_TLS_CA'));
  set('grpcTlsCert', envString(env, 'CONTIV_GRPC_TLS_CERT'));
  set('grpcTlsKey', envString(env, 'CONTIV_GRPC_TLS_KEY'));
  if (envString(env, 'dbg_flag') !== undefined) out.debug = isDebugFlag(envString(env, 'dbg_flag'));
  return out;
}

/** `:9999`, `0.0.0.0:9999`, `127.0.0.1:9999`, `[::1]:9999`, optionally `http://` or `tcp://` first. */
export function parseListenUrl(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(?:https?|tcp):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):([0-9]{1,5})\/?$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

function defaultAdvertiseHost(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Defaults < env < flags, then every problem reported at once (ConfigError). */
export function loadConfig(argv: readonly string[], env: Env): NetmasterConfig | 'help' {
  const flags = parseFlags(argv);
  if (flags.help) return 'help';
  const o: NetmasterOptions = { ...optionsFromEnv(env), ...flags.options };
  // The flag wins over the environment, also over a token given in CONTIV_AUTH_TOKEN.
  if (flags.options.authTokenFile !== undefined) delete o.authToken;
  const problems = [...flags.problems];

  const clusterStore = o.clusterStore ?? DEFAULT_CLUSTER_STORE;
  try {
    parseStoreUrl(clusterStore);
  } catch (err) {
    problems.push(`--cluster-store ${clusterStore}: ${(err as Error).message}`);
  }
  const listenUrl = o.listenUrl ?? DEFAULT_LISTEN_URL;
  const listen = parseListenUrl(listenUrl);
  if (!listen) problems.push(`--listen-url ${JSON.stringify(listenUrl)} is not [host]:port`);
  const pluginMode = o.pluginMode ?? DEFAULT_PLUGIN_MODE;
  if (!(PLUGIN_MODES as readonly string[]).includes(pluginMode)) problems.push(`--plugin-mode ${JSON.stringify(pluginMode)} is not one of ${PLUGIN_MODES.join(', ')}`);
  let advertiseAddress = '';
  if (o.controlUrl) {
    const c = parseListenUrl(o.controlUrl);
    if (!c) problems.push(`--control-url ${JSON.stringify(o.controlUrl)} is not [host]:port`);
    // ":9999" (the v2plugin's default) is this host's address on that port, as in Contiv.
    else if (!c.host || c.host === '0.0.0.0' || c.host === '::') advertiseAddress = `${defaultAdvertiseHost()}:${c.port}`;
    else advertiseAddress = `${c.host}:${c.port}`;
  } else if (listen) {
    const host = listen.host && listen.host !== '0.0.0.0' && listen.host !== '::' ? listen.host : defaultAdvertiseHost();
    advertiseAddress = `${host.includes(':') ? `[${host}]` : host}:${listen.port}`;
  }
  const security = loadSecurity(o, listen?.host ?? '', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    clusterStore,
    listenUrl,
    listenHost: listen?.host ?? '',
    listenPort: listen?.port ?? 0,
    advertiseAddress,
    pluginMode: pluginMode as PluginMode,
    debug: o.debug ?? false,
    logDir: o.logDir ?? DEFAULT_LOG_DIR,
    leaderTtlSeconds: DEFAULT_LEADER_TTL_SECONDS,
    security,
  });
}
