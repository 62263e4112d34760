/**
 * VLAN uplinks: the `iflist` interfaces, attached to the bridge as trunk ports
 * (no tag). VLAN networks leave and enter the host through them with their
 * VLAN id; VXLAN traffic does not use them (it rides the VTEP address).
 */
import type { PortSpec, PortView } from '@contiv/ovsdb-client';

export const EXT_UPLINK = 'contiv-uplink';

export function uplinkPortSpec(name: string): PortSpec {
  return { name, externalIds: { [EXT_UPLINK]: 'true' } };
}

/** The uplink ports to add and the ones to take off (no longer in iflist). */
export function planUplinkPorts(iflist: readonly string[], existing: readonly PortView[]): { readonly ensure: PortSpec[]; readonly remove: string[] } {
  const ensure = iflist.filter((name) => existing.find((p) => p.name === name)?.externalIds[EXT_UPLINK] !== 'true').map(uplinkPortSpec);
  const remove = existing.filter((p) => p.externalIds[EXT_UPLINK] === 'true' && !iflist.includes(p.name)).map((p) => p.name);
  return { ensure, remove };
}
