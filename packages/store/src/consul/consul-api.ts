import { ConsulCallError, type ConsulHttp, type ConsulResponse } from './consul-http';
import { keyPath } from './consul-keys';
import { parseKvList, parseTxnAnswer, type ConsulKv, type TxnKvOp, type TxnOutcome } from './consul-kv';

/** One absolute deadline per call, and the signal that cancels it (store or watch closing). */
export interface CallCtx {
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

/** Consul answered something other than what the call expects: a bug or a misconfiguration, not an outage. */
export class ConsulRejectedError extends Error {
  override readonly name = 'ConsulRejectedError';
}

/**
 * Consul refused a session TTL outside its bounds (server settings
 * `session_ttl_min`, default 10 s, and 24 h): "Invalid Session TTL '4000000000',
 * must be between [10s=24h0m0s]". Nothing was created.
 */
export class ConsulSessionTtlError extends ConsulRejectedError {
  constructor(
    message: string,
    /** The server's bounds, in ms (undefined if the answer did not say). */
    readonly minMs: number | undefined,
    readonly maxMs: number | undefined,
  ) {
    super(message);
  }
}

const CONSISTENT: Readonly<Record<string, true>> = { consistent: true };

/** Consul adds up to wait/16 of jitter to a blocking query; our deadline allows for it. */
const BLOCKING_SLACK_DIVISOR = 16;

/**
 * The handful of Consul HTTP endpoints the store uses, with their answers
 * validated. Every read is `consistent`: the leader confirms it still leads and
 * has applied its whole log first. A default-mode read can see a restarted
 * server's state while it is still replaying its log, half old and half new.
 */
export class ConsulApi {
  constructor(private readonly http: ConsulHttp) {}

  /** One key, or undefined if it does not exist. */
  async getKey(wire: string, ctx: CallCtx): Promise<ConsulKv | undefined> {
    const res = await this.call({ method: 'GET', path: `/v1/kv/${keyPath(wire)}`, query: CONSISTENT }, ctx, [200, 404]);
    return res.status === 404 ? undefined : parseKvList(JSON.parse(res.text), `GET ${wire}`).find((kv) => kv.Key === wire);
  }

  /**
   * A blocking read of one key: answers when the key changes after `index`, or
   * after `waitMs` (then with the same index). `index` 0 answers at once.
   */
  async watchKey(
    wire: string,
    index: number,
    waitMs: number,
    ctx: CallCtx,
  ): Promise<{ kv: ConsulKv | undefined; index: number | undefined }> {
    const query = index > 0 ? { ...CONSISTENT, index, wait: `${Math.ceil(waitMs / 1000)}s` } : CONSISTENT;
    const deadline = index > 0 ? ctx.deadline + waitMs + waitMs / BLOCKING_SLACK_DIVISOR : ctx.deadline;
    const res = await this.call({ method: 'GET', path: `/v1/kv/${keyPath(wire)}`, query }, { ...ctx, deadline }, [200, 404]);
    const kv = res.status === 404 ? undefined : parseKvList(JSON.parse(res.text), `GET ${wire}`).find((e) => e.Key === wire);
    return { kv, index: res.index };
  }

  /** Every entry under a prefix, blocking like watchKey when `index` > 0. */
  async watchTree(
    wirePrefix: string,
    index: number,
    waitMs: number,
    ctx: CallCtx,
  ): Promise<{ kvs: ConsulKv[]; index: number | undefined }> {
    const query: Record<string, string | number | true> =
      index > 0 ? { ...CONSISTENT, recurse: true, index, wait: `${Math.ceil(waitMs / 1000)}s` } : { ...CONSISTENT, recurse: true };
    const deadline = index > 0 ? ctx.deadline + waitMs + waitMs / BLOCKING_SLACK_DIVISOR : ctx.deadline;
    const res = await this.call({ method: 'GET', path: `/v1/kv/${keyPath(wirePrefix)}`, query }, { ...ctx, deadline }, [200, 404]);
    return { kvs: res.status === 404 ? [] : parseKvList(JSON.parse(res.text), `GET ${wirePrefix}?recurse`), index: res.index };
  }

  /** The key names under a prefix (cheap: no values). */
  async keys(wirePrefix: string, ctx: CallCtx): Promise<string[]> {
    const res = await this.call(
      { method: 'GET', path: `/v1/kv/${keyPath(wirePrefix)}`, query: { ...CONSISTENT, keys: true } },
      ctx,
      [200, 404],
    );
    if (res.status === 404) return [];
    const json: unknown = JSON.parse(res.text);
    if (!Array.isArray(json) || !json.every((k) => typeof k === 'string')) {
      throw new ConsulRejectedError(`Consul answered a key listing with ${res.text.slice(0, 200)}`);
    }
    return json as string[];
  }

  /** A transaction; `read` marks one of reads only, which then reads consistently. */
  async txn(ops: readonly TxnKvOp[], ctx: CallCtx, read = false): Promise<TxnOutcome> {
    const res = await this.call(
      { method: 'PUT', path: '/v1/txn', body: ops, ...(read ? { query: CONSISTENT } : {}) },
      ctx,
      [200, 409],
    );
    return parseTxnAnswer(res.status, res.text);
  }

  /**
   * Creates a session that releases its keys when it ends, with no lock delay.
   * A TTL outside the server's bounds is a ConsulSessionTtlError (Consul 1.8
   * answers it with HTTP 500, which would otherwise pass for an outage).
   */
  async createSession(ttlMs: number, name: string, ctx: CallCtx): Promise<string> {
    let res: ConsulResponse;
    try {
      res = await this.call(
        {
          method: 'PUT',
          path: '/v1/session/create',
          body: { Name: name, TTL: `${ttlMs}ms`, Behavior: 'release', LockDelay: '0s' },
        },
        ctx,
        [200],
      );
    } catch (err) {
      const bounds = err instanceof Error ? /Invalid Session TTL '\d+', must be between \[([^=\]]+)=([^\]]+)\]/.exec(err.message) : null;
      if (bounds === null) throw err;
      throw new ConsulSessionTtlError((err as Error).message, parseGoDuration(bounds[1] ?? ''), parseGoDuration(bounds[2] ?? ''));
    }
    const id = (JSON.parse(res.text) as { ID?: unknown }).ID;
    if (typeof id !== 'string' || id === '') throw new ConsulRejectedError(`Consul created a session without an ID: ${res.text}`);
    return id;
  }

  /** False when Consul no longer knows the session (expired or destroyed). */
  async renewSession(id: string, ctx: CallCtx): Promise<boolean> {
    const res = await this.call({ method: 'PUT', path: `/v1/session/renew/${encodeURIComponent(id)}` }, ctx, [200, 404]);
    return res.status === 200;
  }

  /** Idempotent: destroying an unknown session succeeds. */
  async destroySession(id: string, ctx: CallCtx): Promise<void> {
    await this.call({ method: 'PUT', path: `/v1/session/destroy/${encodeURIComponent(id)}` }, ctx, [200]);
  }

  private async call(
    req: { method: 'GET' | 'PUT'; path: string; query?: Record<string, string | number | true>; body?: unknown },
    ctx: CallCtx,
    expected: readonly number[],
  ): Promise<ConsulResponse> {
    const res = await this.http.request({
      ...req,
      deadline: ctx.deadline,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    if (expected.includes(res.status)) return res;
    const detail = `${req.method} ${req.path} answered HTTP ${res.status}: ${res.text.trim().slice(0, 300)}`;
    // Refused before anything was applied: safe to retry, like a refused connection.
    if (res.status === 500 && /No cluster leader|no leader|Not ready to serve consistent reads/i.test(res.text)) {
      throw new ConsulCallError('not-sent', detail);
    }
    if (res.status >= 500) throw new ConsulCallError('transient', detail);
    throw new ConsulRejectedError(detail);
  }
}

const GO_DURATION_UNITS_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000_001 };

/** Go's time.Duration.String() (`10s`, `1m0s`, `1.5s`, `500ms`, `24h0m0s`) in ms; undefined if it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns)/g) : null;
  if (parts === null) return undefined;
  let ms = 0;
  for (const part of parts) {
    const [, n, unit] = /^(\d+(?:\.\d+)?)(\D+)$/.exec(part) ?? [];
    ms += Number(n) * (GO_DURATION_UNITS_MS[unit ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(ms) ? ms : undefined;
}
