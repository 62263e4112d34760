/**
 * @contiv/openflow across an ovs-vswitchd restart: the client reconnects by
 * itself, reports it, finds the tables empty (OpenFlow flows live only in
 * vswitchd), and the owner replays its flows from the reconnect event. Also:
 * our ECHO probes keep an idle connection up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFlowBridge, bridgeMgmtEndpoint, flow, flowsToStrings, normalizeDumpFlows } from '@contiv/openflow';
import type { ConnectionEvent } from '@contiv/openflow';
import { eventually } from '../harness/eventually';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

const rand = (): string => Math.random().toString(36).slice(2, 6);

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('OpenFlowBridge reconnect', { timeout: 120_000 }, () => {
  const br = `bor${rand()}`;
  let bridge: OpenFlowBridge;
  const dump = async (): Promise<string[]> => normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
  const flows = [flow(0, 0).build(), flow(0, 10).cookie(0x42n).match((m) => m.inPort(1)).actions((a) => a.output(2)).build(), flow(1, 5).match((m) => m.ip()).actions((a) => a.normal()).build()];

  before(async () => {
    await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
    bridge = await OpenFlowBridge.connect({
      endpoint: bridgeMgmtEndpoint(ovs.dir, br),
      timeoutMs: 30_000,
      probeIntervalMs: 200,
      reconnect: { minBackoffMs: 50, maxBackoffMs: 500 },
    });
  });
  after(async () => {
    bridge?.close();
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  it('keeps an idle connection up with ECHO probes the switch answers', async () => {
    await eventually(() => bridge.client.stats.probesSent >= 3 || false, { timeoutMs: 10_000, what: 'three ECHO probes' });
    assert.equal(bridge.client.stats.disconnects, 0);
    assert.equal(bridge.client.state, 'connected');
  });

  it('reconnects after ovs-vswitchd restarts, finds the tables empty, and replays its flows', async () => {
    await bridge.addAll(flows);
    assert.deepEqual(await dump(), flowsToStrings(flows));
    const events: ConnectionEvent[] = [];
    bridge.client.onConnectionChange((e) => events.push(e));
    let foundAfterRestart: number | undefined;
    let replayed = false;
    let replayError: unknown;
    const off = bridge.onReconnect(() => {
      void (async () => {
        foundAfterRestart = (await bridge.dumpFlows()).length;
        await bridge.addAll(flows);
        replayed = true;
      })().catch((err: unknown) => (replayError = err));
    });

    await ovs.restartVswitchd();
    await eventually(() => replayed || false, { timeoutMs: 20_000, what: 'the replay after reconnect' });
    off();
    assert.equal(replayError, undefined);
    assert.equal(foundAfterRestart, 0, 'a restarted vswitchd has no OpenFlow flows');
    assert.deepEqual(
      events.map((e) => e.connected),
      [false, true],
    );
    const up = events[1];
    assert.ok(up?.connected === true && up.reconnect);
    assert.deepEqual(await dump(), flowsToStrings(flows));
    assert.equal(bridge.client.stats.connects, 2);
  });

  it('holds a request made while vswitchd is down and sends it once reconnected', async () => {
    const down = new Promise<void>((resolve) => {
      const off = bridge.client.onConnectionChange((e) => {
        if (e.connected) return;
        off();
        resolve();
      });
    });
    const restart = ovs.restartVswitchd();
    await down;
    // Sent while reconnecting: held, then answered by the new vswitchd (empty tables).
    const dumped = bridge.dumpFlows();
    await restart;
    assert.deepEqual(await dumped, []);
  });
});
