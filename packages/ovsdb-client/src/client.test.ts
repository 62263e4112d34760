import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OvsdbClient } from './client';
import type { OvsdbClientOptions } from './client';
import { Replica } from './idl/replica';
import type { ReplicaChange } from './idl/replica';
import { isOvsdbError } from './errors';
import { optionalAtom, toAtoms } from './schema/datum';
import { FakeOvsdbServer } from './testing/fake-ovsdb-server';

const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';
const U3 = '33333333-3333-3333-3333-333333333333';

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

void describe('OvsdbClient against FakeOvsdbServer', () => {
  let server: FakeOvsdbServer;
  const clients: OvsdbClient[] = [];
  const connect = async (opts: Partial<OvsdbClientOptions> = {}): Promise<OvsdbClient> => {
    const c = await OvsdbClient.connect({ endpoint: server.endpoint, reconnect: { minBackoffMs: 5, maxBackoffMs: 20 }, probeIntervalMs: 0, ...opts });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    server = await FakeOvsdbServer.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await server.stop();
  });
  after(() => undefined);

  void it('lists dbs, fetches the schema and echoes (64-bit values exact)', async () => {
    const c = await connect();
    assert.deepEqual(await c.listDbs(), ['Test']);
    const schema = await c.getSchema('Test');
    assert.equal(schema.tables.get('T')?.columns.get('n')?.type.max, 1);
    assert.ok(schema.tables.get('T')?.columns.has('_uuid'));
    assert.deepEqual(await c.echo('x', 18446744073709551615n), ['x', 18446744073709551615n]);
  });

  void it('maps a JSON-RPC error to OVSDB_RPC_ERROR', async () => {
    const c = await connect();
    await assert.rejects(c.getSchema('Nope'), (e) => isOvsdbError(e, 'OVSDB_RPC_ERROR') && /unknown database/.test(e.message));
  });

  void it('answers the server\'s echo requests with the same params', async () => {
    const c = await connect();
    const conn = [...server.connections][0];
    assert.ok(conn);
    assert.deepEqual(await conn.echo(['ping', 1]), ['ping', 1]);
    assert.equal(c.stats.echoesAnswered, 1);
  });

  void it('sends its own echo when the connection is idle', async () => {
    await connect({ probeIntervalMs: 40 });
    await eventually(() => server.countRequests('echo') >= 2);
  });

  void it('drops a connection whose echo goes unanswered, then reconnects', async () => {
    const c = await connect({ probeIntervalMs: 40 });
    server.silent = true;
    await eventually(() => c.stats.disconnects >= 1);
    server.silent = false;
    await eventually(() => c.state === 'connected' && c.stats.connects >= 2);
    assert.deepEqual(await c.listDbs(), ['Test']);
  });

  void it('fails the first connection with OVSDB_CONNECT_FAILED', async () => {
    await server.stop();
    await assert.rejects(OvsdbClient.connect({ endpoint: server.endpoint }), (e) => isOvsdbError(e, 'OVSDB_CONNECT_FAILED'));
  });

  void it('times out a request with OVSDB_TIMEOUT', async () => {
    const c = await connect();
    server.silent = true;
    await assert.rejects(c.request('list_dbs', [], 50), (e) => isOvsdbError(e, 'OVSDB_TIMEOUT'));
  });

  void it('reports try-again for a transaction in flight when the connection drops', async () => {
    const c = await connect();
    server.handle('transact', () => {
      setImmediate(() => server.dropConnections());
      return 'no-reply';
    });
    const out = await c.tryTransact('Test', [{ op: 'comment', comment: 'x' }]);
    assert.ok(out.status === 'try-again');
    assert.equal(out.error.code, 'OVSDB_TXN_TRY_AGAIN');
  });

  void it('holds requests made while reconnecting and sends them once reconnected', async () => {
    const c = await connect();
    await server.pause();
    await eventually(() => c.state === 'reconnecting');
    const pending = c.listDbs();
    await server.resume();
    assert.deepEqual(await pending, ['Test']);
  });

  void it('fails pending and later requests with OVSDB_CLOSED after close()', async () => {
    const c = await connect();
    server.silent = true;
    const pending = c.listDbs();
    await c.close();
    await assert.rejects(pending, (e) => isOvsdbError(e, 'OVSDB_CLOSED'));
    await assert.rejects(c.listDbs(), (e) => isOvsdbError(e, 'OVSDB_CLOSED'));
  });

  for (const cond of [true, false]) {
    void it(`replica follows updates (${cond ? 'monitor_cond/update2' : 'fallback to monitor/update'})`, async () => {
      server.supportsMonitorCond = cond;
      server.insertRow('T', U1, { name: 'a', n: 1, tags: ['set', ['x', 'y']] });
      const c = await connect();
      const replica = await Replica.create({ client: c, db: 'Test', tables: { T: 'all' } });
      assert.equal(replica.monitorMethod, cond ? 'monitor_cond' : 'monitor');
      const r1 = replica.row('T', U1);
      assert.equal(r1?.values.name, 'a');
      assert.deepEqual(toAtoms(r1?.values.tags ?? 0), ['x', 'y']);
      const seen: ReplicaChange[] = [];
      replica.onChange((ch) => seen.push(ch));
      const seq = replica.seqno;

      server.insertRow('T', U2, { name: 'b' });
      await eventually(() => replica.row('T', U2) !== undefined);
      // update2 omits default-valued columns; the replica fills in defaults.
      assert.deepEqual(toAtoms(replica.row('T', U2)?.values.n ?? 0), []);
      server.updateRow('T', U1, { n: 7 });
      await eventually(() => optionalAtom(replica.row('T', U1)?.values.n) === 7);
      server.deleteRow('T', U2);
      await eventually(() => replica.row('T', U2) === undefined);
      assert.ok(replica.seqno >= seq + 3);
      assert.deepEqual(
        seen.flatMap((s) => s.changes.map((ch) => ch.type)),
        ['insert', 'update', 'delete'],
      );
      await replica.close();
    });
  }

  void it('re-issues the monitor after a reconnect and resyncs the replica with real differences only', async () => {
    server.insertRow('T', U1, { name: 'a', n: 1 });
    server.insertRow('T', U2, { name: 'b' });
    const c = await connect();
    const replica = await Replica.create({ client: c, db: 'Test', tables: { T: ['name', 'n'] } });
    const seen: ReplicaChange[] = [];
    replica.onChange((ch) => seen.push(ch));
    await server.pause();
    await eventually(() => !replica.synced);
    // Changes while we are away.
    server.deleteRow('T', U2);
    server.insertRow('T', U3, { name: 'c' });
    server.updateRow('T', U1, { n: 2 });
    await server.resume();
    await eventually(() => replica.synced && seen.some((s) => s.resync));
    const resync = seen.find((s) => s.resync);
    assert.deepEqual(resync?.changes.map((ch) => `${ch.type}:${ch.row.uuid}`).sort(), [`delete:${U2}`, `insert:${U3}`, `update:${U1}`].sort());
    assert.equal(server.countRequests('monitor_cond'), 2);
    // And updates flow again on the new monitor.
    server.updateRow('T', U3, { n: 5 });
    await eventually(() => optionalAtom(replica.row('T', U3)?.values.n) === 5);
  });

  void it('waitFor resolves on a later change and times out otherwise', async () => {
    const c = await connect();
    const replica = await Replica.create({ client: c, db: 'Test', tables: { T: ['name'] } });
    const p = replica.waitFor(() => replica.row('T', U1)?.values.name, 2000, 'row');
    server.insertRow('T', U1, { name: 'late' });
    assert.equal(await p, 'late');
    await assert.rejects(replica.waitFor(() => undefined, 20, 'nothing'), (e) => isOvsdbError(e, 'OVSDB_TIMEOUT'));
  });
});
