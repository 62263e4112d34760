/**
 * gRPC call metrics, for the serving side and the calling side alike:
 *
 *   contiv_grpc_server_handled_total{grpc_service, grpc_method, code}
 *   contiv_grpc_server_handling_seconds{grpc_service, grpc_method}
 *   contiv_grpc_client_handled_total{grpc_service, grpc_method, code}
 *   contiv_grpc_client_handling_seconds{grpc_service, grpc_method}
 *
 * `code` is OK or the failure's stable code (RpcError's ErrorCode, e.g.
 * NOT_FOUND, NETMASTER_UNAVAILABLE), a bounded set. The calls are counted by
 * wrapping the promise-based service implementation or client of @contiv/rpc
 * (instrumentCalls), so nothing in the handlers changes.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from './registry';

export type RpcSide = 'server' | 'client';

const LABELS = ['grpc_service', 'grpc_method'] as const;

export class RpcMetrics {
  private readonly handled: Record<RpcSide, Counter<'grpc_service' | 'grpc_method' | 'code'>>;
  private readonly seconds: Record<RpcSide, Histogram<'grpc_service' | 'grpc_method'>>;

  constructor(registry: Registry) {
    const counter = (side: RpcSide): Counter<'grpc_service' | 'grpc_method' | 'code'> =>
      new Counter({
        name: `contiv_grpc_${side}_handled_total`,
        help: side === 'server' ? 'gRPC calls this process served, by method and outcome code' : 'gRPC calls this process made, by method and outcome code',
        labelNames: [...LABELS, 'code'],
        registers: [registry],
      });
    const histogram = (side: RpcSide): Histogram<'grpc_service' | 'grpc_method'> =>
      new Histogram({
        name: `contiv_grpc_${side}_handling_seconds`,
        help: side === 'server' ? 'Time to serve a gRPC call, seconds' : 'Time from making a gRPC call to its answer, seconds',
        labelNames: [...LABELS],
        buckets: [...LATENCY_BUCKETS_SECONDS],
        registers: [registry],
      });
    this.handled = { server: counter('server'), client: counter('client') };
    this.seconds = { server: histogram('server'), client: histogram('client') };
  }

  observe(side: RpcSide, service: string, method: string, code: string, seconds: number): void {
    this.handled[side].inc({ grpc_service: service, grpc_method: method, code });
    this.seconds[side].observe({ grpc_service: service, grpc_method: method }, seconds);
  }
}

const CODE_RE = /^[A-Z][A-Z0-9_]{0,47}$/;

/** A failure's stable code (RpcError, StoreError, NetmasterError, errno), else UNKNOWN: label values stay a small set. */
export function errorCodeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CODE_RE.test(code) ? code : 'UNKNOWN';
}

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * A copy of `target` whose methods named in `methods` are timed and counted
 * (the others are passed through). `target` is a @contiv/rpc AsyncService or
 * AsyncClient: an object of promise-returning methods.
 */
export function instrumentCalls<T extends object>(target: T, methods: readonly string[], opts: { readonly side: RpcSide; readonly service: string; readonly metrics: RpcMetrics }): T {
  const own = target as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(own)) out[key] = own[key];
  for (const name of methods) {
    const fn = own[name];
    if (typeof fn !== 'function') continue;
    out[name] = async (...args: unknown[]): Promise<unknown> => {
      const started = performance.now();
      let code = 'OK';
      try {
        return await (fn as AsyncMethod).apply(target, args);
      } catch (err) {
        code = errorCodeOf(err);
        throw err;
      } finally {
        opts.metrics.observe(opts.side, opts.service, name, code, (performance.now() - started) / 1000);
      }
    };
  }
  return out as T;
}
