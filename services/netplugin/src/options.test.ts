import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './options';

const noIp = (): string => '192.168.1.5';

void test('defaults follow Contiv', () => {
  const c = loadConfig([], {}, noIp);
  assert.equal(c.clusterStore, 'etcd://127.0.0.1:2379');
  assert.equal(c.controlUrl, ':9999');
  assert.equal(c.pluginMode, 'docker');
  assert.equal(c.bridge, 'contivbr');
  assert.equal(c.datapath, 'auto');
  assert.equal(c.agentSocket, '/run/contiv/netplugin.sock');
  assert.equal(c.driverName, 'netplugin');
  assert.equal(c.ovsdb, 'unix:/var/run/openvswitch/db.sock');
  assert.equal(c.dockerHost, 'unix:///var/run/docker.sock');
  assert.equal(c.ctrlIp, '192.168.1.5');
  assert.equal(c.vtepIp, '192.168.1.5');
  assert.equal(c.debug, false);
  assert.equal(c.vxlanPort, 8472);
  assert.equal(c.openflow, 'unix:/var/run/openvswitch/contivbr.mgmt');
});

void test('the OpenFlow endpoint follows the OVSDB socket and the bridge; vxlan_port from the env', () => {
  const c = loadConfig(['--ovsdb', 'unix:/tmp/h1/ovs/db.sock', '--bridge', 'br9'], { vxlan_port: '7789' }, noIp);
  assert.equal(c.openflow, 'unix:/tmp/h1/ovs/br9.mgmt');
  assert.equal(c.vxlanPort, 7789);
  assert.throws(() => loadConfig(['--vxlan-port', '70000'], {}, noIp), /--vxlan-port "70000"/);
  assert.throws(() => loadConfig([], { vxlan_port: 'x' }, noIp), /--vxlan-port "x"/);
});

void test('v2plugin env names, then flags on top', () => {
  const env = { cluster_store: 'etcd://10.0.0.1:2379', control_url: '10.0.0.1:9999', plugin_mode: 'swarm-mode', iflist: 'eth1, eth2', dbg_flag: '-debug', ctrl_ip: '10.0.0.5', CONTIV_HOSTNAME: 'node7' };
  const c = loadConfig(['--plugin-mode', 'docker', '--vtep-ip', '10.0.1.5'], env, noIp);
  assert.equal(c.clusterStore, 'etcd://10.0.0.1:2379');
  assert.equal(c.controlUrl, '10.0.0.1:9999');
  assert.equal(c.pluginMode, 'docker');
  assert.deepEqual(c.iflist, ['eth1', 'eth2']);
  assert.equal(c.debug, true);
  assert.equal(c.ctrlIp, '10.0.0.5');
  assert.equal(c.vtepIp, '10.0.1.5');
  assert.equal(c.hostName, 'node7');
  assert.ok(Object.isFrozen(c));
});

void test('every problem is reported at once', () => {
  assert.throws(
    () => loadConfig(['--plugin-mode', 'k8s', '--datapath', 'dpdk', '--bridge', 'a-very-long-bridge-name', '--agent-socket', 'rel.sock', '--ctrl-ip', '1.2.3'], {}, noIp),
    (e: Error) => ['--plugin-mode', '--datapath', '--bridge', '--agent-socket', '--ctrl-ip'].every((f) => e.message.includes(f)),
  );
  assert.throws(() => loadConfig(['--nope'], {}, noIp), /Unknown option/);
});

void test('--reconcile-interval: seconds, from the flag or CONTIV_RECONCILE_INTERVAL, at least 1', () => {
  assert.equal(loadConfig([], {}, noIp).reconcileIntervalMs, 60_000);
  assert.equal(loadConfig(['--reconcile-interval', '2'], {}, noIp).reconcileIntervalMs, 2_000);
  assert.equal(loadConfig([], { CONTIV_RECONCILE_INTERVAL: '5' }, noIp).reconcileIntervalMs, 5_000);
  assert.throws(() => loadConfig(['--reconcile-interval', '0'], {}, noIp), /--reconcile-interval "0" must be a whole number of seconds, at least 1/);
  assert.throws(() => loadConfig(['--reconcile-interval', '1.5'], {}, noIp), /--reconcile-interval "1\.5"/);
});

void test('--dns-upstream: the host resolv.conf by default, a list or none from the flag or dns_upstream, checked', () => {
  assert.deepEqual(loadConfig([], {}, noIp).dnsUpstream, { kind: 'resolv.conf' });
  assert.deepEqual(loadConfig(['--dns-upstream', 'none'], {}, noIp).dnsUpstream, { kind: 'none' });
  assert.deepEqual(loadConfig([], { dns_upstream: '192.168.250.11:5353' }, noIp).dnsUpstream, { kind: 'list', upstreams: [{ address: '192.168.250.11', port: 5353 }] });
  assert.deepEqual(loadConfig(['--dns-upstream', '10.0.0.2'], { dns_upstream: 'none' }, noIp).dnsUpstream, { kind: 'list', upstreams: [{ address: '10.0.0.2', port: 53 }] });
  assert.throws(() => loadConfig(['--dns-upstream', 'resolver.example'], {}, noIp), /--dns-upstream "resolver.example": "resolver.example" is not IP/);
  assert.throws(() => loadConfig([], { dns_upstream: '127.0.0.11' }, noIp), /embedded DNS/);
});
