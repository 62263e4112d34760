/**
 * L2 forwarding: destination MAC within the packet's network to a local port,
 * a VXLAN tunnel (tun_id = VNI) or the VLAN uplink (tagged). Only packets from
 * local ports go out to other hosts, so a host never relays between two others.
 */
import { flow, type FlowBuilder } from '@contiv/openflow';
import type { DesiredState } from '../desired-state';
import { indexState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, FromLocalMark, NetworkIdField, Priority, lazyObjectFlows, makeCookie, objectIdOf } from '../framework';
import { FloodTable, L2ForwardingTable } from '../tables';

export const l2ForwardingFeature: Feature = {
  name: 'l2-forwarding',
  requiredTables: [L2ForwardingTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const { networks, hosts } = indexState(state);
    const out: ObjectFlows[] = [];
    for (const ep of state.localEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined) continue;
      out.push(
        lazyObjectFlows(`endpoint:${ep.endpointId}`, ctx, [ep.ofport, net.localId, ep.mac], () => [
          flow(L2ForwardingTable.id, Priority.Normal)
            .cookie(makeCookie(ctx.round, CookieCategory.LocalEndpoint, ep.ofport))
            .match((m) => m.regField(NetworkIdField, net.localId).ethDst(ep.mac))
            .actions((a) => a.output(ep.ofport))
            .build(),
        ]),
      );
    }
    const uplink = state.uplinkOfports[0];
    for (const ep of state.remoteEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined) continue;
      const base = (): FlowBuilder =>
        flow(L2ForwardingTable.id, Priority.Normal)
          .cookie(makeCookie(ctx.round, CookieCategory.RemoteEndpoint, objectIdOf(ep.endpointId)))
          .match((m) => m.regMark(FromLocalMark).regField(NetworkIdField, net.localId).ethDst(ep.mac));
      if (net.encap === 'vxlan') {
        const port = hosts.get(ep.host)?.tunnelOfport;
        // No tunnel yet: the flow appears when the agent has the port's ofport.
        if (port === undefined) continue;
        out.push(lazyObjectFlows(`remote:${ep.endpointId}`, ctx, [net, ep.mac, port], () => [base().actions((a) => a.setField('tunnel_id', net.vni).output(port)).build()]));
      } else {
        if (uplink === undefined) continue;
        out.push(lazyObjectFlows(`remote:${ep.endpointId}`, ctx, [net, ep.mac, uplink], () => [base().actions((a) => a.pushVlan().setVlanVid(net.vlan).output(uplink)).build()]));
      }
    }
    out.push({
      key: 'miss',
      flows: [flow(L2ForwardingTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).gotoTable(FloodTable.id).build()],
    });
    return out;
  },
};
