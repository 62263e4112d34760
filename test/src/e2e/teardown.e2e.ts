/**
 * Teardown off Docker's critical path: `docker rm` is answered once the OVS
 * port is gone, and netmaster's part (endpoint record, address) and the veth
 * follow in the background. An agent that stops before that part is done must
 * not leak anything: its next start finds and releases what is left.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointKey } from '@contiv/model';
import { eventually } from '../harness/eventually';
import { useStack } from '../harness/stack';
import { allocatedIps, containerIp, inspectNetwork, ipamKeys, storeKeys, waitDockerNetwork, withLogs } from './support';

void describe('teardown while netmaster is away, then an agent restart', { timeout: 600_000 }, () => {
  const stack = useStack();

  void test('docker rm with netmaster down; the restarted agent releases the record and the address', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'tdnet', '-s', '10.21.0.0/24', '-g', '10.21.0.1');
      await waitDockerNetwork(h, 'tdnet');
      const keysBefore = await ipamKeys(stack(), 'tdnet');
      await h.docker('run', '-d', '--net=tdnet', '--name=orphan', 'busybox', 'sleep', '3600');
      const ip = await containerIp(h, 'orphan');
      const ep = (await h.docker('inspect', '-f', '{{(index .NetworkSettings.Networks "tdnet").EndpointID}}', 'orphan')).stdout.trim();
      const port = `cvh${ep.slice(0, 12)}`;
      assert.ok((await h.ovsPorts()).includes(port), `OVS port ${port}`);
      assert.deepEqual(await storeKeys(stack(), endpointKey(ep)), [endpointKey(ep)]);

      // netmaster away: Docker's teardown still completes (nothing of it waits for netmaster).
      await h.stopService('netmaster');
      try {
        await h.docker('rm', '-f', 'orphan');
        assert.ok(!(await h.ovsPorts()).includes(port), `OVS port ${port} removed before docker rm returned`);
        // The agent stops before netmaster is back: its queued record delete and release are lost.
        await h.stopService('netplugin');
        assert.deepEqual(await storeKeys(stack(), endpointKey(ep)), [endpointKey(ep)], 'the record is still there');
        assert.equal((await ipamKeys(stack(), 'tdnet')).length, keysBefore.length + 1, 'the address is still held');
      } finally {
        await h.restartService('netmaster');
        await h.restartService('netplugin');
      }

      await eventually(
        async () => {
          assert.deepEqual(await storeKeys(stack(), endpointKey(ep)), [], 'endpoint record released');
          assert.deepEqual(await ipamKeys(stack(), 'tdnet'), keysBefore, 'address released');
          assert.ok(!allocatedIps(await inspectNetwork(stack(), 'tdnet')).has(ip), `${ip} still allocated`);
          const veth = await h.tryExec('ip', 'link', 'show', port);
          assert.notEqual(veth.code, 0, `veth ${port} still exists`);
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the restarted agent released what the stopped one left' },
      );

      // And the network is fully usable again.
      await h.docker('run', '--rm', '--net=tdnet', 'busybox', 'true');
      await eventually(async () => assert.deepEqual(await ipamKeys(stack(), 'tdnet'), keysBefore), { timeoutMs: 20_000, intervalMs: 200, what: 'address released after docker run --rm' });
      await h.netctl('network', 'rm', 'tdnet');
    });
  });
});
