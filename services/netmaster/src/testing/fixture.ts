/**
 * A netmaster on a MemoryStore and a free loopback port, for unit tests, plus
 * a raw HTTP helper that sends exactly the headers given (Contiv's clients send
 * no Content-Type, which fetch() would add).
 */
import http from 'node:http';
import { noopLogger } from '@contiv/runtime';
import { createControlClient, type ControlClient } from '@contiv/rpc';
import { MemoryStore } from '@contiv/store';
import { startNetmaster, type NetmasterHandle } from '../netmaster';

export interface Fixture {
  readonly store: MemoryStore;
  readonly nm: NetmasterHandle;
  readonly port: number;
  readonly control: ControlClient;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export function rawRequest(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers: { ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startFixture(store = new MemoryStore()): Promise<Fixture> {
  const nm = await startNetmaster(
    { listenHost: '127.0.0.1', listenPort: 0, advertiseAddress: '127.0.0.1:0', pluginMode: 'docker', leaderTtlSeconds: 5 },
    store,
    noopLogger,
  );
  await nm.leading;
  const control = createControlClient(`127.0.0.1:${nm.port}`);
  return {
    store,
    nm,
    port: nm.port,
    control,
    request: (method, path, body, headers) => rawRequest(nm.port, method, path, body, headers),
    async close() {
      control.close();
      await nm.stop();
    },
  };
}
