/**
 * DNS interceptor: a local endpoint's UDP/53 query sent to the gateway MAC
 * (that is, to a resolver off the subnet, reached through the default route)
 * goes to the agent as a PACKET_IN; the agent's DnsService answers it with a
 * PACKET_OUT (services/netplugin/src/dns/). Docker's embedded DNS forwards the
 * names it does not know this way, so containers resolve the names of their
 * network's endpoints on other hosts too. A query to a resolver on the subnet
 * (a DNS server in a container of the network) has that container's MAC as
 * its destination and is forwarded as usual.
 */
import { flow } from '@contiv/openflow';
import { GATEWAY_MAC } from '../desired-state';
import type { DesiredState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, FromLocalMark, Priority, makeCookie } from '../framework';
import { L2ForwardingTable } from '../tables';

export const DNS_PORT = 53;

export const dnsInterceptorFeature: Feature = {
  name: 'dns-interceptor',
  requiredTables: [L2ForwardingTable],
  flows(_state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const punt = flow(L2ForwardingTable.id, Priority.High)
      .cookie(makeCookie(ctx.round, CookieCategory.Dns, 0))
      .match((m) => m.udp().regMark(FromLocalMark).ethDst(GATEWAY_MAC).udpDst(DNS_PORT))
      .actions((a) => a.controller())
      .build();
    return [{ key: 'dns', flows: [punt] }];
  },
};
