/**
 * "Containers" for pipeline tests without Docker: each one a network
 * namespace whose eth0 is a veth into a netdev bridge of a private
 * ovs-vswitchd (harness/ovs.ts), and the two-tenant desired state the
 * pipeline tests program on it (blue and red, one subnet).
 */
import type { OpenFlowBridge } from '@contiv/openflow';
import type { DesiredState } from '../../../services/netplugin/lib/pipeline/index';
import { eventually } from './eventually';
import { run } from './exec';
import type { Ovs } from './ovs';

export interface RigEndpoint {
  readonly id: string;
  readonly ns: string;
  /** The bridge port (host side of the veth). */
  readonly port: string;
  readonly addr: string;
  readonly mac: string;
  /** Pipeline network key. */
  readonly network: string;
  /** Endpoint group id (policy); 0 or absent = no group. */
  readonly groupId?: number;
  /** An IPv6 address (/64) besides the IPv4 one. */
  readonly addr6?: string;
}

export const BLUE = 'blue/net';
export const RED = 'red/net';

const ip = (...args: string[]): Promise<unknown> => run('ip', args);

/** A bridge like the agent's: netdev, OpenFlow 1.3, fail_mode secure. */
export async function addPipelineBridge(ovs: Ovs, br: string): Promise<void> {
  await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
}

/**
 * Plugs each endpoint into `br` (addr/24 on eth0). With `gateway`, a default
 * route through it and TX checksum offload off, as the agent sets up a
 * container (the userspace datapath needs checksums done before OVS).
 */
export async function plugEndpoints(ovs: Ovs, br: string, eps: readonly RigEndpoint[], opts: { gateway?: string } = {}): Promise<void> {
  const ovsNs = ovs.netns as string;
  for (const h of eps) {
    await ip('netns', 'add', h.ns);
    await ip('-n', ovsNs, 'link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
    await ip('-n', ovsNs, 'link', 'set', h.port, 'up');
    await ip('-n', h.ns, 'link', 'set', 'eth0', 'address', h.mac);
    await ip('-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', 'eth0');
    if (h.addr6 !== undefined) await ip('-n', h.ns, '-6', 'addr', 'add', `${h.addr6}/64`, 'dev', 'eth0', 'nodad');
    await ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
    if (opts.gateway !== undefined) {
      await ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      await ip('-n', h.ns, 'route', 'add', 'default', 'via', opts.gateway);
      await run('ip', ['netns', 'exec', h.ns, 'ethtool', '-K', 'eth0', 'tx', 'off']);
    }
    await ovs.vsctl('add-port', br, h.port);
  }
}

export async function unplugEndpoints(eps: readonly RigEndpoint[]): Promise<void> {
  for (const h of eps) await ip('netns', 'del', h.ns).catch(() => undefined);
}

/** The endpoints' ofports, once the switch reports every port. */
export function waitOfports(bridge: OpenFlowBridge, eps: readonly RigEndpoint[]): Promise<number[]> {
  return eventually(
    async () => {
      const list = await bridge.dumpPorts();
      const nums = eps.map((h) => list.find((p) => p.name === h.port)?.portNo);
      if (nums.some((n) => n === undefined)) throw new Error(`ports so far: ${list.map((p) => p.name).join(', ')}`);
      return nums as number[];
    },
    { timeoutMs: 10_000, what: 'the veth ports in PORT_DESC' },
  );
}

/** Blue (id 1, VNI 5001) and red (id 2, VNI 5002) sharing `gateway`'s subnet; the endpoints local. */
export function twoTenantState(eps: readonly RigEndpoint[], ofports: readonly number[], gateway: string): DesiredState {
  return {
    hostName: 'h1',
    networks: [
      { key: BLUE, encap: 'vxlan', vni: 5001, vlan: 0, gateway, localId: 1 },
      { key: RED, encap: 'vxlan', vni: 5002, vlan: 0, gateway, localId: 2 },
    ],
    localEndpoints: eps.map((h, i) => ({
      endpointId: h.id,
      ofport: ofports[i] as number,
      network: h.network,
      ip: h.addr,
      mac: h.mac,
      ipv6: h.addr6 ?? '',
      groupId: h.groupId ?? 0,
      bandwidthKbps: 0,
      burstKbits: 0,
      dscp: 0,
    })),
    remoteEndpoints: [],
    remoteHosts: [],
    uplinkOfports: [],
    policyRules: [],
  };
}
