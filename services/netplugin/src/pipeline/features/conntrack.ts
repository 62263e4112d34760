/**
 * Conntrack around the policy tables. Every IP and IPv6 packet is looked up
 * in the connection tracker, in a zone per network (so two tenants' equal
 * addresses are different connections), whether or not a policy applies:
 * a connection that started before its group got a policy is then still
 * known, and its replies keep passing when the policy arrives.
 *
 * Replies of committed connections and related packets (ICMP errors) skip
 * the rules; a connection's original direction is decided on every packet,
 * so a rule that denies it stops it at once. Packets that pass the rules are
 * committed. The lookup applies NAT (ct(nat)): serviceLB connections
 * (features/service-lb.ts) are translated in both directions. Packets that
 * are not replies go through the serviceLB tables before the policy ones.
 */
import { flow, type MatchBuilder } from '@contiv/openflow';
import type { DesiredState } from '../desired-state';
import { GATEWAY_MAC } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, FromLocalMark, NetworkIdField, Priority, makeCookie } from '../framework';
import { DNS_PORT } from './dns-interceptor';
import { ConntrackCommitTable, ConntrackStateTable, ConntrackZoneTable, L2ForwardingTable, ServiceLbTable } from '../tables';

type MatchFn = (m: MatchBuilder) => MatchBuilder;
/** ICMPv6 router solicitation/advertisement, neighbor solicitation/advertisement. */
const ND_TYPES = [133, 134, 135, 136] as const;
const IP_VERSIONS: readonly MatchFn[] = [(m) => m.ip(), (m) => m.ipv6()];

export const conntrackFeature: Feature = {
  name: 'conntrack',
  requiredTables: [ConntrackZoneTable, ConntrackStateTable, ConntrackCommitTable],
  flows(_state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const cookie = makeCookie(ctx.round, CookieCategory.Pipeline, 0);
    return [
      {
        key: 'zone',
        flows: [
          // DNS to the gateway is answered by this agent (dns-interceptor): policy is about containers' traffic, not this.
          flow(ConntrackZoneTable.id, Priority.High)
            .cookie(makeCookie(ctx.round, CookieCategory.Dns, 0))
            .match((m) => m.udp().regMark(FromLocalMark).ethDst(GATEWAY_MAC).udpDst(DNS_PORT))
            .gotoTable(L2ForwardingTable.id)
            .build(),
          // IPv6 neighbor and router discovery is IPv6's ARP: never subject to policy, or a deny-all would cut IPv6 off.
          ...ND_TYPES.map((type) =>
            flow(ConntrackZoneTable.id, Priority.High)
              .cookie(cookie)
              .match((m) => m.icmp6().icmpType(type))
              .gotoTable(L2ForwardingTable.id)
              .build(),
          ),
          ...IP_VERSIONS.map((ip) =>
            flow(ConntrackZoneTable.id, Priority.Normal)
              .cookie(cookie)
              .match(ip)
              // nat: packets of serviceLB connections get their translation (replies back to the VIP, the rest to the backend).
              .actions((a) => a.ct({ table: ConntrackStateTable.id, zone: NetworkIdField, nat: true }))
              .build(),
          ),
          // ARP and anything else that is not IP: no connections, no policy.
          flow(ConntrackZoneTable.id, Priority.Miss).cookie(cookie).gotoTable(L2ForwardingTable.id).build(),
        ],
      },
      {
        key: 'state',
        flows: [
          flow(ConntrackStateTable.id, Priority.High)
            .cookie(cookie)
            .match((m) => m.ctState('+trk+est+rpl'))
            .gotoTable(L2ForwardingTable.id)
            .build(),
          flow(ConntrackStateTable.id, Priority.Normal)
            .cookie(cookie)
            .match((m) => m.ctState('+trk+rel'))
            .gotoTable(L2ForwardingTable.id)
            .build(),
          flow(ConntrackStateTable.id, Priority.Miss).cookie(cookie).gotoTable(ServiceLbTable.id).build(),
        ],
      },
      {
        key: 'commit',
        flows: [
          ...IP_VERSIONS.map((ip) =>
            flow(ConntrackCommitTable.id, Priority.Normal)
              .cookie(cookie)
              .match(ip)
              .actions((a) => a.ct({ commit: true, zone: NetworkIdField }))
              .gotoTable(L2ForwardingTable.id)
              .build(),
          ),
          flow(ConntrackCommitTable.id, Priority.Miss).cookie(cookie).gotoTable(L2ForwardingTable.id).build(),
        ],
      },
    ];
  },
};
