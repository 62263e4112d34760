/**
 * (d) Restarting netmaster, netplugin and the driver shim: existing containers
 * keep talking (the data path never depends on our processes), state is intact,
 * and new containers still work.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointPrefix, ipamPrefix, KEY_PREFIX } from '@contiv/model';
import { useStack } from '../harness/stack';
import { containerIp, PAGE, storeKeys, waitDockerNetwork, withLogs } from './support';

void describe('restarting our services', { timeout: 600_000 }, () => {
  const stack = useStack();
  let serverIp = '';
  let ipamBefore: string[] = [];
  let endpointsBefore: string[] = [];
  let portsBefore: string[] = [];

  const talk = async (): Promise<void> => {
    const h = stack().host;
    const r = await h.docker('exec', 'client', 'timeout', '15', 'wget', '-qO-', `http://${serverIp}/`);
    assert.match(r.stdout, new RegExp(PAGE));
    const p = await h.docker('exec', 'client', 'ping', '-c1', '-W', '5', 'server');
    assert.match(p.stdout, /1 packets received/);
  };

  void test('set up: a network, a server and a client that talk', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.netctl('network', 'create', 'rsnet', '-s', '10.30.0.0/24', '-g', '10.30.0.1');
      await waitDockerNetwork(h, 'rsnet');
      await h.docker('run', '-d', '--net=rsnet', '--name=server', 'busybox', 'httpd', '-f', '-p', '80');
      await h.docker('run', '-d', '--net=rsnet', '--name=client', 'busybox', 'sleep', '3600');
      serverIp = await containerIp(h, 'server');
      await talk();
      ipamBefore = await storeKeys(stack(), ipamPrefix());
      endpointsBefore = await storeKeys(stack(), endpointPrefix());
      portsBefore = await h.ovsPorts();
    });
  });

  void test('traffic keeps flowing while netplugin and the shim are down', async () => {
    const h = stack().host;
    await h.stopService('driver-shim');
    await h.stopService('netplugin');
    try {
      await talk();
      assert.deepEqual(await h.ovsPorts(), portsBefore);
    } finally {
      await h.restartService('netplugin');
      await h.restartService('driver-shim');
    }
  });

  void test('restart netmaster, netplugin and the shim: containers keep talking, state intact', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      await h.restartService('netmaster');
      await h.restartService('netplugin');
      await h.restartService('driver-shim');
      await talk();
      assert.deepEqual(await storeKeys(stack(), ipamPrefix()), ipamBefore);
      assert.deepEqual(await storeKeys(stack(), endpointPrefix()), endpointsBefore);
      assert.deepEqual((await h.ovsPorts()).sort(), [...portsBefore].sort());
      const ls = await h.netctl('network', 'ls', '-q');
      assert.ok(ls.stdout.includes('rsnet'), ls.stdout);
      assert.ok((await storeKeys(stack(), KEY_PREFIX)).length > 0);
    });
  });

  void test('new containers still work after the restarts', async () => {
    const h = stack().host;
    await withLogs(h, async () => {
      const r = await h.docker('run', '--rm', '--net=rsnet', 'busybox', 'timeout', '15', 'wget', '-qO-', 'http://server/');
      assert.match(r.stdout, new RegExp(PAGE));
      await h.docker('run', '-d', '--net=rsnet', '--name=late', 'busybox', 'sleep', '3600');
      const ip = await containerIp(h, 'late');
      assert.ok(!(await storeKeys(stack(), ipamPrefix())).some((k) => ipamBefore.includes(k) && k.endsWith(`/${ip}`)), `${ip} was already taken`);
      const p = await h.docker('exec', 'late', 'ping', '-c1', '-W', '5', serverIp);
      assert.match(p.stdout, /1 packets received/);
    });
  });
});
