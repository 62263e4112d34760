/**
 * A tiny stand-in for netmaster's REST API in unit tests: answers from a
 * route table and records every request (method, path, headers, raw body).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status?: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as text/plain (Contiv's error style). */
  text?: string;
}

export class FakeNetmaster {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, FakeResponse>();

  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  private baseUrl = '';

  private constructor() {}

  /** Started on a free loopback port. */
  static async start(): Promise<FakeNetmaster> {
    const fake = FakeNetmaster.create();
    await fake.listen();
    return fake;
  }

  /** Not listening yet (url is ''): a test file makes one up front and listens in its `before` hook. */
  static create(): FakeNetmaster {
    return new FakeNetmaster();
  }

  /** Listens on a free loopback port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Sets the answer for `METHOD path`. */
  on(method: string, path: string, response: FakeResponse): this {
    this.routes.set(`${method} ${path}`, response);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
  }

  /** Requests as `METHOD path` strings, for compact assertions. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const method = req.method ?? '';
    const path = req.url ?? '';
    this.requests.push({ method, path, headers: req.headers, body });
    const route = this.routes.get(`${method} ${path}`) ?? {
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } },
    };
    if (route.text !== undefined) {
      res.writeHead(route.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(route.text);
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json' });
    res.end(route.json === undefined ? '' : `${JSON.stringify(route.json)}\n`);
  }
}
