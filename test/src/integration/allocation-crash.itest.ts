/**
 * Issue 6, allocation correctness across crashes: netplugin (real OVS, etcd,
 * netmaster, shim; Docker's calls made on the plugin socket in Docker's order,
 * Docker's own view served by a fake engine) reconciles the store, Docker and
 * OVS at startup and every second (--reconcile-interval 1), and nothing a
 * crash window leaves behind stays: no address key, endpoint record, OVS port
 * or veth that nothing uses.
 *
 *  - the agent killed between RequestAddress and CreateEndpoint;
 *  - a container's OVS port removed behind the agent's back (restored while
 *    Docker has the container; everything freed once Docker no longer does);
 *  - the endpoint record deleted behind the agent's back, then the container
 *    gone while the agent was down;
 *  - a container Docker removed while the agent was down (record and port left).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { endpointKey, endpointPrefix, ipAllocationCodec, ipAllocKey, ipAllocPrefix, networkStateCodec, networkStateKey } from '@contiv/model';
import { eventually } from '../harness/eventually';
import { startFakeDockerEngine, type FakeDockerEngine } from './fake-docker-engine';
import { BRIDGE, startAgentRig, type AgentRig } from './netplugin-rig';

const POOL_ID = 'default/contiv-net|100.1.1.0/24';
const ep = (n: number): string => `${String(n).repeat(12)}`.padEnd(64, 'c');
const hostVeth = (id: string): string => `cvh${id.slice(0, 12)}`;

void describe('crash windows between allocation and use leave nothing behind', { timeout: 180_000 }, () => {
  let rig: AgentRig;
  let docker: FakeDockerEngine;
  let dir: string;
  let nid = '';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alc-'));
    // The rig's host name is made inside startAgentRig; the engine's Name only has to be stable.
    docker = await startFakeDockerEngine(path.join(dir, 'docker.sock'), 'crash-host');
    rig = await startAgentRig({ dockerHost: `unix://${docker.socketPath}`, netpluginArgs: ['--reconcile-interval', '1'] });
    await rig.startNetplugin();
    await rig.startShim();
    await rig.netctlPost('/api/v1/networks/default:contiv-net/', { tenantName: 'default', networkName: 'contiv-net', subnet: '100.1.1.0/24', gateway: '100.1.1.100', encap: 'vxlan', nwType: 'data' });
    const state = await eventually(async () => {
      const e = await rig.store.get(networkStateKey('default', 'contiv-net'));
      if (!e) throw new Error('no network state yet');
      return networkStateCodec.decode(e.value);
    }, { what: 'the network state' });
    // Legacy mode: the agent makes the Docker network itself; Docker then calls the plugin for it.
    nid = await eventually(() => docker.network('contiv-net')?.Id ?? Promise.reject(new Error('no Docker network yet')), { timeoutMs: 30_000, what: 'the agent to create the Docker network' });
    await rig.ok('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '100.1.1.0/24', SubPool: '', Options: { tenant: 'default', network: 'contiv-net' }, V6: false });
    await rig.ok('/NetworkDriver.CreateNetwork', {
      NetworkID: nid,
      Options: { 'com.docker.network.generic': { tenant: 'default', network: 'contiv-net', encap: 'vxlan', 'pkt-tag': String(state.pktTag) } },
      IPv4Data: [{ AddressSpace: 'contiv-local', Gateway: '100.1.1.100/24', Pool: '100.1.1.0/24' }],
      IPv6Data: [],
    });
  });
  after(async () => {
    await rig?.stop();
    await docker?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const requestAddress = async (): Promise<string> => String((await rig.ok('/IpamDriver.RequestAddress', { PoolID: POOL_ID, Address: '', Options: null })).Address).split('/')[0] as string;
  const held = async (ip: string): Promise<string | undefined> => {
    const e = await rig.store.get(ipAllocKey('default', 'contiv-net', ip));
    return e ? ipAllocationCodec.decode(e.value).owner : undefined;
  };
  const ports = async (): Promise<string[]> => (await rig.ovs.vsctl('list-ports', BRIDGE)).split('\n').filter(Boolean);
  const linkExists = async (name: string): Promise<boolean> => (await rig.inNetns('ip', '-o', 'link', 'show')).includes(`${name}@`) || (await rig.inNetns('ip', '-o', 'link', 'show')).includes(`${name}:`);

  /** What dockerd does for `docker run --net`: address, endpoint, join; Docker then lists the endpoint. */
  async function attach(id: string): Promise<string> {
    const ip = await requestAddress();
    await rig.ok('/NetworkDriver.CreateEndpoint', { NetworkID: nid, EndpointID: id, Interface: { Address: `${ip}/24`, AddressIPv6: '', MacAddress: '' }, Options: {} });
    await rig.ok('/NetworkDriver.Join', { NetworkID: nid, EndpointID: id, SandboxKey: `/var/run/docker/netns/${id.slice(0, 12)}`, Options: {} });
    docker.addEndpoint(nid, id, `${ip}/24`);
    assert.equal(await held(ip), id);
    return ip;
  }

  /** Nothing of the endpoint (or address) is left: no key, no record, no port, no veth. */
  async function allGone(what: string, ip: string, id?: string): Promise<void> {
    await eventually(
      async () => {
        assert.equal(await held(ip), undefined, `address ${ip}`);
        if (id) {
          assert.equal(await rig.store.get(endpointKey(id)), undefined, 'endpoint record');
          assert.ok(!(await ports()).includes(hostVeth(id)), 'OVS port');
          assert.equal(await linkExists(hostVeth(id)), false, 'veth');
        }
      },
      { timeoutMs: 40_000, what },
    );
  }

  void test('the agent killed between allocating an address and creating the endpoint: the restarted agent frees it', async () => {
    const ip = await requestAddress();
    assert.match((await held(ip)) ?? '', new RegExp(`^pending:${rig.hostName}:`));
    await rig.killNetplugin();
    await rig.startNetplugin();
    await allGone('the orphaned pending address to be freed', ip);
  });

  void test("a container's OVS port removed behind the agent's back: restored while Docker has it, all freed once Docker does not", async () => {
    const id = ep(1);
    const ip = await attach(id);
    const tag = await rig.ovs.vsctl('get', 'port', hostVeth(id), 'tag');
    await rig.ovs.vsctl('del-port', BRIDGE, hostVeth(id));
    await eventually(async () => assert.equal(await rig.ovs.vsctl('get', 'port', hostVeth(id), 'tag'), tag), { timeoutMs: 30_000, what: 'the port to be restored' });
    assert.equal(await held(ip), id, 'the container keeps its address');

    // The container goes while the agent misses Docker's calls (its port lost again): nothing may stay.
    docker.removeEndpoint(nid, id);
    await rig.ovs.vsctl('del-port', BRIDGE, hostVeth(id));
    await allGone('record, address and veth of the vanished container to be freed', ip, id);
  });

  void test('the endpoint record deleted behind the agent’s back: kept in use while Docker has the container, freed after it went', async () => {
    const id = ep(2);
    const ip = await attach(id);
    await rig.store.delete(endpointKey(id));
    // Several passes (each lists Docker's networks): the container is still in Docker, so its port and address stay.
    const mark = docker.listings();
    await eventually(() => docker.listings() > mark + 3, { timeoutMs: 20_000, what: 'a few reconcile passes to run' });
    assert.ok((await ports()).includes(hostVeth(id)));
    assert.equal(await held(ip), id);

    // The container goes while the agent is down (Docker's DeleteEndpoint finds no agent).
    await rig.killNetplugin();
    docker.removeEndpoint(nid, id);
    await rig.startNetplugin();
    await allGone('port, veth and address of the container to be freed', ip, id);
  });

  void test('a container Docker removed while the agent was down: its port, veth, record and address are freed', async () => {
    const id = ep(3);
    const ip = await attach(id);
    await rig.killNetplugin();
    docker.removeEndpoint(nid, id);
    await rig.startNetplugin();
    await allGone('the endpoint Docker no longer has to be freed', ip, id);
  });

  void test('nothing leaked overall: no ipam key, no endpoint record, no port, no veth of ours', async () => {
    await eventually(
      async () => {
        assert.deepEqual((await rig.store.list(ipAllocPrefix('default', 'contiv-net'))).entries.map((e) => e.key), []);
        assert.deepEqual((await rig.store.list(endpointPrefix())).entries.map((e) => e.key), []);
        assert.deepEqual(await ports(), []);
        assert.ok(!/\bcvh[0-9a-f]{12}\b/.test(await rig.inNetns('ip', '-o', 'link', 'show')), 'no host-side veth of ours');
      },
      { timeoutMs: 30_000, what: 'a clean host' },
    );
  });
});
