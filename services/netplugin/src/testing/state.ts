/** Store records for unit tests, written the way netmaster writes them. */
import { groupStateCodec, groupStateKey, networkStateCodec, networkStateKey, type GroupState, type NetworkState, type RuleState } from '@contiv/model';
import type { Store } from '@contiv/store';

export function networkState(p: Partial<NetworkState> & { networkName: string; subnet: string }): NetworkState {
  return {
    tenantName: 'default',
    nwType: 'data',
    encap: 'vxlan',
    pktTag: 1,
    extPktTag: 1,
    ipRange: '',
    gateway: '',
    ipv6Subnet: '',
    ipv6Gateway: '',
    networkTag: `${p.networkName}.${p.tenantName ?? 'default'}`,
    origin: 'contiv',
    ...p,
  };
}

export function groupState(p: Partial<GroupState> & { groupName: string; networkName: string }): GroupState {
  return { tenantName: 'default', groupId: 1, policies: [], ipPool: '', groupTag: `${p.groupName}.${p.tenantName ?? 'default'}`, netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0, ...p };
}

/** An `in` rule of the default tenant matching every packet, allow, priority 1, unless `p` says otherwise. */
export function ruleState(p: Partial<RuleState> & { policyName: string; ruleId: string }): RuleState {
  return {
    tenantName: 'default',
    direction: 'in',
    priority: 1,
    fromEndpointGroup: '',
    toEndpointGroup: '',
    fromNetwork: '',
    toNetwork: '',
    fromIpAddress: '',
    toIpAddress: '',
    protocol: '',
    ipProtocol: 0,
    port: 0,
    action: 'allow',
    ...p,
  };
}

export async function putNetwork(store: Store, n: NetworkState): Promise<void> {
  await store.put(networkStateKey(n.tenantName, n.networkName), networkStateCodec.encode(n));
}

export async function putGroup(store: Store, g: GroupState): Promise<void> {
  await store.put(groupStateKey(g.tenantName, g.groupName), groupStateCodec.encode(g));
}

/** Polls `check` until it returns true (no fixed sleeps in tests). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
