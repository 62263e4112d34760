/**
 * Which groups a packet is between, for the rule tables. The sender's group
 * of local traffic comes with its port (Classifier); for traffic from other
 * hosts SrcGroup finds it by source address within the network. DstGroup
 * finds the receiver's group by destination address and marks receivers on
 * this host (ToLocalMark), whose `in` rules are decided here. One flow per
 * grouped endpoint and address family: flows grow with endpoints, and rules
 * match the group registers, never addresses of endpoints.
 */
import type { ActionBuilder, Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredNetwork, DesiredState } from '../desired-state';
import { indexState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, DstGroupField, FromLocalMark, NetworkIdField, Priority, SrcGroupField, ToLocalMark, lazyObjectFlows, makeCookie, objectIdOf } from '../framework';
import { DstGroupTable, EgressRuleTable, SrcGroupTable } from '../tables';

interface GroupedAddress {
  readonly net: DesiredNetwork;
  readonly ip: string;
  readonly ipv6: string;
  readonly groupId: number;
}

function srcGroupFlows(ep: GroupedAddress, cookie: bigint): Flow[] {
  const out = [
    flow(SrcGroupTable.id, Priority.Normal)
      .cookie(cookie)
      .match((m) => m.ip().regField(NetworkIdField, ep.net.localId).ipv4Src(ep.ip))
      .actions((a) => a.load(SrcGroupField, ep.groupId))
      .gotoTable(DstGroupTable.id)
      .build(),
  ];
  if (ep.ipv6) {
    out.push(
      flow(SrcGroupTable.id, Priority.Normal)
        .cookie(cookie)
        .match((m) => m.ipv6().regField(NetworkIdField, ep.net.localId).ipv6Src(ep.ipv6))
        .actions((a) => a.load(SrcGroupField, ep.groupId))
        .gotoTable(DstGroupTable.id)
        .build(),
    );
  }
  return out;
}

function dstGroupFlows(ep: GroupedAddress, local: boolean, cookie: bigint): Flow[] {
  const load = (a: ActionBuilder): ActionBuilder => {
    const withGroup = a.load(DstGroupField, ep.groupId);
    return local ? withGroup.loadRegMark(ToLocalMark) : withGroup;
  };
  const out = [
    flow(DstGroupTable.id, Priority.Normal)
      .cookie(cookie)
      .match((m) => m.ip().regField(NetworkIdField, ep.net.localId).ipv4Dst(ep.ip))
      .actions(load)
      .gotoTable(EgressRuleTable.id)
      .build(),
  ];
  if (ep.ipv6) {
    out.push(
      flow(DstGroupTable.id, Priority.Normal)
        .cookie(cookie)
        .match((m) => m.ipv6().regField(NetworkIdField, ep.net.localId).ipv6Dst(ep.ipv6))
        .actions(load)
        .gotoTable(EgressRuleTable.id)
        .build(),
    );
  }
  return out;
}

export const groupClassifierFeature: Feature = {
  name: 'group-classifier',
  requiredTables: [SrcGroupTable, DstGroupTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const { networks } = indexState(state);
    const out: ObjectFlows[] = [];
    for (const ep of state.localEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined || ep.groupId === 0) continue;
      out.push(lazyObjectFlows(`endpoint:${ep.endpointId}`, ctx, [net.localId, ep.ip, ep.ipv6, ep.groupId, ep.ofport], () => dstGroupFlows({ ...ep, net }, true, makeCookie(ctx.round, CookieCategory.LocalEndpoint, ep.ofport))));
    }
    for (const ep of state.remoteEndpoints) {
      const net = networks.get(ep.network);
      if (net === undefined || ep.groupId === 0) continue;
      out.push(
        lazyObjectFlows(`remote:${ep.endpointId}`, ctx, [net.localId, ep.ip, ep.ipv6, ep.groupId], () => {
          const cookie = makeCookie(ctx.round, CookieCategory.RemoteEndpoint, objectIdOf(ep.endpointId));
          return [...srcGroupFlows({ ...ep, net }, cookie), ...dstGroupFlows({ ...ep, net }, false, cookie)];
        }),
      );
    }
    const cookie = makeCookie(ctx.round, CookieCategory.Pipeline, 0);
    out.push({
      key: 'miss',
      flows: [
        // A local sender's group came with its port; an address must not override it.
        flow(SrcGroupTable.id, Priority.High).cookie(cookie).match((m) => m.regMark(FromLocalMark)).gotoTable(DstGroupTable.id).build(),
        flow(SrcGroupTable.id, Priority.Miss).cookie(cookie).gotoTable(DstGroupTable.id).build(),
        flow(DstGroupTable.id, Priority.Miss).cookie(cookie).gotoTable(EgressRuleTable.id).build(),
      ],
    });
    return out;
  },
};
