/**
 * (f) Bad input: each case gets a clear error and changes nothing (the store's
 * keys, netmaster's networks and Docker's networks are the same afterwards).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { KEY_PREFIX, nodePrefix, netmasterLeaderLock } from '@contiv/model';
import { eventually } from '../harness/eventually';
import type { RunResult } from '../harness/exec';
import { pluginCall } from '../harness/host';
import { useStack } from '../harness/stack';
import type { Stack } from '../harness/stack';
import { allocatedIps, inspectNetwork, ipamKeys, networkNames, rest, storeKeys, waitDockerNetwork, withLogs } from './support';

/** Everything a bad request could have changed. Node records and the leader lock live on leases, so they are left out. */
async function snapshot(stack: Stack): Promise<{ keys: string[]; networks: string[]; dockerNetworks: string[] }> {
  const keys = (await storeKeys(stack, KEY_PREFIX)).filter((k) => !k.startsWith(nodePrefix()) && !k.startsWith(netmasterLeaderLock()));
  const networks = (await networkNames(stack)).sort();
  const dockerNetworks = (await stack.host.docker('network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').filter(Boolean).sort();
  return { keys, networks, dockerNetworks };
}

/** Runs a bad action and checks it changed nothing. */
async function unchanged<T>(stack: Stack, action: () => Promise<T>): Promise<T> {
  const before = await snapshot(stack);
  const result = await action();
  assert.deepEqual(await snapshot(stack), before, 'a rejected request changed state');
  return result;
}

/** A failed CLI call: non-zero exit and a message naming the problem (shown in the test output). */
function assertCliError(t: TestContext, r: RunResult, pattern: RegExp, exitCode?: number): void {
  assert.notEqual(r.code, 0, `expected a failure, got success: ${r.stdout}`);
  if (exitCode !== undefined) assert.equal(r.code, exitCode, `exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, pattern);
  t.diagnostic(`exit ${r.code}: ${r.stderr.trim()}`);
}

const NETWORK_BODY = (name: string, extra: Record<string, unknown>): string =>
  JSON.stringify({ networkName: name, tenantName: 'default', encap: 'vxlan', nwType: 'data', 'link-sets': {}, links: { Tenant: {} }, ...extra });

void describe('bad input: a clear error and nothing changed', { timeout: 900_000 }, () => {
  const stack = useStack();

  void test('invalid subnet (netctl and REST)', async (t) => {
    const s = stack();
    const r = await unchanged(s, () => s.host.tryNetctl('network', 'create', 'bad1', '-s', '10.1.1.0/33', '-g', '10.1.1.1'));
    assertCliError(t, r, /subnet/i);
    const res = await unchanged(s, () => rest(s, 'POST', '/api/v1/networks/default:bad1/', NETWORK_BODY('bad1', { subnet: '10.1.1.0/33', gateway: '10.1.1.1' })));
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text}`);
    assert.match(res.text, /subnet/i);
    t.diagnostic(`REST ${res.status}: ${res.text}`);
  });

  void test('gateway outside the subnet', async (t) => {
    const s = stack();
    const r = await unchanged(s, () => s.host.tryNetctl('network', 'create', 'bad2', '-s', '10.1.2.0/24', '-g', '10.1.3.1'));
    assertCliError(t, r, /gateway/i);
    const res = await unchanged(s, () => rest(s, 'POST', '/api/v1/networks/default:bad2/', NETWORK_BODY('bad2', { subnet: '10.1.2.0/24', gateway: '10.1.3.1' })));
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text}`);
    assert.match(res.text, /gateway/i);
    t.diagnostic(`REST ${res.status}: ${res.text}`);
  });

  void test('duplicate network with other parameters', async (t) => {
    const s = stack();
    await s.host.netctl('network', 'create', 'dup', '-s', '10.1.4.0/24', '-g', '10.1.4.1');
    await waitDockerNetwork(s.host, 'dup');
    // The same parameters again are an idempotent update.
    await unchanged(s, () => s.host.netctl('network', 'create', 'dup', '-s', '10.1.4.0/24', '-g', '10.1.4.1'));
    const r = await unchanged(s, () => s.host.tryNetctl('network', 'create', 'dup', '-s', '10.1.5.0/24', '-g', '10.1.5.1'));
    assertCliError(t, r, /dup|change|exist|subnet/i, 3);
    assert.equal((await inspectNetwork(s, 'dup'))?.Config['subnet'], '10.1.4.0/24');
  });

  void test('deleting a network that has endpoints', async (t) => {
    const s = stack();
    const h = s.host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'busy', '-s', '10.1.6.0/24', '-g', '10.1.6.1');
      await waitDockerNetwork(h, 'busy');
      await h.docker('run', '-d', '--net=busy', '--name=occupant', 'busybox', 'sleep', '3600');
      const r = await unchanged(s, () => h.tryNetctl('network', 'rm', 'busy'));
      assertCliError(t, r, /endpoint/i, 3);
      assert.ok((await networkNames(s)).includes('busy'));
      const state = await h.docker('inspect', '-f', '{{.State.Running}}', 'occupant');
      assert.equal(state.stdout.trim(), 'true');
      await h.docker('rm', '-f', 'occupant');
    });
  });

  void test('unknown tenant: netctl exits 3 with the message', async (t) => {
    const s = stack();
    const r = await unchanged(s, () => s.host.tryNetctl('network', 'create', '-t', 'nosuch', 'tnet', '-s', '10.1.7.0/24', '-g', '10.1.7.1'));
    assertCliError(t, r, /tenant/i, 3);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  });

  void test('malformed JSON to REST', async (t) => {
    const s = stack();
    const res = await unchanged(s, () => rest(s, 'POST', '/api/v1/networks/default:badjson/', '{"networkName": "badjson", "subnet": '));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /json/i);
    t.diagnostic(`REST ${res.status}: ${res.text}`);
    const res2 = await unchanged(s, () => rest(s, 'POST', '/api/v1/tenants/t1/', 'not json at all'));
    assert.equal(res2.status, 400, res2.text);
  });

  void test('malformed JSON to the plugin socket', async (t) => {
    const s = stack();
    for (const call of ['/NetworkDriver.CreateNetwork', '/NetworkDriver.CreateEndpoint', '/IpamDriver.RequestPool', '/IpamDriver.RequestAddress']) {
      const r = await unchanged(s, () => pluginCall(s.host.pluginSocket, call, '{"NetworkID": '));
      const body = JSON.parse(r.body) as { Err?: string; Error?: string };
      const message = body.Err ?? body.Error ?? '';
      assert.ok(message.length > 0, `${call}: an Err message, got ${r.status} ${r.body}`);
      t.diagnostic(`${call}: ${r.status} ${r.body}`);
    }
    const ok = await pluginCall(s.host.pluginSocket, '/Plugin.Activate', '');
    assert.equal(ok.status, 200, 'the shim still answers');
  });

  void test('docker network create with an overlapping subnet', async (t) => {
    const s = stack();
    const h = s.host;
    // overlaps the netctl network "dup" (10.1.4.0/24)
    const r = await unchanged(s, () => h.tryDocker('network', 'create', '-d', 'netplugin', '--ipam-driver', 'netplugin', '--subnet', '10.1.4.0/25', 'ovl1'));
    assertCliError(t, r, /overlap/i);
    // overlaps a network made from Docker
    await h.docker('network', 'create', '-d', 'netplugin', '--ipam-driver', 'netplugin', '--subnet', '10.50.0.0/24', 'dn1');
    await eventually(async () => assert.ok((await networkNames(s)).includes('dn1')), { timeoutMs: 10_000, what: 'netmaster to list dn1' });
    const r2 = await unchanged(s, () => h.tryDocker('network', 'create', '-d', 'netplugin', '--ipam-driver', 'netplugin', '--subnet', '10.50.0.128/25', 'ovl2'));
    assertCliError(t, r2, /overlap/i);
    await h.docker('network', 'rm', 'dn1');
  });

  void test('docker network create with an invalid subnet', async (t) => {
    const s = stack();
    const r = await unchanged(s, () => s.host.tryDocker('network', 'create', '-d', 'netplugin', '--ipam-driver', 'netplugin', '--subnet', '10.51.0.0/32', 'inv1'));
    assertCliError(t, r, /subnet/i);
  });

  void test('IP pool exhausted: the third container on a /30 fails, nothing leaks', async (t) => {
    const s = stack();
    const h = s.host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'tiny', '-s', '10.1.8.0/30');
      await waitDockerNetwork(h, 'tiny');
      const portsBefore = await h.ovsPorts();
      await h.docker('run', '-d', '--net=tiny', '--name=t1', 'busybox', 'sleep', '3600');
      await h.docker('run', '-d', '--net=tiny', '--name=t2', 'busybox', 'sleep', '3600');
      const keys = await ipamKeys(s, 'tiny');
      const allocated = allocatedIps(await inspectNetwork(s, 'tiny'));
      const r = await h.tryDocker('run', '-d', '--net=tiny', '--name=t3', 'busybox', 'sleep', '3600');
      assertCliError(t, r, /exhaust|no (more |free )?(ip )?address|pool|available/i);
      await h.tryDocker('rm', '-f', 't3');
      assert.deepEqual(await ipamKeys(s, 'tiny'), keys);
      assert.deepEqual(allocatedIps(await inspectNetwork(s, 'tiny')), allocated);
      assert.equal((await h.ovsPorts()).length, portsBefore.length + 2);
      await h.docker('rm', '-f', 't1', 't2');
    });
  });
});
