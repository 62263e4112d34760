/**
 * @module @contiv/runtime/metrics
 * Prometheus helpers both daemons use (docs/metrics.md): a registry with the
 * process's default metrics, gRPC call metrics for either side of a call, a
 * failure counter for any object of async methods (store, OVSDB, OpenFlow),
 * and a small HTTP server for daemons without a REST listener of their own.
 * A subpath of its own so that netctl and the shim, which import
 * @contiv/runtime, never load prom-client.
 */
export { createRegistry, LATENCY_BUCKETS_SECONDS, METRICS_CONTENT_TYPE, type Registry } from './registry';
export { errorCodeOf, instrumentCalls, RpcMetrics, type RpcSide } from './calls';
export { countFailures } from './failures';
export { parseListenAddress, serveMetrics, type MetricsServer, type ListenAddress } from './http-server';
