/**
 * Classifier: which network a packet belongs to, decided by where it entered.
 * Local ports by ofport, tunnels by VNI (only VXLAN ports set a non-zero
 * tun_id, so one flow per network serves every tunnel), uplinks by VLAN id.
 */
import type { Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredState } from '../desired-state';
import { indexState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, FromLocalMark, FromTunnelMark, FromUplinkMark, NetworkIdField, Priority, SrcGroupField, lazyObjectFlows, makeCookie } from '../framework';
import { ClassifierTable, ConntrackZoneTable, EgressQosTable } from '../tables';

export const classifierFeature: Feature = {
  name: 'classifier',
  requiredTables: [ClassifierTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const { networks } = indexState(state);
    const out: ObjectFlows[] = [];
    for (const ep of state.localEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined) continue;
      out.push(
        lazyObjectFlows(`endpoint:${ep.endpointId}`, ctx, [ep.ofport, net.localId, ep.groupId], () => [
          flow(ClassifierTable.id, Priority.Normal)
            .cookie(makeCookie(ctx.round, CookieCategory.LocalEndpoint, ep.ofport))
            .match((m) => m.inPort(ep.ofport))
            .actions((a) => {
              const marked = a.loadRegMark(FromLocalMark).load(NetworkIdField, net.localId);
              return ep.groupId > 0 ? marked.load(SrcGroupField, ep.groupId) : marked;
            })
            .gotoTable(EgressQosTable.id)
            .build(),
        ]),
      );
    }
    for (const net of state.networks) {
      const cookie = makeCookie(ctx.round, CookieCategory.Network, net.localId);
      const flows: Flow[] = [];
      if (net.encap === 'vxlan') {
        // Remote hosts answer ARP themselves, so tunnel traffic skips ArpResponder.
        flows.push(
          flow(ClassifierTable.id, Priority.Normal)
            .cookie(cookie)
            .match((m) => m.tunnelId(net.vni))
            .actions((a) => a.loadRegMark(FromTunnelMark).load(NetworkIdField, net.localId))
            .gotoTable(ConntrackZoneTable.id)
            .build(),
        );
      } else {
        for (const uplink of state.uplinkOfports) {
          flows.push(
            flow(ClassifierTable.id, Priority.Normal)
              .cookie(cookie)
              .match((m) => m.inPort(uplink).vlanVid(net.vlan))
              .actions((a) => a.popVlan().loadRegMark(FromUplinkMark).load(NetworkIdField, net.localId))
              .gotoTable(ConntrackZoneTable.id)
              .build(),
          );
        }
      }
      if (flows.length > 0) out.push({ key: `network:${net.key}`, flows });
    }
    out.push({
      key: 'miss',
      flows: [flow(ClassifierTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).build()],
    });
    return out;
  },
};
