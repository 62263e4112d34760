/**
 * One registry per daemon: our `contiv_*` metrics plus prom-client's default
 * process metrics (`process_*`, `nodejs_*`, kept under their standard names so
 * ready-made dashboards and alerts find them).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry };

/** Prometheus' text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latency buckets (seconds) for requests, calls and reconciles: 1 ms to 30 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A new registry with the default process metrics and a `service` label on every series. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
