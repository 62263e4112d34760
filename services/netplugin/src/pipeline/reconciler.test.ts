import assert from 'node:assert/strict';
import test from 'node:test';
import { flow, flowToString, isOpenFlowError } from '@contiv/openflow';
import { RecordingBridge } from '@contiv/openflow/testing';
import type { DesiredState } from './desired-state';
import { isAgentError } from '../errors';
import { PipelineReconciler, computeFlowSet } from './reconciler';
import { FloodTable } from './tables';
import { CookieCategory, lazyObjectFlows, makeCookie, tableNames, type Feature } from './framework';
import { compilePolicyRules } from '@contiv/model';
import { countFlows } from './flow-cache';
import { PIPELINE_FEATURES } from './features/index';
import { desiredState, localEndpoint, remoteEndpoint, remoteHost, vxlanNetwork } from './testing/fixtures';

const NET = 'default/contiv-net';

function twoHostState(extra: Partial<DesiredState> = {}): DesiredState {
  return desiredState({
    networks: [vxlanNetwork(NET, 1, 5001, '100.1.1.254')],
    localEndpoints: [localEndpoint('ep1', 3, NET, '100.1.1.1'), localEndpoint('ep2', 4, NET, '100.1.1.2')],
    remoteEndpoints: [remoteEndpoint('ep3', 'h2', NET, '100.1.1.3'), remoteEndpoint('ep4', 'h2', NET, '100.1.1.4')],
    remoteHosts: [remoteHost('h2', '192.168.250.12', 7)],
    ...extra,
  });
}

void test('installing the same state twice sends one bundle, then nothing', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  const first = await rec.reconcile(twoHostState());
  assert.equal(br.bundles.length, 1);
  assert.deepEqual(first, { adds: first.total, modifies: 0, deletes: 0, total: br.flows().length });
  const second = await rec.reconcile(twoHostState());
  assert.deepEqual(second, { adds: 0, modifies: 0, deletes: 0, total: first.total });
  assert.equal(br.bundles.length, 1);
  assert.equal(br.messageCount, first.total);
});

void test('deleting a remote endpoint removes exactly its flows, in one bundle of deletes', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  await rec.reconcile(twoHostState());
  const before = br.flowStrings();
  const gone = [...rec.installedFlowsOf('arp-responder', 'remote:ep4'), ...rec.installedFlowsOf('l2-forwarding', 'remote:ep4')];
  assert.equal(gone.length, 2);
  br.clearCalls();

  const state = twoHostState();
  await rec.reconcile({ ...state, remoteEndpoints: state.remoteEndpoints.filter((e) => e.endpointId !== 'ep4') });
  assert.equal(br.bundles.length, 1);
  const bundle = br.bundles[0];
  assert.equal(bundle?.adds?.length ?? 0, 0);
  assert.equal(bundle?.modifies?.length ?? 0, 0);
  assert.deepEqual(bundle?.deletes, gone);
  const removed = before.filter((l) => !br.flowStrings().includes(l));
  assert.equal(removed.length, 2);
  for (const line of removed) assert.match(line, /100\.1\.1\.4|02:02:64:01:01:04/);
  assert.deepEqual(rec.installedFlowsOf('l2-forwarding', 'remote:ep4'), []);
});

void test('a new local port changes the two flood flows by modify (same cookie) and adds the endpoint flows', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  await rec.reconcile(twoHostState());
  br.clearCalls();
  const state = twoHostState();
  const result = await rec.reconcile({ ...state, localEndpoints: [...state.localEndpoints, localEndpoint('ep5', 5, NET, '100.1.1.5')] });
  assert.deepEqual(result, { adds: 3, modifies: 2, deletes: 0, total: result.total });
  assert.deepEqual(
    br.flowStrings().filter((l) => /priority=[12]00,/.test(l) && l.includes(`table=${FloodTable.id}, `)),
    [
      `cookie=0x1030000000001, table=${FloodTable.id}, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff actions=output:3,output:4,output:5,set_field:0x1389->tun_id,output:7`,
      `cookie=0x1030000000001, table=${FloodTable.id}, priority=100,reg1=0x1/0xffff actions=output:3,output:4,output:5`,
    ],
  );
});

void test('a remote endpoint that moves to another host is a modify of its forwarding flow', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  const hosts = [remoteHost('h2', '192.168.250.12', 7), remoteHost('h3', '192.168.250.13', 8)];
  await rec.reconcile(twoHostState({ remoteHosts: hosts }));
  br.clearCalls();
  const state = twoHostState({ remoteHosts: hosts });
  const moved = state.remoteEndpoints.map((e) => (e.endpointId === 'ep4' ? { ...e, host: 'h3' } : e));
  const result = await rec.reconcile({ ...state, remoteEndpoints: moved });
  assert.deepEqual([result.adds, result.modifies, result.deletes], [0, 1, 0]);
  const modified = br.bundles[0]?.modifies?.[0];
  assert.ok(modified !== undefined);
  assert.match(flowToString(modified), /dl_dst=02:02:64:01:01:04 actions=set_field:0x1389->tun_id,output:8$/);
});

void test('a new cookie round re-adds every flow (a modify would keep the old cookie)', async () => {
  const br = new RecordingBridge();
  await new PipelineReconciler({ bridge: br, round: 1 }).reconcile(twoHostState());
  const total = br.flows().length;
  br.clearCalls();
  // Same switch, a restarted agent: its cache is empty, its round is 2.
  const rec2 = new PipelineReconciler({ bridge: br, round: 2 });
  const result = await rec2.reconcile(twoHostState());
  assert.deepEqual([result.adds, result.modifies, result.deletes], [total, 0, 0]);
  assert.ok(br.flows().every((f) => f.cookie >> 48n === 2n));
});

void test('a rejected bundle leaves the cache as it was, so the retry sends the same change', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  br.failNext();
  await assert.rejects(rec.reconcile(twoHostState()), (err: unknown) => isOpenFlowError(err, 'OF_BUNDLE_REJECTED'));
  assert.equal(rec.installedFlowCount(), 0);
  assert.equal(br.flows().length, 0);
  const retry = await rec.reconcile(twoHostState());
  assert.equal(retry.adds, retry.total);
  assert.equal(br.flows().length, retry.total);
  assert.equal(br.bundles.length, 2);
  assert.deepEqual(br.bundles[0], br.bundles[1]);
});

void test('replay re-adds every installed flow in one bundle', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  await rec.reconcile(twoHostState());
  const lines = br.flowStrings();
  await br.deleteAll({});
  assert.equal(await rec.replay(), lines.length);
  assert.deepEqual(br.flowStrings(), lines);
});

void test('flows are O(endpoints + networks): 100 endpoints on each of 3 hosts', async () => {
  const hosts = ['h1', 'h2', 'h3'];
  const ip = (h: number, i: number): string => `10.${h}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const state = desiredState({
    networks: [vxlanNetwork(NET, 1, 5001, '10.0.0.254')],
    localEndpoints: Array.from({ length: 100 }, (_, i) => localEndpoint(`h1-${i}`, 10 + i, NET, ip(1, i))),
    remoteEndpoints: hosts.slice(1).flatMap((h, hi) => Array.from({ length: 100 }, (_, i) => remoteEndpoint(`${h}-${i}`, h, NET, ip(hi + 2, i)))),
    remoteHosts: [remoteHost('h2', '192.168.250.12', 2), remoteHost('h3', '192.168.250.13', 3)],
  });
  const br = new RecordingBridge();
  const result = await new PipelineReconciler({ bridge: br, round: 1 }).reconcile(state);
  const local = 100;
  const remote = 200;
  const networks = 1;
  const misses = 15; // one per table
  // The DNS punt and its conntrack bypass; IPv6 neighbor discovery's bypass (4 ICMPv6 types); conntrack lookup and commit
  // for IPv4 and IPv6; replies and related; local senders skip SrcGroup.
  const fixed = 2 + 4 + 4 + 2 + 1;
  // Local: classifier + ARP + L2; remote: ARP + L2; network: tunnel classifier + gateway ARP + flood from local + flood from the fabric.
  assert.equal(result.total, 3 * local + 2 * remote + 4 * networks + misses + fixed);
  assert.equal(result.total, 732);
  const perTable = new Map<string, number>();
  const names = tableNames();
  for (const f of br.flows()) perTable.set(names.get(f.table) ?? '', (perTable.get(names.get(f.table) ?? '') ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(perTable), {
    Classifier: local + networks + 1,
    EgressQos: 1,
    ArpResponder: local + remote + networks + 1,
    ConntrackZone: 8,
    ConntrackState: 3,
    ServiceLB: 1,
    ServiceDnat: 1,
    ServiceDstMac: 1,
    SrcGroup: 2,
    DstGroup: 1,
    EgressRule: 1,
    IngressRule: 1,
    ConntrackCommit: 3,
    L2Forwarding: local + remote + 2,
    Flood: 2 * networks + 1,
  });
});

void test('two objects wanting the same flow is refused before anything is sent', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1 });
  // Two networks given the same local id and gateway: their gateway ARP flows collide.
  const state = desiredState({ networks: [vxlanNetwork('a/net', 1, 5001, '10.1.1.254'), vxlanNetwork('b/net', 1, 5002, '10.1.1.254')] });
  await assert.rejects(rec.reconcile(state), (err: unknown) => isAgentError(err, 'AGENT_INVALID_ARGUMENT'));
  assert.equal(br.calls.length, 0);
});

void test('policy flows grow with endpoints + groups + rules, never their product', () => {
  const flowsFor = (endpoints: number, groups: number, rules: number): number => {
    const groupStates = Array.from({ length: groups }, (_, g) => ({
      tenantName: 'default', groupName: `g${g}`, networkName: 'n', groupId: g + 1, policies: ['p'], ipPool: '', groupTag: '', netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0,
    }));
    const ruleStates = Array.from({ length: rules }, (_, r) => ({
      tenantName: 'default', policyName: 'p', ruleId: `r${r}`, direction: 'in' as const, priority: 1 + (r % 10), fromEndpointGroup: '', toEndpointGroup: '',
      fromNetwork: '', toNetwork: '', fromIpAddress: '', toIpAddress: '', protocol: 'tcp', ipProtocol: 6, port: 1000 + r, action: 'allow' as const,
    }));
    const state = desiredState({
      networks: [vxlanNetwork(NET, 1, 5001)],
      localEndpoints: Array.from({ length: endpoints }, (_, i) => localEndpoint(`e${i}`, 10 + i, NET, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, { groupId: (i % groups) + 1 })),
      policyRules: compilePolicyRules({ groups: groupStates, rules: ruleStates, networks: [] }),
    });
    return countFlows(computeFlowSet(state, PIPELINE_FEATURES, 1));
  };
  const base = flowsFor(10, 2, 10);
  // Each rule: its conjunction flow and one peer-clause flow per address family. Each group: one applied-clause flow per distinct priority (10 here).
  assert.equal(flowsFor(10, 2, 20) - base, 10 * 3);
  assert.equal(flowsFor(10, 4, 10) - base, 2 * 10);
  // Each endpoint in a group: classifier, ARP, L2, flood port (no flow), DstGroup.
  assert.equal(flowsFor(20, 2, 10) - base, 10 * 4);
  // 100x the rules and groups at once adds, not multiplies.
  assert.equal(flowsFor(10, 20, 100) - base, 90 * 3 + 18 * 10);
});

void test('an object whose signature is unchanged is not built again; a changed one is, and only it is sent', async () => {
  const builds: string[] = [];
  let ports: Record<string, number> = { a: 1, b: 2 };
  const counting: Feature = {
    name: 'counting',
    requiredTables: [FloodTable],
    flows: (_state, ctx) =>
      Object.entries(ports).map(([key, port]) =>
        lazyObjectFlows(key, ctx, [port], () => {
          builds.push(key);
          return [flow(FloodTable.id, 200).cookie(makeCookie(ctx.round, CookieCategory.Network, port)).match((m) => m.inPort(port)).build()];
        }),
      ),
  };
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 1, features: [counting] });
  await rec.reconcile(desiredState({}));
  assert.deepEqual(builds, ['a', 'b']);
  ports = { a: 1, b: 3 };
  builds.length = 0;
  // Another host name: the state differs, so the reconcile runs, but only b's flows depend on what changed.
  const result = await rec.reconcile(desiredState({ hostName: 'changed' }));
  assert.deepEqual(builds, ['b']);
  assert.deepEqual([result.adds, result.modifies, result.deletes], [1, 0, 1]);
  assert.deepEqual(br.flowStrings().filter((l) => l.includes('in_port')).length, 2);
});
