/**
 * The agents' DNS on a 3-host local cluster, asked from containers on every
 * host the way users ask (busybox nslookup through Docker's embedded DNS,
 * which forwards what its engine does not know out of the container's
 * default route: the Contiv gateway, where the agent answers):
 *
 *   - a container on another host, and one on another network of the tenant;
 *   - a group (the addresses of its endpoints on two hosts) and a serviceLB (its VIP);
 *   - a name taken in two networks of the tenant: the querier's own network wins;
 *   - another tenant's names: never answered (forwarded, and the upstream says NXDOMAIN),
 *     while that tenant's own containers resolve them;
 *   - a name nobody in the cluster has: answered by the hosts' upstream resolver.
 *
 * The upstream is a small DNS server of the test (harness/upstream-dns.ts) on
 * h1's underlay address, port 5353. The agents learn it from `dns_upstream`
 * in the environment `cluster up` runs in (set below, before the cluster
 * starts), as a v2plugin would from its `dns_upstream` setting.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { underlayIp } from '../harness/underlay';
import { startUpstreamDnsIn, type UpstreamDns } from '../harness/upstream-dns';
import { nslookup, type Lookup } from './dns-support';

const HOSTS = ['h1', 'h2', 'h3'] as const;
const UPSTREAM_IP = underlayIp(1);
const UPSTREAM_PORT = 5353;
const OUTSIDE_NAME = 'outside.example.test';
const OUTSIDE_IP = '198.51.100.7';
const VIP = '10.71.1.200';
/** Off every subnet: a query to it is the agent's (docs/dns.md). */
const AGENT = '192.0.2.53';

process.env['dns_upstream'] = `${UPSTREAM_IP}:${UPSTREAM_PORT}`;

async function containerIp(c: LocalCluster, host: string, name: string): Promise<string> {
  const r = await c.docker(host, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
  const ip = r.stdout.trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, `${name} on ${host} has an address`);
  return ip;
}

async function run(c: LocalCluster, host: string, network: string, name: string, ...extra: string[]): Promise<string> {
  await c.docker(host, 'run', '-itd', `--net=${network}`, `--name=${name}`, ...extra, 'busybox', '/bin/sh');
  return containerIp(c, host, name);
}

/** Retries until the lookup gives `addresses` (names reach the other hosts a moment after a container starts). */
async function resolvesTo(c: LocalCluster, host: string, container: string, name: string, addresses: string[], server?: string): Promise<void> {
  const want = [...addresses].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  let last: Lookup | undefined;
  await eventually(
    async () => {
      last = await nslookup(c, host, container, name, server);
      assert.deepEqual(last.addresses, want);
    },
    { timeoutMs: 30_000, intervalMs: 500, what: `${name} to resolve to ${want.join(' ')} from ${container} on ${host} (last: ${last?.output ?? ''})` },
  );
}

void describe('DNS on 3 hosts: containers, groups, services per tenant; unknown names forwarded upstream', { timeout: 900_000 }, () => {
  const cluster = useCluster({ hosts: 3 });
  const c = (): LocalCluster => cluster();
  let upstream: UpstreamDns | undefined;
  const ip: Record<string, string> = {};
  after(async () => {
    await upstream?.close();
  });

  void test('setup: two networks of the default tenant, one of tenant other, a group, a service, containers on every host, the upstream on h1', async () => {
    upstream = await startUpstreamDnsIn(c().hostState('h1').netns, UPSTREAM_IP, UPSTREAM_PORT, { [OUTSIDE_NAME]: OUTSIDE_IP }, path.join(c().layout.logDir, 'upstream-dns.log'));
    await c().netctl('h1', 'network', 'create', '-s', '10.71.1.0/24', '-g', '10.71.1.254', 'dns-net');
    await c().netctl('h1', 'network', 'create', '-s', '10.71.2.0/24', '-g', '10.71.2.254', 'dns-net2');
    await c().netctl('h1', 'tenant', 'create', 'other');
    await c().netctl('h1', 'network', 'create', '-t', 'other', '-s', '10.71.1.0/24', '-g', '10.71.1.254', 'dns-net');
    await c().netctl('h1', 'group', 'create', 'dns-net', 'dnsweb');
    await c().netctl('h1', 'service', 'create', '-t', 'default', '-network', 'dns-net', '-ip', VIP, '-selector', 'app=dnsweb', '-port', '80:80:TCP', 'dns-svc');
    ip['dn-a'] = await run(c(), 'h1', 'dns-net', 'dn-a');
    ip['dn-b'] = await run(c(), 'h2', 'dns-net', 'dn-b');
    ip['dn-c'] = await run(c(), 'h3', 'dns-net2', 'dn-c');
    ip['gw-1'] = await run(c(), 'h2', 'dnsweb', 'gw-1', '--label', 'app=dnsweb');
    ip['gw-2'] = await run(c(), 'h3', 'dnsweb', 'gw-2', '--label', 'app=dnsweb');
    // One name in two networks of the tenant.
    ip['dup@dns-net'] = await run(c(), 'h2', 'dns-net', 'dup');
    ip['dup@dns-net2'] = await run(c(), 'h3', 'dns-net2', 'dup');
    ip['secret-o'] = await run(c(), 'h3', 'dns-net/other', 'secret-o');
    ip['cli-o'] = await run(c(), 'h1', 'dns-net/other', 'cli-o');
    for (const h of HOSTS) ip[`cli-${h}`] = await run(c(), h, 'dns-net', `cli-${h}`);
  });

  void test('from every host: a container on another host and one on another network of the tenant', async () => {
    const remote: Record<string, string> = { h1: 'dn-b', h2: 'dn-a', h3: 'dn-a' };
    for (const h of HOSTS) {
      const name = remote[h] as string;
      await resolvesTo(c(), h, `cli-${h}`, name, [ip[name] as string]);
      await resolvesTo(c(), h, `cli-${h}`, 'dn-c', [ip['dn-c'] as string]);
    }
  });

  void test('from every host: the group name gives its endpoints on two hosts, the service name its VIP', async () => {
    for (const h of HOSTS) {
      await resolvesTo(c(), h, `cli-${h}`, 'dnsweb', [ip['gw-1'] as string, ip['gw-2'] as string]);
      await resolvesTo(c(), h, `cli-${h}`, 'dns-svc', [VIP]);
    }
  });

  void test("a name in two networks of the tenant: the querier's own network's", async () => {
    for (const h of HOSTS) await resolvesTo(c(), h, `cli-${h}`, 'dup', [ip['dup@dns-net'] as string]);
    // From dns-net2, asking the agent itself (h3's engine would answer its own dup first).
    await resolvesTo(c(), 'h3', 'dn-c', 'dup', [ip['dup@dns-net2'] as string], AGENT);
    await resolvesTo(c(), 'h1', 'cli-h1', 'dup', [ip['dup@dns-net'] as string], AGENT);
  });

  void test("another tenant's names never resolve; that tenant's own containers resolve them", async () => {
    await resolvesTo(c(), 'h1', 'cli-o', 'secret-o', [ip['secret-o'] as string]);
    for (const h of HOSTS) {
      const r = await nslookup(c(), h, `cli-${h}`, 'secret-o');
      assert.equal(r.status, 'NXDOMAIN', `${h}: ${r.output}`);
      const direct = await nslookup(c(), h, `cli-${h}`, 'secret-o', AGENT);
      assert.equal(direct.status, 'NXDOMAIN', `${h}, asking the agent: ${direct.output}`);
    }
    const other = await nslookup(c(), 'h1', 'cli-o', 'dn-a', AGENT);
    assert.equal(other.status, 'NXDOMAIN', other.output);
    // Not answered by the agents: forwarded, and the upstream said NXDOMAIN.
    assert.ok((upstream?.queries() ?? []).some((q) => q.name === 'secret-o'), JSON.stringify(upstream?.queries()));
  });

  void test("a name nobody in the cluster has: the hosts' upstream resolver answers it, through each host's agent", async () => {
    const before = upstream?.queries().length ?? 0;
    for (const h of HOSTS) await resolvesTo(c(), h, `cli-${h}`, OUTSIDE_NAME, [OUTSIDE_IP]);
    const asked = (upstream?.queries() ?? []).slice(before).filter((q) => q.name === OUTSIDE_NAME);
    const from = new Set(asked.map((q) => q.from.split(':')[0]));
    assert.deepEqual([...from].sort(), HOSTS.map((_, i) => underlayIp(i + 1)), `each host's agent asked: ${JSON.stringify(asked)}`);
  });
});
