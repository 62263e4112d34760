/**
 * A group's netProfile on a real datapath: three endpoints (network
 * namespaces on veths of a netdev bridge, ovs-vswitchd in its own
 * namespace) programmed by the real PipelineReconciler and MeterSync, as the
 * agent's DatapathController runs them. A TCP stream from the rate-limited
 * endpoint arrives at about its bandwidth; one from an endpoint without a
 * profile is many times faster; the DSCP of the profile is in the IPv4 and
 * IPv6 headers on the wire (tcpdump on the receiver) and ECN bits are kept;
 * a new rate applies to the running meter; removing the profile removes the
 * meter; after a vswitchd restart the meters come back before the flows.
 *
 * The rate bands (50%..115% of the limit; the unmetered stream 5 times the
 * limit) check that metering happens at the configured rate, not how fast
 * this machine is: a 2 Mbit/s stream is far below what the userspace
 * datapath forwards here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFlowBridge, bridgeMgmtEndpoint, flowsToStrings, meterToString, normalizeDumpFlows } from '@contiv/openflow';
import { PIPELINE_FEATURES, PipelineReconciler, allFlows, computeFlowSet } from '../../../services/netplugin/lib/pipeline/index';
import type { DesiredLocalEndpoint, DesiredState } from '../../../services/netplugin/lib/pipeline/index';
import { meterSpecs } from '../../../services/netplugin/lib/pipeline/features/egress-qos';
import { MeterSync } from '../../../services/netplugin/lib/datapath/meters';
import { eventually } from '../harness/eventually';
import { run } from '../harness/exec';
import { tcpKbps } from '../harness/tcp-probe';
import { startOvs } from '../harness/ovs';
import { BLUE, addPipelineBridge, plugEndpoints, twoTenantState, unplugEndpoints, waitOfports } from '../harness/pipeline-rig';
import type { Ovs } from '../harness/ovs';

const suffix = Math.random().toString(36).slice(2, 6);
const GATEWAY = '10.1.1.254';
const LIMIT_KBPS = 2000;
const DSCP = 46; // EF: TOS byte 0xb8
const hosts = [
  { id: 'ep-lim', ns: `npa-${suffix}`, port: `pnpa${suffix}`, addr: '10.1.1.1', addr6: 'fd00:1::1', mac: '02:02:0a:01:01:01', network: BLUE },
  { id: 'ep-rcv', ns: `npb-${suffix}`, port: `pnpb${suffix}`, addr: '10.1.1.2', addr6: 'fd00:1::2', mac: '02:02:0a:01:01:02', network: BLUE },
  { id: 'ep-free', ns: `npc-${suffix}`, port: `pnpc${suffix}`, addr: '10.1.1.3', addr6: 'fd00:1::3', mac: '02:02:0a:01:01:03', network: BLUE },
] as const;
const [limited, receiver, free] = hosts;


const inNs = (ns: string, cmd: string, args: readonly string[], timeoutMs = 30_000): ReturnType<typeof run> => run('ip', ['netns', 'exec', ns, cmd, ...args], { timeoutMs });

/** kbit/s of a TCP stream from `from` to the receiver, sustained (after the first second) over `ms`. */
const kbpsTo = (from: (typeof hosts)[number], port: number, ms = 5_000): Promise<number> =>
  tcpKbps(`/run/netns/${from.ns}`, `/run/netns/${receiver.ns}`, receiver.addr, port, ms);

/**
 * The first `count` packets tcpdump sees on the receiver's eth0 matching
 * `filter`, in `tcpdump -v` form (IPv4 `tos 0x..`, IPv6 `class 0x..`), while
 * `send` runs again and again (tcpdump may start listening after the first).
 */
async function capture(filter: string, count: number, send: () => Promise<unknown>): Promise<string[]> {
  let done = false;
  const dump = inNs(receiver.ns, 'tcpdump', ['-i', 'eth0', '-n', '-v', '-l', '-c', String(count), filter], 20_000).finally(() => (done = true));
  while (!done) await send();
  const out = (await dump).stdout;
  return out.split('\n').filter((l) => /^\d\S* IP6? \(/.test(l));
}

let ovs: Ovs;
before(async () => {
  const missing = await run('sh', ['-c', 'command -v tcpdump'], { allowFail: true });
  assert.equal(missing.code, 0, 'tcpdump is needed to check DSCP on the wire: run deploy/host/install-deps.sh');
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('netProfile on a real datapath: bandwidth, burst and DSCP', { timeout: 240_000 }, () => {
  const br = `bnp${suffix}`;
  let bridge: OpenFlowBridge;
  let base: DesiredState;
  let reconciler: PipelineReconciler;
  let meters: MeterSync;

  /** The state with these profiles (by endpoint id; others have none). */
  const withProfiles = (profiles: Record<string, Partial<DesiredLocalEndpoint>>): DesiredState => ({
    ...base,
    localEndpoints: base.localEndpoints.map((e) => ({ ...e, ...(profiles[e.endpointId] ?? {}) })),
  });
  /** What DatapathController.runOnce does with a state. */
  const apply = async (state: DesiredState): Promise<void> => {
    await meters.around(meterSpecs(state), () => reconciler.reconcile(state));
  };
  const ofctlMeters = async (): Promise<string[]> => {
    const text = await ovs.ofctl('-O', 'OpenFlow13', 'dump-meters', br);
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('OFPST_'))
      .reduce<string[]>((acc, l) => (l.startsWith('meter=') ? [...acc, l] : [...acc.slice(0, -1), `${acc[acc.length - 1] ?? ''}${l}`]), [])
      .sort();
  };
  const expectedFlows = (state: DesiredState): string[] => flowsToStrings(allFlows(computeFlowSet(state, PIPELINE_FEATURES, 1)));
  const dumpFlows = async (): Promise<string[]> => normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
  const measured: Record<string, number> = {};

  before(async () => {
    await addPipelineBridge(ovs, br);
    await plugEndpoints(ovs, br, hosts, { gateway: GATEWAY });
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000, reconnect: { minBackoffMs: 50, maxBackoffMs: 500 } });
    base = twoTenantState(hosts, await waitOfports(bridge, hosts), GATEWAY);
    reconciler = new PipelineReconciler({ bridge, round: 1 });
    meters = new MeterSync({ ops: bridge });
  });
  after(async () => {
    bridge?.close();
    await unplugEndpoints(hosts);
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  it('installs the endpoint meter (id = ofport, default burst half a second) before flows that use it', async () => {
    const state = withProfiles({ [limited.id]: { bandwidthKbps: LIMIT_KBPS, dscp: DSCP } });
    await apply(state);
    const ofport = state.localEndpoints[0]?.ofport ?? 0;
    assert.deepEqual(await ofctlMeters(), [`meter=${ofport} kbps burst stats bands=type=drop rate=${LIMIT_KBPS} burst_size=${LIMIT_KBPS / 2}`]);
    assert.deepEqual((await bridge.dumpMeters()).map(meterToString), await ofctlMeters());
    assert.deepEqual(await dumpFlows(), expectedFlows(state));
    assert.ok((await dumpFlows()).some((l) => l.includes(`in_port=${ofport} actions=meter:${ofport},goto_table:`)));
  });

  it('limits the metered endpoint to its bandwidth; the endpoint without a profile is much faster', async (t) => {
    await eventually(async () => (await inNs(limited.ns, 'ping', ['-c', '1', '-W', '1', receiver.addr])).code === 0, { timeoutMs: 15_000, what: 'ping between the endpoints' });
    measured.limited = await kbpsTo(limited, 5201);
    measured.free = await kbpsTo(free, 5202);
    t.diagnostic(`TCP kbit/s: limited to ${LIMIT_KBPS}: ${measured.limited}; no profile: ${measured.free}`);
    assert.ok(measured.limited >= LIMIT_KBPS * 0.5 && measured.limited <= LIMIT_KBPS * 1.15, `metered stream ${measured.limited} kbit/s, limit ${LIMIT_KBPS}`);
    assert.ok(measured.free >= LIMIT_KBPS * 5, `unmetered stream ${measured.free} kbit/s is not well above the ${LIMIT_KBPS} kbit/s limit`);
  });

  it('writes the DSCP into IPv4 and IPv6 headers and keeps the ECN bits; others are left alone', async () => {
    const v4 = await capture(`icmp[icmptype] == icmp-echo and src ${limited.addr}`, 2, () => inNs(limited.ns, 'ping', ['-c', '1', '-W', '1', '-Q', '0x01', receiver.addr]));
    assert.ok(v4.length === 2 && v4.every((l) => l.includes(`tos 0x${((DSCP << 2) | 1).toString(16)},ECT(1)`)), v4.join('\n'));
    const other = await capture(`icmp[icmptype] == icmp-echo and src ${free.addr}`, 1, () => inNs(free.ns, 'ping', ['-c', '1', '-W', '1', receiver.addr]));
    assert.ok(other.length === 1 && other[0]?.includes('tos 0x0,'), other.join('\n'));
    const v6 = await capture(`icmp6 and ip6[40] == 128 and src ${limited.addr6}`, 2, () => inNs(limited.ns, 'ping', ['-6', '-c', '1', '-W', '1', receiver.addr6]));
    assert.ok(v6.length === 2 && v6.every((l) => l.includes(`class 0x${(DSCP << 2).toString(16)},`)), v6.join('\n'));
  });

  it('a new rate changes the running meter and no flow', async (t) => {
    const bundles = bridge.stats.bundlesCommitted;
    await apply(withProfiles({ [limited.id]: { bandwidthKbps: LIMIT_KBPS * 3, burstKbits: LIMIT_KBPS * 2, dscp: DSCP } }));
    assert.equal(bridge.stats.bundlesCommitted, bundles, 'the flows did not change');
    assert.match((await ofctlMeters()).join('\n'), new RegExp(`rate=${LIMIT_KBPS * 3} burst_size=${LIMIT_KBPS * 2}$`));
    measured.raised = await kbpsTo(limited, 5203);
    t.diagnostic(`TCP kbit/s: limited to ${LIMIT_KBPS * 3}: ${measured.raised}`);
    assert.ok(measured.raised >= LIMIT_KBPS * 3 * 0.5 && measured.raised <= LIMIT_KBPS * 3 * 1.15, `metered stream ${measured.raised} kbit/s, limit ${LIMIT_KBPS * 3}`);
  });

  it('after a vswitchd restart the meters are replayed before the flows', async () => {
    const flows = await dumpFlows();
    const before = await ofctlMeters();
    const reconnected = new Promise<void>((resolve) => {
      const off = bridge.onReconnect(() => {
        off();
        // What DatapathController does on reconnect.
        void meters
          .replay()
          .then(() => reconciler.replay())
          .then(() => resolve());
      });
    });
    await ovs.restartVswitchd();
    await reconnected;
    assert.deepEqual(await ofctlMeters(), before);
    assert.deepEqual(await dumpFlows(), flows);
  });

  it('removing the profile removes the meter after the flows stopped using it', async (t) => {
    const state = withProfiles({});
    await apply(state);
    assert.deepEqual(await ofctlMeters(), []);
    assert.deepEqual(await dumpFlows(), expectedFlows(state));
    measured.unlimited = await kbpsTo(limited, 5204);
    t.diagnostic(`TCP kbit/s: profile removed: ${measured.unlimited}`);
    assert.ok(measured.unlimited >= LIMIT_KBPS * 5, `stream without profile ${measured.unlimited} kbit/s`);
  });
});
