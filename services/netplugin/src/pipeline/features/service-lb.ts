/**
 * serviceLB (docs/service-lb.md): connections from local endpoints to a
 * service's VIP and port are balanced across its providers by an OpenFlow
 * select group and destination-NATed by conntrack on the client's host, so
 * the packet that crosses the fabric already carries the backend's address
 * and the policy tables after this decide on the backend (its group's `in`
 * rules on its host, the client's `out` rules here). Replies are un-NATed by
 * ConntrackZone's ct(nat).
 *
 *   ArpResponder   VIP -> GATEWAY_MAC (the client sends to the VIP like to a router)
 *   ServiceLB      +new, ip_dst=VIP, proto, port: provider port -> reg5, group:<service>
 *                  anything else to the VIP: drop (no providers, unknown port, ICMP)
 *   group          select, one bucket per provider: backend IP -> reg4, resubmit(,ServiceDnat)
 *   ServiceDnat    reg4=IP, reg5=port, proto: eth_dst=MAC, ct(commit,nat(dst=IP:port),table=ServiceDstMac)
 *   ServiceDstMac  +dnat-rpl, ip_dst=backend: eth_dst=MAC; then SrcGroup
 *
 * Providers are the endpoints of the service's network whose labels match
 * every selector (@contiv/model serviceProviders) and that this host can
 * reach: local ones, and remote ones whose tunnel (or uplink) exists.
 */
import { flow, type Bucket, type MatchBuilder } from '@contiv/openflow';
import type { ServicePort } from '@contiv/model';
import type { DesiredNetwork, DesiredService, DesiredServiceProvider, DesiredState } from '../desired-state';
import { GATEWAY_MAC, indexState } from '../desired-state';
import type { DesiredGroup, Feature, FeatureContext, ObjectFlows } from '../framework';
import {
  CookieCategory,
  FromLocalMark,
  NetworkIdField,
  Priority,
  ServiceBackendIpField,
  ServiceBackendPortField,
  lazyObjectFlows,
  makeCookie,
  makeGroupId,
  objectIdOf,
} from '../framework';
import { ServiceDnatTable, ServiceDstMacTable, ServiceLbTable, SrcGroupTable } from '../tables';
import { arpReplyFlow } from './arp-responder';

const protoMatch = (m: MatchBuilder, proto: ServicePort['protocol']): MatchBuilder => (proto === 'tcp' ? m.tcp() : m.udp());
const dstPort = (m: MatchBuilder, proto: ServicePort['protocol'], port: number): MatchBuilder => (proto === 'tcp' ? m.tcpDst(port) : m.udpDst(port));

/** An IPv4 address as the 32-bit number reg4 carries. */
function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/**
 * A host-local group index (1..65535) per service: a hash of its key, probed
 * to be unique among the services of this state (sorted, so every reconcile
 * of the same set agrees).
 */
export function serviceGroupIndexes(services: readonly DesiredService[]): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const key of services.map((s) => s.key).sort()) {
    let idx = (objectIdOf(key) % 0xffff) + 1;
    while (used.has(idx)) idx = (idx % 0xffff) + 1;
    used.add(idx);
    out.set(key, idx);
  }
  return out;
}

interface Resolved {
  readonly svc: DesiredService;
  readonly net: DesiredNetwork;
  readonly groupId: number;
  readonly providers: readonly DesiredServiceProvider[];
}

/** The services of networks this host has, with the providers it can reach, and their group ids. */
function resolve(state: DesiredState, round: number): Resolved[] {
  const services = state.services ?? [];
  if (services.length === 0) return [];
  const { networks, hosts } = indexState(state);
  const local = new Set(state.localEndpoints.map((e) => e.endpointId));
  const remote = new Map(state.remoteEndpoints.map((e) => [e.endpointId, e]));
  const reachable = (p: DesiredServiceProvider, net: DesiredNetwork): boolean => {
    if (local.has(p.endpointId)) return true;
    const r = remote.get(p.endpointId);
    if (r === undefined) return false;
    return net.encap === 'vxlan' ? hosts.get(r.host)?.tunnelOfport !== undefined : state.uplinkOfports.length > 0;
  };
  const indexes = serviceGroupIndexes(services);
  const out: Resolved[] = [];
  for (const svc of services) {
    const net = networks.get(svc.network);
    if (net === undefined) continue;
    out.push({ svc, net, groupId: makeGroupId(round, indexes.get(svc.key) ?? 1), providers: svc.providers.filter((p) => reachable(p, net)) });
  }
  return out;
}

function serviceFlows(r: Resolved, ctx: FeatureContext): ObjectFlows {
  const { svc, net, groupId } = r;
  const cookie = makeCookie(ctx.round, CookieCategory.ServiceLb, objectIdOf(svc.key));
  return lazyObjectFlows(`service:${svc.key}`, ctx, [net, svc.vip, svc.ports, r.providers.length > 0, groupId], () => [
    arpReplyFlow(net, svc.vip, GATEWAY_MAC, cookie),
    // Only when there is a provider: a select group without buckets drops too, but this way the flow says so.
    ...(r.providers.length === 0
      ? []
      : svc.ports.map((p) =>
          flow(ServiceLbTable.id, Priority.Normal)
            .cookie(cookie)
            .match((m) => dstPort(protoMatch(m.regMark(FromLocalMark).regField(NetworkIdField, net.localId), p.protocol).ctState('+new+trk').ipv4Dst(svc.vip), p.protocol, p.servicePort))
            .actions((a) => a.load(ServiceBackendPortField, p.providerPort).group(groupId))
            .build(),
        )),
    // Whatever else reaches the VIP has nowhere to go.
    flow(ServiceLbTable.id, Priority.Low)
      .cookie(cookie)
      .match((m) => m.ip().regField(NetworkIdField, net.localId).ipv4Dst(svc.vip))
      .build(),
  ]);
}

/** Flows several services may share (the same backend and port): one object each, keyed by what they match. */
function backendFlows(resolved: readonly Resolved[], ctx: FeatureContext): ObjectFlows[] {
  const out = new Map<string, ObjectFlows>();
  for (const { svc, net, providers } of resolved) {
    for (const p of providers) {
      const cookie = makeCookie(ctx.round, CookieCategory.ServiceLb, objectIdOf(`${net.key}/${p.ip}`));
      const macKey = `mac:${net.localId}/${p.ip}`;
      if (!out.has(macKey)) {
        out.set(
          macKey,
          lazyObjectFlows(macKey, ctx, [p.mac], () => [
            flow(ServiceDstMacTable.id, Priority.Normal)
              .cookie(cookie)
              .match((m) => m.ip().regField(NetworkIdField, net.localId).ctState('+trk+dnat-rpl').ipv4Dst(p.ip))
              .actions((a) => a.setField('eth_dst', p.mac))
              .gotoTable(SrcGroupTable.id)
              .build(),
          ]),
        );
      }
      for (const port of svc.ports) {
        const dnatKey = `dnat:${net.localId}/${p.ip}/${port.protocol}/${port.providerPort}`;
        if (out.has(dnatKey)) continue;
        out.set(
          dnatKey,
          lazyObjectFlows(dnatKey, ctx, [p.mac], () => [
            flow(ServiceDnatTable.id, Priority.Normal)
              .cookie(cookie)
              .match((m) => protoMatch(m.regField(NetworkIdField, net.localId), port.protocol).regField(ServiceBackendIpField, ipv4Number(p.ip)).regField(ServiceBackendPortField, port.providerPort))
              .actions((a) =>
                a.setField('eth_dst', p.mac).ct({ commit: true, zone: NetworkIdField, table: ServiceDstMacTable.id, nat: { kind: 'dst', ip: p.ip, port: port.providerPort } }),
              )
              .build(),
          ]),
        );
      }
    }
  }
  return [...out.values()];
}

export const serviceLbFeature: Feature = {
  name: 'service-lb',
  requiredTables: [ServiceLbTable, ServiceDnatTable, ServiceDstMacTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const cookie = makeCookie(ctx.round, CookieCategory.Pipeline, 0);
    const resolved = resolve(state, ctx.round);
    return [
      ...resolved.map((r) => serviceFlows(r, ctx)),
      ...backendFlows(resolved, ctx),
      {
        key: 'miss',
        flows: [
          flow(ServiceLbTable.id, Priority.Miss).cookie(cookie).gotoTable(ServiceDstMacTable.id).build(),
          // Only a bucket's resubmit leads here, always for a backend with a flow: a miss is a bug, dropped.
          flow(ServiceDnatTable.id, Priority.Miss).cookie(cookie).build(),
          flow(ServiceDstMacTable.id, Priority.Miss).cookie(cookie).gotoTable(SrcGroupTable.id).build(),
        ],
      },
    ];
  },
  groups(state: DesiredState, ctx: FeatureContext): DesiredGroup[] {
    return resolve(state, ctx.round)
      .filter((r) => r.providers.length > 0)
      .map((r) => ({
        groupId: r.groupId,
        groupType: 'select',
        buckets: r.providers.map(
          (p): Bucket => ({
            actions: [
              { type: 'load', dst: { field: 'reg4', ofs: 0, nBits: 32 }, value: BigInt(ipv4Number(p.ip)) },
              { type: 'resubmit', table: ServiceDnatTable.id },
            ],
          }),
        ),
      }));
  },
};
