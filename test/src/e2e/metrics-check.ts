/**
 * Observability on a real installation (docs/metrics.md, docs/openapi.md),
 * run after a workflow has made a network and containers on the stack's
 * first host: `/metrics` of netmaster (its REST port) and of the host's agent
 * (--metrics-listen, on the host's loopback) are scraped and parsed with a
 * Prometheus text parser, and the counters must have moved; the OpenAPI
 * document must be served.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { runInNetns } from '../harness/exec';
import { AGENT_METRICS_PORT, type Host } from '../harness/host';
import type { Stack } from '../harness/stack';

interface Scrape {
  readonly families: Map<string, MetricFamily>;
  readonly text: string;
}

function parse(text: string): Scrape {
  return { families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), text };
}

/** Sum of the samples of counter or gauge `name` whose labels include `labels`. */
function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const fam = s.families.get(name);
  assert.ok(fam, `no metric ${name} (have: ${[...s.families.keys()].filter((k) => k.startsWith('contiv_')).join(', ')})`);
  let sum = 0;
  for (const m of fam.metrics) {
    if (!Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) continue;
    sum += Number(m.value ?? 0);
  }
  return sum;
}

/**
 * Observations of histogram `name` whose labels include `labels`: its `_count`
 * samples. parse-prometheus-text-format folds a histogram's series into one
 * set of buckets without labels (it only handles histograms without labels),
 * so these lines are read as they are printed.
 */
function observations(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  assert.equal(type(s, name), 'HISTOGRAM', name);
  let sum = 0;
  for (const line of s.text.split('\n')) {
    const m = new RegExp(`^${name}_count\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!m) continue;
    const have = m[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[2]);
  }
  return sum;
}

function type(s: Scrape, name: string): string | undefined {
  return s.families.get(name)?.type;
}

export function metricsScenario(getStack: () => Stack, network: string): void {
  const h = (): Host => getStack().host;

  void test('/metrics of netmaster and of the agent, parsed: the workflow moved the counters', async () => {
    const nmRes = await fetch(`${getStack().netmasterUrl}/metrics`);
    assert.equal(nmRes.status, 200);
    assert.match(nmRes.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const nm = parse(await nmRes.text());
    const agentRes = await runInNetns(h().netns, 'curl', ['-fsS', '-m', '10', `http://127.0.0.1:${AGENT_METRICS_PORT}/metrics`]);
    const agent = parse(agentRes.stdout);

    // netmaster
    assert.equal(type(nm, 'contiv_rest_requests_total'), 'COUNTER');
    assert.ok(total(nm, 'contiv_rest_requests_total', { route: '/api/v1/networks/:key/', method: 'POST', status: '200' }) >= 1);
    assert.ok(observations(nm, 'contiv_rest_request_duration_seconds', { route: '/api/v1/networks/:key/' }) >= 1);
    assert.ok(total(nm, 'contiv_allocations_total', { kind: 'ip' }) >= 1, 'addresses allocated');
    assert.ok(total(nm, 'contiv_allocations_total', { kind: 'vxlan' }) >= 1, 'a VNI allocated');
    assert.ok(total(nm, 'contiv_grpc_server_handled_total', { grpc_service: 'Control', grpc_method: 'AllocateAddress', code: 'OK' }) >= 1);
    assert.equal(total(nm, 'contiv_netmaster_leader'), 1);
    assert.ok(total(nm, 'process_resident_memory_bytes') > 0);

    // the agent: the network's running containers are its local endpoints
    const running = (await h().docker('ps', '-q', '--filter', `network=${network}`)).stdout.split('\n').filter(Boolean).length;
    assert.ok(running >= 1, 'the workflow left containers running');
    assert.equal(type(agent, 'contiv_endpoints'), 'GAUGE');
    assert.equal(total(agent, 'contiv_endpoints', { location: 'local' }), running);
    assert.equal(total(agent, 'contiv_endpoints', { location: 'remote' }), 0);
    assert.ok(total(agent, 'contiv_flows') > 0, 'flows installed');
    assert.ok(observations(agent, 'contiv_datapath_reconcile_duration_seconds', { result: 'ok' }) >= 1);
    assert.ok(observations(agent, 'contiv_grpc_server_handling_seconds', { grpc_method: 'CreateEndpoint' }) >= running);
    assert.ok(total(agent, 'contiv_openflow_bundles_total') >= 1);
    assert.ok(total(agent, 'contiv_grpc_server_handled_total', { grpc_service: 'NetworkDriver', grpc_method: 'CreateEndpoint', code: 'OK' }) >= running);
    assert.ok(total(agent, 'contiv_grpc_client_handled_total', { grpc_service: 'Control', grpc_method: 'AllocateAddress', code: 'OK' }) >= running);
    assert.equal(type(agent, 'contiv_store_errors_total'), 'COUNTER');
    assert.equal(type(agent, 'contiv_ovs_errors_total'), 'COUNTER');
    // Low cardinality: no container, network or address in any label.
    for (const scrape of [nm, agent]) {
      for (const f of scrape.families.values()) for (const m of f.metrics) for (const v of Object.values(m.labels ?? {})) assert.ok(!v.includes(network) && !/\d+\.\d+\.\d+\.\d+/.test(v), `${f.name}: ${v}`);
    }
  });

  void test('netmaster serves its OpenAPI document', async () => {
    const r = await fetch(`${getStack().netmasterUrl}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    const doc = (await r.json()) as { openapi?: string; paths?: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths?.['/api/v1/networks/{key}/'], 'the networks routes are documented');
  });
}
