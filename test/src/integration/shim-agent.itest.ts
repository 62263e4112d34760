/**
 * The real driver-shim binary with the real agent: the shim binds its socket
 * before anything else and answers Activate with no agent at all, reports a
 * missing agent quickly in Docker's error shapes (GetCapabilities excepted: it
 * must not fail), and uses a (re)started agent at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgentRig, type AgentRig } from './netplugin-rig';

void describe('driver-shim with and without its agent', { timeout: 180_000 }, () => {
  let rig: AgentRig;

  before(async () => {
    rig = await startAgentRig({ netmaster: false });
  });
  after(async () => {
    await rig?.stop();
  });

  void test('binds first and reports a missing agent in Docker error shapes', async () => {
    await rig.startShim();
    assert.deepEqual(await rig.ok('/Plugin.Activate', ''), { Implements: ['NetworkDriver', 'IpamDriver'] });
    const nd = await rig.call('/NetworkDriver.CreateNetwork', { NetworkID: 'n1', Options: {}, IPv4Data: [], IPv6Data: [] });
    assert.equal(nd.status, 200);
    assert.equal(nd.json.Err, `netplugin agent is not reachable at unix:${rig.agentSocket}: no socket (is netplugin running?)`);
    const ip = await rig.call('/IpamDriver.RequestPool', { AddressSpace: '', Pool: '10.9.0.0/24', SubPool: '', Options: {}, V6: false });
    assert.equal(ip.status, 500);
    assert.equal(ip.json.Err, ip.json.Error);
    assert.match(String(ip.json.Err), /not reachable/);
  });

  void test('answers through the agent once it runs, and again after the agent restarts', async () => {
    await rig.startNetplugin();
    assert.deepEqual(await rig.ok('/IpamDriver.GetDefaultAddressSpaces', ''), { LocalDefaultAddressSpace: 'contiv-local', GlobalDefaultAddressSpace: 'contiv-global' });
    // No engine to ask: the agent answers the remembered (here: default) scope.
    assert.deepEqual(await rig.ok('/NetworkDriver.GetCapabilities', ''), { Scope: 'local', ConnectivityScope: 'local' });
    await rig.stopNetplugin();
    const down = await rig.call('/IpamDriver.GetCapabilities', '');
    assert.match(String(down.json.Err), /not reachable/);
    await rig.startNetplugin();
    assert.deepEqual(await rig.ok('/IpamDriver.GetCapabilities', ''), { RequiresMACAddress: false, RequiresRequestReplay: false });
  });

  void test('the agent validates what the shim forwards (no store needed for this one)', async () => {
    const r = await rig.call('/IpamDriver.RequestAddress', { PoolID: '10.9.0.0/24', Address: '', Options: null });
    assert.equal(r.status, 500);
    assert.match(String(r.json.Err), /pool id "10\.9\.0\.0\/24" was not issued by netplugin/);
  });
});
