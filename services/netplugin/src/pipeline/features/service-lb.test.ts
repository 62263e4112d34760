import assert from 'node:assert/strict';
import test from 'node:test';
import { RecordingBridge } from '@contiv/openflow/testing';
import { groupToString } from '@contiv/openflow';
import { makeGroupId, groupRound } from '../framework';
import { PipelineReconciler, computeGroups } from '../reconciler';
import { PIPELINE_FEATURES } from './index';
import { desiredState, localEndpoint, macFor, remoteEndpoint, remoteHost, renderPipeline, vxlanNetwork } from '../testing/fixtures';
import type { DesiredService, DesiredState } from '../desired-state';
import { serviceGroupIndexes } from './service-lb';

const NET = 'blue/net1';
const inTable = (lines: string[], table: string): string[] => lines.filter((l) => l.includes(`table=${table}, `));

function svc(providers: Array<[string, string]>, over: Partial<DesiredService> = {}): DesiredService {
  return {
    key: 'blue/web-svc',
    network: NET,
    vip: '10.1.1.200',
    ports: [{ servicePort: 80, providerPort: 8080, protocol: 'tcp' }],
    providers: providers.map(([endpointId, ip]) => ({ endpointId, ip, mac: macFor(ip) })),
    ...over,
  };
}

function state(services: DesiredService[]): DesiredState {
  return desiredState({
    networks: [vxlanNetwork(NET, 1, 5001, '10.1.1.254')],
    localEndpoints: [localEndpoint('client', 3, NET, '10.1.1.1'), localEndpoint('b1', 4, NET, '10.1.1.10')],
    remoteEndpoints: [remoteEndpoint('b2', 'h2', NET, '10.1.1.11'), remoteEndpoint('b3', 'h3', NET, '10.1.1.12')],
    remoteHosts: [remoteHost('h2', '192.168.250.12', 7), remoteHost('h3', '192.168.250.13')],
    services,
  });
}

const GROUP = makeGroupId(0, serviceGroupIndexes([svc([])]).get('blue/web-svc') ?? 0);
const COOKIE = '0x80000000000'; // category ServiceLb, round 0 (the object id is a hash)

void test('a service with a local and a remote backend: VIP answered, new connections to a select group, DNAT per backend, MAC per backend', () => {
  const lines = renderPipeline(state([svc([['b1', '10.1.1.10'], ['b2', '10.1.1.11']])]));
  const strip = (l: string): string => l.replace(/cookie=0x8[0-9a-f]{10}, /, `cookie=${COOKIE}, `);
  // Dump order follows cookies (hashes): compare as sets.
  const rows = (table: string): string[] => inTable(lines, table).map(strip).sort();
  assert.deepEqual(rows('ServiceLB'), [
    `cookie=${COOKIE}, table=ServiceLB, priority=200,ct_state=+new+trk,tcp,reg0=0x1/0xf,reg1=0x1/0xffff,nw_dst=10.1.1.200,tp_dst=80 actions=load:0x1f90->NXM_NX_REG5[0..15],group:${GROUP}`,
    `cookie=${COOKIE}, table=ServiceLB, priority=100,ip,reg1=0x1/0xffff,nw_dst=10.1.1.200 actions=drop`,
    'cookie=0x10000000000, table=ServiceLB, priority=0 actions=goto_table:ServiceDstMac',
  ].sort());
  assert.deepEqual(rows('ServiceDnat'), [
    `cookie=${COOKIE}, table=ServiceDnat, priority=200,tcp,reg1=0x1/0xffff,reg4=0xa01010a,reg5=0x1f90/0xffff actions=set_field:02:02:0a:01:01:0a->eth_dst,ct(commit,table=ServiceDstMac,zone=NXM_NX_REG1[0..15],nat(dst=10.1.1.10:8080))`,
    `cookie=${COOKIE}, table=ServiceDnat, priority=200,tcp,reg1=0x1/0xffff,reg4=0xa01010b,reg5=0x1f90/0xffff actions=set_field:02:02:0a:01:01:0b->eth_dst,ct(commit,table=ServiceDstMac,zone=NXM_NX_REG1[0..15],nat(dst=10.1.1.11:8080))`,
    'cookie=0x10000000000, table=ServiceDnat, priority=0 actions=drop',
  ].sort());
  assert.deepEqual(rows('ServiceDstMac'), [
    `cookie=${COOKIE}, table=ServiceDstMac, priority=200,ct_state=-rpl+trk+dnat,ip,reg1=0x1/0xffff,nw_dst=10.1.1.10 actions=set_field:02:02:0a:01:01:0a->eth_dst,goto_table:SrcGroup`,
    `cookie=${COOKIE}, table=ServiceDstMac, priority=200,ct_state=-rpl+trk+dnat,ip,reg1=0x1/0xffff,nw_dst=10.1.1.11 actions=set_field:02:02:0a:01:01:0b->eth_dst,goto_table:SrcGroup`,
    'cookie=0x10000000000, table=ServiceDstMac, priority=0 actions=goto_table:SrcGroup',
  ].sort());
  assert.ok(lines.some((l) => l.includes('table=ArpResponder') && l.includes('arp_tpa=10.1.1.200') && l.includes('set_field:00:00:11:11:11:11->eth_src')), 'the VIP answers ARP with the gateway MAC');
  assert.ok(lines.some((l) => l.includes('table=ConntrackZone, priority=200,ip actions=ct(table=ConntrackState,zone=NXM_NX_REG1[0..15],nat)')));
  assert.ok(lines.includes('cookie=0x10000000000, table=ConntrackState, priority=0 actions=goto_table:ServiceLB'));
  const groups = [...computeGroups(state([svc([['b1', '10.1.1.10'], ['b2', '10.1.1.11']])]), PIPELINE_FEATURES, 0).values()].map((g) => groupToString(g.group, {}));
  assert.deepEqual(groups, [
    `group_id=${GROUP},type=select,bucket=actions=load:0xa01010a->NXM_NX_REG4[],resubmit(,6),bucket=actions=load:0xa01010b->NXM_NX_REG4[],resubmit(,6)`,
  ]);
});

void test('providers this host cannot reach are left out; no provider means the VIP drops and no group', () => {
  // b3's host has no tunnel port yet; "gone" is not an endpoint of this state.
  const lines = renderPipeline(state([svc([['b3', '10.1.1.12'], ['gone', '10.1.1.99']])]));
  assert.equal(inTable(lines, 'ServiceLB').length, 2, 'the drop and the miss only');
  assert.ok(inTable(lines, 'ServiceLB')[0]?.includes('priority=100,ip,reg1=0x1/0xffff,nw_dst=10.1.1.200 actions=drop'));
  assert.equal(inTable(lines, 'ServiceDnat').length, 1);
  assert.equal(computeGroups(state([svc([['b3', '10.1.1.12']])]), PIPELINE_FEATURES, 0).size, 0);
});

void test('two services sharing a backend and port share its flows; UDP ports match udp', () => {
  const a = svc([['b1', '10.1.1.10']]);
  const b = svc([['b1', '10.1.1.10']], { key: 'blue/dns', vip: '10.1.1.201', ports: [{ servicePort: 53, providerPort: 8080, protocol: 'udp' }, { servicePort: 8080, providerPort: 8080, protocol: 'tcp' }] });
  const lines = renderPipeline(state([a, b]));
  assert.equal(inTable(lines, 'ServiceDnat').filter((l) => l.includes('reg4=0xa01010a')).length, 2, 'tcp/8080 once, udp/8080 once');
  assert.equal(inTable(lines, 'ServiceDstMac').length, 2);
  assert.ok(inTable(lines, 'ServiceLB').some((l) => l.includes('udp,') && l.includes('tp_dst=53')));
  assert.equal(computeGroups(state([a, b]), PIPELINE_FEATURES, 0).size, 2);
});

void test('backends coming and going change the group in the same bundle as the flows; the last one leaving deletes it', async () => {
  const br = new RecordingBridge();
  const rec = new PipelineReconciler({ bridge: br, round: 3 });
  await rec.reconcile(state([svc([['b1', '10.1.1.10']])]));
  const gid = makeGroupId(3, serviceGroupIndexes([svc([])]).get('blue/web-svc') ?? 0);
  assert.equal(groupRound(gid), 3);
  assert.deepEqual(br.bundles.at(-1)?.groups?.map((g) => `${g.command} ${g.groupId} ${g.buckets.length}`), [`add ${gid} 1`]);
  await rec.reconcile(state([svc([['b1', '10.1.1.10'], ['b2', '10.1.1.11']])]));
  const grown = br.bundles.at(-1);
  assert.deepEqual(grown?.groups?.map((g) => `${g.command} ${g.groupId} ${g.buckets.length}`), [`modify ${gid} 2`]);
  assert.ok((grown?.adds ?? []).length >= 2, 'the new backend’s DNAT and MAC flows come with it');
  await rec.reconcile(state([svc([])]));
  const emptied = br.bundles.at(-1);
  assert.deepEqual(emptied?.groups?.map((g) => `${g.command} ${g.groupId}`), [`delete ${gid}`]);
  assert.deepEqual(br.groups(), []);
  const before = br.bundles.length;
  await rec.reconcile(state([svc([])]));
  assert.equal(br.bundles.length, before, 'nothing to send for the same state');
  // A replay after a vswitchd restart sends the groups with the flows.
  await rec.reconcile(state([svc([['b1', '10.1.1.10']])]));
  br.wipe();
  await rec.replay();
  assert.equal(br.bundles.at(-1)?.groups?.length, 1);
});
