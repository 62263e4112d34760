/**
 * Real packets through flows @contiv/openflow installed: two network
 * namespaces joined by veth ports to a netdev bridge (ovs-vswitchd in its own
 * namespace). Ping works only once the forwarding flows are in; an ARP
 * responder built from move/set_field answers for an address nobody has;
 * PACKET_OUT sends a frame through the pipeline and the flow's counters see it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OFPP, OpenFlowBridge, bridgeMgmtEndpoint, flow, flowsToStrings, normalizeDumpFlows } from '@contiv/openflow';
import type { Flow } from '@contiv/openflow';
import { eventually } from '../harness/eventually';
import { run } from '../harness/exec';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

const suffix = Math.random().toString(36).slice(2, 6);
const ip = (...args: string[]): Promise<unknown> => run('ip', args);
const inNs = (ns: string, ...cmd: string[]): ReturnType<typeof run> => run('ip', ['netns', 'exec', ns, ...cmd], { allowFail: true, timeoutMs: 15_000 });

const RESPONDER_IP = '10.77.0.99';
const RESPONDER_MAC = '02:00:00:00:77:99';

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('flows on the datapath', { timeout: 120_000 }, () => {
  const br = `bdp${suffix}`;
  const hosts = [
    { ns: `ofa-${suffix}`, port: `pofa${suffix}`, addr: '10.77.0.1' },
    { ns: `ofb-${suffix}`, port: `pofb${suffix}`, addr: '10.77.0.2' },
  ] as const;
  const ofport: number[] = [];
  let bridge: OpenFlowBridge;
  const cookie = 0xd0n << 56n;

  before(async () => {
    await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
    for (const h of hosts) {
      await ip('netns', 'add', h.ns);
      await ip('-n', ovs.netns as string, 'link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      await ip('-n', ovs.netns as string, 'link', 'set', h.port, 'up');
      await ip('-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', 'eth0');
      await ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      await ovs.vsctl('add-port', br, h.port);
    }
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000 });
    // PORT_DESC tells the OpenFlow port numbers vswitchd gave the veths.
    const ports = await eventually(
      async () => {
        const list = await bridge.dumpPorts();
        const nums = hosts.map((h) => list.find((p) => p.name === h.port)?.portNo);
        if (nums.some((n) => n === undefined)) throw new Error(`ports so far: ${list.map((p) => p.name).join(', ')}`);
        return nums as number[];
      },
      { timeoutMs: 10_000, what: 'both veth ports in PORT_DESC' },
    );
    ofport.push(...ports);
    assert.equal(String(ofport[0]), await ovs.vsctl('get', 'Interface', hosts[0].port, 'ofport'));
  });
  after(async () => {
    bridge?.close();
    for (const h of hosts) await ip('netns', 'del', h.ns).catch(() => undefined);
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  const ping = async (from: (typeof hosts)[number], to: string): Promise<boolean> => (await inNs(from.ns, 'ping', '-c', '1', '-W', '1', to)).code === 0;

  it('drops everything without flows (fail_mode=secure, OpenFlow 1.3 table-miss is drop)', async () => {
    assert.equal(await ping(hosts[0], hosts[1].addr), false);
  });

  it('forwards between the two ports once the flows are installed; ping goes through', async () => {
    const [a, b] = ofport as [number, number];
    const flows: Flow[] = [
      flow(0, 0).cookie(cookie).build(),
      flow(0, 100).cookie(cookie).match((m) => m.inPort(a)).gotoTable(1).build(),
      flow(0, 100).cookie(cookie).match((m) => m.inPort(b)).gotoTable(1).build(),
      flow(1, 10).cookie(cookie).match((m) => m.inPort(a)).actions((x) => x.output(b)).build(),
      flow(1, 10).cookie(cookie).match((m) => m.inPort(b)).actions((x) => x.output(a)).build(),
    ];
    await bridge.addAll(flows);
    assert.deepEqual(normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats')), flowsToStrings(flows));
    await eventually(async () => (await ping(hosts[0], hosts[1].addr)) || false, { timeoutMs: 15_000, what: `ping ${hosts[1].addr} from ${hosts[0].ns}` });
    assert.equal(await ping(hosts[1], hosts[0].addr), true);
    const stats = await bridge.dumpFlows({ table: 1 });
    assert.ok(stats.every((s) => s.packetCount > 0n), 'both forwarding flows counted packets');
  });

  it('answers ARP for an address nobody has with a move/set_field responder', async () => {
    const responder = flow(0, 200)
      .cookie(cookie | 1n)
      .match((m) => m.arp().arpOp(1).arpTpa(RESPONDER_IP))
      .actions((x) =>
        x
          .move('eth_src', 'eth_dst')
          .setField('eth_src', RESPONDER_MAC)
          .setField('arp_op', 2)
          .move('arp_sha', 'arp_tha')
          .move('arp_spa', 'arp_tpa')
          .setField('arp_sha', RESPONDER_MAC)
          .setField('arp_spa', RESPONDER_IP)
          .output(OFPP.IN_PORT),
      )
      .build();
    await bridge.addAll([responder]);
    // The ping itself gets no answer (nobody has the address); the ARP before it does.
    await inNs(hosts[0].ns, 'ping', '-c', '1', '-W', '1', RESPONDER_IP);
    const neigh = await eventually(
      async () => {
        const out = (await inNs(hosts[0].ns, 'ip', 'neigh', 'show', RESPONDER_IP)).stdout;
        if (!out.includes('lladdr')) throw new Error(`neighbour table: ${out.trim() || '(empty)'}`);
        return out;
      },
      { timeoutMs: 10_000, what: `a neighbour entry for ${RESPONDER_IP}` },
    );
    assert.match(neigh, new RegExp(`${RESPONDER_IP.replace(/\./g, '\\.')} dev eth0 lladdr ${RESPONDER_MAC}`));
    const [entry] = await bridge.dumpFlows({ cookie: cookie | 1n, cookieMask: ~0n & 0xffffffffffffffffn });
    assert.ok(entry !== undefined && entry.packetCount >= 1n, 'the responder flow matched the request');
  });

  it('PACKET_OUT runs a frame through the tables; the matching flow counts it', async () => {
    const [a] = ofport as [number, number];
    const probe = flow(0, 300).cookie(cookie | 2n).match((m) => m.inPort(a).ethType(0x88b5)).build();
    await bridge.addAll([probe]);
    const frame = Buffer.concat([Buffer.from('ffffffffffff020000000001', 'hex'), Buffer.from([0x88, 0xb5]), Buffer.alloc(46, 0x61)]);
    await bridge.packetOut({ inPort: a, actions: [{ type: 'output', port: OFPP.TABLE }], data: frame });
    await bridge.packetOut({ inPort: a, actions: [{ type: 'output', port: OFPP.TABLE }], data: frame });
    const [entry] = await bridge.dumpFlows({ cookie: cookie | 2n, cookieMask: 0xffffffffffffffffn });
    assert.equal(entry?.packetCount, 2n);
    assert.equal(entry?.byteCount, BigInt(2 * frame.length));
  });

  it('deleting by cookie takes the data path down again', async () => {
    await bridge.deleteAll({ cookie, cookieMask: 0xffn << 56n });
    assert.deepEqual(normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br)), []);
    await eventually(async () => !(await ping(hosts[0], hosts[1].addr)) || false, { timeoutMs: 10_000, what: 'ping to stop working' });
  });
});
