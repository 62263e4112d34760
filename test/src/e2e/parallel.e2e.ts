/**
 * (e) 50 containers started at once get 50 distinct addresses (allocation is a
 * compare-and-swap in the store, so concurrent requests never share one), and
 * removing them all gives every address and OVS port back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../harness/eventually';
import { useStack } from '../harness/stack';
import { allocatedIps, containerIp, inSubnet, inspectNetwork, ipamKeys, waitDockerNetwork, withLogs } from './support';

const COUNT = 50;
const names = Array.from({ length: COUNT }, (_, i) => `par${i}`);

void describe(`${COUNT} containers in parallel`, { timeout: 900_000 }, () => {
  const stack = useStack();
  let keysBefore: string[] = [];
  let portsBefore: string[] = [];

  void test(`${COUNT} parallel docker runs get ${COUNT} distinct addresses`, async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'parnet', '-s', '10.40.0.0/24', '-g', '10.40.0.1');
      await waitDockerNetwork(h, 'parnet');
      keysBefore = await ipamKeys(stack(), 'parnet');
      portsBefore = await h.ovsPorts();
      const results = await Promise.allSettled(names.map((n) => h.docker('run', '-d', '--net=parnet', `--name=${n}`, 'busybox', 'sleep', '3600')));
      const failed = results.map((r, i) => (r.status === 'rejected' ? `${names[i]}: ${String(r.reason)}` : '')).filter(Boolean);
      assert.deepEqual(failed, [], 'every container starts');
      const ips = await Promise.all(names.map((n) => containerIp(h, n)));
      assert.equal(new Set(ips).size, COUNT, `distinct addresses: ${ips.join(' ')}`);
      for (const ip of ips) {
        assert.ok(inSubnet(ip, '10.40.0.0/24'), ip);
        assert.notEqual(ip, '10.40.0.1');
      }
      const allocated = allocatedIps(await inspectNetwork(stack(), 'parnet'));
      for (const ip of ips) assert.ok(allocated.has(ip), `netmaster shows ${ip}`);
      assert.equal((await ipamKeys(stack(), 'parnet')).length, keysBefore.length + COUNT);
      assert.equal((await h.ovsPorts()).length, portsBefore.length + COUNT);
    });
  });

  void test('removing them all releases every address and port', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.docker('rm', '-f', ...names);
      await eventually(
        async () => {
          assert.deepEqual(await ipamKeys(stack(), 'parnet'), keysBefore);
          assert.deepEqual(await h.ovsPorts(), portsBefore);
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'all addresses and ports released' },
      );
    });
  });
});
