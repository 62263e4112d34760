/**
 * Byte-exact encodings and text renderings checked against Open vSwitch 3.1
 * itself. Each fixture was produced by
 *   ovs-ofctl -O OpenFlow13 -mmmmm parse-flow "<input>"   (or parse-group)
 * which prints the OFPT_FLOW_MOD ovs-ofctl would send (hex) and OVS's own
 * rendering of it. For every fixture: our decoder reads OVS's bytes, our
 * encoder writes them back identically, and our renderer prints OVS's text.
 * A subset is also built with the fluent builder and must encode to the same
 * bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './message';
import type { OfMessage } from './message';
import { OFPP } from './constants';
import { flow } from '../builder/flow-builder';
import { regField } from '../builder/reg-field';
import { flowModFor } from '../operations';
import { instructionsToString, matchToString, actionsToString } from '../flow-string';

interface Fixture {
  readonly input: string;
  readonly ovs: string;
  readonly hex: string;
}

const FLOWS: readonly Fixture[] = [
  {
    input: "table=1,priority=100,ip,in_port=3,nw_dst=10.1.1.2,actions=set_field:5000->tun_id,output:4",
    ovs: "ADD table:1 priority=100,ip,in_port=3,nw_dst=10.1.1.2 actions=set_field:0x1388->tun_id,output:4",
    hex: '040e007800000001000000000000000000000000000000000100000000000064ffffffffffffffffffffffff000000000001001a800000040000000380000a020800800018040a01010200000000000000040028000000000019001080004c08000000000000138800000010000000040000000000000000',
  },
  {
    input: "cookie=0x12,priority=10,reg0=0x5/0xff,actions=goto_table:1",
    ovs: "ADD priority=10,reg0=0x5/0xff cookie:0x12 actions=goto_table:1",
    hex: '040e00480000000100000000000000120000000000000000000000000000000affffffffffffffffffffffff00000000000100100001010800000005000000ff0001000801000000',
  },
  {
    input: "priority=0,actions=drop",
    ovs: "ADD priority=0 actions=drop",
    hex: '040e003800000001000000000000000000000000000000000000000000000000ffffffffffffffffffffffff000000000001000400000000',
  },
  {
    input: "table=2,arp,arp_op=1,arp_tpa=10.0.0.1,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:11:22:33:44:55:66->eth_src,load:2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:10.0.0.1->arp_spa,set_field:11:22:33:44:55:66->arp_sha,IN_PORT",
    ovs: "ADD table:2 arp,arp_tpa=10.0.0.1,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:11:22:33:44:55:66->eth_src,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:10.0.0.1->arp_spa,set_field:11:22:33:44:55:66->arp_sha,IN_PORT",
    hex: '040e00f000000001000000000000000000000000000000000200000000008000ffffffffffffffffffffffff000000000001001880000a02080680002a02000180002e040a000001000400a800000000ffff0018000023200006003000000000000004060000020600190010800008061122334455660000ffff0018000023200007000f00001e020000000000000002ffff00180000232000060030000000000001220600012406ffff001800002320000600200000000000002004000022040019001080002c040a000001000000000019001080003006112233445566000000000010fffffff80000000000000000',
  },
  {
    input: "table=3,priority=5,ct_state=+trk+est,ip,actions=ct(commit,zone=5,table=4),resubmit(,5),write_metadata:0x10/0xff",
    ovs: "ADD table:3 priority=5,ct_state=+est+trk,ip actions=ct(commit,table=4,zone=5),resubmit(,5),write_metadata:0x10/0xff",
    hex: '040e009000000001000000000000000000000000000000000300000000000005ffffffffffffffffffffffff000000000001001680000a0208000001d308000000220000002200000004003000000000ffff00180000232000230001000000000005040000000000ffff001000002320000efff8050000000002001800000000000000000000001000000000000000ff',
  },
  {
    input: "table=3,priority=6,ct_state=-new+trk,ct_zone=7,ct_mark=0x3/0xf,ip,actions=ct(table=4,zone=NXM_NX_REG6[0..15]),goto_table:5",
    ovs: "ADD table:3 priority=6,ct_state=-new+trk,ct_zone=7,ct_mark=0x3/0xf,ip actions=ct(table=4,zone=NXM_NX_REG6[0..15]),goto_table:5",
    hex: '040e008000000001000000000000000000000000000000000300000000000006ffffffffffffffffffffffff000000000001002880000a0208000001d30800000020000000210001d40200070001d708000000030000000f0004002000000000ffff0018000023200023000000010c04000f0400000000000001000805000000',
  },
  {
    input: "table=3,priority=7,ct_state=+trk+inv,ip,actions=drop",
    ovs: "ADD table:3 priority=7,ct_state=+inv+trk,ip actions=drop",
    hex: '040e004800000001000000000000000000000000000000000300000000000007ffffffffffffffffffffffff000000000001001680000a0208000001d30800000030000000300000',
  },
  {
    input: "table=4,ip,actions=ct(commit,exec(set_field:0x1->ct_mark)),ct_clear",
    ovs: "ADD table:4 ip actions=ct(commit,exec(set_field:0x1->ct_mark)),ct_clear",
    hex: '040e008000000001000000000000000000000000000000000400000000008000ffffffffffffffffffffffff000000000001000a80000a0208000000000000000004004000000000ffff00280000232000230001000000000000ff0000000000001900100001d6040000000100000000ffff001000002320002b000000000000',
  },
  {
    input: "tcp,tp_dst=80,nw_src=10.0.0.0/24,actions=output:1",
    ovs: "ADD tcp,nw_src=10.0.0.0/24,tp_dst=80 actions=output:1",
    hex: '040e007000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001002180000a020800800017080a000000ffffff00800014010680001c02005000000000000000000400180000000000000010000000010000000000000000',
  },
  {
    input: "udp,tp_src=0x10/0xfff0,actions=CONTROLLER:65535",
    ovs: "ADD udp,tp_src=0x10/0xfff0 actions=CONTROLLER:65535",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001780000a020800800014011180001f040010fff000000400180000000000000010fffffffdffff000000000000',
  },
  {
    input: "tcp6,ipv6_src=fe80::1,ipv6_dst=2001:db8::/32,tp_dst=443,actions=NORMAL",
    ovs: "ADD tcp6,ipv6_src=fe80::1,ipv6_dst=2001:db8::/32,tp_dst=443 actions=NORMAL",
    hex: '040e009800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001004d80000a0286dd80003410fe8000000000000000000000000000018000372020010db8000000000000000000000000ffffffff000000000000000000000000800014010680001c0201bb000000000400180000000000000010fffffffa0000000000000000',
  },
  {
    input: "icmp,icmp_type=8,icmp_code=0,actions=LOCAL",
    ovs: "ADD icmp,icmp_type=8,icmp_code=0 actions=LOCAL",
    hex: '040e006800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001980000a02080080001401018000260108800028010000000000000000000400180000000000000010fffffffe0000000000000000',
  },
  {
    input: "dl_vlan=100,actions=pop_vlan,output:2",
    ovs: "ADD dl_vlan=100 actions=pop_vlan,output:2",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000a80000c0210640000000000000004002000000000001200080000000000000010000000020000000000000000',
  },
  {
    input: "vlan_tci=0x0000/0x1fff,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:3",
    ovs: "ADD vlan_tci=0x0000/0x1fff actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:3",
    hex: '040e007000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000a80000c020000000000000000000400300000000000110008810000000019001080000c02106400000000000000000010000000030000000000000000',
  },
  {
    input: "vlan_tci=0x1000/0x1000,actions=output:3",
    ovs: "ADD vlan_tci=0x1000/0x1000 actions=output:3",
    hex: '040e005800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000c80000d041000100000000000000400180000000000000010000000030000000000000000',
  },
  {
    input: "dl_src=aa:bb:cc:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=group:7",
    ovs: "ADD dl_src=aa:bb:cc:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=group:7",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001e80000806aabbcc0000018000070c010000000000010000000000000000040010000000000016000800000007',
  },
  {
    input: "tun_id=0x1388,tun_dst=192.168.1.2,tun_src=192.168.1.0/24,in_port=5,actions=set_field:10.1.1.1->tun_dst,set_field:0x5->reg3,output:6",
    ovs: "ADD tun_id=0x1388,tun_src=192.168.1.0/24,tun_dst=192.168.1.2,in_port=5 actions=set_field:10.1.1.1->tun_dst,set_field:0x5->reg3,output:6",
    hex: '040e009800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001002c800000040000000580004c08000000000000138800013f08c0a80100ffffff0000014004c0a8010200000000000400380000000000190010000140040a010101000000000019001000010604000000050000000000000010000000060000000000000000',
  },
  {
    input: "metadata=0x5/0xff,pkt_mark=0x10,reg15=0x1,actions=clear_actions,write_actions(output:3),goto_table:9",
    ovs: "ADD pkt_mark=0x10,reg15=0x1,metadata=0x5/0xff actions=clear_actions,write_actions(output:3),goto_table:9",
    hex: '040e008000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001002800011e0400000001000142040000001080000510000000000000000500000000000000ff00050008000000000003001800000000000000100000000300000000000000000001000809000000',
  },
  {
    input: "idle_timeout=10,hard_timeout=20,priority=40000,ip,actions=dec_ttl,output:2",
    ovs: "ADD priority=40000,ip idle:10 hard:20 actions=dec_ttl,output:2",
    hex: '040e006000000001000000000000000000000000000000000000000a00149c40ffffffffffffffffffffffff000000000001000a80000a0208000000000000000004002000000000001800080000000000000010000000020000000000000000',
  },
  {
    input: "conj_id=7,ip,actions=output:1",
    ovs: "ADD conj_id=7,ip actions=output:1",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001200014a040000000780000a020800000000000000000400180000000000000010000000010000000000000000',
  },
  {
    input: "ip,nw_src=10.0.0.1,actions=conjunction(7,1/2)",
    ovs: "ADD ip,nw_src=10.0.0.1 actions=conjunction(7,1/2)",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001280000a020800800016040a0000010000000000000004001800000000ffff0010000023200022000200000007',
  },
  {
    input: "ip,nw_dst=10.0.0.2,actions=conjunction(7,2/2)",
    ovs: "ADD ip,nw_dst=10.0.0.2 actions=conjunction(7,2/2)",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001001280000a020800800018040a0000020000000000000004001800000000ffff0010000023200022010200000007',
  },
  {
    input: "dl_type=0x88cc,actions=drop",
    ovs: "ADD dl_type=0x88cc actions=drop",
    hex: '040e004000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000a80000a0288cc000000000000',
  },
  {
    input: "ip,actions=load:0->NXM_NX_REG0[0..15],set_field:0x5/0xff->reg1,move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],output:1",
    ovs: "ADD ip actions=load:0->NXM_NX_REG0[0..15],load:0x5->NXM_NX_REG1[0..7],move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],output:1",
    hex: '040e00a000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000a80000a0208000000000000000004006000000000ffff0018000023200007000f000100040000000000000000ffff00180000232000070007000102040000000000000005ffff0018000023200006002000000000000100040001200800000010000000010000000000000000',
  },
  {
    input: "arp,arp_spa=10.0.0.0/255.0.255.0,arp_sha=aa:bb:cc:dd:ee:ff,arp_tha=00:00:00:00:00:00,actions=output:in_port",
    ovs: "ADD arp,arp_spa=10.0.0.0/255.0.255.0,arp_sha=aa:bb:cc:dd:ee:ff,arp_tha=00:00:00:00:00:00 actions=IN_PORT",
    hex: '040e007800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001002a80000a02080680002d080a000000ff00ff0080003006aabbccddeeff80003206000000000000000000000000000400180000000000000010fffffff80000000000000000',
  },
  {
    input: "ip,nw_tos=8,actions=set_queue:3,output:1",
    ovs: "ADD ip,nw_tos=8 actions=set_queue:3,output:1",
    hex: '040e006000000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000f80000a0208008000100102000004002000000000001500080000000300000010000000010000000000000000',
  },
  {
    input: "ip,actions=note:61.62.63,output:2",
    ovs: "ADD ip actions=note:61.62.63.00.00.00,output:2",
    hex: '040e006800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000a80000a0208000000000000000004002800000000ffff001000002320000861626300000000000010000000020000000000000000',
  },
  {
    input: "send_flow_rem,ip,actions=output:2",
    ovs: "ADD ip send_flow_rem actions=output:2",
    hex: '040e005800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000100000001000a80000a020800000000000000000400180000000000000010000000020000000000000000',
  },
  {
    input: "in_port=LOCAL,actions=resubmit:3,resubmit(1,2)",
    ovs: "ADD in_port=LOCAL actions=resubmit:3,resubmit(1,2)",
    hex: '040e006800000001000000000000000000000000000000000000000000008000ffffffffffffffffffffffff000000000001000c80000004fffffffe000000000004002800000000ffff001000002320000e0003ff000000ffff001000002320000e000102000000',
  },  {
    input: 'table=5,priority=200,tcp,reg1=0x3,reg4=0xa01010a,reg5=0x1f90/0xffff,actions=set_field:02:02:0a:01:01:0a->eth_dst,ct(commit,table=6,zone=NXM_NX_REG1[0..15],nat(dst=10.1.1.10:8080))',
    ovs: 'ADD table:5 priority=200,tcp,reg1=0x3,reg4=0xa01010a,reg5=0x1f90/0xffff actions=set_field:02:02:0a:01:01:0a->eth_dst,ct(commit,table=6,zone=NXM_NX_REG1[0..15],nat(dst=10.1.1.10:8080))',
    hex: '040e00a8000000010000000000000000000000000000000005000000000000c8ffffffffffffffffffffffff000000000001002b80000a02080080001401060001020400000003000108040a01010a00010b0800001f900000ffff00000000000004004800000000001900108000060602020a01010a0000ffff0030000023200023000100010204000f060000000000ffff00180000232000240000000200110a01010a1f900000',
  },
  {
    input: 'table=3,priority=200,ip,actions=ct(table=4,zone=NXM_NX_REG1[0..15],nat)',
    ovs: 'ADD table:3 priority=200,ip actions=ct(table=4,zone=NXM_NX_REG1[0..15],nat)',
    hex: '040e0070000000010000000000000000000000000000000003000000000000c8ffffffffffffffffffffffff000000000001000a80000a0208000000000000000004003000000000ffff0028000023200023000000010204000f040000000000ffff0010000023200024000000000000',
  },
];

const GROUPS: readonly Fixture[] = [
  { input: "group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=set_field:10.0.0.1->ip_dst,output:2", ovs: "ADD group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=set_field:10.0.0.1->ip_dst,output:2", hex: '040f00600000000100000100000000010020000affffffffffffffff000000000000001000000001000000000000000000300014ffffffffffffffff0000000000190010800018040a0000010000000000000010000000020000000000000000' },
  { input: "group_id=7,type=all,bucket=output:1,bucket=output:2", ovs: "ADD group_id=7,type=all,bucket=actions=output:1,bucket=actions=output:2", hex: '040f005000000001000000000000000700200000ffffffffffffffff000000000000001000000001000000000000000000200000ffffffffffffffff0000000000000010000000020000000000000000' },
  { input: "group_id=8,type=ff,bucket=watch_port:3,actions=output:3", ovs: "ADD group_id=8,type=ff,bucket=watch_port:3,actions=output:3", hex: '040f00300000000100000300000000080020000000000003ffffffff0000000000000010000000030000000000000000' },
  { input: "group_id=9,type=indirect,bucket=actions=set_field:5000->tun_id,set_field:10.1.1.1->tun_dst,output:3", ovs: "ADD group_id=9,type=indirect,bucket=actions=set_field:0x1388->tun_id,set_field:10.1.1.1->tun_dst,output:3", hex: '040f005000000001000002000000000900400000ffffffffffffffff000000000019001080004c08000000000000138800190010000140040a0101010000000000000010000000030000000000000000' },
];

/** `ADD table:1 priority=100,ip actions=...` -> match part and actions part. */
function splitOvsFlowMod(text: string): { match: string; actions: string } {
  const body = text.replace(/^ADD( table:\d+)? /, '').replace(/ (?:send_flow_rem|idle:\d+|hard:\d+|cookie:0x[0-9a-f]+)(?= )/g, '');
  const at = body.indexOf('actions=');
  return { match: body.slice(0, at).trim(), actions: body.slice(at + 'actions='.length) };
}

describe('FLOW_MOD encodings match ovs-ofctl byte for byte', () => {
  for (const fx of FLOWS) {
    it(fx.input, () => {
      const bytes = Buffer.from(fx.hex, 'hex');
      const msg = decodeMessage(bytes);
      assert.equal(msg.type, 'flow_mod');
      assert.equal(encodeMessage(msg).toString('hex'), fx.hex, 're-encoding differs');
      if (msg.type !== 'flow_mod') return;
      const want = splitOvsFlowMod(fx.ovs);
      assert.equal(matchToString(msg.match, msg.priority), want.match);
      assert.equal(instructionsToString(msg.instructions), want.actions);
    });
  }
});

describe('GROUP_MOD encodings match ovs-ofctl byte for byte', () => {
  for (const fx of GROUPS) {
    it(fx.input, () => {
      const msg = decodeMessage(Buffer.from(fx.hex, 'hex'));
      assert.equal(msg.type, 'group_mod');
      assert.equal(encodeMessage(msg).toString('hex'), fx.hex);
      if (msg.type !== 'group_mod') return;
      const buckets = msg.buckets.map((b) => actionsToString(b.actions));
      assert.deepEqual(buckets, [...fx.ovs.matchAll(/actions=((?:(?!,bucket=).)*)/g)].map((m) => m[1]));
    });
  }
});

function fixture(input: string): Fixture {
  const fx = FLOWS.find((f) => f.input === input);
  if (fx === undefined) throw new Error(`no fixture ${input}`);
  return fx;
}

/** The FLOW_MOD ADD of a built flow, with ovs-ofctl's xid 1. */
const encodeAdd = (f: ReturnType<ReturnType<typeof flow>['build']>): string =>
  encodeMessage({ type: 'flow_mod', xid: 1, ...flowModFor('add', f) } as OfMessage).toString('hex');

describe('flows built with the builder encode exactly like ovs-ofctl', () => {
  const cases: [string, () => ReturnType<ReturnType<typeof flow>['build']>][] = [
    [
      'table=1,priority=100,ip,in_port=3,nw_dst=10.1.1.2,actions=set_field:5000->tun_id,output:4',
      () => flow(1, 100).match((m) => m.inPort(3).ip().ipv4Dst('10.1.1.2')).actions((a) => a.setField('tunnel_id', 5000n).output(4)).build(),
    ],
    ['cookie=0x12,priority=10,reg0=0x5/0xff,actions=goto_table:1', () => flow(0, 10).cookie(0x12n).match((m) => m.reg(0, 5, 0xff)).gotoTable(1).build()],
    ['priority=0,actions=drop', () => flow(0, 0).build()],
    [
      'table=2,arp,arp_op=1,arp_tpa=10.0.0.1,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:11:22:33:44:55:66->eth_src,load:2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:10.0.0.1->arp_spa,set_field:11:22:33:44:55:66->arp_sha,IN_PORT',
      () =>
        flow(2, 0x8000)
          .match((m) => m.arp().arpOp(1).arpTpa('10.0.0.1'))
          .actions((a) =>
            a
              .move('eth_src', 'eth_dst')
              .setField('eth_src', '11:22:33:44:55:66')
              .load('arp_op', 2)
              .move('arp_sha', 'arp_tha')
              .move('arp_spa', 'arp_tpa')
              .setField('arp_spa', '10.0.0.1')
              .setField('arp_sha', '11:22:33:44:55:66')
              .inPort(),
          )
          .build(),
    ],
    [
      'table=3,priority=5,ct_state=+trk+est,ip,actions=ct(commit,zone=5,table=4),resubmit(,5),write_metadata:0x10/0xff',
      () => flow(3, 5).match((m) => m.ip().ctState('+trk+est')).actions((a) => a.ct({ commit: true, zone: 5, table: 4 }).resubmit(5)).writeMetadata(0x10n, 0xffn).build(),
    ],
    [
      'table=3,priority=6,ct_state=-new+trk,ct_zone=7,ct_mark=0x3/0xf,ip,actions=ct(table=4,zone=NXM_NX_REG6[0..15]),goto_table:5',
      () =>
        flow(3, 6)
          .match((m) => m.ip().ctState({ new: false, trk: true }).ctZone(7).ctMark(3, 0xf))
          .actions((a) => a.ct({ table: 4, zone: regField(6, 0, 15) }))
          .gotoTable(5)
          .build(),
    ],
    [
      'table=5,priority=200,tcp,reg1=0x3,reg4=0xa01010a,reg5=0x1f90/0xffff,actions=set_field:02:02:0a:01:01:0a->eth_dst,ct(commit,table=6,zone=NXM_NX_REG1[0..15],nat(dst=10.1.1.10:8080))',
      () =>
        flow(5, 200)
          .match((m) => m.tcp().reg(1, 3).reg(4, 0xa01010a).reg(5, 0x1f90, 0xffff))
          .actions((a) => a.setField('eth_dst', '02:02:0a:01:01:0a').ct({ commit: true, table: 6, zone: regField(1, 0, 15), nat: { kind: 'dst', ip: '10.1.1.10', port: 8080 } }))
          .build(),
    ],
    [
      'table=3,priority=200,ip,actions=ct(table=4,zone=NXM_NX_REG1[0..15],nat)',
      () => flow(3, 200).match((m) => m.ip()).actions((a) => a.ct({ table: 4, zone: regField(1, 0, 15), nat: true })).build(),
    ],
    [
      'table=4,ip,actions=ct(commit,exec(set_field:0x1->ct_mark)),ct_clear',
      () => flow(4, 0x8000).match((m) => m.ip()).actions((a) => a.ct({ commit: true, actions: (x) => x.setField('ct_mark', 1) }).ctClear()).build(),
    ],
    ['tcp,tp_dst=80,nw_src=10.0.0.0/24,actions=output:1', () => flow(0, 0x8000).match((m) => m.tcp().tcpDst(80).ipv4Src('10.0.0.0/24')).actions((a) => a.output(1)).build()],
    ['udp,tp_src=0x10/0xfff0,actions=CONTROLLER:65535', () => flow(0, 0x8000).match((m) => m.udp().udpSrc(0x10, 0xfff0)).actions((a) => a.controller()).build()],
    [
      'tcp6,ipv6_src=fe80::1,ipv6_dst=2001:db8::/32,tp_dst=443,actions=NORMAL',
      () => flow(0, 0x8000).match((m) => m.tcp6().ipv6Src('fe80::1').ipv6Dst('2001:db8::/32').tcpDst(443)).actions((a) => a.normal()).build(),
    ],
    ['icmp,icmp_type=8,icmp_code=0,actions=LOCAL', () => flow(0, 0x8000).match((m) => m.icmp().icmpType(8).icmpCode(0)).actions((a) => a.local()).build()],
    ['dl_vlan=100,actions=pop_vlan,output:2', () => flow(0, 0x8000).match((m) => m.vlanVid(100)).actions((a) => a.popVlan().output(2)).build()],
    [
      'vlan_tci=0x0000/0x1fff,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:3',
      () => flow(0, 0x8000).match((m) => m.vlanUntagged()).actions((a) => a.pushVlan().setVlanVid(100).output(3)).build(),
    ],
    ['vlan_tci=0x1000/0x1000,actions=output:3', () => flow(0, 0x8000).match((m) => m.vlanAnyTagged()).actions((a) => a.output(3)).build()],
    [
      'dl_src=aa:bb:cc:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=group:7',
      () => flow(0, 0x8000).match((m) => m.ethSrc('aa:bb:cc:00:00:01').ethDst('01:00:00:00:00:00', '01:00:00:00:00:00')).actions((a) => a.group(7)).build(),
    ],
    [
      'tun_id=0x1388,tun_dst=192.168.1.2,tun_src=192.168.1.0/24,in_port=5,actions=set_field:10.1.1.1->tun_dst,set_field:0x5->reg3,output:6',
      () =>
        flow(0, 0x8000)
          .match((m) => m.tunnelId(0x1388).tunDst('192.168.1.2').tunSrc('192.168.1.0/24').inPort(5))
          .actions((a) => a.setField('tun_dst', '10.1.1.1').setField('reg3', 5).output(6))
          .build(),
    ],
    [
      'metadata=0x5/0xff,pkt_mark=0x10,reg15=0x1,actions=clear_actions,write_actions(output:3),goto_table:9',
      () =>
        flow(0, 0x8000)
          .match((m) => m.metadata(5, 0xff).pktMark(0x10).reg(15, 1))
          .clearActions()
          .writeActions((a) => a.output(3))
          .gotoTable(9)
          .build(),
    ],
    ['idle_timeout=10,hard_timeout=20,priority=40000,ip,actions=dec_ttl,output:2', () => flow(0, 40000).idleTimeout(10).hardTimeout(20).match((m) => m.ip()).actions((a) => a.decTtl().output(2)).build()],
    ['conj_id=7,ip,actions=output:1', () => flow(0, 0x8000).match((m) => m.conjId(7).ip()).actions((a) => a.output(1)).build()],
    ['ip,nw_src=10.0.0.1,actions=conjunction(7,1/2)', () => flow(0, 0x8000).match((m) => m.ip().ipv4Src('10.0.0.1')).actions((a) => a.conjunction(7, 1, 2)).build()],
    ['ip,nw_tos=8,actions=set_queue:3,output:1', () => flow(0, 0x8000).match((m) => m.ip().ipDscp(2)).actions((a) => a.setQueue(3).output(1)).build()],
    ['ip,actions=note:61.62.63,output:2', () => flow(0, 0x8000).match((m) => m.ip()).actions((a) => a.note('abc').output(2)).build()],
    ['send_flow_rem,ip,actions=output:2', () => flow(0, 0x8000).sendFlowRemoved().match((m) => m.ip()).actions((a) => a.output(2)).build()],
    ['in_port=LOCAL,actions=resubmit:3,resubmit(1,2)', () => flow(0, 0x8000).match((m) => m.inPort(OFPP.LOCAL)).actions((a) => a.resubmit(undefined, 3).resubmit(2, 1)).build()],
  ];
  for (const [input, build] of cases) {
    it(input, () => {
      assert.equal(encodeAdd(build()), fixture(input).hex);
    });
  }
});
