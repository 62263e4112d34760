/**
 * Container MTU from the host (contiv/netplugin PR #1132: a hard-coded 1450
 * broke hosts with 1460-byte uplinks): the smallest uplink MTU (the iflist, else
 * the default route's device, else 1500), minus the VXLAN overhead on vxlan networks.
 */
import type { Encap } from '@contiv/model';
import type { LinkOps } from './link-ops';

export const DEFAULT_UPLINK_MTU = 1500;
/** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
export const MIN_MTU = 1280;

export async function detectUplinkMtu(links: LinkOps, iflist: readonly string[]): Promise<number> {
  const names = iflist.length > 0 ? iflist : [await links.defaultRouteDevice()].filter((n): n is string => n !== undefined);
  const mtus: number[] = [];
  for (const n of names) {
    const m = await links.linkMtu(n);
    if (m !== undefined) mtus.push(m);
  }
  return mtus.length > 0 ? Math.min(...mtus) : DEFAULT_UPLINK_MTU;
}

export function endpointMtu(uplinkMtu: number, encap: Encap): number {
  return Math.max(MIN_MTU, encap === 'vxlan' ? uplinkMtu - VXLAN_OVERHEAD : uplinkMtu);
}
