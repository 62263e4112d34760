import { jsonNestingDepth } from '@contiv/model';
import type { Secret } from '@contiv/runtime';
import { RequestError } from '../errors';
import type { ProgressFactory } from '../output/progress';
import { terminalLine } from '../output/terminal';
import { serverErrorMessage } from './error-message';
import { MAX_RESPONSE_DEPTH } from './json';
import { FailoverRefusal, isFailoverAnswer, retryDelayMs, withFailoverRetry } from './failover';

export type FetchFn = typeof fetch;

export interface NetmasterClientOptions {
  /** Base URL without trailing slash, e.g. http://localhost:9999. */
  baseUrl: string;
  timeoutMs: number;
  /** Injected in tests; defaults to Node's fetch. */
  fetch?: FetchFn;
  /** Sent as `x-auth-token` (Contiv's header) with every request. */
  token?: Secret;
  /** How long to retry a request refused during a netmaster failover (503 NOT_LEADER; default 15 s, 0 = never). */
  failoverRetryMs?: number;
  /** Where the note about such retries goes (netctl: stderr). */
  progress?: (text: string) => void;
  /** Shows a wait (a spinner on a terminal's stderr, output/progress.ts); default: nothing. */
  startProgress?: ProgressFactory;
}

/**
 * The REST calls netctl makes. Every failure becomes a RequestError whose
 * message is the single line netctl prints.
 */
export class NetmasterClient {
  private readonly fetchFn: FetchFn;

  constructor(private readonly options: NetmasterClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  /** Create-or-update: Contiv's POST /api/v1/<collection>/<key>/. */
  post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** One request; during a failover (503 NOT_LEADER: nothing was done) sent again for a few seconds. */
  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { failoverRetryMs, progress } = this.options;
    const what = terminalLine(`${method} ${path}`);
    const shown = this.options.startProgress?.(`waiting for netmaster (${what})`);
    let attempts = 0;
    try {
      return await withFailoverRetry(
        () => {
          if (++attempts > 1) shown?.update(`no netmaster leads yet: retrying (${what}, attempt ${attempts})`);
          return this.requestOnce(method, path, body);
        },
        {
          ...(failoverRetryMs !== undefined ? { budgetMs: failoverRetryMs } : {}),
          // The note goes on a line of its own, not after the spinner.
          ...(progress ? { progress: (text: string) => (shown?.clear(), progress(text)) } : {}),
        },
      );
    } finally {
      shown?.stop();
    }
  }

  private async requestOnce(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.options.baseUrl}${path}`;
    // Never follow a redirect: netmaster sends none, and following one would hand the
    // x-auth-token to whatever host it names (fetch only strips Authorization).
    const init: RequestInit = { method, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'manual' };
    const headers: Record<string, string> = {};
    if (this.options.token) headers['x-auth-token'] = this.options.token.reveal();
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    if (Object.keys(headers).length > 0) init.headers = headers;
    let text: string;
    let res: Response;
    try {
      res = await this.fetchFn(url, init);
      text = await res.text();
    } catch (err) {
      throw new RequestError('NETCTL_UNREACHABLE', `cannot reach netmaster at ${this.options.baseUrl}: ${this.transportDetail(err)}`, undefined, {
        cause: err,
      });
    }
    if (res.status < 200 || res.status > 299) {
      const failed = new RequestError('NETCTL_REQUEST_FAILED', serverErrorMessage(res.status, res.statusText, text), res.status);
      if (isFailoverAnswer(res.status, text)) throw new FailoverRefusal(failed, retryDelayMs(res.headers.get('retry-after'), 1));
      throw failed;
    }
    if (text.trim() === '') return null;
    // Printing walks the JSON recursively: 100,000 levels overflowed the stack (an internal error).
    if (jsonNestingDepth(text, MAX_RESPONSE_DEPTH) > MAX_RESPONSE_DEPTH) {
      throw new RequestError('NETCTL_BAD_RESPONSE', `netmaster sent JSON nested more than ${MAX_RESPONSE_DEPTH} levels deep (${method} ${path})`, res.status);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new RequestError('NETCTL_BAD_RESPONSE', `netmaster sent a response that is not JSON (${method} ${path})`, res.status, { cause: err });
    }
  }

  private transportDetail(err: unknown): string {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return `no answer within ${Math.round(this.options.timeoutMs / 1000)}s`;
    }
    // fetch wraps the socket error: TypeError('fetch failed') with the real one as cause.
    const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
    if (cause instanceof AggregateError && cause.errors.length > 0) {
      const first: unknown = cause.errors[0];
      if (first instanceof Error && first.message) return first.message;
    }
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return cause.message || code || cause.name;
    }
    return String(cause);
  }
}
