/**
 * (c) `docker rm -f` gives everything back: the address (netmaster inspect and
 * the store's allocation keys), the OVS port (OVSDB) and the endpoint record.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointPrefix } from '@contiv/model';
import { eventually } from '../harness/eventually';
import { useStack } from '../harness/stack';
import { allocatedIps, containerIp, inspectNetwork, ipamKeys, storeKeys, waitDockerNetwork, withLogs } from './support';

void describe('docker rm -f releases the address and the OVS port', { timeout: 600_000 }, () => {
  const stack = useStack();

  void test('run a container, then docker rm -f it', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'relnet', '-s', '10.20.0.0/24', '-g', '10.20.0.1');
      await waitDockerNetwork(h, 'relnet');
      const portsBefore = new Set(await h.ovsPorts());
      const keysBefore = await ipamKeys(stack(), 'relnet');

      await h.docker('run', '-d', '--net=relnet', '--name=victim', 'busybox', 'sleep', '3600');
      const ip = await containerIp(h, 'victim');
      const newPorts = (await h.ovsPorts()).filter((p) => !portsBefore.has(p));
      assert.equal(newPorts.length, 1, `one new OVS port expected, got ${newPorts.join(', ')}`);
      const port = newPorts[0] as string;
      assert.ok(allocatedIps(await inspectNetwork(stack(), 'relnet')).has(ip), `netmaster shows ${ip}`);
      assert.equal((await ipamKeys(stack(), 'relnet')).length, keysBefore.length + 1);
      const ext = await h.vsctl('get', 'interface', port, 'external_ids');
      assert.match(ext.stdout, /endpoint/i, `port ${port} carries our external_ids: ${ext.stdout}`);
      const endpointsWithPort = (await storeKeys(stack(), endpointPrefix())).length;
      assert.ok(endpointsWithPort >= 1);

      await h.docker('rm', '-f', 'victim');
      await eventually(
        async () => {
          assert.ok(!allocatedIps(await inspectNetwork(stack(), 'relnet')).has(ip), `${ip} still allocated`);
          assert.deepEqual(await ipamKeys(stack(), 'relnet'), keysBefore);
          assert.ok(!(await h.ovsPorts()).includes(port), `OVS port ${port} still exists`);
          assert.equal((await storeKeys(stack(), endpointPrefix())).length, endpointsWithPort - 1);
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'address, OVS port and endpoint released' },
      );
      const linkGone = await h.tryExec('ip', 'link', 'show', port);
      assert.notEqual(linkGone.code, 0, `host-side veth ${port} still exists`);
    });
  });

  void test('the released address is handed out again', async () => {
    const h = stack().host;
    await h.docker('run', '-d', '--net=relnet', '--name=again', 'busybox', 'sleep', '3600');
    const ip = await containerIp(h, 'again');
    assert.ok(allocatedIps(await inspectNetwork(stack(), 'relnet')).has(ip));
    await h.docker('rm', '-f', 'again');
  });
});
