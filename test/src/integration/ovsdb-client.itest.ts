/**
 * The RFC 7047 layer (OvsdbClient, Replica) against a real ovsdb-server +
 * ovs-vswitchd, every scenario over both unix socket and TCP (the OVS
 * OVSDB_CHECK_IDL matrix).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { OvsdbClient, Replica, isOvsdbError, namedUuid, optionalAtom, ovsSet, toAtoms, toStringMap, toUuids, uuid } from '@contiv/ovsdb-client';
import type { Row } from '@contiv/ovsdb-client';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

const DB = 'Open_vSwitch';

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

const rand = (): string => Math.random().toString(36).slice(2, 6);
/** `ovs-vsctl get` prints strings quoted only when needed. */
const unquote = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
const nameOf = (r: Row | undefined): string => String(optionalAtom(r?.values.name));

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true, tcpPort: true });
});
after(async () => {
  await ovs?.stop();
});

for (const transport of ['unix', 'tcp'] as const) {
  const endpoint = (): string => (transport === 'unix' ? ovs.dbSocket : (ovs.tcpEndpoint as string));

  void describe(`OvsdbClient over ${transport}`, { timeout: 120_000 }, () => {
    void it('list_dbs and get_schema describe the Open_vSwitch database', async () => {
      const c = await OvsdbClient.connect({ endpoint: endpoint() });
      try {
        const dbs = await c.listDbs();
        assert.ok(dbs.includes(DB), `list_dbs: ${dbs.join(',')}`);
        const schema = await c.getSchema(DB);
        assert.equal(schema.name, DB);
        assert.equal(schema.version, unquote(await ovs.vsctl('get', 'Open_vSwitch', '.', 'db_version')));
        const port = schema.tables.get('Port');
        assert.ok(port && !port.isRoot, 'Port is not a root table');
        assert.equal(port.columns.get('tag')?.type.max, 1);
        assert.equal(port.columns.get('tag')?.type.min, 0);
        assert.ok(schema.tables.get('Open_vSwitch')?.isRoot);
        assert.deepEqual(await c.echo('hello', 42), ['hello', 42]);
        await assert.rejects(c.getSchema('NoSuchDb'), (e) => isOvsdbError(e, 'OVSDB_RPC_ERROR'));
      } finally {
        await c.close();
      }
    });

    void it('transact: results per op; failures merged into one OvsdbError; wait → try-again', async () => {
      const c = await OvsdbClient.connect({ endpoint: endpoint() });
      try {
        const ok = await c.transact(DB, [
          { op: 'comment', comment: 'ovsdb-client itest' },
          { op: 'select', table: 'Open_vSwitch', where: [], columns: ['datapath_types', 'next_cfg'] },
        ]);
        assert.equal(ok.length, 2);
        const types = toAtoms(ok[1]?.rows?.[0]?.datapath_types ?? ovsSet());
        assert.ok(types.includes('netdev'), `datapath_types ${types.join(',')}`);

        // Port.interfaces has min 1: the op itself is rejected.
        const bad = await c.tryTransact(DB, [{ op: 'insert', table: 'Port', row: { name: `bad${rand()}`, interfaces: ovsSet([]) } }]);
        assert.ok(bad.status === 'error', `status ${bad.status}`);
        assert.equal(bad.error.code, 'OVSDB_TXN_FAILED');
        assert.deepEqual([bad.error.details[0]?.index, bad.error.details[0]?.op, bad.error.details[0]?.error], [0, 'insert', 'syntax error']);

        // A dangling strong reference: every op succeeds, the commit fails, reported as the extra element.
        const dangling = await c.tryTransact(DB, [
          { op: 'comment', comment: 'dangling' },
          { op: 'insert', table: 'Port', row: { name: `bad${rand()}`, interfaces: ovsSet([uuid('0badc0de-0000-4000-8000-000000000000')]) } },
        ]);
        assert.ok(dangling.status === 'error', `status ${dangling.status}`);
        assert.deepEqual([dangling.error.details[0]?.index, dangling.error.details[0]?.op], [2, 'commit']);
        assert.equal(dangling.error.details[0]?.error, 'referential integrity violation');
        assert.match(dangling.error.message, /referential integrity violation/);

        // A failing op in the middle: the ops after it get null and are not reported.
        const mid = await c.tryTransact(DB, [
          { op: 'select', table: 'Bridge', where: [] },
          { op: 'insert', table: 'NoSuchTable', row: {} },
          { op: 'select', table: 'Bridge', where: [] },
        ]);
        assert.ok(mid.status === 'error');
        assert.equal(mid.error.details.length, 1);
        assert.equal(mid.error.details[0]?.index, 1);
        assert.equal(mid.error.details[0]?.op, 'insert');

        // A precondition that does not hold is try-again (python IDL TRY_AGAIN).
        const wait = await c.tryTransact(DB, [{ op: 'wait', table: 'Open_vSwitch', where: [], columns: ['bridges'], until: '==', rows: [], timeout: 0 }]);
        assert.ok(wait.status === 'try-again', `status ${wait.status}`);
        assert.equal(wait.error.code, 'OVSDB_TXN_TRY_AGAIN');
        await assert.rejects(c.transact(DB, [{ op: 'abort' }]), (e) => isOvsdbError(e, 'OVSDB_TXN_FAILED') && e.details[0]?.error === 'aborted');
      } finally {
        await c.close();
      }
    });

    void it('the monitor replica matches the ovs-vsctl view, and follows changes', async () => {
      const br = `bm${transport[0]}${rand()}`;
      const [p1, p2] = [`${br}a`, `${br}b`];
      await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev');
      await ovs.vsctl('add-port', br, p1, 'tag=10', 'external_ids:k=v', '--', 'set', 'interface', p1, 'type=internal');
      await ovs.vsctl('add-port', br, p2, '--', 'set', 'interface', p2, 'type=internal');
      const c = await OvsdbClient.connect({ endpoint: endpoint() });
      try {
        const replica = await Replica.create({
          client: c,
          db: DB,
          tables: { Bridge: ['name', 'ports'], Port: ['name', 'tag', 'external_ids', 'interfaces'], Interface: ['name', 'type', 'ofport'] },
        });
        assert.equal(replica.monitorMethod, 'monitor_cond');
        const bridgeRow = (): Row | undefined => [...replica.rows('Bridge').values()].find((r) => nameOf(r) === br);
        const portNames = (): string[] =>
          toUuids(bridgeRow()?.values.ports)
            .map((u) => nameOf(replica.row('Port', u)))
            .filter((n) => n !== br)
            .sort();
        const portRow = (name: string): Row | undefined => [...replica.rows('Port').values()].find((r) => nameOf(r) === name);

        const vsctlBridges = (await ovs.vsctl('list-br')).split('\n').filter(Boolean).sort();
        assert.deepEqual([...replica.rows('Bridge').values()].map(nameOf).sort(), vsctlBridges);
        assert.deepEqual(portNames(), (await ovs.vsctl('list-ports', br)).split('\n').filter(Boolean).sort());
        assert.equal(optionalAtom(portRow(p1)?.values.tag), Number(await ovs.vsctl('get', 'port', p1, 'tag')));
        assert.deepEqual(toStringMap(portRow(p1)?.values.external_ids), { k: 'v' });
        assert.equal(optionalAtom(portRow(p2)?.values.tag), undefined, 'unset optional column reads as undefined');
        // ofport is written by vswitchd after the commit: both views converge.
        for (const p of [p1, p2]) {
          const fromVsctl = await eventually(async () => {
            const v = Number(await ovs.vsctl('get', 'interface', p, 'ofport'));
            return v > 0 ? v : undefined;
          });
          await eventually(() => {
            const iface = [...replica.rows('Interface').values()].find((r) => nameOf(r) === p);
            return optionalAtom(iface?.values.ofport) === fromVsctl;
          }, 15_000, `replica ofport of ${p}`);
        }

        // Changes made by someone else arrive through the monitor.
        await ovs.vsctl('set', 'port', p2, 'tag=20', 'external_ids:x=y');
        await ovs.vsctl('remove', 'port', p1, 'tag', '10');
        await ovs.vsctl('del-port', br, p1);
        await eventually(() => portNames().join(',') === p2, 15_000, 'del-port in replica');
        await eventually(() => optionalAtom(portRow(p2)?.values.tag) === 20, 15_000, 'tag in replica');
        assert.deepEqual(toStringMap(portRow(p2)?.values.external_ids), { x: 'y' });
        assert.equal(portRow(p1), undefined, 'deleted port was garbage-collected');
        await replica.close();
      } finally {
        await c.close();
        await ovs.vsctl('--if-exists', 'del-br', br);
      }
    });

    void it('answers the server echo: stays connected past a 1 s inactivity probe', async () => {
      // A Manager row gives this remote a 1 s inactivity probe (default 5 s).
      const target = transport === 'unix' ? `punix:${path.join(ovs.dir, `probe-${rand()}.sock`)}` : `ptcp:${await freePort()}:127.0.0.1`;
      await ovs.vsctl('--', '--id=@m', 'create', 'Manager', `target="${target}"`, 'inactivity_probe=1000', '--', 'add', 'Open_vSwitch', '.', 'manager_options', '@m');
      const probeEndpoint = target.replace(/^punix:/, 'unix:').replace(/^ptcp:(\d+):(.*)$/, 'tcp:$2:$1');
      try {
        await eventually(() => canConnect(probeEndpoint), 10_000, 'manager remote to listen');
        // Control: a client that never answers echo is dropped by the server.
        const silentClosed = await silentClientIsDropped(probeEndpoint);
        assert.ok(silentClosed, 'server drops a client that does not answer echo');
        // Our own probe is off: only answering the server keeps us connected.
        const c = await OvsdbClient.connect({ endpoint: probeEndpoint, probeIntervalMs: 0 });
        try {
          await eventually(() => c.stats.echoesAnswered >= 4, 20_000, 'echo requests from the server');
          assert.equal(c.stats.disconnects, 0);
          assert.equal(c.stats.connects, 1);
          assert.deepEqual(await c.listDbs().then((d) => d.includes(DB)), true);
        } finally {
          await c.close();
        }
      } finally {
        await ovs.vsctl('--', 'clear', 'Open_vSwitch', '.', 'manager_options');
      }
    });

    void it('reconnects after ovsdb-server restarts: monitor re-issued, replica rebuilt, transactions work', async () => {
      const c = await OvsdbClient.connect({ endpoint: endpoint(), reconnect: { minBackoffMs: 50, maxBackoffMs: 500 } });
      try {
        const replica = await Replica.create({ client: c, db: DB, tables: { Bridge: ['name'], Open_vSwitch: ['bridges', 'next_cfg'] } });
        let resyncs = 0;
        replica.onChange((ch) => {
          if (ch.resync) resyncs++;
        });
        const events: string[] = [];
        c.onConnectionChange((e) => events.push(e.connected ? 'up' : 'down'));
        await ovs.restartOvsdbServer();
        await eventually(() => c.stats.connects >= 2 && replica.synced, 30_000, 'reconnect');
        assert.ok(resyncs >= 1, 'a resync change was emitted');
        assert.deepEqual(events.slice(0, 2), ['down', 'up']);

        // Writes work again, and the re-issued monitor delivers their effect.
        const br = `br${transport[0]}${rand()}`;
        await c.transact(DB, [
          { op: 'insert', table: 'Interface', row: { name: br, type: 'internal' }, uuidName: 'i' },
          { op: 'insert', table: 'Port', row: { name: br, interfaces: ovsSet([namedUuid('i')]) }, uuidName: 'p' },
          { op: 'insert', table: 'Bridge', row: { name: br, ports: ovsSet([namedUuid('p')]), datapath_type: 'netdev' }, uuidName: 'b' },
          { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ovsSet([namedUuid('b')])]] },
        ]);
        assert.ok([...replica.rows('Bridge').values()].some((r) => nameOf(r) === br), 'update arrives before the transact reply');
        assert.ok((await ovs.vsctl('list-br')).split('\n').includes(br));
        await ovs.vsctl('del-br', br);
        await eventually(() => ![...replica.rows('Bridge').values()].some((r) => nameOf(r) === br), 15_000, 'bridge gone from replica');
      } finally {
        await c.close();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function dial(endpoint: string): net.Socket {
  return endpoint.startsWith('unix:')
    ? net.createConnection({ path: endpoint.slice('unix:'.length) })
    : net.createConnection({ host: '127.0.0.1', port: Number(endpoint.split(':').pop()) });
}

function canConnect(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dial(endpoint);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Connects, sends nothing and never answers; resolves true once the server hangs up. */
function silentClientIsDropped(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dial(endpoint);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 15_000);
    s.on('data', () => undefined);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    s.once('error', () => undefined);
  });
}
