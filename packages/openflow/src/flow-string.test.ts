import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flowKey, flowToString, flowsToStrings, groupToString, groupsToStrings, matchToString, normalizeDumpFlows, normalizeDumpGroups, sortFlowStrings } from './flow-string';
import { flow } from './builder/flow-builder';
import { OFPP } from './codec/constants';

describe('flowToString', () => {
  // Golden strings as `ovs-ofctl -O OpenFlow13 dump-flows --no-stats` prints these flows (OVS 3.1).
  it('renders the dump-flows line: cookie, table, timeouts, flags, match, actions', () => {
    const f = flow(1, 100)
      .cookie(0x1234n)
      .idleTimeout(10)
      .sendFlowRemoved()
      .match((m) => m.inPort(3).ip().ipv4Dst('10.1.1.2'))
      .actions((a) => a.setField('tunnel_id', 5000n).output(4))
      .build();
    assert.equal(flowToString(f), 'cookie=0x1234, table=1, idle_timeout=10, send_flow_rem priority=100,ip,in_port=3,nw_dst=10.1.1.2 actions=set_field:0x1388->tun_id,output:4');
  });

  it('leaves out cookie 0, table 0 and the default priority; no match and no actions print as drop', () => {
    assert.equal(flowToString(flow(0, 0x8000).build()), 'actions=drop');
    assert.equal(flowToString(flow(0, 0).build()), 'priority=0 actions=drop');
  });

  it('renders an ARP responder built with move and set_field', () => {
    const f = flow(2, 10)
      .match((m) => m.arp().arpOp(1).arpTpa('10.0.0.1'))
      .actions((a) =>
        a
          .move('eth_src', 'eth_dst')
          .setField('eth_src', '11:22:33:44:55:66')
          .setField('arp_op', 2)
          .move('arp_sha', 'arp_tha')
          .move('arp_spa', 'arp_tpa')
          .setField('arp_sha', '11:22:33:44:55:66')
          .setField('arp_spa', '10.0.0.1')
          .inPort(),
      )
      .build();
    assert.equal(
      flowToString(f),
      'table=2, priority=10,arp,arp_tpa=10.0.0.1,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:11:22:33:44:55:66->eth_src,set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:11:22:33:44:55:66->arp_sha,set_field:10.0.0.1->arp_spa,IN_PORT',
    );
  });

  it('renders conntrack, registers, metadata and the other instructions', () => {
    const f = flow(1, 20)
      .match((m) => m.ip().ctState('+trk+est').reg(3, 5, 0xff))
      .actions((a) => a.setField('reg1', 5, 0xff).load({ field: 'reg2', ofs: 0, nBits: 16 }, 7).ct({ commit: true, zone: 5, table: 4, actions: (x) => x.setField('ct_mark', 1) }))
      .writeMetadata(0x10n, 0xffn)
      .gotoTable(5)
      .build();
    assert.equal(
      flowToString(f),
      'table=1, priority=20,ct_state=+est+trk,ip,reg3=0x5/0xff actions=set_field:0x5/0xff->reg1,load:0x7->NXM_NX_REG2[0..15],ct(commit,table=4,zone=5,exec(set_field:0x1->ct_mark)),write_metadata:0x10/0xff,goto_table:5',
    );
  });

  it('uses table and port names when given (ovs-ofctl --names)', () => {
    const f = flow(1, 5).match((m) => m.inPort(3)).actions((a) => a.output(4).resubmit(2)).gotoTable(3).build();
    const opts = { tableNames: new Map([[1, 'Classifier'], [2, 'Spoof'], [3, 'L2']]), portNames: new Map([[3, 'vethA'], [4, 'vethB']]) };
    assert.equal(flowToString(f, opts), 'table=Classifier, priority=5,in_port=vethA actions=output:vethB,resubmit(,Spoof),goto_table:L2');
    assert.equal(flowToString(flow(0, 1).build(), { tableNames: new Map([[0, 'In']]) }), 'table=In, priority=1 actions=drop');
  });

  it('renders reserved ports by name', () => {
    const f = flow(0, 1)
      .match((m) => m.inPort(OFPP.LOCAL))
      .actions((a) => a.normal().local().inPort().controller().flood().output(OFPP.CONTROLLER, 128))
      .build();
    assert.equal(flowToString(f), 'priority=1,in_port=LOCAL actions=NORMAL,LOCAL,IN_PORT,CONTROLLER:65535,FLOOD,CONTROLLER:128');
  });

  it('renders vlan matches the OVS way', () => {
    const s = (fn: Parameters<ReturnType<typeof flow>['match']>[0]): string => matchToString(flow(0, 0x8000).match(fn).build().match);
    assert.equal(s((m) => m.vlanVid(100)), 'dl_vlan=100');
    assert.equal(s((m) => m.vlanVid(100).vlanPcp(3)), 'dl_vlan=100,dl_vlan_pcp=3');
    assert.equal(s((m) => m.vlanUntagged()), 'vlan_tci=0x0000/0x1fff');
    assert.equal(s((m) => m.vlanAnyTagged()), 'vlan_tci=0x1000/0x1000');
  });

  it('renders IPv6, masked MACs, ports and tunnels', () => {
    const m = flow(0, 0x8000)
      .match((x) => x.tcp6().ipv6Src('fe80::1').ipv6Dst('2001:db8::/32').tcpDst(443).ethDst('01:00:00:00:00:00', '01:00:00:00:00:00').tunnelId(0x1388).tunDst('192.168.1.2'))
      .build().match;
    assert.equal(matchToString(m), 'tcp6,tun_id=0x1388,tun_dst=192.168.1.2,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,ipv6_src=fe80::1,ipv6_dst=2001:db8::/32,tp_dst=443');
  });

  it('keys flows by table, priority and match, not by cookie or actions', () => {
    const a = flow(1, 5).cookie(1n).match((m) => m.ip()).actions((x) => x.output(1)).build();
    const b = flow(1, 5).cookie(2n).match((m) => m.ip()).actions((x) => x.output(2)).build();
    const c = flow(1, 6).match((m) => m.ip()).build();
    assert.equal(flowKey(a), flowKey(b));
    assert.notEqual(flowKey(a), flowKey(c));
  });
});

describe('normalizeDumpFlows', () => {
  it('turns ovs-ofctl output with statistics into flowToString lines, sorted', () => {
    const out = [
      'OFPST_FLOW reply (OF1.3) (xid=0x2):',
      ' cookie=0x0, duration=0.074s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop',
      ' cookie=0x12, duration=0.101s, table=0, n_packets=3, n_bytes=180, idle_age=1, priority=10,reg0=0x5/0xff actions=goto_table:1',
      ' cookie=0x0, duration=1.5s, table=1, n_packets=0, n_bytes=0, priority=100,ip actions=output:2',
      '',
    ].join('\n');
    assert.deepEqual(normalizeDumpFlows(out), ['cookie=0x12, priority=10,reg0=0x5/0xff actions=goto_table:1', 'priority=0 actions=drop', 'table=1, priority=100,ip actions=output:2']);
  });

  it('leaves --no-stats output as it is, apart from order', () => {
    const out = ' table=1, priority=100,ip actions=output:2\n priority=0 actions=drop\n cookie=0x12, priority=10 actions=drop\n';
    assert.deepEqual(normalizeDumpFlows(out), ['cookie=0x12, priority=10 actions=drop', 'priority=0 actions=drop', 'table=1, priority=100,ip actions=output:2']);
  });

  it('sorts by table number, then priority high to low', () => {
    assert.deepEqual(sortFlowStrings(['table=10, priority=1 actions=drop', 'table=2, priority=1 actions=drop', 'priority=5 actions=drop', 'actions=drop']), [
      'actions=drop',
      'priority=5 actions=drop',
      'table=2, priority=1 actions=drop',
      'table=10, priority=1 actions=drop',
    ]);
    assert.deepEqual(flowsToStrings([flow(1, 1).build(), flow(0, 1).build()]), ['priority=1 actions=drop', 'table=1, priority=1 actions=drop']);
  });
});

describe('groupToString', () => {
  // As `ovs-ofctl -O OpenFlow13 dump-groups` prints them (OVS 3.1).
  it('renders buckets with non-default weight, watch port and group only', () => {
    assert.equal(
      groupToString({ groupId: 2, groupType: 'select', buckets: [{ weight: 10, actions: [{ type: 'output', port: 1 }] }, { actions: [{ type: 'output', port: 2 }] }] }),
      'group_id=2,type=select,bucket=weight:10,actions=output:1,bucket=actions=output:2',
    );
    assert.equal(
      groupToString({ groupId: 4, groupType: 'ff', buckets: [{ watchPort: 3, watchGroup: 7, actions: [{ type: 'output', port: 3 }] }] }),
      'group_id=4,type=ff,bucket=watch_port:3,watch_group:7,actions=output:3',
    );
    assert.equal(groupToString({ groupId: 5, groupType: 'all', buckets: [] }), 'group_id=5,type=all');
  });

  it('normalizes dump-groups output', () => {
    const out = 'OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n group_id=9,type=all,bucket=actions=output:1\n group_id=2,type=indirect,bucket=actions=output:3\n';
    assert.deepEqual(normalizeDumpGroups(out), ['group_id=2,type=indirect,bucket=actions=output:3', 'group_id=9,type=all,bucket=actions=output:1']);
    assert.deepEqual(
      groupsToStrings([
        { groupId: 9, groupType: 'all', buckets: [{ actions: [{ type: 'output', port: 1 }] }] },
        { groupId: 2, groupType: 'indirect', buckets: [{ actions: [{ type: 'output', port: 3 }] }] },
      ]),
      normalizeDumpGroups(out),
    );
  });
});
