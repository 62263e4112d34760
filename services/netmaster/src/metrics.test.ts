import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPEN_ROUTES } from './rest/auth';
import { startFixture, type Fixture } from './testing/fixture';

/** Sample values of `/metrics` text by series (`name{labels}` as printed). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** The value of the one series of `name` whose labels include all of `labels` (0 when none). */
function value(s: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let found = 0;
  for (const [series, v] of s) {
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, l]) => series.includes(`${k}="${l}"`))) found += v;
  }
  return found;
}

void describe('netmaster /metrics', () => {
  let f: Fixture;
  const scrape = async (): Promise<Map<string, number>> => {
    const r = await f.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return samples(r.text);
  };
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  void it('counts REST requests by route pattern, method and status, with latency', async () => {
    const before = await scrape();
    const route = { route: '/api/v1/networks/:key/', method: 'POST', status: '200' };
    const r = await f.request('POST', '/api/v1/networks/default:m1/', { encap: 'vxlan', subnet: '10.7.1.0/24', gateway: '10.7.1.1' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await f.request('GET', '/api/v1/networks/default:nosuch/')).status, 404);
    assert.equal((await f.request('GET', '/no/such/path')).status, 404);
    const now = await scrape();
    assert.equal(value(now, 'contiv_rest_requests_total', route) - value(before, 'contiv_rest_requests_total', route), 1);
    assert.ok(value(now, 'contiv_rest_requests_total', { route: '/api/v1/networks/:key/', method: 'GET', status: '404' }) >= 1);
    assert.ok(value(now, 'contiv_rest_requests_total', { route: 'unmatched', status: '404' }) >= 1);
    assert.ok(value(now, 'contiv_rest_request_duration_seconds_count', { route: '/api/v1/networks/:key/', method: 'POST' }) >= 1);
    // Paths never become labels: only route patterns.
    for (const series of now.keys()) assert.ok(!series.includes('default:m1') && !series.includes('/no/such'), series);
  });

  void it('counts allocations and releases (kind), failures (kind, reason), gRPC calls, and the leader', async () => {
    const before = await scrape();
    const a = await f.control.AllocateAddress({ tenantName: 'default', networkName: 'm1', host: 'h1', requestId: 'r1' });
    await f.control.AllocateAddress({ tenantName: 'default', networkName: 'm1', host: 'h1', requestId: 'r1' }); // a retry: the same address
    await assert.rejects(f.control.AllocateAddress({ tenantName: 'default', networkName: 'm1', host: 'h1', requestId: 'r2', preferredAddress: a.address }));
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'm1', address: a.address });
    const now = await scrape();
    const delta = (name: string, labels: Record<string, string>): number => value(now, name, labels) - value(before, name, labels);
    assert.equal(delta('contiv_allocations_total', { kind: 'ip' }), 1, 'contiv_allocations_total ' + JSON.stringify({ kind: 'ip' }));
    assert.equal(delta('contiv_releases_total', { kind: 'ip' }), 1, 'contiv_releases_total ' + JSON.stringify({ kind: 'ip' }));
    assert.equal(delta('contiv_allocation_failures_total', { kind: 'ip', reason: 'ADDRESS_IN_USE' }), 1, 'contiv_allocation_failures_total ' + JSON.stringify({ kind: 'ip', reason: 'ADDRESS_IN_USE' }));
    assert.equal(delta('contiv_grpc_server_handled_total', { grpc_service: 'Control', grpc_method: 'AllocateAddress', code: 'OK' }), 2, 'contiv_grpc_server_handled_total ' + JSON.stringify({ grpc_service: 'Control', grpc_method: 'AllocateAddress', code: 'OK' }));
    assert.equal(delta('contiv_grpc_server_handled_total', { grpc_method: 'AllocateAddress', code: 'ALREADY_EXISTS' }), 1, 'contiv_grpc_server_handled_total ' + JSON.stringify({ grpc_method: 'AllocateAddress', code: 'ADDRESS_IN_USE' }));
    assert.equal(delta('contiv_grpc_server_handling_seconds_count', { grpc_method: 'ReleaseAddress' }), 1, 'contiv_grpc_server_handling_seconds_count ' + JSON.stringify({ grpc_method: 'ReleaseAddress' }));
    // The network of the first test took a VNI and a local VLAN.
    assert.ok(value(now, 'contiv_allocations_total', { kind: 'vxlan' }) >= 1);
    assert.ok(value(now, 'contiv_allocations_total', { kind: 'vlan' }) >= 1);
    assert.equal(value(now, 'contiv_netmaster_leader'), 1);
    assert.ok(value(now, 'process_cpu_user_seconds_total') > 0, 'default process metrics');
  });

  void it('is open without a token, as /version and /info are', () => {
    assert.ok(OPEN_ROUTES.has('/metrics'));
    assert.ok(OPEN_ROUTES.has('/api/v1/openapi.json'));
  });
});
