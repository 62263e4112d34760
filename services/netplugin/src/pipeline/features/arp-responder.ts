/**
 * ARP responder: a local endpoint's ARP request for an address we know in its
 * network (a local or remote endpoint, or the gateway) is answered on the
 * spot, so ARP never crosses the fabric. Unknown targets fall through
 * (conntrack and policy let ARP by) to L2Forwarding and, being broadcast, to
 * Flood (local ports only).
 */
import type { Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredNetwork, DesiredState } from '../desired-state';
import { GATEWAY_MAC, indexState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, NetworkIdField, Priority, lazyObjectFlows, makeCookie, objectIdOf } from '../framework';
import { ArpResponderTable, ConntrackZoneTable } from '../tables';

const ARP_REQUEST = 1;
const ARP_REPLY = 2;

/** Turns a request for `ip` into the reply from `mac` and sends it back where it came from. */
export function arpReplyFlow(net: DesiredNetwork, ip: string, mac: string, cookie: bigint): Flow {
  return flow(ArpResponderTable.id, Priority.Normal)
    .cookie(cookie)
    .match((m) => m.arp().regField(NetworkIdField, net.localId).arpOp(ARP_REQUEST).arpTpa(ip))
    .actions((a) =>
      a
        .move('eth_src', 'eth_dst')
        .setField('eth_src', mac)
        .setField('arp_op', ARP_REPLY)
        .move('arp_sha', 'arp_tha')
        .move('arp_spa', 'arp_tpa')
        .setField('arp_sha', mac)
        .setField('arp_spa', ip)
        .inPort(),
    )
    .build();
}

export const arpResponderFeature: Feature = {
  name: 'arp-responder',
  requiredTables: [ArpResponderTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const { networks } = indexState(state);
    const out: ObjectFlows[] = [];
    for (const ep of state.localEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined) continue;
      out.push(lazyObjectFlows(`endpoint:${ep.endpointId}`, ctx, [net, ep.ip, ep.mac, ep.ofport], () => [arpReplyFlow(net, ep.ip, ep.mac, makeCookie(ctx.round, CookieCategory.LocalEndpoint, ep.ofport))]));
    }
    for (const ep of state.remoteEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined) continue;
      out.push(
        lazyObjectFlows(`remote:${ep.endpointId}`, ctx, [net, ep.ip, ep.mac], () => [arpReplyFlow(net, ep.ip, ep.mac, makeCookie(ctx.round, CookieCategory.RemoteEndpoint, objectIdOf(ep.endpointId)))]),
      );
    }
    for (const net of state.networks) {
      if (net.gateway === '') continue;
      out.push({ key: `network:${net.key}`, flows: [arpReplyFlow(net, net.gateway, GATEWAY_MAC, makeCookie(ctx.round, CookieCategory.Network, net.localId))] });
    }
    out.push({
      key: 'miss',
      flows: [flow(ArpResponderTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).gotoTable(ConntrackZoneTable.id).build()],
    });
    return out;
  },
};
