/**
 * netmaster's metrics (docs/metrics.md), on `GET /metrics` of its REST
 * listener. Named here, observed at a few places: the REST app's onResponse
 * hook, the gRPC service wrapper, the allocators' store-copy listeners, the
 * gate (leader status) and the store wrapper. Labels are bounded sets (route
 * patterns, methods, status codes, error codes, allocation kinds): never an
 * endpoint id, a network name or an address.
 *
 * One registry per process: a netmaster is a process; tests that run several
 * in one process share the counters.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { contracts } from '@contiv/rpc';
import { countFailures, createRegistry, errorCodeOf, instrumentCalls, LATENCY_BUCKETS_SECONDS, RpcMetrics } from '@contiv/runtime/metrics';

export const registry = createRegistry('netmaster');

export const restRequests = new Counter({
  name: 'contiv_rest_requests_total',
  help: 'REST requests answered, by route pattern, method and HTTP status',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const restSeconds = new Histogram({
  name: 'contiv_rest_request_duration_seconds',
  help: 'Time to answer a REST request, seconds, by route pattern and method',
  labelNames: ['route', 'method'] as const,
  buckets: [...LATENCY_BUCKETS_SECONDS],
  registers: [registry],
});

/** The route label of a request no route matched (unknown paths stay one series). */
export const UNMATCHED_ROUTE = 'unmatched';

/** One REST answer. `route` is the pattern as registered (`/api/v1/networks/:key/`), never the path. */
export function observeRestRequest(route: string | undefined, method: string, status: number, seconds: number): void {
  const r = route ?? UNMATCHED_ROUTE;
  restRequests.inc({ route: r, method, status: String(status) });
  restSeconds.observe({ route: r, method }, seconds);
}

export const rpc = new RpcMetrics(registry);

export type AllocationKind = 'ip' | 'vlan' | 'vxlan' | 'group_id';

export const allocations = new Counter({
  name: 'contiv_allocations_total',
  help: 'Addresses and ids allocated by this netmaster while leading, by kind (ip, vlan, vxlan, group_id)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const releases = new Counter({
  name: 'contiv_releases_total',
  help: 'Addresses and ids released while this netmaster leads, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const allocationFailures = new Counter({
  name: 'contiv_allocation_failures_total',
  help: 'Allocations refused, by kind and reason (IPAM_POOL_EXHAUSTED, ADDRESS_IN_USE, TAG_POOL_EXHAUSTED, IN_USE, ...)',
  labelNames: ['kind', 'reason'] as const,
  registers: [registry],
});

export const leader = new Gauge({
  name: 'contiv_netmaster_leader',
  help: '1 while this netmaster holds the leader lock and serves writes, else 0',
  registers: [registry],
});
leader.set(0);

let leading = false;

/** From the gate: whether this netmaster leads (allocations are counted by the leader only). */
export function setLeading(value: boolean): void {
  leading = value;
  leader.set(value ? 1 : 0);
}

/**
 * An allocation key appeared in (`taken`) or left the store copy. Every
 * netmaster's copy sees every allocation; only the leader, which made it,
 * counts it, so a sum over netmasters counts each once.
 */
export function observeAllocationChange(kind: AllocationKind, taken: boolean): void {
  if (!leading) return;
  (taken ? allocations : releases).inc({ kind });
}

export function observeAllocationFailure(kind: AllocationKind, err: unknown): void {
  allocationFailures.inc({ kind, reason: errorCodeOf(err) });
}

export const storeErrors = new Counter({
  name: 'contiv_store_errors_total',
  help: 'Cluster store operations that failed, by operation and error code (STORE_UNAVAILABLE, ...)',
  labelNames: ['op', 'code'] as const,
  registers: [registry],
});

export function observeStoreError(op: string, err: unknown): void {
  storeErrors.inc({ op, code: errorCodeOf(err) });
}

/** The cluster store client, its failures counted. */
export function countStoreErrors<T extends object>(store: T): T {
  return countFailures(store, observeStoreError);
}

/** The Control service implementation, its calls counted and timed. */
export function instrumentControl<T extends object>(impl: T): T {
  return instrumentCalls(impl, Object.keys(contracts().Control.service), { side: 'server', service: 'Control', metrics: rpc });
}
