/**
 * netplugin's metrics (docs/metrics.md), served on `--metrics-listen`
 * (`GET /metrics`). Named here, observed at a few places: the datapath
 * controller's run (endpoints, flows, reconcile time, bundles), the gRPC
 * wrappers of the agent socket and of the Control client, and the failure
 * counters around the store, OVSDB and OpenFlow clients. Labels are bounded
 * sets (methods, operations, error codes): never an endpoint, a network or an
 * address.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { contracts } from '@contiv/rpc';
import { countFailures, createRegistry, errorCodeOf, instrumentCalls, LATENCY_BUCKETS_SECONDS, RpcMetrics, type RpcSide } from '@contiv/runtime/metrics';

export const registry = createRegistry('netplugin');

export const rpc = new RpcMetrics(registry);

type ServiceName = 'NetworkDriver' | 'IpamDriver' | 'Control';

/** `impl` (a service implementation or client of @contiv/rpc) with its calls counted and timed. */
export function instrumentRpc<T extends object>(impl: T, service: ServiceName, side: RpcSide): T {
  return instrumentCalls(impl, Object.keys(contracts()[service].service), { side, service, metrics: rpc });
}

export const endpoints = new Gauge({
  name: 'contiv_endpoints',
  help: 'Endpoints in the datapath this agent programmed last: location=local (containers on this host) or remote (on other hosts)',
  labelNames: ['location'] as const,
  registers: [registry],
});

export const flows = new Gauge({
  name: 'contiv_flows',
  help: 'OpenFlow flows the pipeline has installed on the bridge',
  registers: [registry],
});

export const reconcileSeconds = new Histogram({
  name: 'contiv_datapath_reconcile_duration_seconds',
  help: 'Time of one datapath run (ports, meters, flows in one bundle), seconds, by result (ok, error); its _count counts the runs',
  labelNames: ['result'] as const,
  buckets: [...LATENCY_BUCKETS_SECONDS],
  registers: [registry],
});

export const bundles = new Counter({
  name: 'contiv_openflow_bundles_total',
  help: 'OpenFlow bundles committed (one per datapath run that changed flows)',
  registers: [registry],
});

export const flowChanges = new Counter({
  name: 'contiv_flow_changes_total',
  help: 'Flows added, modified and deleted by the bundles, by op (add, modify, delete)',
  labelNames: ['op'] as const,
  registers: [registry],
});

export interface DatapathRun {
  readonly seconds: number;
  readonly localEndpoints: number;
  readonly remoteEndpoints: number;
  readonly adds: number;
  readonly modifies: number;
  readonly deletes: number;
  /** Flows installed after the run. */
  readonly total: number;
}

export function observeDatapathRun(r: DatapathRun): void {
  reconcileSeconds.observe({ result: 'ok' }, r.seconds);
  endpoints.set({ location: 'local' }, r.localEndpoints);
  endpoints.set({ location: 'remote' }, r.remoteEndpoints);
  flows.set(r.total);
  if (r.adds + r.modifies + r.deletes > 0) {
    bundles.inc();
    flowChanges.inc({ op: 'add' }, r.adds);
    flowChanges.inc({ op: 'modify' }, r.modifies);
    flowChanges.inc({ op: 'delete' }, r.deletes);
  }
}

export function observeDatapathFailure(seconds: number): void {
  reconcileSeconds.observe({ result: 'error' }, seconds);
}

export const storeErrors = new Counter({
  name: 'contiv_store_errors_total',
  help: 'Cluster store operations that failed, by operation and error code (STORE_UNAVAILABLE, ...)',
  labelNames: ['op', 'code'] as const,
  registers: [registry],
});

export const ovsErrors = new Counter({
  name: 'contiv_ovs_errors_total',
  help: 'OVSDB and OpenFlow requests that failed, by channel (ovsdb, openflow), operation and error code',
  labelNames: ['channel', 'op', 'code'] as const,
  registers: [registry],
});

/** The cluster store client, its failures counted. */
export function countStoreErrors<T extends object>(store: T): T {
  return countFailures(store, (op, err) => storeErrors.inc({ op, code: errorCodeOf(err) }));
}

/** An OVSDB or OpenFlow client, its failures counted. */
export function countOvsErrors<T extends object>(client: T, channel: 'ovsdb' | 'openflow'): T {
  return countFailures(client, (op, err) => ovsErrors.inc({ channel, op, code: errorCodeOf(err) }));
}

// Zero from the start, so a scrape shows every series before anything happened.
endpoints.set({ location: 'local' }, 0);
endpoints.set({ location: 'remote' }, 0);
flows.set(0);
