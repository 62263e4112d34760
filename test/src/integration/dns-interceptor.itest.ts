/**
 * Container-name DNS on a real bridge: the pipeline with the dns-interceptor
 * feature on a netdev bridge (ovs-vswitchd in its own namespace), DnsService
 * on the bridge's OpenFlow connection, and network namespaces as containers
 * whose default route is the Contiv gateway. A real resolver (Node's c-ares)
 * inside a namespace asks 192.0.2.53, an address nothing has: the query never
 * leaves OVS, the agent answers it. Names of the same network resolve (local
 * and remote endpoints), everything else is NXDOMAIN, and a DNS server on the
 * subnet is not intercepted. Then with forwarding: the agent's DnsForwarder
 * relays unknown names (another tenant's too) to a DNS server on loopback and
 * its answers reach the namespace; with that server gone, SERVFAIL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { EndpointState } from '@contiv/model';
import { OpenFlowBridge, bridgeMgmtEndpoint, flowsToStrings, normalizeDumpFlows } from '@contiv/openflow';
import { noopLogger } from '@contiv/runtime';
import { CookieCategory, L2ForwardingTable, PIPELINE_FEATURES, PipelineReconciler, allFlows, computeFlowSet, makeCookie } from '../../../services/netplugin/lib/pipeline/index';
import type { DesiredState } from '../../../services/netplugin/lib/pipeline/index';
import { DnsForwarder, DnsService, buildNameTable, dnsInterceptorFeature } from '../../../services/netplugin/lib/dns/index';
import { eventually } from '../harness/eventually';
import { run, startDaemon } from '../harness/exec';
import type { Daemon } from '../harness/exec';
import { startOvs } from '../harness/ovs';
import { BLUE, RED, addPipelineBridge, plugEndpoints, twoTenantState, unplugEndpoints, waitOfports } from '../harness/pipeline-rig';
import type { Ovs } from '../harness/ovs';
import { makeTempDir } from '../harness/tmp';
import { startUpstreamDns, type UpstreamDns } from '../harness/upstream-dns';
import type { TempDir } from '../harness/tmp';

const suffix = Math.random().toString(36).slice(2, 6);

const GATEWAY = '10.1.1.254';
/** Off the subnet, so queries go to the gateway MAC; TEST-NET-1, nothing answers it but the agent. */
const RESOLVER = '192.0.2.53';
const ROUND = 1;
const cid = (c: string): string => c.repeat(64);
const hosts = [
  { id: 'ep-a', ns: `dna-${suffix}`, port: `pdna${suffix}`, addr: '10.1.1.1', mac: '02:02:0a:01:01:01', network: BLUE, name: '/web-a', containerId: cid('a') },
  { id: 'ep-b', ns: `dnb-${suffix}`, port: `pdnb${suffix}`, addr: '10.1.1.2', mac: '02:02:0a:01:01:02', network: BLUE, name: '/web-b', containerId: cid('b') },
  { id: 'ep-c', ns: `dnc-${suffix}`, port: `pdnc${suffix}`, addr: '10.1.1.3', mac: '02:02:0a:01:01:03', network: RED, name: '/red-c', containerId: cid('c') },
] as const;
const [epA, epB, epC] = hosts;

function record(h: { id: string; addr: string; network: string; name: string; containerId: string }, homingHost = 'h1'): EndpointState {
  const [tenantName, networkName] = h.network.split('/') as [string, string];
  return {
    endpointId: h.id,
    tenantName,
    networkName,
    groupName: '',
    ipAddress: h.addr,
    ipv6Address: '',
    macAddress: '',
    homingHost,
    intfName: '',
    vtepIp: '',
    containerId: h.containerId,
    containerName: h.name,
    createdAt: new Date().toISOString(),
  };
}
/** An endpoint of the blue network on another host: its name resolves here from its record alone. */
const remote = record({ id: 'ep-r', addr: '10.1.1.9', network: BLUE, name: 'Remote-R', containerId: cid('d') }, 'h2');

/**
 * Runs inside a namespace. `resolve`: each {kind, name} through c-ares against
 * the server; `raw`: one hand-made query for `web-b` A to host:port, the reply
 * as hex. Prints JSON.
 */
const CLIENT = `
const dns = require('node:dns');
const dgram = require('node:dgram');
const [mode, target, arg] = process.argv.slice(1);
async function resolveAll() {
  const r = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
  r.setServers([target]);
  const out = [];
  for (const q of JSON.parse(arg)) {
    try {
      if (q.kind === 'A') {
        const a = await r.resolve4(q.name, { ttl: true });
        out.push({ ...q, addresses: a.map((x) => x.address), ttls: a.map((x) => x.ttl) });
      } else {
        out.push({ ...q, addresses: await r.resolve6(q.name) });
      }
    } catch (e) {
      out.push({ ...q, code: e.code });
    }
  }
  return out;
}
function raw() {
  const [host, port] = target.split(':');
  const q = Buffer.from('beef01000001000000000000057765622d620000010001', 'hex');
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('no reply')); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve({ reply: m.toString('hex') }); });
    s.send(q, Number(port), host);
  });
}
(mode === 'raw' ? raw() : resolveAll()).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); });
`;

/** A UDP server on port 53 that echoes every datagram with a prefix: a DNS server on the subnet. */
const ECHO_SERVER = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
s.bind(53, '0.0.0.0');
`;

interface Answer {
  readonly kind: 'A' | 'AAAA';
  readonly name: string;
  readonly addresses?: string[];
  readonly ttls?: number[];
  readonly code?: string;
}

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('container-name DNS on a real bridge', { timeout: 180_000 }, () => {
  const br = `bdn${suffix}`;
  let bridge: OpenFlowBridge;
  let state: DesiredState;
  let service: DnsService;
  let tmp: TempDir;
  let echo: Daemon | undefined;
  let upstream: UpstreamDns | undefined;
  let forwarder: DnsForwarder | undefined;
  // Whether or not PIPELINE_FEATURES lists it already.
  const features = [...PIPELINE_FEATURES.filter((f) => f.name !== dnsInterceptorFeature.name), dnsInterceptorFeature];

  const inNs = async (ns: string, mode: 'resolve' | 'raw', target: string, arg = ''): Promise<unknown> => {
    const r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, mode, target, arg], { timeoutMs: 30_000 });
    return JSON.parse(r.stdout) as unknown;
  };
  const resolve = async (from: (typeof hosts)[number], queries: Array<{ kind: 'A' | 'AAAA'; name: string }>): Promise<Answer[]> =>
    (await inNs(from.ns, 'resolve', RESOLVER, JSON.stringify(queries))) as Answer[];

  before(async () => {
    tmp = await makeTempDir('dns-itest-');
    await addPipelineBridge(ovs, br);
    await plugEndpoints(ovs, br, hosts, { gateway: GATEWAY });
    // The management socket gives a connection no PACKET_IN unless it sets miss_send_len.
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000, missSendLen: 0xffff });
    state = twoTenantState(hosts, await waitOfports(bridge, hosts), GATEWAY);
    await new PipelineReconciler({ bridge, round: ROUND, features }).reconcile(state);
    const networkByPort = new Map(state.localEndpoints.map((e) => [e.ofport, e.network]));
    const table = buildNameTable([...hosts.map((h) => record(h)), remote]);
    service = new DnsService({ bridge, networkOfPort: (p) => networkByPort.get(p), names: () => table, log: noopLogger });
    service.start();
  });
  after(async () => {
    service?.stop();
    await forwarder?.close();
    await upstream?.close();
    bridge?.close();
    await echo?.stop(2_000);
    await unplugEndpoints(hosts);
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
    await tmp?.cleanup();
  });

  it('installs the punt flow with the rest of the pipeline, exactly as rendered', async () => {
    const expected = flowsToStrings(allFlows(computeFlowSet(state, features, ROUND)));
    const installed = normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
    assert.deepEqual(installed, expected);
    assert.ok(
      installed.includes(`cookie=0x1060000000000, table=${L2ForwardingTable.id}, priority=300,udp,reg0=0x1/0xf,dl_dst=00:00:11:11:11:11,tp_dst=53 actions=CONTROLLER:65535`),
      installed.join('\n'),
    );
  });

  it("resolves the names of its own network's endpoints, local and remote, by name or short id, any case, TTL 120", async () => {
    const answers = await resolve(epA, [
      { kind: 'A', name: 'web-b' },
      { kind: 'A', name: 'WEB-A' },
      { kind: 'A', name: 'remote-r' },
      { kind: 'A', name: 'bbbbbbbbbbbb' },
    ]);
    assert.deepEqual(
      answers.map((a) => [a.name, a.addresses, a.ttls, a.code]),
      [
        ['web-b', ['10.1.1.2'], [120], undefined],
        ['WEB-A', ['10.1.1.1'], [120], undefined],
        ['remote-r', ['10.1.1.9'], [120], undefined],
        ['bbbbbbbbbbbb', ['10.1.1.2'], [120], undefined],
      ],
    );
    assert.deepEqual(
      (await resolve(epC, [{ kind: 'A', name: 'red-c' }])).map((a) => a.addresses),
      [['10.1.1.3']],
    );
  });

  it("answers unknown names and the other network's names with NXDOMAIN, AAAA of a known name with no data", async () => {
    const fromBlue = await resolve(epA, [
      { kind: 'A', name: 'red-c' },
      { kind: 'A', name: 'example.com' },
      { kind: 'AAAA', name: 'web-b' },
    ]);
    // c-ares: ENOTFOUND is NXDOMAIN, ENODATA is NOERROR without answers.
    assert.deepEqual(
      fromBlue.map((a) => [a.name, a.code]),
      [
        ['red-c', 'ENOTFOUND'],
        ['example.com', 'ENOTFOUND'],
        ['web-b', 'ENODATA'],
      ],
    );
    assert.deepEqual(
      (await resolve(epC, [{ kind: 'A', name: 'web-b' }])).map((a) => a.code),
      ['ENOTFOUND'],
    );
  });

  it('replies as the resolver asked, authoritative with recursion available', async () => {
    const { reply } = (await inNs(epA.ns, 'raw', `${RESOLVER}:53`)) as { reply: string };
    const msg = Buffer.from(reply, 'hex');
    assert.equal(msg.readUInt16BE(0), 0xbeef);
    assert.equal(msg.readUInt16BE(2), 0x8580, `flags 0x${msg.readUInt16BE(2).toString(16)}: QR AA RD RA, NOERROR`);
    assert.equal(msg.readUInt16BE(6), 1);
    assert.equal(msg.subarray(msg.length - 4).join('.'), '10.1.1.2');
  });

  it('leaves a DNS server on the subnet alone: a query to its MAC is forwarded, not punted', async () => {
    echo = startDaemon('echo-dns', 'ip', ['netns', 'exec', epB.ns, process.execPath, '-e', ECHO_SERVER], { logFile: path.join(tmp.path, 'echo-dns.log') });
    const before = service.counters.queries;
    const { reply } = (await eventually(() => inNs(epA.ns, 'raw', `${epB.addr}:53`), { timeoutMs: 20_000, what: 'the echo server in B to answer' })) as { reply: string };
    assert.equal(Buffer.from(reply, 'hex').subarray(0, 5).toString(), 'echo:');
    assert.equal(service.counters.queries, before);
  });

  it('counted every query, and the punt flow matched them', async () => {
    const c = service.counters;
    // 7 NOERROR and 3 NXDOMAIN above; a resolver retry would add to both sides alike.
    assert.ok(c.answered >= 7 && c.nxdomain >= 3, JSON.stringify(c));
    assert.deepEqual([c.queries, c.malformed, c.unknownPort, c.sendFailures], [c.answered + c.nxdomain, 0, 0, 0]);
    // OVS folds datapath counters into flow stats a moment later (its revalidators), so poll.
    await eventually(
      async () => {
        const [punt] = await bridge.dumpFlows({ cookie: makeCookie(ROUND, CookieCategory.Dns, 0), cookieMask: (1n << 64n) - 1n });
        assert.equal(punt?.packetCount, BigInt(c.queries));
      },
      { timeoutMs: 5_000, what: 'the punt flow to count every query' },
    );
  });

  it("with forwarding: unknown names and other tenants' names go to the upstream on loopback, its answers come back", async () => {
    service.stop();
    upstream = await startUpstreamDns({ 'outside.example': '198.51.100.7' });
    const up = upstream;
    forwarder = new DnsForwarder({ upstreams: () => [{ address: up.address, port: up.port }], log: noopLogger });
    const networkByPort = new Map(state.localEndpoints.map((e) => [e.ofport, e.network]));
    const table = buildNameTable([...hosts.map((h) => record(h)), remote]);
    service = new DnsService({ bridge, networkOfPort: (p) => networkByPort.get(p), names: () => table, forwarder, log: noopLogger });
    service.start();
    const answers = await resolve(epA, [
      { kind: 'A', name: 'outside.example' },
      { kind: 'A', name: 'red-c' },
      { kind: 'A', name: 'web-b' },
    ]);
    assert.deepEqual(
      answers.map((a) => [a.name, a.addresses, a.ttls, a.code]),
      [
        ['outside.example', ['198.51.100.7'], [60], undefined],
        ['red-c', undefined, undefined, 'ENOTFOUND'],
        ['web-b', ['10.1.1.2'], [120], undefined],
      ],
    );
    assert.deepEqual(
      up.queries().map((q) => q.name),
      ['outside.example', 'red-c'],
      'the upstream saw the two unknown names only',
    );
    assert.ok(up.queries().every((q) => q.from.startsWith('127.0.0.1:')));
    assert.deepEqual([service.counters.forwarded, service.counters.relayed, service.counters.servfail], [2, 2, 0]);
  });

  it('with the upstream gone: SERVFAIL', async () => {
    await upstream?.close();
    upstream = undefined;
    const [a] = await resolve(epA, [{ kind: 'A', name: 'gone.example' }]);
    assert.equal(a?.code, 'ESERVFAIL', JSON.stringify(a));
    assert.ok(service.counters.servfail >= 1, JSON.stringify(service.counters));
  });
});
