import { RequestError } from '../errors';
import { serverErrorMessage } from './error-message';

export type FetchFn = typeof fetch;

export interface NetmasterClientOptions {
  /** Base URL without trailing slash, e.g. http://localhost:9999. */
  baseUrl: string;
  timeoutMs: number;
  /** Injected in tests; defaults to Node's fetch. */
  fetch?: FetchFn;
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

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.options.baseUrl}${path}`;
    const init: RequestInit = { method, signal: AbortSignal.timeout(this.options.timeoutMs) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
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
      throw new RequestError('NETCTL_REQUEST_FAILED', serverErrorMessage(res.status, res.statusText, text), res.status);
    }
    if (text.trim() === '') return null;
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
