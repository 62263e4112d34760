/**
 * A Flow: what a pipeline wants in a table. It is independent of how it gets
 * there (FLOW_MOD add/modify, inside a bundle) and compares by its
 * `flowKey` (table, priority, match) for identity and by `flowToString` for
 * content.
 */
import type { Instruction } from './codec/instructions';
import type { Match } from './codec/oxm';

export interface Flow {
  readonly table: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  /** OFPFF_* bits (send_flow_rem, no_packet_counts...). */
  readonly flags?: number;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
}

/** Selects flows by cookie bits (and optionally table), for delete and dump. */
export interface FlowFilter {
  readonly cookie?: bigint;
  /** Which cookie bits must equal `cookie`; 0 or absent = any cookie. */
  readonly cookieMask?: bigint;
  /** Only this table (default: all). */
  readonly table?: number;
}
