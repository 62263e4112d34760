import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { isAgentError } from '../errors';
import { DockerNetworks } from '../network/docker-networks';
import { StateCache } from '../network/state-cache';
import { FakeControl, FakeEngine } from '../testing/fakes';
import { eventually, groupState, networkState, putGroup, putNetwork } from '../testing/state';
import { TeardownQueue } from '../endpoint/teardown-queue';
import { IpamService } from './ipam-service';

const kind: Pick<EngineKindTracker, 'resolve'> = {
  resolve: () => Promise.resolve({ kind: { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' }, detected: true }),
};

void describe('IpamService', () => {
  let store: MemoryStore;
  let cache: StateCache;
  let control: FakeControl;
  let engine: FakeEngine;
  let networks: DockerNetworks;
  let ipam: IpamService;
  let teardown: TeardownQueue;

  beforeEach(async () => {
    store = new MemoryStore();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.1/24', gateway: '100.1.1.100', pktTag: 5 }));
    await putNetwork(store, networkState({ networkName: 'blue-net', tenantName: 'blue', subnet: '10.9.0.0/16', networkTag: 'bluetag' }));
    await putGroup(store, groupState({ groupName: 'web', networkName: 'contiv-net', groupTag: 'webtag' }));
    cache = new StateCache(store, noopLogger);
    cache.start();
    assert.ok(await cache.waitSynced(2_000));
    control = new FakeControl();
    engine = new FakeEngine();
    networks = new DockerNetworks({ cache, store, engine, control, engineKind: kind, driverName: 'netplugin', log: noopLogger, pollMs: 5 });
    teardown = new TeardownQueue({ control, log: noopLogger, retryFirstMs: 10 });
    ipam = new IpamService({ cache, networks, control, teardown, hostName: 'h1', log: noopLogger, registrationWaitMs: 1_000 });
  });
  afterEach(async () => {
    networks.stop();
    await cache.stop();
    await store.close();
  });

  void test('RequestPool for a network the agent created: tenant/network options', async () => {
    const r = await ipam.requestPool({ addressSpace: 'contiv-local', pool: '100.1.1.0/24', subPool: '', options: { tenant: 'default', network: 'contiv-net' }, v6: false });
    assert.deepEqual(r, { poolId: 'default/contiv-net|100.1.1.0/24', pool: '100.1.1.0/24', data: {} });
    const g = await ipam.requestPool({ addressSpace: '', pool: '100.1.1.0/24', subPool: '', options: { tenant: 'default', network: 'contiv-net', group: 'web' }, v6: false });
    assert.equal(g.poolId, 'default/contiv-net/web|100.1.1.0/24');
    await assert.rejects(ipam.requestPool({ addressSpace: '', pool: '', subPool: '', options: { tenant: 'default', network: 'nope' }, v6: false }), /network nope does not exist in tenant default/);
  });

  void test('RequestPool by contiv-tag: group tag first, then network tag', async () => {
    const g = await ipam.requestPool({ addressSpace: '', pool: '', subPool: '', options: { 'contiv-tag': 'webtag' }, v6: false });
    assert.equal(g.poolId, 'default/contiv-net/web|100.1.1.0/24');
    const n = await ipam.requestPool({ addressSpace: '', pool: '', subPool: '', options: { 'contiv-tag': 'bluetag' }, v6: false });
    assert.deepEqual(n, { poolId: 'blue/blue-net|10.9.0.0/16', pool: '10.9.0.0/16', data: {} });
    await assert.rejects(ipam.requestPool({ addressSpace: '', pool: '', subPool: '', options: { 'contiv-tag': 'zzz' }, v6: false }), /no Contiv network or endpoint group has the tag "zzz"/);
  });

  void test('RequestPool from Docker: subnet required, valid, not overlapping tenant default', async () => {
    const ok = await ipam.requestPool({ addressSpace: 'contiv-local', pool: '10.9.0.0/24', subPool: '', options: {}, v6: false });
    assert.deepEqual(ok, { poolId: 'docker|10.9.0.0/24', pool: '10.9.0.0/24', data: {} });
    const sub = await ipam.requestPool({ addressSpace: '', pool: '10.9.0.0/24', subPool: '10.9.0.128/25', options: {}, v6: false });
    assert.equal(sub.poolId, 'docker|10.9.0.0/24|10.9.0.128/25');
    const cases: Array<[string, string, RegExp]> = [
      ['', '', /--subnet is required: Contiv has no default address pool/],
      ['10.9.0.0/33', '', /invalid --subnet "10.9.0.0\/33"/],
      ['banana', '', /invalid --subnet "banana"/],
      ['100.1.0.0/16', '', /overlaps the subnet 100.1.1.0\/24 of Contiv network "contiv-net" in tenant default/],
      ['10.9.0.0/24', '10.8.0.0/25', /--ip-range 10.8.0.0\/25 is not inside --subnet 10.9.0.0\/24/],
      ['', '10.8.0.0/25', /needs --subnet/],
      ['10.9.0.0/32', '', /leaves no room/],
    ];
    for (const [pool, subPool, re] of cases) {
      await assert.rejects(ipam.requestPool({ addressSpace: '', pool, subPool, options: {}, v6: false }), (e: unknown) => isAgentError(e, 'AGENT_INVALID_ARGUMENT') && re.test(e.message), pool);
    }
    await assert.rejects(ipam.requestPool({ addressSpace: '', pool: '', subPool: '', options: {}, v6: true }), /IPv6 pools are not supported/);
  });

  void test('gateway requests are answered locally', async () => {
    const gw = { RequestAddressType: 'com.docker.network.gateway' };
    assert.equal((await ipam.requestAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '', options: gw }, undefined)).address, '100.1.1.100/24');
    assert.equal((await ipam.requestAddress({ poolId: 'docker|10.9.0.0/24', address: '', options: gw }, undefined)).address, '10.9.0.1/24');
    assert.equal((await ipam.requestAddress({ poolId: 'docker|10.9.0.0/24', address: '10.9.0.254', options: gw }, undefined)).address, '10.9.0.254/24');
    await assert.rejects(ipam.requestAddress({ poolId: 'docker|10.9.0.0/24', address: '10.8.0.1', options: gw }, undefined), /not inside 10.9.0.0\/24/);
    assert.equal(control.calls.length, 0);
  });

  void test('container addresses come from netmaster, each call with its own request id', async () => {
    const a = await ipam.requestAddress({ poolId: 'default/contiv-net/web|100.1.1.0/24', address: '', options: {} }, 'rid');
    assert.equal(a.address, '10.9.0.2/24');
    await ipam.requestAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '100.1.1.7', options: {} }, 'rid');
    const [c1, c2] = control.calls.map((c) => c.req as { tenantName: string; networkName: string; groupName: string; preferredAddress: string; host: string; requestId: string });
    assert.deepEqual({ ...c1, requestId: undefined }, { tenantName: 'default', networkName: 'contiv-net', groupName: 'web', preferredAddress: '', host: 'h1', requestId: undefined });
    assert.equal(c2?.preferredAddress, '100.1.1.7');
    assert.notEqual(c1?.requestId, c2?.requestId);
  });

  void test('a Docker-first pool waits for its network to be registered', async () => {
    const id = '9'.repeat(64);
    networks.onCreateNetwork({ networkId: id, genericOptions: {}, enableIpv6: false, internal: false, ipv4Data: [{ addressSpace: 'contiv-local', pool: '10.9.0.0/24', gateway: '10.9.0.1/24', auxAddresses: {} }], ipv6Data: [] });
    const pending = ipam.requestAddress({ poolId: 'docker|10.9.0.0/24', address: '', options: {} }, undefined);
    // CreateNetwork has returned; Docker now makes the network visible.
    engine.add({ Id: id, Name: 'net2', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }] } });
    const addr = await pending;
    assert.equal(addr.address, '10.9.0.2/24');
    const reg = control.registered.get(id);
    assert.equal(reg?.dockerName, 'net2');
    assert.equal(reg?.dockerScope, 'h1');
    assert.equal(reg?.subnet, '10.9.0.0/24');
    assert.equal(reg?.gateway, '10.9.0.1');
    const alloc = control.calls.find((c) => c.method === 'AllocateAddress')?.req as { networkName: string };
    assert.equal(alloc.networkName, 'net2');
  });

  void test('a Docker-first pool nobody registers fails with a clear error', async () => {
    await assert.rejects(ipam.requestAddress({ poolId: 'docker|10.77.0.0/24', address: '', options: {} }, undefined), /no Contiv network for pool 10.77.0.0\/24 yet/);
  });

  void test('ReleaseAddress: answered at once, freed at netmaster after; not for the gateway or a network already gone', async () => {
    await ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '100.1.1.5' }, undefined);
    await ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '100.1.1.100' }, undefined);
    await ipam.releaseAddress({ poolId: 'docker|10.55.0.0/24', address: '10.55.0.1' }, undefined);
    await teardown.idle();
    assert.deepEqual(control.calls, [{ method: 'ReleaseAddress', req: { tenantName: 'default', networkName: 'contiv-net', address: '100.1.1.5', host: 'h1', owner: '' } }]);
    control.fail('ReleaseAddress', 'NOT_FOUND', 'not allocated');
    await ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '100.1.1.6' }, undefined);
    await teardown.idle();
    await assert.rejects(ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: 'bogus' }, undefined), /invalid address/);
  });

  void test('RequestAddress sends request ids that mark this run of the agent', async () => {
    await ipam.requestAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '', options: {} }, undefined);
    const req = control.calls.find((c) => c.method === 'AllocateAddress')?.req as { requestId: string };
    assert.ok(ipam.issuedHere(req.requestId), req.requestId);
    assert.ok(!ipam.issuedHere('0123456789ab.' + req.requestId.split('.')[1]));
  });

  void test('a release names the pending owner the address was allocated under (netmaster frees it only for that owner)', async () => {
    const a = await ipam.requestAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '', options: {} }, undefined);
    const rid = (control.calls.find((c) => c.method === 'AllocateAddress')?.req as { requestId: string }).requestId;
    const ip = (a.address ?? '').split('/')[0] ?? '';
    await ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: ip }, undefined);
    await teardown.idle();
    assert.deepEqual(control.calls.at(-1), { method: 'ReleaseAddress', req: { tenantName: 'default', networkName: 'contiv-net', address: ip, host: 'h1', owner: `pending:h1:${rid}` } });
    // Released once: a second release of the same address no longer claims that owner.
    await ipam.releaseAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: ip }, undefined);
    await teardown.idle();
    assert.equal((control.calls.at(-1)?.req as { owner: string }).owner, '');
  });

  void test('an address of this run still pending after the pending timeout is an orphan for the reconcile', async () => {
    let now = 1_000_000;
    const timed = new IpamService({ cache, networks, control, teardown, hostName: 'h1', log: noopLogger, pendingTimeoutMs: 60_000, now: () => now });
    await timed.requestAddress({ poolId: 'default/contiv-net|100.1.1.0/24', address: '', options: {} }, undefined);
    const rid = (control.calls.filter((c) => c.method === 'AllocateAddress').at(-1)?.req as { requestId: string }).requestId;
    now += 59_000;
    assert.ok(timed.issuedHere(rid), 'young: Docker may be about to create its endpoint');
    now += 2_000;
    assert.ok(!timed.issuedHere(rid), 'older than the timeout');
    assert.ok(timed.issuedHere('swarm.4c1d'), "swarm allocator's addresses never time out");
  });

  void test('a new Contiv network reaches the overlap check through the watch', async () => {
    await putNetwork(store, networkState({ networkName: 'late', subnet: '10.200.0.0/16' }));
    await eventually(() => cache.network('default', 'late') !== undefined);
    await assert.rejects(ipam.requestPool({ addressSpace: '', pool: '10.200.5.0/24', subPool: '', options: {}, v6: false }), /"late"/);
  });
});
