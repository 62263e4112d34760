/**
 * The shim end to end on real sockets: Docker's JSON over HTTP on the plugin
 * socket, a fake agent behind a real gRPC unix socket.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { PLUGIN_CONTENT_TYPE } from './plugin-server';
import { startShim, type RunningShim } from './shim';
import { FakeAgent } from './testing/fake-agent';
import { pluginCall } from './testing/plugin-client';

const config = (dir: string) => ({
  socket: path.join(dir, 'plugins', 'netplugin.sock'),
  agentSocket: path.join(dir, 'agent.sock'),
  connectTimeoutMs: 500,
  callTimeoutMs: 5_000,
  capabilitiesWaitMs: 300,
});

void describe('driver-shim over its socket', () => {
  let dir: string;
  let agent: FakeAgent;
  let shim: RunningShim;
  let sock: string;
  const call = (p: string, body?: unknown) => pluginCall(sock, p, body === undefined ? undefined : JSON.stringify(body));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-test-'));
    agent = new FakeAgent(config(dir).agentSocket);
    await agent.start();
    shim = await startShim(config(dir), noopLogger);
    sock = config(dir).socket;
  });
  after(async () => {
    await shim.close();
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    agent.calls.length = 0;
    agent.replies.clear();
    agent.failures.clear();
  });

  void test('the socket is root-only (0600)', () => {
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
  });

  void test('Plugin.Activate with an empty body, plugin media type', async () => {
    const r = await call('/Plugin.Activate');
    assert.equal(r.status, 200);
    assert.equal(r.contentType, PLUGIN_CONTENT_TYPE);
    assert.deepEqual(r.json, { Implements: ['NetworkDriver', 'IpamDriver'] });
    assert.equal(agent.calls.length, 0);
  });

  void test('GetCapabilities comes from the agent', async () => {
    agent.replies.set('GetCapabilities', { scope: 'global', connectivityScope: '' });
    const r = await call('/NetworkDriver.GetCapabilities');
    assert.deepEqual(r.json, { Scope: 'global', ConnectivityScope: 'global' });
  });

  void test('CreateNetwork: converted request, {} reply, request id forwarded', async () => {
    const r = await call('/NetworkDriver.CreateNetwork', {
      NetworkID: 'abc',
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': { tenant: 'default', network: 'n1' } },
      IPv4Data: [{ AddressSpace: 'contiv-local', Gateway: '10.55.0.1/24', Pool: '10.55.0.0/24' }],
      IPv6Data: [],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {});
    const req = agent.lastRequest('CreateNetwork') as { networkId: string; genericOptions: Record<string, string>; ipv4Data: Array<{ gateway: string }> };
    assert.equal(req.networkId, 'abc');
    assert.deepEqual(req.genericOptions, { tenant: 'default', network: 'n1' });
    assert.equal(req.ipv4Data[0]?.gateway, '10.55.0.1/24');
    assert.match(agent.calls[0]?.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  void test('every NetworkDriver method reaches the agent and answers Docker-shaped JSON', async () => {
    const ep = { NetworkID: 'n', EndpointID: 'e' };
    agent.replies.set('AllocateNetwork', { options: { a: 'b' } });
    agent.replies.set('CreateEndpoint', { interface: { macAddress: '02:02:0a:37:00:02' } });
    agent.replies.set('EndpointOperInfo', { value: { k: 'v' } });
    agent.replies.set('Join', { srcName: 'cpabc', dstPrefix: 'eth', gateway: '10.55.0.1', staticRoutes: [] });
    const cases: Array<[string, unknown, Record<string, unknown>]> = [
      ['DeleteNetwork', { NetworkID: 'n' }, {}],
      ['AllocateNetwork', { NetworkID: 'n', Options: { a: 'b' }, IPv4Data: [], IPv6Data: null }, { Options: { a: 'b' } }],
      ['FreeNetwork', { NetworkID: 'n' }, {}],
      ['CreateEndpoint', { ...ep, Interface: { Address: '10.55.0.2/24', AddressIPv6: '', MacAddress: '' }, Options: {} }, { Interface: { MacAddress: '02:02:0a:37:00:02' } }],
      ['EndpointOperInfo', ep, { Value: { k: 'v' } }],
      [
        'Join',
        { ...ep, SandboxKey: '/x', Options: {} },
        { InterfaceName: { SrcName: 'cpabc', DstPrefix: 'eth' }, Gateway: '10.55.0.1', GatewayIPv6: '', StaticRoutes: [], DisableGatewayService: false },
      ],
      ['Leave', ep, {}],
      ['DeleteEndpoint', ep, {}],
      ['DiscoverNew', { DiscoveryType: 1, DiscoveryData: { Address: '1.2.3.4', BindAddress: '', Self: false } }, {}],
      ['DiscoverDelete', { DiscoveryType: 1, DiscoveryData: { Address: '1.2.3.4', BindAddress: '', Self: false } }, {}],
      ['ProgramExternalConnectivity', { ...ep, Options: {} }, {}],
      ['RevokeExternalConnectivity', ep, {}],
    ];
    for (const [method, body, expected] of cases) {
      const r = await call(`/NetworkDriver.${method}`, body);
      assert.equal(r.status, 200, method);
      assert.deepEqual(r.json, expected, method);
      assert.ok(agent.lastRequest(method), `${method} reached the agent`);
    }
    assert.deepEqual(agent.lastRequest('Leave'), { networkId: 'n', endpointId: 'e' });
  });

  void test('every IpamDriver method reaches the agent and answers Docker-shaped JSON', async () => {
    agent.replies.set('RequestPool', { poolId: 'docker|10.9.0.0/24', pool: '10.9.0.0/24', data: {} });
    agent.replies.set('RequestAddress', { address: '10.9.0.2/24', data: {} });
    assert.deepEqual((await call('/IpamDriver.GetCapabilities')).json, { RequiresMACAddress: false, RequiresRequestReplay: false });
    assert.deepEqual((await call('/IpamDriver.GetDefaultAddressSpaces')).json, {
      LocalDefaultAddressSpace: 'contiv-local',
      GlobalDefaultAddressSpace: 'contiv-global',
    });
    assert.deepEqual((await call('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '10.9.0.0/24', SubPool: '', Options: {}, V6: false })).json, {
      PoolID: 'docker|10.9.0.0/24',
      Pool: '10.9.0.0/24',
      Data: {},
    });
    assert.deepEqual((await call('/IpamDriver.RequestAddress', { PoolID: 'docker|10.9.0.0/24', Address: '', Options: null })).json, { Address: '10.9.0.2/24', Data: {} });
    assert.deepEqual((await call('/IpamDriver.ReleaseAddress', { PoolID: 'docker|10.9.0.0/24', Address: '10.9.0.2' })).json, {});
    assert.deepEqual((await call('/IpamDriver.ReleasePool', { PoolID: 'docker|10.9.0.0/24' })).json, {});
    assert.deepEqual(agent.lastRequest('ReleaseAddress'), { poolId: 'docker|10.9.0.0/24', address: '10.9.0.2' });
  });

  void test('agent errors: NetworkDriver 200 {Err}, IPAM 500 {Err, Error}', async () => {
    agent.fail('CreateEndpoint', 'OVS_FAILURE', 'cannot add port cvabc to contivbr: boom');
    const r1 = await call('/NetworkDriver.CreateEndpoint', { NetworkID: 'n', EndpointID: 'e', Interface: { Address: '10.0.0.2/24' } });
    assert.equal(r1.status, 200);
    assert.deepEqual(r1.json, { Err: 'cannot add port cvabc to contivbr: boom' });
    agent.fail('RequestPool', 'INVALID_ARGUMENT', '10.9.0.0/24 overlaps network contiv-net (100.1.1.0/24)');
    const r2 = await call('/IpamDriver.RequestPool', { Pool: '10.9.0.0/24' });
    assert.equal(r2.status, 500);
    assert.deepEqual(r2.json, { Err: '10.9.0.0/24 overlaps network contiv-net (100.1.1.0/24)', Error: '10.9.0.0/24 overlaps network contiv-net (100.1.1.0/24)' });
  });

  void test('malformed JSON is refused before the agent is called', async () => {
    const r = await pluginCall(sock, '/NetworkDriver.CreateNetwork', '{"NetworkID": ');
    assert.equal(r.status, 400);
    assert.match(String(r.json.Err), /^malformed JSON in \/NetworkDriver\.CreateNetwork: /);
    const r2 = await pluginCall(sock, '/IpamDriver.RequestAddress', 'nope');
    assert.equal(r2.status, 400);
    assert.ok(r2.json.Err && r2.json.Error);
    assert.equal(agent.calls.length, 0);
  });

  void test('a wrong shape is a 400 naming the field', async () => {
    const r = await call('/NetworkDriver.Join', { NetworkID: 'n', EndpointID: 5 });
    assert.equal(r.status, 400);
    assert.equal(r.json.Err, 'invalid /NetworkDriver.Join request: EndpointID must be a non-empty string');
    assert.equal(agent.calls.length, 0);
  });

  void test('unknown methods are 404 with Err (GwAllocCheck, typos)', async () => {
    for (const p of ['/NetworkDriver.GwAllocCheck', '/NetworkDriver.Nope', '/VolumeDriver.Create', '/']) {
      const r = await call(p, {});
      assert.equal(r.status, 404, p);
      assert.match(String(r.json.Err), /not implemented/);
    }
  });

  void test('only POST is accepted', async () => {
    const r = await pluginCall(sock, '/Plugin.Activate', undefined, 'GET');
    assert.equal(r.status, 400);
  });
});

void describe('driver-shim without an agent', () => {
  void test('binds first, answers Activate, and reports a dead agent quickly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-test-'));
    const cfg = config(dir);
    const shim = await startShim(cfg, noopLogger);
    try {
      assert.equal((await pluginCall(cfg.socket, '/Plugin.Activate')).status, 200);
      const r = await pluginCall(cfg.socket, '/NetworkDriver.CreateNetwork', JSON.stringify({ NetworkID: 'n' }));
      assert.equal(r.status, 200);
      assert.equal(r.json.Err, `netplugin agent is not reachable at unix:${cfg.agentSocket}: no socket (is netplugin running?)`);
      const i = await pluginCall(cfg.socket, '/IpamDriver.RequestPool', JSON.stringify({ Pool: '10.0.0.0/24' }));
      assert.equal(i.status, 500);
      assert.match(String(i.json.Error), /not reachable/);
      // GetCapabilities must not fail (a failure unregisters the driver until dockerd restarts).
      assert.deepEqual((await pluginCall(cfg.socket, '/NetworkDriver.GetCapabilities')).json, { Scope: 'local', ConnectivityScope: 'local' });
    } finally {
      await shim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('a socket file nobody serves is reported as unreachable, and a restarted agent is used at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-test-'));
    const cfg = config(dir);
    // A stale socket file: bound once, its server gone.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(cfg.agentSocket, r));
    await new Promise<void>((r) => stale.close(() => r()));
    fs.writeFileSync(cfg.agentSocket, '');
    const shim = await startShim(cfg, noopLogger);
    try {
      const r = await pluginCall(cfg.socket, '/NetworkDriver.DeleteNetwork', JSON.stringify({ NetworkID: 'n' }));
      assert.match(String(r.json.Err), /^netplugin agent is not reachable at unix:/);
      fs.rmSync(cfg.agentSocket);
      const agent = new FakeAgent(cfg.agentSocket);
      await agent.start();
      try {
        const ok = await pluginCall(cfg.socket, '/NetworkDriver.DeleteNetwork', JSON.stringify({ NetworkID: 'n' }));
        assert.deepEqual(ok.json, {});
      } finally {
        await agent.stop();
      }
    } finally {
      await shim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('a stale plugin socket is replaced; a live one is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-test-'));
    const cfg = config(dir);
    fs.mkdirSync(path.dirname(cfg.socket), { recursive: true });
    const old = net.createServer();
    await new Promise<void>((r) => old.listen(cfg.socket, r));
    try {
      await assert.rejects(startShim(cfg, noopLogger), /already serving/);
    } finally {
      // Leave the file behind, as a crashed process would.
      await new Promise<void>((r) => old.close(() => r()));
    }
    fs.writeFileSync(path.join(dir, 'x'), '');
    const shim = await startShim(cfg, noopLogger);
    assert.equal((await pluginCall(cfg.socket, '/Plugin.Activate')).status, 200);
    await shim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
