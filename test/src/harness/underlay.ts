/**
 * The simulated physical network between hosts (ENVIRONMENT.md §1.1–1.4).
 *
 *   <prefix>-ul   Linux bridges br0 (data underlay) and br1 (VLAN uplinks), in a
 *                 namespace of their own: the root namespace's FORWARD DROP policy
 *                 (set by a system dockerd) would drop bridged frames.
 *   host N        eth0 <-> pN on br0, eth1 <-> qN on br1 (both veths).
 *                 In the host's OVS: bridge br-phy (netdev) owns eth0, and the
 *                 underlay address 192.168.250.(10+N)/24 sits on br-phy's internal
 *                 port, not on eth0: OVS's userspace VXLAN ("native tunnels")
 *                 routes only through an address on an OVS bridge
 *                 ("native tunnel routing failed" otherwise). eth1 has no address:
 *                 the agent takes it as its VLAN uplink (`--iflist eth1`).
 *
 * TX checksum offload is off on every interface here that carries TCP: the
 * userspace datapath does not complete partial checksums, so TCP would hang
 * while ping works.
 */
import type { RunResult } from './exec';
import { run, runInNetns } from './exec';

export const UNDERLAY_PREFIX = '192.168.250.';
export const UNDERLAY_PREFIX_LEN = 24;
/** OVS bridge (in each host's OVS) that owns eth0 and carries the host's underlay address. */
export const PHYS_BRIDGE = 'br-phy';
/** The host's data NIC (on br-phy) and its VLAN uplink NIC (given to the agent). */
export const DATA_NIC = 'eth0';
export const UPLINK_NIC = 'eth1';
/** Hosts are numbered 1..MAX_HOSTS: addresses 192.168.250.11 to .19 (the `1N` pattern). */
export const MAX_HOSTS = 9;

/** Underlay address of host `index` (1-based), without prefix length. */
export function underlayIp(index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > MAX_HOSTS) throw new Error(`host index ${index} is outside 1..${MAX_HOSTS}`);
  return `${UNDERLAY_PREFIX}${10 + index}`;
}

/** Creates the underlay namespace with its two bridges. */
export async function createUnderlay(netns: string): Promise<void> {
  await run('ip', ['netns', 'add', netns]);
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  for (const br of ['br0', 'br1']) {
    await run('ip', ['-n', netns, 'link', 'add', br, 'type', 'bridge']);
    await run('ip', ['-n', netns, 'link', 'set', br, 'up']);
  }
}

/** Plugs a host namespace into the underlay: eth0 on br0, eth1 on br1 (no addresses yet). */
export async function plugHost(underlay: string, index: number, hostNetns: string): Promise<void> {
  const pairs: [string, string, string][] = [
    [`p${index}`, DATA_NIC, 'br0'],
    [`q${index}`, UPLINK_NIC, 'br1'],
  ];
  for (const [outer, inner, bridge] of pairs) {
    await run('ip', ['-n', underlay, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', hostNetns]);
    await run('ip', ['-n', underlay, 'link', 'set', outer, 'master', bridge, 'up']);
    await txOff(hostNetns, inner);
    await run('ip', ['-n', hostNetns, 'link', 'set', inner, 'up']);
  }
}

/** Anything that runs ovs-vsctl against the host's OVS. */
export type Vsctl = (...args: string[]) => Promise<unknown>;

/**
 * Moves the host's underlay address onto br-phy: br-phy (netdev) in the host's
 * OVS owns eth0, and the address goes on br-phy's internal port.
 */
export async function configurePhysBridge(vsctl: Vsctl, hostNetns: string, index: number): Promise<void> {
  await vsctl('--may-exist', 'add-br', PHYS_BRIDGE, '--', 'set', 'bridge', PHYS_BRIDGE, 'datapath_type=netdev', '--', '--may-exist', 'add-port', PHYS_BRIDGE, DATA_NIC);
  // vswitchd creates the internal port's tap asynchronously.
  await waitForLink(hostNetns, PHYS_BRIDGE);
  await txOff(hostNetns, PHYS_BRIDGE);
  await run('ip', ['-n', hostNetns, 'addr', 'add', `${underlayIp(index)}/${UNDERLAY_PREFIX_LEN}`, 'dev', PHYS_BRIDGE]);
  await run('ip', ['-n', hostNetns, 'link', 'set', PHYS_BRIDGE, 'up']);
}

/**
 * After ovs-vswitchd restarts: br-phy's internal port (a tap the old vswitchd
 * made) may have been recreated without the underlay address. Puts it back, as
 * a host's network configuration would; resolves whether it had to.
 */
export async function ensurePhysAddress(hostNetns: string, index: number): Promise<boolean> {
  await waitForLink(hostNetns, PHYS_BRIDGE);
  const addr = await run('ip', ['-n', hostNetns, '-o', 'addr', 'show', 'dev', PHYS_BRIDGE], { allowFail: true });
  const up = await run('ip', ['-n', hostNetns, '-o', 'link', 'show', PHYS_BRIDGE], { allowFail: true });
  const hasAddr = addr.stdout.includes(` ${underlayIp(index)}/`);
  const isUp = /[<,]UP[,>]/.test(up.stdout);
  if (hasAddr && isUp) return false;
  await txOff(hostNetns, PHYS_BRIDGE);
  if (!hasAddr) await run('ip', ['-n', hostNetns, 'addr', 'add', `${underlayIp(index)}/${UNDERLAY_PREFIX_LEN}`, 'dev', PHYS_BRIDGE]);
  await run('ip', ['-n', hostNetns, 'link', 'set', PHYS_BRIDGE, 'up']);
  return true;
}

async function waitForLink(netns: string, link: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r: RunResult = await run('ip', ['-n', netns, 'link', 'show', link], { allowFail: true });
    if (r.code === 0) return;
    if (Date.now() > deadline) throw new Error(`${link} did not appear in ${netns}: ${r.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function txOff(netns: string, link: string): Promise<void> {
  await runInNetns(netns, 'ethtool', ['-K', link, 'tx', 'off']);
}
