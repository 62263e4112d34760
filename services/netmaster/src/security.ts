/**
 * Netmaster's optional security settings (docs/security.md): HTTPS on the
 * REST API, a token every REST request must carry, and mutual TLS on the gRPC
 * Control API the agents call. All off by default: nothing set, nothing
 * changes. Files are read and checked at start, so a wrong path or a key that
 * does not fit its certificate stops netmaster with a message naming the file.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { readSecretFile, Secret } from '@contiv/runtime';
import { createControlClient, MutualTls, TlsKeyPair, type ControlClient } from '@contiv/rpc';

/** Raw settings, as given by flags or env. */
export interface SecurityOptions {
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  authTokenFile?: string;
  /** Env only: a token on the command line would show in `ps`. */
  authToken?: string;
  grpcTlsCa?: string;
  grpcTlsCert?: string;
  grpcTlsKey?: string;
}

export interface NetmasterSecurity {
  /** HTTPS for REST (plain HTTP on the port is then answered with a 400 naming https). */
  readonly restTls?: TlsKeyPair;
  /**
   * With restTls: what verifies the leader's REST certificate when this
   * netmaster, as a follower, relays a request to it (--tls-ca-file, else the
   * system's CAs plus our own certificate, so netmasters sharing one need nothing).
   */
  readonly restPeerCa?: readonly (string | Buffer)[];
  /** Every REST request but GET /version and /info must carry it (x-auth-token or Authorization: Bearer). */
  readonly authToken?: Secret;
  /** gRPC only with a client certificate signed by this CA. */
  readonly grpcTls?: MutualTls;
  /** Non-fatal findings to log at start (file modes, what stays open). */
  readonly warnings: readonly string[];
}

export const MIN_TOKEN_LENGTH = 16;
export const MAX_TOKEN_LENGTH = 4096;
/** Visible ASCII: what an HTTP header carries unchanged. */
const TOKEN_RE = /^[\x21-\x7e]+$/;

/** The problem with a token, or undefined; never quotes the token. */
export function tokenProblem(token: string, source: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `the auth token from ${source} is shorter than ${MIN_TOKEN_LENGTH} characters`;
  if (token.length > MAX_TOKEN_LENGTH) return `the auth token from ${source} is longer than ${MAX_TOKEN_LENGTH} characters`;
  if (!TOKEN_RE.test(token)) return `the auth token from ${source} has characters other than visible ASCII (no spaces)`;
  return undefined;
}

const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** Checks and loads; every problem goes to `problems` (the caller reports them all at once). */
export function loadSecurity(o: SecurityOptions, listenHost: string, problems: string[]): NetmasterSecurity {
  const warnings: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };

  let restTls: TlsKeyPair | undefined;
  if (o.tlsCertFile !== undefined || o.tlsKeyFile !== undefined) {
    if (o.tlsCertFile === undefined || o.tlsKeyFile === undefined) problems.push('--tls-cert-file and --tls-key-file go together: give both or neither');
    else restTls = attempt(() => TlsKeyPair.load(o.tlsCertFile as string, o.tlsKeyFile as string, { cert: '--tls-cert-file', key: '--tls-key-file' }));
    warnings.push(...(restTls?.warnings ?? []));
  }
  let restPeerCa: (string | Buffer)[] | undefined;
  if (o.tlsCaFile !== undefined) {
    if (o.tlsCertFile === undefined) problems.push('--tls-ca-file verifies other netmasters\' HTTPS: it needs --tls-cert-file and --tls-key-file');
    try {
      const ca = fs.readFileSync(o.tlsCaFile);
      if (!/-----BEGIN CERTIFICATE-----/.test(ca.toString('latin1'))) problems.push(`--tls-ca-file ${o.tlsCaFile}: no PEM certificate in it`);
      else restPeerCa = [ca];
    } catch (err) {
      problems.push(`--tls-ca-file ${o.tlsCaFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  } else if (restTls) restPeerCa = [...tls.rootCertificates, restTls.cert];

  let authToken: Secret | undefined;
  if (o.authTokenFile !== undefined && o.authToken !== undefined) problems.push('--auth-token-file and CONTIV_AUTH_TOKEN are both set: give one');
  else if (o.authTokenFile !== undefined) {
    const file = attempt(() => readSecretFile(o.authTokenFile as string, '--auth-token-file'));
    if (file) {
      // A file written by `echo` ends in a newline, which is not part of the token.
      const token = file.value.reveal().toString('utf8').trim();
      const problem = tokenProblem(token, `--auth-token-file ${o.authTokenFile}`);
      if (problem) problems.push(problem);
      else authToken = new Secret(token);
      if (file.warning) warnings.push(file.warning);
    }
  } else if (o.authToken !== undefined) {
    const problem = tokenProblem(o.authToken, 'CONTIV_AUTH_TOKEN');
    if (problem) problems.push(problem);
    else authToken = new Secret(o.authToken);
  }

  let grpcTls: MutualTls | undefined;
  const grpcGiven = [o.grpcTlsCa, o.grpcTlsCert, o.grpcTlsKey].filter((v) => v !== undefined).length;
  if (grpcGiven > 0) {
    if (grpcGiven < 3) problems.push('--grpc-tls-ca, --grpc-tls-cert and --grpc-tls-key go together: give all three or none');
    else {
      grpcTls = attempt(() =>
        MutualTls.load(o.grpcTlsCa as string, o.grpcTlsCert as string, o.grpcTlsKey as string, { ca: '--grpc-tls-ca', cert: '--grpc-tls-cert', key: '--grpc-tls-key' }),
      );
      warnings.push(...(grpcTls?.warnings ?? []));
    }
  }

  if (authToken && !restTls && !isLoopbackHost(listenHost)) {
    warnings.push('REST requires a token but is served over plain HTTP: the token crosses the network in clear text (set --tls-cert-file and --tls-key-file)');
  }
  if ((authToken || restTls) && !grpcTls) {
    warnings.push('the gRPC Control API (agents) accepts any client on the REST port: set --grpc-tls-ca, --grpc-tls-cert and --grpc-tls-key to require agent certificates');
  }
  return Object.freeze({ ...(restTls ? { restTls, ...(restPeerCa ? { restPeerCa } : {}) } : {}), ...(authToken ? { authToken } : {}), ...(grpcTls ? { grpcTls } : {}), warnings });
}

/** What the start-up line says about security: which protections are on, never a secret. */
export function describeSecurity(s: NetmasterSecurity): Record<string, string> {
  return {
    rest: s.restTls ? 'https' : 'http',
    restAuth: s.authToken ? 'token' : 'none',
    grpc: s.grpcTls ? 'mutual-tls' : 'plaintext',
  };
}

/**
 * How a follower reaches the leader under these settings (leader/rest-forward.ts,
 * leader/control-forward.ts): HTTPS verified by restPeerCa, and the gRPC client
 * certificate of this netmaster (which must allow client use too).
 */
export function forwardingTransport(s: NetmasterSecurity | undefined): {
  rest?: { readonly tls: { readonly ca: string } };
  grpc?: { readonly createClient: (target: string) => ControlClient };
} {
  const grpcTls = s?.grpcTls;
  return {
    // One PEM text holding every certificate: what https.request's `ca` takes.
    ...(s?.restTls ? { rest: { tls: { ca: (s.restPeerCa ?? []).map((c) => c.toString()).join('\n') } } } : {}),
    ...(grpcTls ? { grpc: { createClient: (target: string) => createControlClient(target, grpcTls.channelCredentials()) } } : {}),
  };
}
