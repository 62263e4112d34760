/**
 * Multi-host on a 3-host local cluster (deploy/local-cluster/cluster), with
 * real dockerds, the agents' OpenFlow pipeline and real packets: the seed's
 * legacy workflow across hosts (by address, by name, TCP), a VLAN network
 * over the hosts' uplinks, two tenants with one subnet, a removed container
 * leaving the other hosts' flows, and an agent restart that nobody notices.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { PAGE } from './support';

const BRIDGE = 'contivbr';

async function containerIp(c: LocalCluster, host: string, name: string): Promise<string> {
  const r = await c.docker(host, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
  const ip = r.stdout.trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, `${name} on ${host} has an address`);
  return ip;
}

/** The bridge's flows on a host, as ovs-ofctl prints them (table names included). */
async function flows(c: LocalCluster, host: string): Promise<string[]> {
  const r = await c.ofctl(host, '-O', 'OpenFlow13', '--names', 'dump-flows', BRIDGE);
  return r.stdout.split('\n').filter((l) => l.includes('table='));
}

/**
 * `netctl network create ...` on h1. netctl returns once every engine has the
 * Docker network, so `docker run --net` works anywhere right away.
 */
async function createNetwork(c: LocalCluster, args: readonly string[], dockerName: string): Promise<void> {
  await c.netctl('h1', 'network', 'create', ...args);
  for (const h of c.hostKeys()) {
    const names = (await c.docker(h, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n');
    assert.ok(names.includes(dockerName), `${dockerName} is in Docker on ${h} when netctl returns: ${names.join(' ')}`);
  }
}

/** Runs ping in a new container on `host`; returns its output (exit status 0 = at least one reply). */
async function pingFrom(c: LocalCluster, host: string, network: string, target: string, count = 3): Promise<string> {
  const r = await c.docker(host, 'run', '--rm', `--net=${network}`, 'busybox', 'ping', '-c', String(count), '-W', '2', target);
  return r.stdout;
}

void describe('multi-host: 3 hosts, VXLAN, VLAN, tenants, names', { timeout: 900_000 }, () => {
  const cluster = useCluster({ hosts: 3 });
  const c = (): LocalCluster => cluster();

  void test('the seed workflow across hosts: a network made once on h1, c1 on h1, `ping -c2 c1` from h3', async () => {
    await createNetwork(c(), ['contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100'], 'contiv-net');
    await c().docker('h1', 'run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
    const r = await c().docker('h3', 'run', '--rm', '--net=contiv-net', 'busybox', 'ping', '-c2', 'c1');
    assert.match(r.stdout, /2 packets transmitted, 2 packets received/, r.stdout);
  });

  void test('by address from every other host over VXLAN, first packet included', async () => {
    const ip = await containerIp(c(), 'h1', 'c1');
    for (const h of ['h2', 'h3']) {
      const out = await pingFrom(c(), h, 'contiv-net', ip);
      assert.match(out, /3 packets transmitted, 3 packets received/, `${h} -> c1: ${out}`);
    }
    // The packets crossed a VXLAN port: h1's tunnel classifier flow for the network's VNI counted them.
    const vxlan = (await flows(c(), 'h1')).filter((l) => l.includes('table=Classifier') && l.includes('tun_id='));
    assert.ok(vxlan.some((l) => !/n_packets=0,/.test(l)), `h1 counted tunnel packets:\n${vxlan.join('\n')}`);
  });

  void test("a container h1's agent has not heard of yet: c1's ARP request and its replies reach it through the flood over the tunnels", async () => {
    // With h1's agent stopped its bridge keeps its flows but learns nothing: the
    // moment right after a `docker run` elsewhere, before the store's news arrives, held open.
    const c1 = await containerIp(c(), 'h1', 'c1');
    await c().stop('h1', 'netplugin');
    try {
      const out = await pingFrom(c(), 'h2', 'contiv-net', c1);
      assert.match(out, /3 packets transmitted, 3 packets received/, `h2 -> c1 while h1 knows nothing of the h2 container: ${out}`);
    } finally {
      await c().start('h1', 'netplugin');
    }
    // The replies left h1 by its Flood flow from local ports, into the tunnels.
    const flood = (await flows(c(), 'h1')).filter((l) => l.includes('table=Flood') && l.includes('tun_id'));
    assert.equal(flood.length, 1, flood.join('\n'));
  });

  void test('TCP across hosts, by address and by name', async () => {
    await c().docker('h2', 'run', '-d', '--net=contiv-net', '--name=web2', 'busybox', 'httpd', '-f', '-p', '80');
    const ip = await containerIp(c(), 'h2', 'web2');
    const byIp = await c().docker('h3', 'run', '--rm', '--net=contiv-net', 'busybox', 'timeout', '15', 'wget', '-qO-', `http://${ip}/`);
    assert.match(byIp.stdout, new RegExp(PAGE));
    const byName = await c().docker('h1', 'exec', 'c1', 'timeout', '15', 'wget', '-qO-', 'http://web2/');
    assert.match(byName.stdout, new RegExp(PAGE));
  });

  void test('a VLAN network: containers on different hosts talk over the uplinks, tagged with the VLAN id', async () => {
    await createNetwork(c(), ['-e', 'vlan', '-p', '100', '-s', '100.2.1.0/24', '-g', '100.2.1.254', 'vlan-net'], 'vlan-net');
    await c().docker('h1', 'run', '-itd', '--net=vlan-net', '--name=v1', 'busybox', '/bin/sh');
    const ip = await containerIp(c(), 'h1', 'v1');
    const out = await pingFrom(c(), 'h2', 'vlan-net', ip);
    assert.match(out, /3 packets transmitted, 3 packets received/, out);
    // h1 received them on its uplink with VLAN 100 (the classifier pops the tag) and no VXLAN flow exists for this network.
    const h1 = await flows(c(), 'h1');
    const fromUplink = h1.filter((l) => l.includes('table=Classifier') && l.includes('dl_vlan=100'));
    assert.equal(fromUplink.length, 1, h1.join('\n'));
    assert.doesNotMatch(fromUplink[0] ?? '', /n_packets=0,/, 'packets arrived tagged on the uplink');
    const ifaces = await c().vsctl('h1', 'get', 'interface', 'eth1', 'statistics:rx_packets');
    assert.ok(Number(ifaces.stdout.trim()) > 0, 'eth1 (the uplink) received packets');
  });

  void test('two tenants with the same subnet: each reaches its own containers, never the other tenant', async () => {
    for (const t of ['blue', 'red']) {
      await c().netctl('h1', 'tenant', 'create', t);
      await createNetwork(c(), ['-t', t, '-s', '10.9.1.0/24', '-g', '10.9.1.254', 'tnet'], `tnet/${t}`);
    }
    // One server per tenant on h1; both get the first address of the subnet.
    for (const t of ['blue', 'red']) {
      await c().docker('h1', 'run', '-d', `--net=tnet/${t}`, `--name=srv-${t}`, 'busybox', 'sh', '-c', `echo ${t} > /tmp/i; httpd -f -p 80 -h /tmp`);
    }
    const blueIp = await containerIp(c(), 'h1', 'srv-blue');
    assert.equal(await containerIp(c(), 'h1', 'srv-red'), blueIp, 'both tenants gave out the same address');
    // One long-lived client per tenant on h2 (their addresses are taken, so none of them is the server's).
    for (const t of ['blue', 'red']) {
      await c().docker('h2', 'run', '-itd', `--net=tnet/${t}`, `--name=cli-${t}`, 'busybox', '/bin/sh');
      const r = await c().docker('h2', 'exec', `cli-${t}`, 'timeout', '15', 'wget', '-qO-', `http://${blueIp}/i`);
      assert.equal(r.stdout.trim(), t, `the ${t} client on h2 reached the ${t} server`);
    }
    // With red's server gone, its address answers nothing in red, even though blue's server has it.
    await c().docker('h1', 'rm', '-f', 'srv-red');
    const r = await c().exec('h2', ['docker', 'exec', 'cli-red', 'ping', '-c', '3', '-W', '1', blueIp], { allowFail: true });
    assert.notEqual(r.code, 0, `red reached ${blueIp} after its server left:\n${r.stdout}`);
    assert.match(r.stdout, /3 packets transmitted, 0 packets received/);
    assert.match((await c().docker('h2', 'exec', 'cli-blue', 'ping', '-c', '2', '-W', '2', blueIp)).stdout, /2 packets received/);
  });

  void test("a container removed on one host disappears from the other hosts' flows", async () => {
    await c().docker('h3', 'run', '-itd', '--net=contiv-net', '--name=gone3', 'busybox', '/bin/sh');
    const ip = await containerIp(c(), 'h3', 'gone3');
    const mentions = async (host: string): Promise<string[]> => (await flows(c(), host)).filter((l) => l.includes(`arp_tpa=${ip},`) || l.includes(`arp_tpa=${ip} `));
    for (const h of ['h1', 'h2']) await eventually(async () => (await mentions(h)).length > 0, { what: `${h} to answer ARP for ${ip}` });
    await c().docker('h3', 'rm', '-f', 'gone3');
    for (const h of ['h1', 'h2', 'h3']) {
      await eventually(async () => (await mentions(h)).length === 0, { what: `${h} to forget ${ip}` });
      const mac = `02:02:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`;
      assert.deepEqual((await flows(c(), h)).filter((l) => l.includes(mac)), [], `${h} has no flow for ${mac}`);
    }
  });

  void test("an agent restarted: other hosts keep talking to its containers, and its own containers keep talking", async () => {
    await c().docker('h2', 'run', '-itd', '--net=contiv-net', '--name=r2', 'busybox', '/bin/sh');
    await c().docker('h2', 'run', '-itd', '--net=contiv-net', '--name=r2b', 'busybox', '/bin/sh');
    const r2 = await containerIp(c(), 'h2', 'r2');
    const c1 = await containerIp(c(), 'h1', 'c1');
    // A steady ping from h1 across the restart of h2's agent: every packet is answered.
    const during = c().docker('h1', 'exec', 'c1', 'ping', '-c', '30', '-i', '0.2', '-W', '2', r2);
    await new Promise((r) => setTimeout(r, 1_000));
    const before = (await flows(c(), 'h2')).length;
    await c().restart('h2', 'netplugin');
    const out = (await during).stdout;
    assert.match(out, /30 packets transmitted, 30 packets received/, out);
    // After the restart, with nothing else changing: the same flows, all re-installed under the new run's cookie round.
    const round = Number((await c().vsctl('h2', 'get', 'bridge', BRIDGE, 'external_ids:contiv-flow-round')).stdout.trim().replace(/"/g, ''));
    await eventually(
      async () => {
        const now = await flows(c(), 'h2');
        const rounds = new Set(now.map((l) => Number(BigInt(/cookie=(0x[0-9a-f]+)/.exec(l)?.[1] ?? '0x0') >> 48n)));
        return now.length === before && rounds.size === 1 && rounds.has(round);
      },
      { what: `h2 to hold its ${before} flows again, all of round ${round}` },
    );
    // Traffic both ways, by name from a container that was there before (the DNS responder knows its port again), and locally.
    assert.match((await c().docker('h2', 'exec', 'r2', 'ping', '-c', '2', '-W', '2', 'c1')).stdout, /2 packets received/);
    assert.match((await c().docker('h2', 'exec', 'r2', 'ping', '-c', '2', '-W', '2', c1)).stdout, /2 packets received/);
    const r2b = await containerIp(c(), 'h2', 'r2b');
    assert.match((await c().docker('h2', 'exec', 'r2', 'ping', '-c', '2', '-W', '2', r2b)).stdout, /2 packets received/);
    // And a container started after the restart is reachable from another host.
    await c().docker('h2', 'run', '-itd', '--net=contiv-net', '--name=r2c', 'busybox', '/bin/sh');
    const out2 = await pingFrom(c(), 'h3', 'contiv-net', await containerIp(c(), 'h2', 'r2c'));
    assert.match(out2, /3 packets received/, out2);
  });
});
