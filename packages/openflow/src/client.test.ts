import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFlowClient } from './client';
import type { ConnectionEvent } from './client';
import { FakeSwitch } from './testing/fake-switch';
import { isOpenFlowError } from './errors';
import type { OfMessage } from './codec/message';
import { flowStatsRequest } from './codec/multipart';

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('OpenFlowClient', () => {
  let sw: FakeSwitch;
  let client: OpenFlowClient | undefined;
  beforeEach(async () => {
    sw = await FakeSwitch.start({ datapathId: 0xabcn });
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await sw.stop();
  });

  it('negotiates 1.3 with a version bitmap and learns the features', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    assert.equal(client.features.datapathId, 0xabcn);
    assert.equal(client.features.nTables, 254);
    const hello = sw.received[0];
    assert.deepEqual(hello?.type === 'hello' ? hello.versions : undefined, [4]);
    assert.equal(sw.received[1]?.type, 'features_request');
  });

  it('connects over TCP too', async () => {
    const tcp = await FakeSwitch.start({ tcp: true });
    try {
      const c = await OpenFlowClient.connect({ endpoint: tcp.endpoint, probeIntervalMs: 0 });
      await c.barrier();
      c.close();
      assert.match(tcp.endpoint, /^tcp:127\.0\.0\.1:\d+$/);
    } finally {
      await tcp.stop();
    }
  });

  it('fails the handshake when the switch does not offer 1.3, saying what to fix', async () => {
    const old = await FakeSwitch.start({ versions: [1] });
    try {
      await assert.rejects(OpenFlowClient.connect({ endpoint: old.endpoint }), (e) => isOpenFlowError(e, 'OF_HANDSHAKE_FAILED') && /Bridge\.protocols/.test(e.message));
    } finally {
      await old.stop();
    }
  });

  it('fails to connect to a missing socket with OF_CONNECT_FAILED', async () => {
    await assert.rejects(OpenFlowClient.connect({ endpoint: `${sw.endpoint}.missing` }), (e) => isOpenFlowError(e, 'OF_CONNECT_FAILED'));
    await assert.rejects(OpenFlowClient.connect({ endpoint: 'http://x' }), (e) => isOpenFlowError(e, 'OF_BAD_ENDPOINT'));
  });

  it('answers the switch’s echo requests', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    sw.broadcast({ type: 'echo_request', xid: 77, data: Buffer.from('ping') });
    await until(() => sw.received.some((m) => m.type === 'echo_reply' && m.xid === 77), 'echo reply');
    const reply = sw.received.find((m) => m.type === 'echo_reply');
    assert.equal(reply?.type === 'echo_reply' ? reply.data.toString() : '', 'ping');
  });

  it('matches replies and errors to the messages that caused them', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    sw.failWhen = (m) => (m.type === 'flow_mod' && m.priority === 2 ? { errType: 2, code: 9 } : undefined);
    const fm = (priority: number) => ({ type: 'flow_mod', command: 'add', table: 0, priority, match: [], instructions: [] }) as const;
    const outcomes = await client.transact([fm(1), fm(2), { type: 'multipart_request', flags: 0, body: flowStatsRequest() }, fm(3)]);
    assert.equal(outcomes.length, 4);
    assert.equal(outcomes[0]?.error, undefined);
    assert.equal(outcomes[1]?.error?.name, 'OFPBAC_BAD_OUT_GROUP');
    assert.equal(outcomes[1]?.error?.xid, outcomes[1]?.xid);
    assert.equal(outcomes[1]?.error?.requestType, 14);
    assert.equal(outcomes[2]?.replies[0]?.type, 'multipart_reply');
    assert.equal(outcomes[3]?.error, undefined);
    const xids = outcomes.map((o) => o.xid);
    assert.equal(new Set(xids).size, 4, 'distinct xids');
    assert.equal(sw.received.at(-1)?.type, 'barrier_request');
  });

  it('request() throws OF_ERROR_REPLY carrying the decoded error', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    sw.failWhen = () => ({ errType: 4, code: 9 });
    await assert.rejects(
      client.request({ type: 'flow_mod', command: 'add', table: 0, match: [], instructions: [] }),
      (e) => isOpenFlowError(e, 'OF_ERROR_REPLY') && e.ofError?.name === 'OFPBMC_BAD_PREREQ' && /A prerequisite was not met/.test(e.message),
    );
  });

  it('times out a request the switch never answers', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    sw.silent = true;
    await assert.rejects(client.barrier(100), (e) => isOpenFlowError(e, 'OF_TIMEOUT'));
  });

  it('reconnects after the switch drops it, reports it, and sends held requests after the event', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0, reconnect: { minBackoffMs: 10, maxBackoffMs: 50 } });
    const events: ConnectionEvent[] = [];
    const order: string[] = [];
    client.onConnectionChange((e) => {
      events.push(e);
      if (e.connected) order.push('reconnected');
    });
    sw.dropConnections();
    await until(() => events.some((e) => !e.connected), 'disconnect event');
    assert.equal(client.state, 'reconnecting');
    const held = client.barrier().then(() => order.push('held request done'));
    await held;
    assert.deepEqual(order, ['reconnected', 'held request done']);
    const up = events.find((e) => e.connected);
    assert.ok(up?.connected === true && up.reconnect);
    assert.equal(client.stats.connects, 2);
    assert.equal(client.stats.disconnects, 1);
  });

  it('fails requests in flight when the connection drops', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0, reconnect: { minBackoffMs: 10, maxBackoffMs: 50 } });
    sw.silent = true;
    const p = client.barrier();
    await until(() => sw.received.filter((m) => m.type === 'barrier_request').length >= 2, 'barrier sent');
    sw.dropConnections();
    await assert.rejects(p, (e) => isOpenFlowError(e, 'OF_DISCONNECTED'));
  });

  it('probes an idle connection with ECHO and reconnects when it goes unanswered', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 40, reconnect: { minBackoffMs: 10, maxBackoffMs: 20 } });
    await until(() => sw.received.some((m) => m.type === 'echo_request'), 'probe');
    sw.silent = true;
    await until(() => client?.stats.disconnects === 1, 'probe timeout');
    sw.silent = false;
    await client.waitConnected(5000);
    assert.ok((client.stats.probesSent ?? 0) >= 2);
  });

  it('sends SET_CONFIG on every connect when asked, and passes PACKET_INs on', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0, missSendLen: 0xffff });
    const sc = sw.received.find((m) => m.type === 'set_config');
    assert.equal(sc?.type === 'set_config' ? sc.missSendLen : undefined, 0xffff);
    const got: OfMessage[] = [];
    client.onMessage((m) => got.push(m));
    sw.broadcast({ type: 'packet_in', xid: 0, bufferId: 0xffffffff, totalLen: 0, reason: 1, table: 0, cookie: 0n, match: [], data: Buffer.alloc(0) });
    await until(() => got.length === 1, 'packet_in');
    assert.equal(got[0]?.type, 'packet_in');
  });

  it('close() fails held requests with OF_CLOSED and refuses new ones', async () => {
    client = await OpenFlowClient.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    client.close();
    await assert.rejects(client.barrier(), (e) => isOpenFlowError(e, 'OF_CLOSED'));
  });
});
