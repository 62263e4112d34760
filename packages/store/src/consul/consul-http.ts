import http from 'node:http';

/**
 * How a failed Consul request may be handled (the same classes as EtcdStore's):
 * - `not-sent`: it certainly never reached Consul (no connection, or Consul
 *   refused it before applying: "No cluster leader"), so any call may be retried;
 * - `transient`: the connection broke or Consul failed, outcome unknown: reads
 *   are retried, writes are not;
 * - `timeout`: the deadline passed;
 * - `aborted`: we cancelled it (store closed, watch closed).
 */
export type ConsulFailure = 'not-sent' | 'transient' | 'timeout' | 'aborted';

export class ConsulCallError extends Error {
  override readonly name = 'ConsulCallError';
  constructor(
    readonly failure: ConsulFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ConsulRequest {
  readonly method: 'GET' | 'PUT';
  /** Path below the agent, e.g. `/v1/txn`; already percent-encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | true>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Absolute time (ms since epoch) at which the request is abandoned. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

export interface ConsulResponse {
  readonly status: number;
  /** `X-Consul-Index`, the index blocking queries continue from. */
  readonly index: number | undefined;
  readonly text: string;
}

/** Connections for ordinary (non-blocking) calls: well under Consul's per-client limit of 200. */
const MAX_SOCKETS = 64;

/** Connection errors raised before a single byte of the request left us. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/**
 * A minimal HTTP/1.1 client for one Consul agent: JSON in, text out, one
 * absolute deadline per request, and a keep-alive socket pool that close()
 * tears down so a closed store leaves no handle behind.
 */
export class ConsulHttp {
  /**
   * At most MAX_SOCKETS connections for ordinary calls; more wait here for a
   * free one. Consul refuses a client more than 200 connections
   * (limits.http_max_conns_per_client) by hanging up, so a burst of writes
   * (1,000 concurrent allocations) would otherwise fail half-way with
   * "socket hang up". Blocking queries (watches) hold a connection for
   * minutes: they use their own pool, so they never starve the calls.
   */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly blockingAgent = new http.Agent({ keepAlive: true });
  private readonly host: string;
  private readonly port: number;

  constructor(endpoint: string) {
    const url = new URL(endpoint);
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port);
  }

  request(req: ConsulRequest): Promise<ConsulResponse> {
    const remaining = req.deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new ConsulCallError('timeout', 'the deadline passed before the request was sent'));
    if (req.signal?.aborted === true) return Promise.reject(new ConsulCallError('aborted', 'the request was cancelled'));
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise<ConsulResponse>((resolve, reject) => {
      let connected = false;
      let settled = false;
      const fail = (err: ConsulCallError): void => {
        if (settled) return;
        settled = true;
        cleanup();
        request.destroy();
        reject(err);
      };
      const request = http.request(
        {
          agent: req.query?.['wait'] !== undefined ? this.blockingAgent : this.agent,
          host: this.host,
          port: this.port,
          method: req.method,
          path: req.path + queryString(req.query),
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => fail(new ConsulCallError('transient', `reading the answer failed: ${err.message}`, { cause: err })));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            cleanup();
            const header = res.headers['x-consul-index'];
            const index = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
            resolve({ status: res.statusCode ?? 0, index, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      request.on('socket', (socket) => {
        // A pooled socket is connected already; a new one reports `connect`.
        if (request.reusedSocket) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        const notSent = !connected && err.code !== undefined && CONNECT_ERRORS.has(err.code);
        fail(new ConsulCallError(notSent ? 'not-sent' : 'transient', err.message, { cause: err }));
      });
      const timer = setTimeout(() => fail(new ConsulCallError('timeout', `no answer within ${remaining} ms`)), remaining);
      const onAbort = (): void => fail(new ConsulCallError('aborted', 'the request was cancelled'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
      };
      request.end(body);
    });
  }

  /** Closes every socket, idle or busy. */
  close(): void {
    this.agent.destroy();
    this.blockingAgent.destroy();
  }
}

function queryString(query: ConsulRequest['query']): string {
  if (query === undefined) return '';
  const parts = Object.entries(query).map(([k, v]) =>
    v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`,
  );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
