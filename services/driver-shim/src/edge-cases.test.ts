/**
 * What the plugin-socket fuzz (fuzz.test.ts) found, one regression test each:
 * a body over the limit reset the connection instead of answering 413, and
 * malformed HTTP and CONNECT got node's bare answer or none, not {"Err"},
 * the agent's message echoed a 70,000-character id whole, and a 31,000-character
 * id of '%' hung the call and the next one (the agent's error quoting it went
 * over gRPC's metadata limit once percent-encoded).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { shortenMessage } from '@contiv/rpc';
import { PLUGIN_CONTENT_TYPE } from './plugin-server';
import { startShim, type RunningShim } from './shim';
import { FakeAgent } from './testing/fake-agent';
import { rawExchange, rawRequest } from '@contiv/testkit';

void describe('plugin socket edge cases found by fuzzing', () => {
  let dir: string;
  let agent: FakeAgent;
  let shim: RunningShim;
  let sock: { socketPath: string };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-edge-'));
    agent = new FakeAgent(path.join(dir, 'agent.sock'));
    await agent.start();
    shim = await startShim({ socket: path.join(dir, 'p.sock'), agentSocket: path.join(dir, 'agent.sock'), connectTimeoutMs: 500, callTimeoutMs: 5_000, capabilitiesWaitMs: 300 }, noopLogger);
    sock = { socketPath: shim.server.socketPath };
  });
  after(async () => {
    await shim.close();
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void it('a body over 1 MiB is answered 413 with its Err (the connection used to be reset)', async () => {
    const body = JSON.stringify({ PoolID: 'x'.repeat(2 << 20) });
    const r = await rawRequest(sock, { method: 'POST', target: '/IpamDriver.ReleasePool', body });
    assert.equal(r.status, 413);
    assert.equal(r.headers['content-type'], PLUGIN_CONTENT_TYPE);
    const msg = 'request body of /IpamDriver.ReleasePool exceeds 1048576 bytes';
    assert.deepEqual(JSON.parse(r.body), { Err: msg, Error: msg });
    assert.equal(agent.calls.length, 0);
  });

  void it('malformed HTTP gets {"Err"} naming what the parser found', async () => {
    const r = await rawExchange(sock, Buffer.from('POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', 'latin1'));
    assert.equal(r.status, 400);
    assert.equal(r.headers['content-type'], PLUGIN_CONTENT_TYPE);
    const { Err, Error: e } = JSON.parse(r.body) as { Err: string; Error: string };
    assert.match(Err, /^malformed HTTP request: Invalid header value char \(HPE_INVALID_HEADER_TOKEN\)$/);
    assert.equal(e, Err);
  });

  void it('CONNECT is refused with an Err (node dropped it without a word)', async () => {
    const r = await rawExchange(sock, Buffer.from('CONNECT x:1 HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(r.status, 405);
    assert.match((JSON.parse(r.body) as { Err: string }).Err, /^CONNECT x:1 is not a plugin call: POST \/<Subsystem>\.<Method>$/);
  });

  void it("an agent message quoting a huge value is cut to the value's start and length", async () => {
    agent.fail('DeleteEndpoint', 'INVALID_ARGUMENT', `endpoint id "${'A'.repeat(70_000)}" is not 12 to 64 hex digits`);
    try {
      const r = await rawRequest(sock, { method: 'POST', target: '/NetworkDriver.DeleteEndpoint', body: JSON.stringify({ NetworkID: 'n', EndpointID: 'e' }) });
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { Err: `endpoint id "${'A'.repeat(40)}..." (70000 characters) is not 12 to 64 hex digits` });
    } finally {
      agent.failures.clear();
    }
    assert.equal(shortenMessage('short "x" stays'), 'short "x" stays');
  });

  void it('a string over 1,024 characters is refused by the shim and never reaches the agent', async () => {
    agent.calls.length = 0;
    const r = await rawRequest(sock, { method: 'POST', target: '/NetworkDriver.DeleteEndpoint', body: JSON.stringify({ NetworkID: 'n', EndpointID: '%'.repeat(31_000) }) });
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { Err: 'invalid /NetworkDriver.DeleteEndpoint request: EndpointID is 31000 characters long (at most 1024)' });
    const nested = await rawRequest(sock, { method: 'POST', target: '/IpamDriver.RequestPool', body: JSON.stringify({ Options: { [`k${'x'.repeat(2000)}`]: 'v' } }) });
    assert.equal(nested.status, 400);
    assert.match((JSON.parse(nested.body) as { Err: string }).Err, /^invalid \/IpamDriver\.RequestPool request: a member name in Options is 2001 characters long \(at most 1024\)$/);
    const deep = await rawRequest(sock, { method: 'POST', target: '/NetworkDriver.Join', body: JSON.stringify({ NetworkID: 'n', EndpointID: 'e', Options: { a: [{ b: 'y'.repeat(1025) }] } }) });
    assert.match((JSON.parse(deep.body) as { Err: string }).Err, /: Options\.a\[0\]\.b is 1025 characters long/);
    assert.equal(agent.calls.length, 0);
  });
});
