/**
 * Flood: broadcast and unknown unicast go to the local ports of the packet's
 * network only (OVS skips the ingress port). One flow per network whose
 * actions list its local ports, so flows stay O(networks).
 */
import type { Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, NetworkIdField, Priority, makeCookie } from '../framework';
import { FloodTable } from '../tables';

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
    for (const net of state.networks) {
      const ports = (portsByNetwork.get(net.key) ?? []).sort((a, b) => a - b);
      if (ports.length === 0) continue;
      const f: Flow = flow(FloodTable.id, Priority.Normal)
        .cookie(makeCookie(ctx.round, CookieCategory.Network, net.localId))
        .match((m) => m.regField(NetworkIdField, net.localId))
        .actions((a) => ports.reduce((acc, port) => acc.output(port), a))
        .build();
      out.push({ key: `network:${net.key}`, flows: [f] });
    }
    out.push({ key: 'miss', flows: [flow(FloodTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).build()] });
    return out;
  },
};
