/**
 * The real netmaster process on a real etcd: Contiv's REST wire format, bad
 * input answered clearly with nothing changed, policies and rules (through
 * REST and the real netctl) with their state records in etcd, IP allocation
 * over gRPC on the same port, and state that survives restarts (clean and
 * crash) and an etcd outage.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ruleStateCodec, ruleStatePrefix } from '@contiv/model';
import { createControlClient, isRpcError, type ControlClient } from '@contiv/rpc';
import { createStore, type Store } from '@contiv/store';
import { startEtcd, type EtcdServer } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { run, startDaemon, tailFile, type Daemon } from '../harness/exec';
import { freePort } from '../harness/ports';
import { makeTempDir, type TempDir } from '../harness/tmp';

const MAIN = path.resolve(__dirname, '../../../services/netmaster/lib/main.js');
const NETCTL = path.resolve(__dirname, '../../../services/netctl/lib/main.js');
const GO = { 'user-agent': 'Go-http-client/1.1' };

interface Reply {
  status: number;
  type: string;
  text: string;
  json: unknown;
}

/** Raw HTTP: exactly the headers given (no Content-Type unless asked), like Contiv's Go client. */
function request(port: number, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: p, headers: { ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const errorMessage = (r: Reply): string => (r.json as { error?: { message?: string } } | undefined)?.error?.message ?? r.text;

class NetmasterProcess {
  daemon?: Daemon;
  constructor(
    readonly etcdUrl: string,
    readonly port: number,
    readonly logDir: string,
  ) {}

  get logFile(): string {
    return path.join(this.logDir, 'netmaster.out');
  }

  async start(): Promise<void> {
    this.daemon = startDaemon('netmaster', process.execPath, [MAIN, '--cluster-store', this.etcdUrl, '--listen-url', `127.0.0.1:${this.port}`, '--plugin-mode', 'docker', '--log-dir', this.logDir, '--debug'], {
      logFile: this.logFile,
    });
    await eventually(
      async () => {
        if (!this.daemon?.isRunning()) throw new Error(`netmaster exited:\n${tailFile(this.logFile)}`);
        const info = await request(this.port, 'GET', '/info');
        assert.equal((info.json as Record<string, string>)['current-state'], 'leader');
      },
      { timeoutMs: 40_000, what: 'netmaster to lead' },
    );
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }

  async kill(): Promise<void> {
    await this.daemon?.kill();
  }
}

void describe('netmaster on etcd', () => {
  let etcd: EtcdServer;
  let tmp: TempDir;
  let nm: NetmasterProcess;
  let control: ControlClient;
  const rest = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => request(nm.port, method, p, body, headers);

  before(async () => {
    etcd = await startEtcd();
    tmp = await makeTempDir('contiv-nm-itest-');
    nm = new NetmasterProcess(etcd.url, await freePort(), tmp.path);
    await nm.start();
    control = createControlClient(`127.0.0.1:${nm.port}`);
  });

  after(async () => {
    control?.close();
    await nm?.stop();
    await etcd?.stop();
    await tmp?.cleanup();
  });

  void it('creates the default tenant and the global object on first start', async () => {
    const g = await rest('GET', '/api/v1/globals/');
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, [
      { key: 'global', arpMode: 'proxy', fwdMode: 'bridge', name: 'global', networkInfraType: 'default', pvtSubnet: '172.19.0.0/16', vlans: '1-4094', vxlans: '1-10000' },
    ]);
    const t = await rest('GET', '/api/v1/tenants/default/');
    assert.equal(t.status, 200);
    assert.equal((t.json as Record<string, string>).tenantName, 'default');
    const v = await rest('GET', '/version');
    assert.equal(v.status, 200);
    assert.equal(typeof (v.json as Record<string, string>).version, 'string');
  });

  void it('speaks Contiv’s wire format', async () => {
    // netctl tenant create blue / network create -t blue -e vxlan -s 10.1.1.0/24 -g 10.1.1.254 net1
    const t = await rest('POST', '/api/v1/tenants/blue/', { tenantName: 'blue', 'link-sets': {} }, GO);
    assert.equal(t.status, 200, t.text);
    const body = { encap: 'vxlan', gateway: '10.1.1.254', networkName: 'net1', nwType: 'data', subnet: '10.1.1.0/24', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } };
    const n = await rest('POST', '/api/v1/networks/blue:net1/', body, GO);
    assert.equal(n.status, 200, n.text);
    assert.match(n.type, /^application\/json/);
    assert.deepEqual(n.json, { key: 'blue:net1', encap: 'vxlan', gateway: '10.1.1.254', networkName: 'net1', nwType: 'data', subnet: '10.1.1.0/24', tenantName: 'blue', 'link-sets': {}, links: { Tenant: { type: 'tenant', key: 'blue' } } });
    assert.deepEqual((await rest('GET', '/api/v1/networks/blue:net1')).json, n.json, 'trailing slash optional');
    const list = (await rest('GET', '/api/v1/networks/')).json as { key: string }[];
    assert.deepEqual(list.map((x) => x.key), ['blue:net1']);
    const inspect = await rest('GET', '/api/v1/inspect/networks/blue:net1/');
    const io = inspect.json as { Config: unknown; Oper: Record<string, unknown> };
    assert.deepEqual(Object.keys(io), ['Config', 'Oper']);
    assert.deepEqual(io.Config, n.json);
    assert.equal(io.Oper.availableIPAddresses, '10.1.1.1-10.1.1.253');
    assert.equal(io.Oper.allocatedIPAddresses, '10.1.1.254');
    assert.equal(io.Oper.networkTag, 'net1.blue');
    assert.equal(typeof io.Oper.externalPktTag, 'number');
    const tenant = (await rest('GET', '/api/v1/tenants/blue/')).json as Record<string, unknown>;
    assert.deepEqual(tenant['link-sets'], { Networks: { 'blue:net1': { type: 'network', key: 'blue:net1' } } });
    const p = await rest('POST', '/api/v1/policys/blue:prod-web/', { policyName: 'prod-web', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } }, GO);
    assert.equal(p.status, 200, p.text);
    const np = await rest('POST', '/api/v1/netprofiles/blue:prof1/', { profileName: 'prof1', tenantName: 'blue', bandwidth: '10Mbps', DSCP: 46, 'link-sets': {}, links: { Tenant: {} } }, GO);
    assert.equal(np.status, 200, np.text);
    const g = await rest('POST', '/api/v1/endpointGroups/blue:web/', { groupName: 'web', networkName: 'net1', policies: ['prod-web'], netProfile: 'prof1', tenantName: 'blue', 'link-sets': {}, links: {} }, GO);
    assert.equal(g.status, 200, g.text);
    const del = await rest('DELETE', '/api/v1/endpointGroups/blue:web/', undefined, GO);
    assert.equal(del.status, 200);
    assert.equal(del.text, '"blue:web"');
    assert.equal((await rest('DELETE', '/api/v1/netprofiles/blue:prof1/', undefined, GO)).status, 200);
    assert.equal((await rest('DELETE', '/api/v1/policys/blue:prod-web/', undefined, GO)).text, '"blue:prod-web"');
  });

  void it('answers bad input clearly and changes nothing', async () => {
    const snapshot = async () => (await rest('GET', '/api/v1/networks/')).text + (await rest('GET', '/api/v1/tenants/')).text;
    const before = await snapshot();
    const net = (over: Record<string, unknown>) => ({ encap: 'vxlan', nwType: 'data', 'link-sets': {}, links: { Tenant: {} }, ...over });
    const cases: [string, string, string, unknown, number, RegExp][] = [
      ['invalid subnet', 'POST', '/api/v1/networks/default:n1/', net({ subnet: '10.1.1.0/33' }), 400, /subnet "10\.1\.1\.0\/33" is not a valid IPv4 subnet/],
      ['gateway outside the subnet', 'POST', '/api/v1/networks/default:n2/', net({ subnet: '10.5.0.0/24', gateway: '10.6.0.1' }), 400, /gateway 10\.6\.0\.1 is outside subnet 10\.5\.0\.0\/24/],
      ['duplicate network with other parameters', 'POST', '/api/v1/networks/blue:net1/', net({ subnet: '10.1.2.0/24' }), 409, /Cant change network parameters after its created/],
      ['unknown tenant', 'POST', '/api/v1/networks/nosuch:n3/', net({ subnet: '10.7.0.0/24' }), 404, /Tenant nosuch not found/],
      ['malformed JSON', 'POST', '/api/v1/networks/default:n4/', '{"encap": "vxlan", ', 400, /not valid JSON/],
      ['overlapping subnet', 'POST', '/api/v1/networks/blue:n5/', net({ subnet: '10.1.0.0/16' }), 409, /overlaps network blue:net1/],
      ['tenant with networks', 'DELETE', '/api/v1/tenants/blue/', undefined, 409, /cannot delete blue has 1 networks: net1/],
      ['missing network', 'DELETE', '/api/v1/networks/blue:nonet/', undefined, 404, /network blue:nonet not found/],
    ];
    for (const [what, method, p, body, status, re] of cases) {
      const modern = await rest(method, p, body);
      assert.equal(modern.status, status, `${what}: ${modern.text}`);
      assert.match(errorMessage(modern), re, what);
      assert.match(modern.type, /application\/json/, what);
      const go = await rest(method, p, body, GO);
      assert.equal(go.status, 500, `${what} (Go client)`);
      assert.match(go.type, /text\/plain/, what);
      assert.match(go.text, re, what);
    }
    assert.equal(await snapshot(), before);
  });

  void it('keeps policies and rules with Contiv’s links, and the rules’ state for the agents', async () => {
    const store: Store = createStore(etcd.url);
    try {
      // netctl tenant-less flow of the v2plugin guide (§5.2), then rules, through the real netctl.
      const netctl = (...args: string[]) => run(process.execPath, [NETCTL, ...args], { env: { ...process.env, NETMASTER: `http://127.0.0.1:${nm.port}` }, allowFail: true });
      const steps: [string[], string][] = [
        [['network', 'create', 'contiv-net-1', '-s', '200.1.1.1/24', '-g', '200.1.1.200'], 'Creating network default:contiv-net-1\n'],
        [['policy', 'create', 'p1'], 'Creating policy default:p1\n'],
        [['group', 'create', '-p', 'p1', '-tag', 'policylabel', 'contiv-net-1', 'group1'], 'Creating EndpointGroup default:group1\n'],
        [['policy', 'rule-add', '-d', 'in', '-l', 'tcp', '-j', 'deny', 'p1', '1'], ''],
        [['policy', 'rule-add', '-d', 'in', '-l', 'tcp', '-P', '8000', '-p', '10', '-g', 'group1', 'p1', '2'], ''],
        [['policy', 'rule-add', '-d', 'out', '-l', 'udp', '-P', '53', '-s', '10.2.0.0/16', 'p1', '3'], ''],
      ];
      for (const [args, stdout] of steps) {
        const r = await netctl(...args);
        assert.equal(r.code, 0, `netctl ${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, stdout, args.join(' '));
      }
      const ls = await netctl('policy', 'rule-ls', 'p1');
      assert.deepEqual(
        ls.stdout.split('\n').map((l) => l.split(/\s+/).filter(Boolean).join(' ')),
        [
          'Incoming Rules:',
          'Rule Priority From EndpointGroup From Network From IpAddress To IpAddress Protocol Port Action',
          '---- -------- ------------------ ------------ -------------- ------------ -------- ---- ------',
          '1 1 tcp 0 deny',
          '2 10 group1 tcp 8000 allow',
          'Outgoing Rules:',
          'Rule Priority To EndpointGroup To Network To IpAddress Protocol Port Action',
          '---- -------- ---------------- ---------- ------------ -------- ---- ------',
          '3 1 10.2.0.0/16 udp 53 allow',
          '',
        ],
      );

      const policy = (await rest('GET', '/api/v1/policys/default:p1/')).json;
      assert.deepEqual(policy, {
        key: 'default:p1',
        policyName: 'p1',
        tenantName: 'default',
        'link-sets': {
          EndpointGroups: { 'default:group1': { type: 'endpointGroup', key: 'default:group1' } },
          Rules: Object.fromEntries(['1', '2', '3'].map((id) => [`default:p1:${id}`, { type: 'rule', key: `default:p1:${id}` }])),
        },
        links: { Tenant: { type: 'tenant', key: 'default' } },
      });
      const group = (await rest('GET', '/api/v1/endpointGroups/default:group1/')).json as Record<string, Record<string, unknown>>;
      assert.deepEqual(group['link-sets'], {
        MatchRules: { 'default:p1:2': { type: 'rule', key: 'default:p1:2' } },
        Policies: { 'default:p1': { type: 'policy', key: 'default:p1' } },
      });
      const rule2 = (await rest('GET', '/api/v1/rules/default:p1:2/', undefined, GO)).json as Record<string, unknown>;
      assert.deepEqual(rule2.links, { MatchEndpointGroup: { type: 'endpointGroup', key: 'default:group1' } });

      // The agents' copy, read straight from etcd.
      const states = (await store.list(ruleStatePrefix())).entries.map((e) => ruleStateCodec.decode(e.value, e.key));
      assert.deepEqual(states.map((st) => [st.ruleId, st.direction, st.ipProtocol, st.port, st.action, st.fromEndpointGroup]), [
        ['1', 'in', 6, 0, 'deny', ''],
        ['2', 'in', 6, 8000, 'allow', 'group1'],
        ['3', 'out', 17, 53, 'allow', ''],
      ]);

      // Referential checks, both clients.
      const cases: [string, string, string, unknown, number, RegExp][] = [
        ['group naming an unknown policy', 'POST', '/api/v1/endpointGroups/default:group2/', { networkName: 'contiv-net-1', policies: ['nopol'] }, 404, /Policy nopol not found \(tenant default\)/],
        ['rule of an unknown policy', 'POST', '/api/v1/rules/default:nopol:1/', { direction: 'in', action: 'allow' }, 404, /Policy nopol not found/],
        ['changed rule', 'POST', '/api/v1/rules/default:p1:1/', { direction: 'in', action: 'allow', protocol: 'tcp' }, 409, /can not update a rule after its created/],
        ['policy in use', 'DELETE', '/api/v1/policys/default:p1/', undefined, 409, /Policy p1 is being used by 1 endpoint groups: group1/],
        ['group named by a rule', 'DELETE', '/api/v1/endpointGroups/default:group1/', undefined, 409, /cannot delete group1 has 1 policy rules: p1:2/],
        ['bad rule', 'POST', '/api/v1/rules/default:p1:9/', { direction: 'in', action: 'allow', toNetwork: 'contiv-net-1' }, 400, /can not specify 'to' parameters in incoming rule/],
      ];
      for (const [what, method, p, body, status, re] of cases) {
        const modern = await rest(method, p, body);
        assert.equal(modern.status, status, `${what}: ${modern.text}`);
        assert.match(errorMessage(modern), re, what);
        const go = await rest(method, p, body, GO);
        assert.equal(go.status, 500, `${what} (Go client)`);
        assert.match(go.text, re, what);
      }
      const refused = await netctl('policy', 'rm', 'p1');
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /^Policy p1 is being used by 1 endpoint groups: group1 \(tenant default\)\n$/);
    } finally {
      await store.close();
    }
  });

  void it('refuses to delete a network that has endpoint groups or endpoints', async () => {
    assert.equal((await rest('POST', '/api/v1/endpointGroups/blue:db/', { networkName: 'net1' })).status, 200);
    const withGroup = await rest('DELETE', '/api/v1/networks/blue:net1/');
    assert.equal(withGroup.status, 409);
    assert.match(errorMessage(withGroup), /cannot delete net1 has 1 endpoint groups: db/);
    assert.equal((await rest('DELETE', '/api/v1/endpointGroups/blue:db/')).status, 200);
    const a = await control.AllocateAddress({ tenantName: 'blue', networkName: 'net1', host: 'h1', requestId: 'ep-a' });
    await control.CreateEndpoint({ endpoint: { endpointId: 'ep-a', tenantName: 'blue', networkName: 'net1', ipAddress: a.address, homingHost: 'h1', containerName: '/c1' } });
    const withEp = await rest('DELETE', '/api/v1/networks/blue:net1/', undefined, GO);
    assert.equal(withEp.status, 500);
    assert.match(withEp.text, /cannot delete net1 has 1 endpoints/);
    const ep = (await rest('GET', '/api/v1/inspect/endpoints/c1/')).json as { Oper: Record<string, unknown> };
    assert.deepEqual(ep.Oper.ipAddress, [a.address, '']);
    assert.equal(ep.Oper.network, 'net1.blue');
    await control.DeleteEndpoint({ endpointId: 'ep-a', releaseAddress: true });
    assert.equal((await rest('GET', '/api/v1/inspect/networks/blue:net1/')).status, 200);
  });

  void it('says clearly when a network runs out of addresses', async () => {
    assert.equal((await rest('POST', '/api/v1/networks/default:tiny/', { encap: 'vlan', subnet: '10.8.0.0/30', gateway: '10.8.0.1' })).status, 200);
    const a = await control.AllocateAddress({ tenantName: 'default', networkName: 'tiny', host: 'h1', requestId: 't1' });
    assert.equal(a.address, '10.8.0.2');
    await assert.rejects(control.AllocateAddress({ tenantName: 'default', networkName: 'tiny', host: 'h1', requestId: 't2' }), (err: unknown) => {
      assert.ok(isRpcError(err, 'POOL_EXHAUSTED'), String(err));
      assert.equal(err.message, 'no free address in network default:tiny (10.8.0.0/30)');
      return true;
    });
  });

  void it('gives 50 concurrent AllocateAddress calls 50 distinct addresses (gRPC and REST on one port)', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => control.AllocateAddress({ tenantName: 'blue', networkName: 'net1', host: 'h1', requestId: `par-${i}` })));
    assert.equal(new Set(results.map((r) => r.address)).size, 50);
    const oper = ((await rest('GET', '/api/v1/inspect/networks/blue:net1/')).json as { Oper: Record<string, unknown> }).Oper;
    assert.equal(oper.allocatedAddressesCount, 50);
    assert.equal(oper.allocatedIPAddresses, '10.1.1.1-10.1.1.50, 10.1.1.254');
  });

  void it('keeps its state across a clean restart and a crash', async () => {
    const before = (await rest('GET', '/api/v1/inspect/networks/blue:net1/')).text;
    const globalsBefore = (await rest('GET', '/api/v1/globals/')).text;
    const policiesBefore = (await rest('GET', '/api/v1/policys/')).text + (await rest('GET', '/api/v1/rules/')).text;
    assert.match(policiesBefore, /default:p1:3/);
    await nm.stop();
    await nm.start();
    assert.equal((await rest('GET', '/api/v1/inspect/networks/blue:net1/')).text, before);
    assert.equal((await rest('GET', '/api/v1/globals/')).text, globalsBefore);
    assert.equal((await rest('GET', '/api/v1/policys/')).text + (await rest('GET', '/api/v1/rules/')).text, policiesBefore);
    const again = await control.AllocateAddress({ tenantName: 'blue', networkName: 'net1', host: 'h1', requestId: 'par-7' });
    assert.equal(again.address, '10.1.1.8', 'the same request id gets the same address after a restart');

    // A crash leaves the leader lock until its lease expires; the successor waits, then takes over.
    await nm.kill();
    await nm.start();
    assert.equal((await rest('GET', '/api/v1/inspect/networks/blue:net1/')).text, before);
    const n = await control.AllocateAddress({ tenantName: 'blue', networkName: 'net1', host: 'h1', requestId: 'after-crash' });
    assert.equal(n.address, '10.1.1.51');
  });

  void it('answers 503 while etcd is down and recovers when it is back', async () => {
    await etcd.stop();
    try {
      const r = await rest('POST', '/api/v1/tenants/red/', {});
      assert.equal(r.status, 503, r.text);
      assert.equal((r.json as { error: { code: string } }).error.code, 'STORE_UNAVAILABLE');
    } finally {
      await etcd.restart();
    }
    await eventually(async () => assert.equal((await rest('POST', '/api/v1/tenants/red/', {})).status, 200), { timeoutMs: 30_000, what: 'netmaster to write again' });
    assert.equal((await rest('GET', '/api/v1/tenants/red/')).status, 200);
  });
});
