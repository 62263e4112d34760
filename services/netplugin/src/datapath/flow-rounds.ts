/**
 * Cookie rounds: each agent run installs its flows with its own round in the
 * cookie (framework.ts). A restarted agent re-adds every flow with the new
 * round (an ADD with the same match replaces the old flow in place, so traffic
 * never stops), then deletes whatever still carries an older round: flows of
 * endpoints, networks or peers that went away while it was down.
 */
import type { FlowStats } from '@contiv/openflow';
import { COOKIE_ROUND_SHIFT } from '../pipeline/framework';

/** Bridge external_ids key holding the round of the agent run that owns the flows. */
export const EXT_FLOW_ROUND = 'contiv-flow-round';

export function nextFlowRound(bridgeExternalIds: Readonly<Record<string, string>> | undefined): number {
  const prev = Number(bridgeExternalIds?.[EXT_FLOW_ROUND]);
  return Number.isInteger(prev) && prev >= 0 && prev <= 0xffff ? (prev + 1) & 0xffff : 1;
}

export function roundOfCookie(cookie: bigint): number {
  return Number((cookie >> COOKIE_ROUND_SHIFT) & 0xffffn);
}

/** Rounds other than `current` that installed flows still carry. */
export function staleRounds(flows: readonly Pick<FlowStats, 'cookie'>[], current: number): number[] {
  return [...new Set(flows.map((f) => roundOfCookie(f.cookie)))].filter((r) => r !== current).sort((a, b) => a - b);
}
