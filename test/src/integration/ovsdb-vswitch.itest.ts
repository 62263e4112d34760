/**
 * The typed Open_vSwitch layer (VswitchClient) against a real ovsdb-server +
 * ovs-vswitchd (userspace datapath, vswitchd in a private netns), over both
 * unix socket and TCP. ovs-vsctl is the independent witness.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { VswitchClient, isOvsdbError } from '@contiv/ovsdb-client';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim()}`)) : resolve(String(stdout))));
  });
}
const ip = (...args: string[]): Promise<string> => run('ip', args);

const rand = (): string => Math.random().toString(36).slice(2, 6);
const unquote = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : s);

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true, tcpPort: true });
});
after(async () => {
  await ovs?.stop();
});

for (const transport of ['unix', 'tcp'] as const) {
  void describe(`VswitchClient over ${transport}`, { timeout: 180_000 }, () => {
    const t = transport[0] as string;
    const br = `bv${t}${rand()}`;
    let v: VswitchClient;
    const listPorts = async (): Promise<string[]> => (await ovs.vsctl('list-ports', br)).split('\n').filter(Boolean).sort();
    /** Transactions our client has sent so far. */
    const transactions = (): number => v.ovsdb.stats.requestsSent.transact ?? 0;
    /** A row's configuration columns as ovs-vsctl prints them. */
    const rowText = (table: string, name: string, columns: string): Promise<string> => ovs.vsctl(`--columns=${columns}`, 'list', table, name);
    const BRIDGE_COLS = 'name,datapath_type,fail_mode,protocols,external_ids,other_config,ports';
    const PORT_COLS = 'name,tag,trunks,vlan_mode,external_ids,interfaces';
    const IFACE_COLS = 'name,type,options,external_ids,mtu_request,ofport_request';

    before(async () => {
      v = await VswitchClient.connect({ endpoint: transport === 'unix' ? ovs.dbSocket : (ovs.tcpEndpoint as string), timeoutMs: 30_000 });
    });
    after(async () => {
      await v?.deleteBridge(br).catch(() => undefined);
      await v?.close();
    });

    void it('reads Open_vSwitch: datapath types and version', async () => {
      assert.ok(v.datapathTypes().includes('netdev'), v.datapathTypes().join(','));
      assert.equal(v.ovsVersion(), unquote(await ovs.vsctl('get', 'Open_vSwitch', '.', 'ovs_version')));
    });

    void it('ensureBridge creates a netdev bridge, is idempotent, and updates only differing columns', async () => {
      const opts = { datapathType: 'netdev', failMode: 'secure', protocols: ['OpenFlow10', 'OpenFlow13'], externalIds: { owner: 'itest' } } as const;
      await v.ensureBridge(br, { ...opts, protocols: [...opts.protocols] });
      assert.ok(v.bridgeNames().includes(br));
      assert.ok((await ovs.vsctl('list-br')).split('\n').includes(br));
      assert.equal(await ovs.vsctl('get', 'bridge', br, 'datapath_type'), 'netdev');
      assert.equal(await ovs.vsctl('get', 'bridge', br, 'fail_mode'), 'secure');
      assert.equal(await ovs.vsctl('get', 'bridge', br, 'protocols'), '[OpenFlow10, OpenFlow13]');
      assert.equal(unquote(await ovs.vsctl('get', 'bridge', br, 'external_ids:owner')), 'itest');
      // Like ovs-vsctl add-br: the bridge has its local internal port, not listed as a port.
      assert.equal(await ovs.vsctl('get', 'interface', br, 'type'), 'internal');
      assert.deepEqual(await listPorts(), []);

      const [txns, before] = [transactions(), await rowText('bridge', br, BRIDGE_COLS)];
      await v.ensureBridge(br, { ...opts, protocols: [...opts.protocols] });
      assert.equal(transactions(), txns, 'second ensureBridge sent no transaction');
      assert.equal(await rowText('bridge', br, BRIDGE_COLS), before);

      await v.ensureBridge(br, { otherConfig: { 'disable-in-band': 'true' }, externalIds: { extra: '1' } });
      assert.equal(unquote(await ovs.vsctl('get', 'bridge', br, 'other_config:disable-in-band')), 'true');
      assert.deepEqual(v.bridgeExternalIds(br), { owner: 'itest', extra: '1' });
      assert.equal(await ovs.vsctl('get', 'bridge', br, 'fail_mode'), 'secure', 'unspecified columns untouched');
    });

    void it('setBridgeExternalIds merges into external_ids', async () => {
      await v.setBridgeExternalIds(br, { owner: 'changed', k2: 'v2' });
      assert.deepEqual(v.bridgeExternalIds(br), { owner: 'changed', extra: '1', k2: 'v2' });
      assert.equal(unquote(await ovs.vsctl('get', 'bridge', br, 'external_ids:k2')), 'v2');
      assert.equal(v.bridgeExternalIds('no-such-bridge'), undefined);
      await assert.rejects(v.setBridgeExternalIds('no-such-bridge', { a: 'b' }), (e) => isOvsdbError(e, 'OVSDB_NOT_FOUND'));
    });

    void it('addPort of a veth end: ofport assigned, tag and external_ids visible in ovs-vsctl; adding it twice changes nothing; deletePort removes it', async () => {
      const [a, b] = [`va${t}${rand()}`, `vb${t}${rand()}`];
      const ns = ovs.netns as string;
      await ip('-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      try {
        await ip('-n', ns, 'link', 'set', a, 'up');
        await ip('-n', ns, 'link', 'set', b, 'up');
        const spec = { name: a, tag: 42, externalIds: { 'endpoint-id': 'ep1', network: 'net1' } };
        const view = await v.addPort(br, spec);
        assert.equal(view.name, a);
        assert.equal(view.bridge, br);
        assert.equal(view.tag, 42);
        assert.deepEqual(view.externalIds, spec.externalIds);
        assert.equal(view.interfaces[0]?.name, a);

        const ofport = await v.waitForOfport(a, 15_000);
        assert.ok(ofport > 0);
        assert.equal(Number(await ovs.vsctl('get', 'interface', a, 'ofport')), ofport);
        assert.equal(await ovs.vsctl('get', 'port', a, 'tag'), '42');
        assert.equal(unquote(await ovs.vsctl('get', 'port', a, 'external_ids:endpoint-id')), 'ep1');
        assert.equal(unquote(await ovs.vsctl('get', 'interface', a, 'external_ids:endpoint-id')), 'ep1');
        assert.deepEqual(await listPorts(), [a]);
        assert.equal(v.getPort(a)?.interfaces[0]?.ofport, ofport);

        const [txns, pv, iv] = [transactions(), await rowText('port', a, PORT_COLS), await rowText('interface', a, IFACE_COLS)];
        const again = await v.addPort(br, spec);
        assert.equal(again.uuid, view.uuid);
        assert.equal(transactions(), txns, 'second addPort sent no transaction');
        assert.equal(await rowText('port', a, PORT_COLS), pv);
        assert.equal(await rowText('interface', a, IFACE_COLS), iv);
        assert.deepEqual(await listPorts(), [a]);

        // Changing the spec updates just the differing columns of the same rows.
        const changed = await v.addPort(br, { ...spec, tag: 43 });
        assert.equal(changed.uuid, view.uuid);
        assert.equal(changed.tag, 43);
        assert.equal(await ovs.vsctl('get', 'port', a, 'tag'), '43');
        assert.equal(transactions(), txns + 1, 'one transaction for the change');
        assert.equal(await rowText('interface', a, IFACE_COLS), iv, 'Interface columns unchanged');

        assert.deepEqual(v.findPorts({ 'endpoint-id': 'ep1' }).map((p) => p.name), [a]);
        assert.deepEqual(v.findPorts({ 'endpoint-id': 'ep1', network: 'other' }), []);
        assert.deepEqual(v.listPorts(br).map((p) => p.name), [a]);

        assert.equal(await v.deletePort(br, a), true);
        assert.deepEqual(await listPorts(), []);
        assert.equal(v.getPort(a), undefined);
        assert.equal(await ovs.vsctl('--if-exists', 'get', 'interface', a, 'name'), '', 'Interface garbage-collected');
        assert.equal(await v.deletePort(br, a), false);
      } finally {
        await ip('-n', ns, 'link', 'del', a).catch(() => undefined);
      }
    });

    void it('a port on a nonexistent device: waitForOfport rejects with the Interface error', async () => {
      const name = `nx${t}${rand()}`;
      await v.addPort(br, { name });
      await assert.rejects(v.waitForOfport(name, 15_000), (e) => isOvsdbError(e, 'OVSDB_INTERFACE_ERROR') && /No such device/.test(e.message));
      assert.match(unquote(await ovs.vsctl('get', 'interface', name, 'error')), /No such device/);
      assert.equal(await v.deletePort(br, name), true);
    });

    void it('adds a vxlan port with options', async () => {
      const name = `vx${t}${rand()}`;
      const options = { remote_ip: '192.0.2.10', key: 'flow', dst_port: '4789' };
      const view = await v.addPort(br, { name, type: 'vxlan', options, vlanMode: 'trunk', externalIds: { peer: 'node2' } });
      assert.deepEqual(view.interfaces[0]?.options, options);
      assert.ok((await v.waitForOfport(name, 15_000)) > 0);
      assert.equal(await ovs.vsctl('get', 'interface', name, 'type'), 'vxlan');
      assert.equal(unquote(await ovs.vsctl('get', 'interface', name, 'options:remote_ip')), '192.0.2.10');
      assert.equal(unquote(await ovs.vsctl('get', 'interface', name, 'options:key')), 'flow');
      assert.equal(await ovs.vsctl('get', 'port', name, 'vlan_mode'), 'trunk');
      await v.waitForApply(15_000);
      assert.equal(await v.deletePort(br, name), true);
    });

    void it('addPort to a missing bridge or with a port name used on another bridge fails clearly', async () => {
      await assert.rejects(v.addPort('no-such-bridge', { name: `zz${rand()}` }), (e) => isOvsdbError(e, 'OVSDB_NOT_FOUND'));
      const other = `bo${t}${rand()}`;
      const name = `pc${t}${rand()}`;
      await v.ensureBridge(other, { datapathType: 'netdev' });
      try {
        await v.addPort(other, { name, type: 'internal' });
        await assert.rejects(v.addPort(br, { name, type: 'internal' }), (e) => isOvsdbError(e, 'OVSDB_CONFLICT'));
        await assert.rejects(v.addPort(br, { name: `tg${rand()}`, tag: 5000 }), (e) => isOvsdbError(e, 'OVSDB_INVALID_ARGUMENT'));
      } finally {
        assert.equal(await v.deleteBridge(other), true);
      }
      assert.equal(await v.deleteBridge(other), false);
      assert.ok(!(await ovs.vsctl('list-br')).split('\n').includes(other));
    });

    void it('200 ports added concurrently (mutate-based), then deleted', async () => {
      const names = Array.from({ length: 200 }, (_, i) => `m${t}${rand()}${i}`);
      const views = await Promise.all(
        names.map((name, i) => v.addPort(br, { name, type: 'vxlan', options: { remote_ip: `10.77.${i >> 8}.${(i & 255) + 1}`, key: 'flow' } })),
      );
      assert.equal(new Set(views.map((p) => p.uuid)).size, 200);
      assert.deepEqual(await listPorts(), [...names].sort());
      assert.equal(v.listPorts(br).length, 200);
      await v.waitForApply(60_000);
      const results = await Promise.all(names.map((name) => v.deletePort(br, name)));
      assert.ok(results.every(Boolean));
      assert.deepEqual(await listPorts(), []);
      assert.equal(v.listPorts(br).length, 0);
    });

    void it('concurrent addPort of the same name converges on one port', async () => {
      const name = `cc${t}${rand()}`;
      const views = await Promise.all([1, 2, 3].map(() => v.addPort(br, { name, type: 'internal', externalIds: { n: '1' }, tag: 7 })));
      assert.equal(new Set(views.map((p) => p.uuid)).size, 1);
      assert.deepEqual(await listPorts(), [name]);
      assert.equal(await v.deletePort(br, name), true);
    });

    void it('reconnect: ovsdb-server restart while connected; replica rebuilt and writes work again', async () => {
      const keep = `rk${t}${rand()}`;
      await v.addPort(br, { name: keep, type: 'internal', tag: 9 });
      let changes = 0;
      const off = v.onChange(() => changes++);
      const connectsBefore = v.ovsdb.stats.connects;
      await ovs.restartOvsdbServer();
      await eventually(() => v.ovsdb.stats.connects > connectsBefore && v.replica.synced, 30_000, 'reconnect');
      assert.ok(changes >= 1, 'onChange fired for the resync');
      assert.equal(v.getPort(keep)?.tag, 9, 'replica rebuilt with existing rows');

      const fresh = `rf${t}${rand()}`;
      const view = await v.addPort(br, { name: fresh, type: 'internal', externalIds: { after: 'restart' } });
      assert.equal(view.externalIds.after, 'restart');
      assert.ok((await v.waitForOfport(fresh, 15_000)) > 0);
      assert.deepEqual(await listPorts(), [fresh, keep].sort());
      off();
      assert.equal(await v.deletePort(br, fresh), true);
      assert.equal(await v.deletePort(br, keep), true);
    });
  });
}
