import assert from 'node:assert/strict';
import test from 'node:test';
import { desiredState, localEndpoint, remoteEndpoint, remoteHost, renderPipeline, vlanNetwork, vxlanNetwork } from '../testing/fixtures';

/** The ArpResponder flow answering `ip` with `mac` in the network with local id `netId`. */
function arpReply(cookie: string, netId: number, ip: string, mac: string): string {
  return (
    `cookie=${cookie}, table=ArpResponder, priority=200,arp,reg1=0x${netId.toString(16)}/0xffff,arp_tpa=${ip},arp_op=1 ` +
    `actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:${mac}->eth_src,set_field:2->arp_op,` +
    `move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:${mac}->arp_sha,set_field:${ip}->arp_spa,IN_PORT`
  );
}

const MISS_FLOWS = [
  'cookie=0x10000000000, table=ArpResponder, priority=0 actions=goto_table:ConntrackZone',
  'cookie=0x10000000000, table=Classifier, priority=0 actions=drop',
  'cookie=0x10000000000, table=Flood, priority=0 actions=drop',
  'cookie=0x10000000000, table=L2Forwarding, priority=0 actions=goto_table:Flood',
];

/** Tables whose flows do not depend on the state (conntrack; the group, rule and serviceLB tables without groups, rules and services). */
const FIXED_TABLES = ['EgressQos', 'ConntrackZone', 'ConntrackState', 'ServiceLB', 'ServiceDnat', 'ServiceDstMac', 'ConntrackCommit', 'SrcGroup', 'DstGroup', 'EgressRule', 'IngressRule'];
const withoutFixed = (lines: string[]): string[] => lines.filter((l) => !FIXED_TABLES.some((t) => l.includes(`table=${t}, `)));

/** The DNS punt (dns-interceptor): one flow whatever the state; the agent answers within the port's network. */
const DNS_PUNT = 'cookie=0x60000000000, table=L2Forwarding, priority=300,udp,reg0=0x1/0xf,dl_dst=00:00:11:11:11:11,tp_dst=53 actions=CONTROLLER:65535';

/** Lines of one table, in dump order. */
const inTable = (lines: string[], table: string): string[] => lines.filter((l) => l.includes(`table=${table}, `));

void test('one local endpoint: classified by ofport, answered, forwarded, flooded', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork('default/contiv-net', 1, 1)],
      localEndpoints: [localEndpoint('ep1', 3, 'default/contiv-net', '100.1.1.1')],
    }),
  );
  assert.deepEqual(withoutFixed(lines), [
    arpReply('0x20000000003', 0x1, '100.1.1.1', '02:02:64:01:01:01'),
    MISS_FLOWS[0],
    'cookie=0x20000000003, table=Classifier, priority=200,in_port=3 actions=load:0x1->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:EgressQos',
    'cookie=0x30000000001, table=Classifier, priority=200,tun_id=0x1 actions=load:0x2->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:ConntrackZone',
    MISS_FLOWS[1],
    'cookie=0x30000000001, table=Flood, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff actions=output:3',
    'cookie=0x30000000001, table=Flood, priority=100,reg1=0x1/0xffff actions=output:3',
    MISS_FLOWS[2],
    DNS_PUNT,
    'cookie=0x20000000003, table=L2Forwarding, priority=200,reg1=0x1/0xffff,dl_dst=02:02:64:01:01:01 actions=output:3',
    MISS_FLOWS[3],
  ]);
});

void test('two tenants with the same subnet and MACs: every flow is keyed by its own network id', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork('blue/net', 1, 5001, '10.1.1.254'), vxlanNetwork('red/net', 2, 5002, '10.1.1.254')],
      localEndpoints: [localEndpoint('b1', 3, 'blue/net', '10.1.1.1'), localEndpoint('r1', 4, 'red/net', '10.1.1.1')],
    }),
  );
  assert.deepEqual(inTable(lines, 'Classifier'), [
    'cookie=0x20000000003, table=Classifier, priority=200,in_port=3 actions=load:0x1->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:EgressQos',
    'cookie=0x20000000004, table=Classifier, priority=200,in_port=4 actions=load:0x1->NXM_NX_REG0[0..3],load:0x2->NXM_NX_REG1[0..15],goto_table:EgressQos',
    'cookie=0x30000000001, table=Classifier, priority=200,tun_id=0x1389 actions=load:0x2->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:ConntrackZone',
    'cookie=0x30000000002, table=Classifier, priority=200,tun_id=0x138a actions=load:0x2->NXM_NX_REG0[0..3],load:0x2->NXM_NX_REG1[0..15],goto_table:ConntrackZone',
    MISS_FLOWS[1],
  ]);
  assert.deepEqual(inTable(lines, 'ArpResponder'), [
    arpReply('0x20000000003', 0x1, '10.1.1.1', '02:02:0a:01:01:01'),
    arpReply('0x20000000004', 0x2, '10.1.1.1', '02:02:0a:01:01:01'),
    arpReply('0x30000000001', 0x1, '10.1.1.254', '00:00:11:11:11:11'),
    arpReply('0x30000000002', 0x2, '10.1.1.254', '00:00:11:11:11:11'),
    MISS_FLOWS[0],
  ]);
  assert.deepEqual(inTable(lines, 'L2Forwarding'), [
    DNS_PUNT,
    'cookie=0x20000000003, table=L2Forwarding, priority=200,reg1=0x1/0xffff,dl_dst=02:02:0a:01:01:01 actions=output:3',
    'cookie=0x20000000004, table=L2Forwarding, priority=200,reg1=0x2/0xffff,dl_dst=02:02:0a:01:01:01 actions=output:4',
    MISS_FLOWS[3],
  ]);
  assert.deepEqual(inTable(lines, 'Flood'), [
    'cookie=0x30000000001, table=Flood, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff actions=output:3',
    'cookie=0x30000000002, table=Flood, priority=200,reg0=0x1/0xf,reg1=0x2/0xffff actions=output:4',
    'cookie=0x30000000001, table=Flood, priority=100,reg1=0x1/0xffff actions=output:3',
    'cookie=0x30000000002, table=Flood, priority=100,reg1=0x2/0xffff actions=output:4',
    MISS_FLOWS[2],
  ]);
  // Whatever the table, a flow that outputs to port 3 (blue) never matches red's id, and the reverse.
  for (const line of lines) {
    if (/output:3\b/.test(line)) assert.doesNotMatch(line, /reg1=0x2\//, line);
    if (/output:4\b/.test(line)) assert.doesNotMatch(line, /reg1=0x1\//, line);
    if (!line.includes('table=Classifier') && !line.includes('priority=0 ') && line !== DNS_PUNT && !FIXED_TABLES.some((t) => line.includes(`table=${t}, `))) {
      assert.match(line, /reg1=0x[12]\/0xffff/, line);
    }
  }
});

void test('a remote endpoint on a VXLAN network: answered locally, sent into its host tunnel with the VNI', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork('default/contiv-net', 1, 5001)],
      localEndpoints: [localEndpoint('ep1', 3, 'default/contiv-net', '100.1.1.1')],
      remoteEndpoints: [remoteEndpoint('ep2', 'h2', 'default/contiv-net', '100.1.1.2')],
      remoteHosts: [remoteHost('h2', '192.168.250.12', 7)],
    }),
  );
  const remote = lines.filter((l) => l.startsWith('cookie=0x400249284a6,'));
  assert.deepEqual(remote, [
    arpReply('0x400249284a6', 0x1, '100.1.1.2', '02:02:64:01:01:02'),
    'cookie=0x400249284a6, table=L2Forwarding, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff,dl_dst=02:02:64:01:01:02 actions=set_field:0x1389->tun_id,output:7',
  ]);
  // Broadcast and unknown unicast from a local port also go into every tunnel with the VNI; from the fabric, to local ports only.
  assert.deepEqual(inTable(lines, 'Flood'), [
    'cookie=0x30000000001, table=Flood, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff actions=output:3,set_field:0x1389->tun_id,output:7',
    'cookie=0x30000000001, table=Flood, priority=100,reg1=0x1/0xffff actions=output:3',
    MISS_FLOWS[2],
  ]);
});

void test('a remote endpoint whose host has no tunnel port yet gets its ARP flow only', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork('default/contiv-net', 1, 5001)],
      remoteEndpoints: [remoteEndpoint('ep2', 'h2', 'default/contiv-net', '100.1.1.2')],
      remoteHosts: [remoteHost('h2', '192.168.250.12')],
    }),
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith('cookie=0x400249284a6,')),
    [arpReply('0x400249284a6', 0x1, '100.1.1.2', '02:02:64:01:01:02')],
  );
});

void test('a VLAN network with an uplink: tagged on the way out, classified and untagged on the way in', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vlanNetwork('default/vlan-net', 1, 100)],
      localEndpoints: [localEndpoint('ep1', 3, 'default/vlan-net', '100.2.1.1')],
      remoteEndpoints: [remoteEndpoint('ep2', 'h2', 'default/vlan-net', '100.2.1.2')],
      remoteHosts: [remoteHost('h2', '192.168.250.12')],
      uplinkOfports: [9],
    }),
  );
  assert.deepEqual(inTable(lines, 'Classifier'), [
    'cookie=0x20000000003, table=Classifier, priority=200,in_port=3 actions=load:0x1->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:EgressQos',
    'cookie=0x30000000001, table=Classifier, priority=200,in_port=9,dl_vlan=100 actions=pop_vlan,load:0x3->NXM_NX_REG0[0..3],load:0x1->NXM_NX_REG1[0..15],goto_table:ConntrackZone',
    MISS_FLOWS[1],
  ]);
  assert.deepEqual(inTable(lines, 'L2Forwarding'), [
    DNS_PUNT,
    'cookie=0x20000000003, table=L2Forwarding, priority=200,reg1=0x1/0xffff,dl_dst=02:02:64:02:01:01 actions=output:3',
    'cookie=0x400249284a6, table=L2Forwarding, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff,dl_dst=02:02:64:02:01:02 actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:9',
    MISS_FLOWS[3],
  ]);
  // Flooded from a local port: local ports untagged first, then tagged onto the uplink; from the uplink, local ports only.
  assert.deepEqual(inTable(lines, 'Flood'), [
    'cookie=0x30000000001, table=Flood, priority=200,reg0=0x1/0xf,reg1=0x1/0xffff actions=output:3,push_vlan:0x8100,set_field:4196->vlan_vid,output:9',
    'cookie=0x30000000001, table=Flood, priority=100,reg1=0x1/0xffff actions=output:3',
    MISS_FLOWS[2],
  ]);
});

void test('ARP responder: local and remote endpoints and the gateway, per network; nothing else is answered', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork('default/a', 1, 5001, '10.1.1.254'), vxlanNetwork('default/b', 2, 5002)],
      localEndpoints: [localEndpoint('ep1', 3, 'default/a', '10.1.1.1')],
      remoteEndpoints: [remoteEndpoint('ep2', 'h2', 'default/b', '10.2.1.2')],
      remoteHosts: [remoteHost('h2', '192.168.250.12', 7)],
    }),
  );
  assert.deepEqual(inTable(lines, 'ArpResponder'), [
    arpReply('0x20000000003', 0x1, '10.1.1.1', '02:02:0a:01:01:01'),
    arpReply('0x30000000001', 0x1, '10.1.1.254', '00:00:11:11:11:11'),
    arpReply('0x400249284a6', 0x2, '10.2.1.2', '02:02:0a:02:01:02'),
    MISS_FLOWS[0],
  ]);
});
