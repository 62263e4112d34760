/**
 * VXLAN tunnel ports: one per peer VTEP, `key=flow` so the pipeline picks the
 * VNI per packet (tun_id), on the UDP port of the `vxlan_port` setting.
 * Named `vx` + the peer address in hex: always 10 characters, where Contiv's
 * `vxif<address without dots>` can exceed Linux's 15-character names.
 */
import type { PortSpec, PortView } from '@contiv/ovsdb-client';

export const EXT_TUNNEL_PEER = 'contiv-tunnel-peer';

export function tunnelPortName(vtepIp: string): string {
  return `vx${vtepIp
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('')}`;
}

export function tunnelPortSpec(vtepIp: string, vxlanPort: number): PortSpec {
  return {
    name: tunnelPortName(vtepIp),
    type: 'vxlan',
    options: { remote_ip: vtepIp, key: 'flow', dst_port: String(vxlanPort) },
    externalIds: { [EXT_TUNNEL_PEER]: vtepIp },
  };
}

/** Is this one of the tunnel ports the agent manages? */
export function isTunnelPort(port: PortView): boolean {
  return port.externalIds[EXT_TUNNEL_PEER] !== undefined;
}

/** The tunnel ports to add (or update) and the ones to delete so that exactly `peers` have one. */
export function planTunnelPorts(
  peers: ReadonlySet<string>,
  existing: readonly PortView[],
  vxlanPort: number,
): { readonly ensure: PortSpec[]; readonly remove: string[] } {
  const ensure: PortSpec[] = [];
  const wanted = new Set<string>();
  for (const ip of [...peers].sort()) {
    const spec = tunnelPortSpec(ip, vxlanPort);
    wanted.add(spec.name);
    const have = existing.find((p) => p.name === spec.name);
    const iface = have?.interfaces[0];
    const upToDate =
      have !== undefined &&
      iface !== undefined &&
      iface.type === 'vxlan' &&
      Object.entries(spec.options ?? {}).every(([k, v]) => iface.options[k] === v) &&
      have.externalIds[EXT_TUNNEL_PEER] === ip;
    if (!upToDate) ensure.push(spec);
  }
  const remove = existing.filter((p) => isTunnelPort(p) && !wanted.has(p.name)).map((p) => p.name);
  return { ensure, remove };
}
