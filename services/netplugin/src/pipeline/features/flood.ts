/**
 * Flood: broadcast and unknown unicast. From a local port they go to the
 * network's other local ports and to every other host (each VXLAN tunnel with
 * the network's VNI, or the uplink tagged with its VLAN); from a tunnel or an
 * uplink, to the local ports only (split horizon: a host never relays between
 * two others). The fabric copy covers the moments when a peer's endpoint is
 * not in this host's store mirror yet: an endpoint created on h2 a few
 * milliseconds ago is unknown on h1, and without it h1's ARP request for it,
 * or h1's reply to its first packet, would die here. Two flows per network, so
 * flows stay O(networks).
 */
import type { ActionBuilder, Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredNetwork, DesiredState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, FromLocalMark, NetworkIdField, Priority, makeCookie } from '../framework';
import { FloodTable } from '../tables';

/** The fabric outputs of a network's flood: after the local ports, since push_vlan would tag those too. */
function toFabric(a: ActionBuilder, net: DesiredNetwork, tunnels: readonly number[], uplink: number | undefined): ActionBuilder {
  if (net.encap === 'vxlan') {
    if (tunnels.length === 0) return a;
    return tunnels.reduce((acc, port) => acc.output(port), a.setField('tunnel_id', net.vni));
  }
  return uplink === undefined ? a : a.pushVlan().setVlanVid(net.vlan).output(uplink);
}

export const floodFeature: Feature = {
  name: 'flood',
  requiredTables: [FloodTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const out: ObjectFlows[] = [];
    const portsByNetwork = new Map<string, number[]>();
    for (const ep of state.localEndpoints) {
      const ports = portsByNetwork.get(ep.network) ?? [];
      ports.push(ep.ofport);
      portsByNetwork.set(ep.network, ports);
    }
    const tunnels = state.remoteHosts.flatMap((h) => (h.tunnelOfport === undefined ? [] : [h.tunnelOfport])).sort((a, b) => a - b);
    const uplink = state.uplinkOfports[0];
    for (const net of state.networks) {
      const ports = (portsByNetwork.get(net.key) ?? []).sort((a, b) => a - b);
      // Nothing local sends into the network, and nothing from the fabric has a local receiver.
      if (ports.length === 0) continue;
      const cookie = makeCookie(ctx.round, CookieCategory.Network, net.localId);
      const toLocal = (a: ActionBuilder): ActionBuilder => ports.reduce((acc, port) => acc.output(port), a);
      const fromLocal: Flow = flow(FloodTable.id, Priority.Normal)
        .cookie(cookie)
        .match((m) => m.regMark(FromLocalMark).regField(NetworkIdField, net.localId))
        .actions((a) => toFabric(toLocal(a), net, tunnels, uplink))
        .build();
      const fromFabric: Flow = flow(FloodTable.id, Priority.Low)
        .cookie(cookie)
        .match((m) => m.regField(NetworkIdField, net.localId))
        .actions(toLocal)
        .build();
      out.push({ key: `network:${net.key}`, flows: [fromLocal, fromFabric] });
    }
    out.push({ key: 'miss', flows: [flow(FloodTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).build()] });
    return out;
  },
};
