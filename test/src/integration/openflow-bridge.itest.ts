/**
 * @contiv/openflow against a real ovs-vswitchd (userspace datapath, private
 * netns): handshake on the bridge's management socket, flows compared with
 * `ovs-ofctl -O OpenFlow13 dump-flows` line for line, flow-stats decoding,
 * modify/delete by cookie mask, atomic bundles (ONF extension on OpenFlow
 * 1.3) that are rejected as a whole, groups, barrier ordering, table names,
 * and our encodings read back by `ovs-ofctl ofp-print`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  OFPP,
  OpenFlowBridge,
  bridgeMgmtEndpoint,
  decodeMessage,
  encodeMessage,
  flow,
  flowModFor,
  flowStatsRequest,
  flowToString,
  flowsToStrings,
  groupsToStrings,
  instructionsToString,
  isOpenFlowError,
  matchToString,
  normalizeDumpFlows,
  normalizeDumpGroups,
  regField,
} from '@contiv/openflow';
import type { Flow, OfMessage } from '@contiv/openflow';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

const rand = (): string => Math.random().toString(36).slice(2, 6);

function ofctlPrint(hex: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ovs-ofctl', ['ofp-print', hex], (err, stdout, stderr) => (err ? reject(new Error(String(stderr))) : resolve(`${String(stdout)}${String(stderr)}`)));
  });
}

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('OpenFlowBridge against ovs-vswitchd', { timeout: 120_000 }, () => {
  const br = `bof${rand()}`;
  let bridge: OpenFlowBridge;
  const dump = async (...args: string[]): Promise<string[]> => normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats', ...args));

  before(async () => {
    // OpenFlow13 only: bundles must work as the ONF extension, without OpenFlow14.
    await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000 });
  });
  after(async () => {
    bridge?.close();
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  it('handshakes on the management socket and reports the bridge’s datapath id', async () => {
    const dpid = (await ovs.vsctl('get', 'bridge', br, 'datapath_id')).replace(/"/g, '');
    assert.equal(bridge.features.datapathId, BigInt(`0x${dpid}`));
    assert.equal(bridge.features.nTables, 254);
  });

  it('fails the handshake on a bridge without OpenFlow13 in its protocols', async () => {
    const old = `bof${rand()}`;
    await ovs.vsctl('add-br', old, '--', 'set', 'bridge', old, 'datapath_type=netdev', 'protocols=OpenFlow10');
    try {
      await assert.rejects(OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, old), reconnect: false }), (e) => isOpenFlowError(e, 'OF_HANDSHAKE_FAILED'));
    } finally {
      await ovs.vsctl('del-br', old);
    }
  });

  const cookie = (category: number, id: number): bigint => (BigInt(category) << 32n) | BigInt(id);
  const desired: Flow[] = [
    flow(0, 0).cookie(cookie(1, 0)).build(),
    flow(0, 100).cookie(cookie(1, 1)).match((m) => m.inPort(3).ip().ipv4Dst('10.1.1.2')).actions((a) => a.setField('tunnel_id', 5000n).setField('tun_dst', '192.168.1.3').output(4)).build(),
    flow(0, 90).cookie(cookie(1, 2)).match((m) => m.inPort(4).tunnelId(5000)).actions((a) => a.loadRegMark({ field: regField(0, 0, 3), value: 2n })).writeMetadata(0x100n, 0xff00n).gotoTable(10).build(),
    flow(0, 80).cookie(cookie(2, 1)).match((m) => m.vlanVid(100)).actions((a) => a.popVlan()).gotoTable(10).build(),
    flow(0, 70).cookie(cookie(2, 2)).match((m) => m.inPort(5).vlanUntagged()).actions((a) => a.pushVlan().setVlanVid(200).output(6)).build(),
    flow(10, 50)
      .cookie(cookie(3, 1))
      .match((m) => m.arp().arpOp(1).arpTpa('10.1.1.99'))
      .actions((a) =>
        a
          .move('eth_src', 'eth_dst')
          .setField('eth_src', '02:00:00:00:00:99')
          .setField('arp_op', 2)
          .move('arp_sha', 'arp_tha')
          .move('arp_spa', 'arp_tpa')
          .setField('arp_sha', '02:00:00:00:00:99')
          .setField('arp_spa', '10.1.1.99')
          .inPort(),
      )
      .build(),
    flow(10, 40).cookie(cookie(3, 2)).match((m) => m.tcp().ipv4Src('10.1.0.0/16').tcpDst(80).metadata(0x100n, 0xff00n)).actions((a) => a.ct({ commit: true, zone: 5, table: 20 })).build(),
    flow(20, 30).cookie(cookie(3, 3)).match((m) => m.ip().ctState('+trk+est').ctZone(5).ctMark(1, 0xf)).actions((a) => a.resubmit(30).output(OFPP.NORMAL)).build(),
    flow(20, 20).cookie(cookie(3, 4)).match((m) => m.tcp6().ipv6Dst('2001:db8::/32').tcpSrc(0x400, 0xfc00)).actions((a) => a.decTtl().controller()).build(),
    flow(30, 10).cookie(cookie(4, 1)).idleTimeout(300).hardTimeout(600).sendFlowRemoved().match((m) => m.ethDst('01:00:00:00:00:00', '01:00:00:00:00:00').pktMark(7)).clearActions().writeActions((a) => a.output(2)).build(),
    flow(30, 6).cookie(cookie(4, 2)).match((m) => m.reg(5, 0x10, 0xf0).ip().ipv4Src('10.0.0.1')).actions((a) => a.conjunction(9, 1, 2)).build(),
    flow(30, 5).cookie(cookie(4, 4)).match((m) => m.ip().ipv4Dst('10.0.0.2')).actions((a) => a.conjunction(9, 2, 2).conjunction(10, 1, 3)).build(),
    flow(30, 3).cookie(cookie(4, 5)).match((m) => m.udp().udpDst(53)).actions((a) => a.ctClear().setField('reg7', 5, 0xff).setField('ipv4_dst', '10.0.0.53').output(1)).build(),
    flow(30, 4).cookie(cookie(4, 3)).match((m) => m.conjId(9).ip()).actions((a) => a.ct({ commit: true, zone: regField(6, 0, 15), actions: (x) => x.setField('ct_mark', 1) }).local()).build(),
  ];

  it('installs flows; ovs-ofctl dump-flows prints exactly our rendering', async () => {
    await bridge.addAll(desired);
    assert.deepEqual(await dump(), flowsToStrings(desired));
  });

  it('decodes flow stats into the same flows', async () => {
    const stats = await bridge.dumpFlows();
    assert.deepEqual(flowsToStrings(stats), flowsToStrings(desired));
    const byTable = await bridge.dumpFlows({ table: 10 });
    assert.deepEqual(flowsToStrings(byTable), flowsToStrings(desired.filter((f) => f.table === 10)));
    const byCookie = await bridge.dumpFlows({ cookie: 3n << 32n, cookieMask: 0xffffffffn << 32n });
    assert.equal(byCookie.length, 4);
  });

  it('decodes flows ovs-ofctl installed the way ovs-ofctl prints them', async () => {
    const lines = [
      'table=40,priority=9,udp,nw_dst=10.2.0.0/24,tp_dst=53,actions=load:0x5->NXM_NX_REG3[0..7],move:NXM_OF_IP_SRC[]->NXM_NX_REG4[],output:7',
      'table=40,priority=8,arp,arp_spa=10.2.0.1,arp_sha=aa:bb:cc:dd:ee:ff,actions=set_field:10.2.0.9->arp_tpa,IN_PORT',
      'table=40,priority=7,icmp,icmp_type=8,in_port=LOCAL,actions=resubmit(,41),resubmit:3,note:68.69',
      'table=40,priority=6,ipv6,ipv6_src=fe80::/10,actions=set_queue:1,output:2',
      'table=40,cookie=0xabc,priority=5,tun_src=192.168.0.0/16,tun_id=0x10/0xf0,actions=set_field:0x20->tun_id,output:1',
    ];
    const file = path.join(ovs.dir, 'flows.txt');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await ovs.ofctl('-O', 'OpenFlow13', 'add-flows', br, file);
    const ours = flowsToStrings(await bridge.dumpFlows({ table: 40 }));
    assert.deepEqual(ours, await dump('table=40'));
    assert.equal(ours.length, lines.length);
    await bridge.deleteAll({ table: 40 });
    assert.deepEqual(await dump('table=40'), []);
  });

  it('modifies flows (cookie and counters stay) and deletes by cookie mask', async () => {
    const target = desired[1] as Flow;
    const changed: Flow = { ...target, cookie: 0x999n, instructions: flow(0, 100).actions((a) => a.output(9)).build().instructions };
    await bridge.bundle({ modifies: [changed] });
    const want = flowsToStrings(desired.map((f) => (f === target ? { ...changed, cookie: target.cookie } : f)));
    assert.deepEqual(await dump(), want);

    // Category 3 (cookie bits 32..63 = 3): four flows in tables 10 and 20.
    await bridge.deleteAll({ cookie: 3n << 32n, cookieMask: 0xffffffffn << 32n });
    const left = await dump();
    assert.equal(left.length, desired.length - 4);
    assert.ok(left.every((l) => !/^cookie=0x3000000/.test(l)), left.join('\n'));

    await bridge.bundle({ deletes: [desired[0] as Flow] });
    assert.ok(!(await dump()).includes(flowToString(desired[0] as Flow)));
    await bridge.deleteAll({});
    assert.deepEqual(await dump(), []);
  });

  it('rejects a bundle with one bad flow as a whole: nothing applied, the error decoded', async () => {
    const keep = flow(0, 1).cookie(7n).actions((a) => a.output(1)).build();
    await bridge.addAll([keep]);
    const before = await dump();
    const good = flow(0, 10).actions((a) => a.output(2)).build();

    // Refused when applied (at COMMIT): group 4242 does not exist.
    const noGroup = flow(0, 11).actions((a) => a.group(4242)).build();
    await assert.rejects(bridge.bundle({ adds: [good, noGroup], deletes: [keep] }), (e) => {
      assert.ok(isOpenFlowError(e, 'OF_BUNDLE_REJECTED'), String(e));
      assert.equal(e.failures[0]?.error.name, 'OFPBAC_BAD_OUT_GROUP');
      assert.equal(e.failures[0]?.operation, `add ${flowToString(noGroup)}`);
      return true;
    });
    assert.deepEqual(await dump(), before);

    // Refused when added (OVS cannot decode it): tcp_dst without ip/tcp prerequisites.
    const badMatch = flow(0, 12).match((m) => m.field('tcp_dst', 80)).actions((a) => a.output(3)).build();
    await assert.rejects(bridge.bundle({ adds: [good, badMatch] }), (e) => {
      assert.ok(isOpenFlowError(e, 'OF_BUNDLE_REJECTED'), String(e));
      assert.equal(e.failures[0]?.index, 1);
      assert.equal(e.failures[0]?.error.name, 'OFPBMC_BAD_PREREQ');
      return true;
    });
    assert.deepEqual(await dump(), before);
    assert.ok(bridge.stats.bundlesRejected >= 2);

    // The same connection still works afterwards.
    await bridge.bundle({ adds: [good] });
    assert.ok((await dump()).includes(flowToString(good)));
    await bridge.deleteAll({});
  });

  it('adds groups (all, select, indirect, fast-failover) and flows using them in one bundle', async () => {
    await bridge.bundle({
      groups: [
        { command: 'add', groupType: 'all', groupId: 1, buckets: [{ actions: [{ type: 'output', port: 1 }] }, { actions: [{ type: 'output', port: 2 }] }] },
        { command: 'add', groupType: 'select', groupId: 2, buckets: [{ weight: 10, actions: [{ type: 'output', port: 1 }] }, { weight: 20, actions: [{ type: 'output', port: 2 }] }] },
        { command: 'add', groupType: 'indirect', groupId: 3, buckets: [{ actions: [{ type: 'set_field', field: 'tunnel_id', value: 5000n }, { type: 'output', port: 3 }] }] },
        { command: 'add', groupType: 'ff', groupId: 4, buckets: [{ watchPort: 3, actions: [{ type: 'output', port: 3 }] }, { watchPort: 4, actions: [{ type: 'output', port: 4 }] }] },
      ],
      adds: [flow(0, 5).match((m) => m.ethDst('ff:ff:ff:ff:ff:ff')).actions((a) => a.group(1)).build()],
    });
    const groups = normalizeDumpGroups(await ovs.ofctl('-O', 'OpenFlow13', 'dump-groups', br));
    assert.deepEqual(groups, [
      'group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2',
      'group_id=2,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=output:2',
      'group_id=3,type=indirect,bucket=actions=set_field:0x1388->tun_id,output:3',
      'group_id=4,type=ff,bucket=watch_port:3,actions=output:3,bucket=watch_port:4,actions=output:4',
    ]);
    const ours = await bridge.dumpGroups();
    assert.deepEqual(groupsToStrings(ours), groups);
    assert.deepEqual(
      ours.map((g) => [g.groupId, g.groupType, g.buckets.length]).sort(),
      [
        [1, 'all', 2],
        [2, 'select', 2],
        [3, 'indirect', 1],
        [4, 'ff', 2],
      ],
    );
    assert.deepEqual(ours.find((g) => g.groupId === 2)?.buckets[1], { weight: 20, actions: [{ type: 'output', port: 2 }] });

    await bridge.groupMods([{ command: 'modify', groupType: 'all', groupId: 1, buckets: [{ actions: [{ type: 'output', port: 9 }] }] }]);
    assert.match(await ovs.ofctl('-O', 'OpenFlow13', 'dump-groups', br, 'group_id=1'), /group_id=1,type=all,bucket=actions=output:9/);
    await assert.rejects(
      bridge.groupMods([{ command: 'add', groupType: 'all', groupId: 1, buckets: [] }]),
      (e) => isOpenFlowError(e, 'OF_ERROR_REPLY') && e.ofError?.name === 'OFPGMFC_GROUP_EXISTS',
    );
    await bridge.deleteAll({});
    await bridge.groupMods([1, 2, 3, 4].map((groupId) => ({ command: 'delete', groupType: 'all', groupId, buckets: [] })));
    assert.equal((await bridge.dumpGroups()).length, 0);
  });

  it('barrier: every FLOW_MOD sent before it is in the table when it returns; errors land on their message', async () => {
    const flows = Array.from({ length: 50 }, (_, i) => flow(50, 100 + i).match((m) => m.reg(1, i)).actions((a) => a.output(1)).build());
    const mods = flows.map((f) => flowModFor('add', f));
    const bad = flowModFor('add', flow(50, 99).match((m) => m.field('tcp_dst', 22)).build());
    await assert.rejects(bridge.flowMods([...mods.slice(0, 25), bad, ...mods.slice(25)]), (e) => {
      assert.ok(isOpenFlowError(e, 'OF_ERROR_REPLY'));
      assert.deepEqual(
        e.failures.map((f) => [f.index, f.error.name]),
        [[25, 'OFPBMC_BAD_PREREQ']],
      );
      return true;
    });
    // Without a bundle, the others were applied, all of them before the barrier reply.
    assert.deepEqual(await dump('table=50'), flowsToStrings(flows));
    await bridge.deleteAll({ table: 50 });
  });

  it('names tables so ovs-ofctl --names prints them', async () => {
    const names = new Map([
      [0, 'Classifier'],
      [10, 'ArpResponder'],
    ]);
    await bridge.setTableNames(names);
    assert.deepEqual(await bridge.tableNames(), names);
    const flows = [flow(0, 5).actions((a) => a.resubmit(10)).gotoTable(11).build(), flow(10, 5).build()];
    await bridge.addAll(flows);
    const named = normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', '--names', 'dump-flows', br, '--no-stats'));
    assert.deepEqual(named, flowsToStrings(flows, { tableNames: names }));
    assert.ok(named.includes('table=Classifier, priority=5 actions=resubmit(,ArpResponder),goto_table:11'), named.join('\n'));
    // Without --names (output not a terminal) ovs-ofctl prints numbers.
    assert.deepEqual(await dump(), flowsToStrings(flows));
    await bridge.deleteAll({});
  });

  it('ovs-ofctl ofp-print reads our encodings of every message we send', async () => {
    const f = desired[5] as Flow;
    const messages: OfMessage[] = [
      { type: 'hello', xid: 1, versions: [4] },
      { type: 'features_request', xid: 2 },
      { type: 'echo_request', xid: 3, data: Buffer.from('x') },
      { type: 'barrier_request', xid: 4 },
      { type: 'set_config', xid: 5, flags: 0, missSendLen: 0xffff },
      { type: 'flow_mod', xid: 6, ...flowModFor('add', f) },
      { type: 'flow_mod', xid: 7, command: 'delete', table: 0xff, cookie: 0x10n, cookieMask: 0xffn, match: [], instructions: [] },
      { type: 'group_mod', xid: 8, command: 'add', groupType: 'select', groupId: 2, buckets: [{ weight: 10, actions: [{ type: 'output', port: 1 }] }] },
      { type: 'packet_out', xid: 9, inPort: OFPP.CONTROLLER, actions: [{ type: 'output', port: OFPP.TABLE }], data: Buffer.alloc(60) },
      { type: 'multipart_request', xid: 10, flags: 0, body: flowStatsRequest({ table: 3 }) },
      { type: 'bundle_control', xid: 11, bundleId: 1, control: 'commit_request', flags: 3 },
      { type: 'bundle_add', xid: 12, bundleId: 1, flags: 3, message: { type: 'flow_mod', xid: 0, ...flowModFor('add', f) } },
    ];
    const expect: (RegExp | string)[] = [
      /OFPT_HELLO \(OF1\.3\) \(xid=0x1\):\n version bitmap: 0x04/,
      /OFPT_FEATURES_REQUEST \(OF1\.3\) \(xid=0x2\)/,
      /OFPT_ECHO_REQUEST \(OF1\.3\) \(xid=0x3\): 1 bytes of payload/,
      /OFPT_BARRIER_REQUEST \(OF1\.3\) \(xid=0x4\)/,
      /OFPT_SET_CONFIG \(OF1\.3\) \(xid=0x5\): frags=normal miss_send_len=65535/,
      `OFPT_FLOW_MOD (OF1.3) (xid=0x6): ADD table:10 ${matchToString(f.match, f.priority)} cookie:0x${f.cookie.toString(16)} actions=${instructionsToString(f.instructions)}\n`,
      /OFPT_FLOW_MOD \(OF1\.3\) \(xid=0x7\): DEL table:255  ?cookie:0x10\/0xff actions=drop/,
      /OFPT_GROUP_MOD \(OF1\.3\) \(xid=0x8\):\n ADD group_id=2,type=select,bucket=weight:10,actions=output:1/,
      /OFPT_PACKET_OUT \(OF1\.3\) \(xid=0x9\): in_port=CONTROLLER actions=TABLE data_len=60/,
      /OFPST_FLOW request \(OF1\.3\) \(xid=0xa\): table=3/,
      /ONFT_BUNDLE_CONTROL \(OF1\.3\) \(xid=0xb\):\n bundle_id=0x1 type=COMMIT_REQUEST flags=atomic ordered/,
      /ONFT_BUNDLE_ADD_MESSAGE \(OF1\.3\) \(xid=0xc\):\n bundle_id=0x1 flags=atomic ordered\nOFPT_FLOW_MOD \(OF1\.3\) \(xid=0xc\): ADD table:10/,
    ];
    for (const [i, m] of messages.entries()) {
      const bytes = encodeMessage(m);
      const text = await ofctlPrint(bytes.toString('hex'));
      assert.doesNotMatch(text, /decode error|WARN/, text);
      const want = expect[i];
      if (typeof want === 'string') assert.ok(text.includes(want), `${text}\nwanted: ${want}`);
      else assert.match(text, want as RegExp, text);
      // And we read back what we wrote.
      assert.deepEqual(encodeMessage(decodeMessage(bytes)), bytes);
    }
  });
});
