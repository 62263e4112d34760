import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countFailures, createRegistry, errorCodeOf, instrumentCalls, parseListenAddress, RpcMetrics, serveMetrics } from './index';

class Client {
  #secret = 41;
  async ok(): Promise<number> {
    return this.#secret + 1;
  }
  async fails(): Promise<never> {
    throw Object.assign(new Error('down'), { code: 'STORE_UNAVAILABLE' });
  }
  throwsNow(): never {
    throw new Error('sync');
  }
  readonly url = 'etcd://x';
}

void describe('metrics helpers', () => {
  void it('countFailures reports rejections and throws, passes results, values and private fields through', async () => {
    const seen: string[] = [];
    const c = countFailures(new Client(), (op, err) => seen.push(`${op}:${errorCodeOf(err)}`));
    assert.equal(await c.ok(), 42);
    assert.equal(c.url, 'etcd://x');
    await assert.rejects(c.fails(), /down/);
    assert.throws(() => c.throwsNow(), /sync/);
    assert.deepEqual(seen, ['fails:STORE_UNAVAILABLE', 'throwsNow:UNKNOWN']);
  });

  void it('instrumentCalls counts calls by method and code, with their time', async () => {
    const registry = createRegistry('test');
    const metrics = new RpcMetrics(registry);
    const impl = { Get: async (n: number) => n * 2, Bad: async () => Promise.reject(Object.assign(new Error('x'), { code: 'NOT_FOUND' })), close: () => undefined };
    const w = instrumentCalls(impl, ['Get', 'Bad'], { side: 'client', service: 'Svc', metrics });
    assert.equal(await w.Get(2), 4);
    await assert.rejects(w.Bad());
    assert.equal(w.close, impl.close);
    const text = await registry.metrics();
    assert.match(text, /contiv_grpc_client_handled_total\{grpc_service="Svc",grpc_method="Get",code="OK",service="test"\} 1/);
    assert.match(text, /contiv_grpc_client_handled_total\{grpc_service="Svc",grpc_method="Bad",code="NOT_FOUND",service="test"\} 1/);
    assert.match(text, /contiv_grpc_client_handling_seconds_count\{[^}]*grpc_method="Get"[^}]*\} 1/);
    assert.match(text, /^process_cpu_user_seconds_total\{service="test"\} /m);
  });

  void it('errorCodeOf keeps label values to stable codes', () => {
    assert.equal(errorCodeOf({ code: 'ECONNREFUSED' }), 'ECONNREFUSED');
    assert.equal(errorCodeOf({ code: 'no such thing 10.1.1.1' }), 'UNKNOWN');
    assert.equal(errorCodeOf('x'), 'UNKNOWN');
  });

  void it('parseListenAddress takes host:port, [v6]:port and :port only', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9091'), { host: '127.0.0.1', port: 9091 });
    assert.deepEqual(parseListenAddress('[::1]:9091'), { host: '::1', port: 9091 });
    assert.deepEqual(parseListenAddress(':9091'), { host: '', port: 9091 });
    for (const bad of ['9091', 'host', 'h:70000', 'h:p', 'a b:1']) assert.throws(() => parseListenAddress(bad), /is not host:port/, bad);
  });

  void it('serveMetrics answers GET /metrics in the text format and nothing else', async () => {
    const registry = createRegistry('test');
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, registry);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const r = await fetch(`${base}/metrics`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await r.text(), /# TYPE process_cpu_user_seconds_total counter/);
      assert.equal((await fetch(`${base}/`)).status, 404);
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await server.close();
    }
  });
});
