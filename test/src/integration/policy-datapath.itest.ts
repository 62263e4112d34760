/**
 * Policy on a real bridge: four namespaces on a netdev bridge, in groups web,
 * client and db of one network (and one in no group), programmed by the
 * agent's PipelineReconciler from rules compiled with compilePolicyRules.
 * Real pings and TCP/UDP connections check allow and deny by protocol and
 * port, by peer group and address, in and out, priorities, replies of
 * allowed connections, and that a rule change is hitless for traffic both
 * policies allow and stops at once the traffic the new one denies. OVS's own
 * ofproto/trace is compared with evaluatePolicy (what `netctl policy trace`
 * answers) for a grid of packets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { compilePolicyRules, evaluatePolicy, parseIPv4, type GroupState, type RuleState } from '@contiv/model';
import { OpenFlowBridge, bridgeMgmtEndpoint } from '@contiv/openflow';
import { PipelineReconciler } from '../../../services/netplugin/lib/pipeline/index';
import { ruleState } from '../../../services/netplugin/lib/testing/state';
import type { DesiredState } from '../../../services/netplugin/lib/pipeline/index';
import { eventually } from '../harness/eventually';
import { run, type Daemon } from '../harness/exec';
import { startOvs, type Ovs } from '../harness/ovs';
import { BLUE, addPipelineBridge, plugEndpoints, twoTenantState, unplugEndpoints, waitOfports } from '../harness/pipeline-rig';
import { reaches, startListener } from '../harness/tcp-probe';
import { makeTempDir } from '../harness/tmp';

const suffix = Math.random().toString(36).slice(2, 6);
const inNs = (ns: string, ...cmd: string[]): ReturnType<typeof run> => run('ip', ['netns', 'exec', ns, ...cmd], { allowFail: true, timeoutMs: 30_000 });

const GATEWAY = '10.1.1.254';
const GROUPS = { web: 1, client: 2, db: 3 } as const;
const eps = [
  { id: 'ep-web', ns: `pwe-${suffix}`, port: `ppwe${suffix}`, addr: '10.1.1.1', mac: '02:02:0a:01:01:01', network: BLUE, groupId: GROUPS.web, addr6: 'fd00:1::1' },
  { id: 'ep-client', ns: `pcl-${suffix}`, port: `ppcl${suffix}`, addr: '10.1.1.2', mac: '02:02:0a:01:01:02', network: BLUE, groupId: GROUPS.client, addr6: 'fd00:1::2' },
  { id: 'ep-db', ns: `pdb-${suffix}`, port: `ppdb${suffix}`, addr: '10.1.1.3', mac: '02:02:0a:01:01:03', network: BLUE, groupId: GROUPS.db, addr6: 'fd00:1::3' },
  { id: 'ep-none', ns: `pno-${suffix}`, port: `ppno${suffix}`, addr: '10.1.1.4', mac: '02:02:0a:01:01:04', network: BLUE, groupId: 0, addr6: 'fd00:1::4' },
] as const;
const [web, client, db, nogroup] = eps;

const group = (groupName: keyof typeof GROUPS, policies: string[] = []): GroupState => ({
  tenantName: 'blue',
  groupName,
  networkName: 'net',
  groupId: GROUPS[groupName],
  policies,
  ipPool: '',
  groupTag: '',
  netProfile: '',
  bandwidthKbps: 0,
  burstKb: 0,
  dscp: 0,
});
const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };
const rule = (ruleId: string, p: Partial<RuleState>): RuleState =>
  ruleState({ tenantName: 'blue', policyName: 'prod-web', ruleId, ipProtocol: p.protocol ? (PROTOCOLS[p.protocol] ?? Number(p.protocol)) : 0, ...p });
const NETWORK = {
  tenantName: 'blue',
  networkName: 'net',
  nwType: 'data',
  encap: 'vxlan',
  pktTag: 1,
  extPktTag: 5001,
  subnet: '10.1.1.0/24',
  ipRange: '',
  gateway: GATEWAY,
  ipv6Subnet: '',
  ipv6Gateway: '',
  networkTag: '',
  origin: 'contiv',
} as const;

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('policy enforced by the agent pipeline on a real bridge', { timeout: 300_000 }, () => {
  const br = `bpo${suffix}`;
  let bridge: OpenFlowBridge;
  let base: DesiredState;
  let reconciler: PipelineReconciler;
  let ofports: number[];
  const listeners: Daemon[] = [];

  /** Programs the groups' policies and `rules`, as the agent does for a store change. */
  const program = async (groups: GroupState[], rules: RuleState[]): Promise<void> => {
    await reconciler.reconcile({ ...base, policyRules: compilePolicyRules({ groups, rules, networks: [NETWORK] }) });
  };
  const webPolicy = (rules: RuleState[]): Promise<void> => program([group('web', ['prod-web']), group('client'), group('db')], rules);
  const ping = async (from: (typeof eps)[number], to: (typeof eps)[number]): Promise<boolean> => (await inNs(from.ns, 'ping', '-c', '1', '-W', '1', to.addr)).code === 0;

  before(async () => {
    await addPipelineBridge(ovs, br);
    await plugEndpoints(ovs, br, eps, { gateway: GATEWAY });
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000 });
    ofports = await waitOfports(bridge, eps);
    base = twoTenantState(eps, ofports, GATEWAY);
    reconciler = new PipelineReconciler({ bridge, round: 1 });
    const logs = (await makeTempDir('policy-listeners')).path;
    for (const ep of eps) {
      for (const port of [80, 22]) listeners.push(startListener(ep.ns, 'tcp', port, path.join(logs, `${ep.id}.log`)));
      listeners.push(startListener(ep.ns, 'udp', 53, path.join(logs, `${ep.id}.log`)));
    }
    await webPolicy([]);
    await eventually(async () => (await reaches(client.ns, 'tcp', web.addr, 80)) || false, { timeoutMs: 20_000, what: 'the listeners to answer' });
  });
  after(async () => {
    for (const l of listeners) await l.stop().catch(() => undefined);
    bridge?.close();
    await unplugEndpoints(eps);
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  it('without rules everything passes, through conntrack', async () => {
    assert.equal(await ping(client, web), true);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 22), true);
    assert.equal(await reaches(nogroup.ns, 'udp', db.addr, 53), true);
  });

  it("the issue's policy: TCP 80 to web passes; ping and other ports are dropped; web's own traffic and replies pass", async () => {
    await webPolicy([rule('1', { protocol: 'tcp', port: 80 }), rule('2', { action: 'deny' })]);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 80), true);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 22), false);
    assert.equal(await reaches(client.ns, 'udp', web.addr, 53), false);
    assert.equal(await ping(client, web), false);
    assert.equal(await ping(nogroup, web), false);
    // web's in rules do not apply to what web opens, and the replies come back as part of its connection.
    assert.equal(await ping(web, client), true);
    assert.equal(await reaches(web.ns, 'tcp', client.addr, 22), true);
    // Other groups are untouched.
    assert.equal(await ping(client, db), true);
  });

  it('by peer group, network and address; priority order', async () => {
    await webPolicy([rule('g', { fromEndpointGroup: 'client', priority: 5 }), rule('deny', { action: 'deny', priority: 2 })]);
    assert.equal(await ping(client, web), true);
    assert.equal(await ping(db, web), false);
    await webPolicy([rule('ip', { fromIpAddress: '10.1.1.3-4', protocol: 'tcp', priority: 5 }), rule('deny', { action: 'deny', priority: 2 })]);
    assert.equal(await reaches(db.ns, 'tcp', web.addr, 22), true);
    assert.equal(await reaches(nogroup.ns, 'tcp', web.addr, 22), true);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 22), false);
    // An in rule limited to one of the group's own addresses (Contiv's toIpAddress on in rules).
    await program([group('web', ['prod-web']), group('client'), group('db', ['prod-web'])], [rule('own', { toIpAddress: db.addr, action: 'deny', priority: 5 })]);
    assert.equal(await ping(client, db), false);
    assert.equal(await ping(client, web), true);
    await webPolicy([rule('net', { fromNetwork: 'net', protocol: 'udp', action: 'deny', priority: 9 }), rule('all', { priority: 3 })]);
    assert.equal(await reaches(client.ns, 'udp', web.addr, 53), false);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 22), true);
    // A higher priority allow beats a deny of the same traffic, and the reverse.
    await webPolicy([rule('hi', { protocol: 'icmp', priority: 10 }), rule('lo', { protocol: 'icmp', action: 'deny', priority: 9 })]);
    assert.equal(await ping(client, web), true);
    await webPolicy([rule('hi', { protocol: 'icmp', action: 'deny', priority: 10 }), rule('lo', { protocol: 'icmp', priority: 9 })]);
    assert.equal(await ping(client, web), false);
  });

  it('out rules of the sender: to a group, to an address, by port', async () => {
    const out = (p: Partial<RuleState>): RuleState => rule(`o${Math.random()}`, { direction: 'out', ...p });
    await webPolicy([out({ toEndpointGroup: 'db', action: 'deny', priority: 5 })]);
    assert.equal(await ping(web, db), false);
    assert.equal(await ping(web, client), true);
    // Replies to connections others open to web are not web's out traffic.
    assert.equal(await ping(db, web), true);
    await webPolicy([out({ toIpAddress: '10.1.1.2', protocol: 'tcp', port: 22, action: 'deny', priority: 5 })]);
    assert.equal(await reaches(web.ns, 'tcp', client.addr, 22), false);
    assert.equal(await reaches(web.ns, 'tcp', client.addr, 80), true);
  });

  it('IPv6 is subject to the same rules (by group and protocol), neighbor discovery is not', async () => {
    const ping6 = async (from: (typeof eps)[number], to: (typeof eps)[number]): Promise<boolean> => (await inNs(from.ns, 'ping', '-6', '-c', '1', '-W', '1', to.addr6)).code === 0;
    await webPolicy([]);
    await eventually(async () => (await ping6(client, web)) || false, { timeoutMs: 15_000, what: 'ping6 from client to web' });
    await webPolicy([rule('g6', { fromEndpointGroup: 'client', action: 'deny', priority: 5 })]);
    assert.equal(await ping6(client, web), false);
    assert.equal(await ping6(db, web), true);
    await webPolicy([rule('icmp6', { protocol: 'icmp', action: 'deny', priority: 5 }), rule('all', { priority: 2 })]);
    for (const ep of eps) await inNs(ep.ns, 'ip', '-6', 'neigh', 'flush', 'dev', 'eth0');
    assert.equal(await ping6(db, web), false);
    assert.equal(await reaches(db.ns, 'tcp', web.addr, 80), true);
    // Neighbor discovery went through although everything ICMP to web is denied.
    const neigh = (await inNs(db.ns, 'ip', '-6', 'neigh', 'show', web.addr6)).stdout;
    assert.match(neigh, /lladdr/, neigh);
  });

  it('a group gaining a policy while its container runs is enforced at once', async () => {
    await program([group('web', ['prod-web']), group('client'), group('db')], [rule('deny', { action: 'deny', fromEndpointGroup: 'db', priority: 5 })]);
    assert.equal(await ping(client, db), true);
    await program([group('web', ['prod-web']), group('client'), group('db', ['prod-web'])], [rule('deny', { action: 'deny', fromEndpointGroup: 'client', priority: 5 })]);
    assert.equal(await ping(client, db), false);
    assert.equal(await ping(client, web), false);
  });

  it('200 rules are programmed in one bundle and decided in order', async () => {
    const rules = Array.from({ length: 200 }, (_, i) => rule(`r${i}`, { protocol: 'tcp', port: 1000 + i, action: i % 2 === 0 ? 'allow' : 'deny', priority: 1 + (i % 50) }));
    const bundles = bridge.stats.bundlesCommitted;
    await webPolicy([...rules, rule('p80', { protocol: 'tcp', port: 80, priority: 60 }), rule('deny', { action: 'deny' })]);
    assert.equal(bridge.stats.bundlesCommitted, bundles + 1);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 80), true);
    assert.equal(await reaches(client.ns, 'tcp', web.addr, 22), false);
  });

  it('a rule change is hitless for traffic both policies allow and stops at once what the new one denies', async () => {
    await webPolicy([rule('icmp-a', { protocol: 'icmp', priority: 5 }), rule('deny', { action: 'deny' })]);
    assert.equal(await ping(client, web), true);
    // 600 pings 10 ms apart (6 s) while the allowing rule is replaced by another one, back and forth, 20 times.
    const flood = inNs(client.ns, 'ping', '-c', '600', '-i', '0.01', '-W', '1', web.addr);
    for (let i = 0; i < 20; i++) {
      await webPolicy([i % 2 === 0 ? rule('icmp-b', { protocol: 'icmp', priority: 7 }) : rule('icmp-a', { protocol: 'icmp', priority: 5 }), rule('deny', { action: 'deny' })]);
      await new Promise((r) => setTimeout(r, 150));
    }
    const result = await flood;
    assert.match(result.stdout, /600 packets transmitted, 600 received/, result.stdout);
    // Now deny ICMP: the first ping after the reconcile returned is already dropped.
    await webPolicy([rule('icmp-deny', { protocol: 'icmp', action: 'deny', priority: 9 }), rule('icmp-a', { protocol: 'icmp', priority: 5 })]);
    const after = await inNs(client.ns, 'ping', '-c', '20', '-i', '0.01', '-W', '1', web.addr);
    assert.match(after.stdout, /20 packets transmitted, 0 received/, after.stdout);
  });

  it("OVS's ofproto/trace agrees with evaluatePolicy on every packet of a grid", async () => {
    const groups = [group('web', ['prod-web']), group('client', ['prod-web']), group('db')];
    const rules = [
      rule('1', { protocol: 'tcp', port: 80 }),
      rule('2', { action: 'deny' }),
      rule('3', { fromEndpointGroup: 'db', protocol: 'udp', priority: 4 }),
      rule('4', { direction: 'out', toIpAddress: '10.1.1.4', protocol: 'tcp', action: 'deny', priority: 3 }),
    ];
    await program(groups, rules);
    const compiled = compilePolicyRules({ groups, rules, networks: [NETWORK] });
    const packets = [
      { proto: 'tcp', port: 80 },
      { proto: 'tcp', port: 22 },
      { proto: 'udp', port: 53 },
      { proto: 'icmp', port: 0 },
    ] as const;
    let compared = 0;
    for (const [i, from] of eps.entries()) {
      for (const [j, to] of eps.entries()) {
        if (i === j) continue;
        for (const p of packets) {
          const l4 = p.proto === 'icmp' ? 'icmp,icmp_type=8' : `${p.proto},${p.proto}_dst=${p.port},${p.proto}_src=40000`;
          const spec = `in_port=${ofports[i]},dl_src=${from.mac},dl_dst=${to.mac},${l4},nw_src=${from.addr},nw_dst=${to.addr}`;
          const trace = await ovs.appctl('ofproto/trace', br, spec, '--ct-next', 'trk,new');
          const actions = [...trace.matchAll(/^Datapath actions: (.*)$/gm)].map((m) => m[1] ?? '');
          const last = actions[actions.length - 1] ?? '';
          const ovsAllows = last !== 'drop' && last !== '';
          const verdict = evaluatePolicy(compiled, {
            srcGroupId: from.groupId,
            dstGroupId: to.groupId,
            srcIp: parseIPv4(from.addr),
            dstIp: parseIPv4(to.addr),
            ipProtocol: PROTOCOLS[p.proto] ?? 0,
            dstPort: p.port,
          });
          assert.equal(ovsAllows, verdict.action === 'allow', `${from.id} -> ${to.id} ${p.proto}/${p.port}: OVS says ${last}, policy says ${verdict.action}\n${trace}`);
          compared++;
        }
      }
    }
    assert.equal(compared, 48);
  });
});
