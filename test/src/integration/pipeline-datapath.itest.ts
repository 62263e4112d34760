/**
 * The agent's pipeline on a real bridge: three network namespaces on veth
 * ports of a netdev bridge (ovs-vswitchd in its own namespace), two in one
 * tenant's network and one in another tenant's network with the same subnet.
 * The flows PipelineReconciler installs are exactly the rendered ones; ping
 * works inside a network and not across tenants; ARP for the gateway is
 * answered by the responder; the same state again sends no bundle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFlowBridge, bridgeMgmtEndpoint, flowsToStrings, normalizeDumpFlows } from '@contiv/openflow';
import { ArpResponderTable, GATEWAY_MAC, PIPELINE_FEATURES, PipelineReconciler, allFlows, computeFlowSet } from '../../../services/netplugin/lib/pipeline/index';
import type { DesiredState } from '../../../services/netplugin/lib/pipeline/index';
import { eventually } from '../harness/eventually';
import { run } from '../harness/exec';
import { startOvs } from '../harness/ovs';
import { BLUE, RED, addPipelineBridge, plugEndpoints, twoTenantState, unplugEndpoints, waitOfports } from '../harness/pipeline-rig';
import type { Ovs } from '../harness/ovs';

const suffix = Math.random().toString(36).slice(2, 6);
const inNs = (ns: string, ...cmd: string[]): ReturnType<typeof run> => run('ip', ['netns', 'exec', ns, ...cmd], { allowFail: true, timeoutMs: 15_000 });

const GATEWAY = '10.1.1.254';
const hosts = [
  { id: 'ep-a', ns: `pla-${suffix}`, port: `ppla${suffix}`, addr: '10.1.1.1', mac: '02:02:0a:01:01:01', network: BLUE },
  { id: 'ep-b', ns: `plb-${suffix}`, port: `pplb${suffix}`, addr: '10.1.1.2', mac: '02:02:0a:01:01:02', network: BLUE },
  { id: 'ep-c', ns: `plc-${suffix}`, port: `pplc${suffix}`, addr: '10.1.1.3', mac: '02:02:0a:01:01:03', network: RED },
] as const;
const [epA, epB, epC] = hosts;

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('the agent pipeline on a real bridge', { timeout: 120_000 }, () => {
  const br = `bpl${suffix}`;
  let bridge: OpenFlowBridge;
  let state: DesiredState;
  let reconciler: PipelineReconciler;

  before(async () => {
    await addPipelineBridge(ovs, br);
    await plugEndpoints(ovs, br, hosts);
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000 });
    state = twoTenantState(hosts, await waitOfports(bridge, hosts), GATEWAY);
    reconciler = new PipelineReconciler({ bridge, round: 1 });
  });
  after(async () => {
    bridge?.close();
    await unplugEndpoints(hosts);
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  const ping = async (from: (typeof hosts)[number], to: string): Promise<boolean> => (await inNs(from.ns, 'ping', '-c', '1', '-W', '1', to)).code === 0;

  it('installs exactly the rendered flows in one bundle', async () => {
    const result = await reconciler.reconcile(state);
    assert.equal(bridge.stats.bundlesCommitted, 1);
    const expected = flowsToStrings(allFlows(computeFlowSet(state, PIPELINE_FEATURES, 1)));
    assert.equal(expected.length, result.total);
    assert.deepEqual(normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats')), expected);
  });

  it('forwards between two endpoints of one network', async () => {
    await eventually(async () => (await ping(epA, epB.addr)) || false, { timeoutMs: 15_000, what: `ping ${epB.addr} from ${epA.ns}` });
    assert.equal(await ping(epB, epA.addr), true);
  });

  it('answers ARP for the gateway and for endpoints from the responder', async () => {
    await inNs(epA.ns, 'ip', 'neigh', 'flush', 'dev', 'eth0');
    // Nobody has the gateway address: only the responder can fill the neighbour entry.
    await inNs(epA.ns, 'ping', '-c', '1', '-W', '1', GATEWAY);
    const neigh = await eventually(
      async () => {
        const out = (await inNs(epA.ns, 'ip', 'neigh', 'show', GATEWAY)).stdout;
        if (!out.includes('lladdr')) throw new Error(`neighbour table: ${out.trim() || '(empty)'}`);
        return out;
      },
      { timeoutMs: 10_000, what: `a neighbour entry for ${GATEWAY}` },
    );
    assert.match(neigh, new RegExp(`lladdr ${GATEWAY_MAC}`));
    assert.equal(await ping(epA, epB.addr), true);
    const arpFlows = (await bridge.dumpFlows({ table: ArpResponderTable.id })).filter((f) => f.priority === 200 && f.packetCount > 0n);
    assert.ok(arpFlows.length >= 2, 'the gateway and endpoint B responder flows matched requests');
  });

  it('keeps the other tenant apart even with a static neighbour entry', async () => {
    await inNs(epA.ns, 'ip', 'neigh', 'replace', epC.addr, 'lladdr', epC.mac, 'dev', 'eth0');
    assert.equal(await ping(epA, epC.addr), false);
    assert.equal(await ping(epC, epA.addr), false);
  });

  it('sends nothing when the same state is reconciled again', async () => {
    const before = bridge.stats.bundlesCommitted;
    const result = await reconciler.reconcile(state);
    assert.deepEqual([result.adds, result.modifies, result.deletes], [0, 0, 0]);
    assert.equal(bridge.stats.bundlesCommitted, before);
  });

  it('removing an endpoint removes its flows and its traffic', async () => {
    await reconciler.reconcile({ ...state, localEndpoints: state.localEndpoints.filter((e) => e.endpointId !== epB.id) });
    const lines = normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
    assert.ok(!lines.some((l) => l.includes(epB.mac) || l.includes(`arp_tpa=${epB.addr},`)), lines.join('\n'));
    await eventually(async () => !(await ping(epA, epB.addr)) || false, { timeoutMs: 10_000, what: 'ping to stop working' });
  });
});
