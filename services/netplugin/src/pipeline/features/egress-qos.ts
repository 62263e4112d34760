/**
 * EgressQos: a group's netProfile applied to what its local endpoints send.
 * Bandwidth and burst become an OpenFlow meter (one per endpoint, id = its
 * ofport, which is unique and stable on this host; datapath/meters.ts keeps
 * the switch's meters equal to `meterSpecs`) that every packet from the
 * port goes through; DSCP is written into IPv4 and IPv6 headers with
 * set_field:ip_dscp. Meters rather than the Interface's
 * ingress_policing_rate: the latter needs tc in the kernel, which the
 * userspace datapath does not use (vswitchd logs "adding cls_basic policing
 * action failed"). Everything goes on to ArpResponder.
 */
import type { Flow } from '@contiv/openflow';
import { flow } from '@contiv/openflow';
import type { DesiredLocalEndpoint, DesiredState } from '../desired-state';
import type { Feature, FeatureContext, ObjectFlows } from '../framework';
import { CookieCategory, Priority, makeCookie } from '../framework';
import { ArpResponderTable, EgressQosTable } from '../tables';

/**
 * Burst of a meter whose group gave none (burstKb 0), as seconds of its
 * rate. Measured on the userspace datapath (OVS 3.1, one TCP stream): a
 * bucket of 0.1 s of the rate let TCP reach only ~45% of it (it loses a
 * window's worth at once and backs off), 0.5 s let it reach the rate
 * (2046 kbit/s at 2000). See docs/performance.md, "netProfile on the datapath".
 */
export const DEFAULT_BURST_SECONDS = 0.5;
/** The default burst never goes below 8 full-size (1500-byte) frames, whatever the rate: a bucket smaller than one frame drops every frame. */
export const MIN_DEFAULT_BURST_KBITS = 96;

/** A meter of the switch: drop above `rateKbps`, with a bucket of `burstKbits`. */
export interface MeterSpec {
  readonly meterId: number;
  readonly rateKbps: number;
  readonly burstKbits: number;
}

const MAX_U32 = 0xffffffff;
const isRate = (v: number): boolean => Number.isInteger(v) && v > 0 && v <= MAX_U32;
/** DSCP is 6 bits; 0 means "leave the packet's own". */
const isDscp = (v: number): boolean => Number.isInteger(v) && v > 0 && v <= 63;

/** The meter an endpoint's traffic goes through, or undefined when its profile has no bandwidth. */
export function meterOf(ep: DesiredLocalEndpoint): MeterSpec | undefined {
  if (!isRate(ep.bandwidthKbps)) return undefined;
  const burst = isRate(ep.burstKbits) ? ep.burstKbits : Math.min(MAX_U32, Math.max(MIN_DEFAULT_BURST_KBITS, Math.ceil(ep.bandwidthKbps * DEFAULT_BURST_SECONDS)));
  return { meterId: ep.ofport, rateKbps: ep.bandwidthKbps, burstKbits: burst };
}

/**
 * Every meter the flows of `state` use, by meter id. Values the store
 * should never hold (negative, fractional, DSCP > 63) count as "no
 * profile": one bad record must not stop every endpoint's flows.
 */
export function meterSpecs(state: DesiredState): Map<number, MeterSpec> {
  const out = new Map<number, MeterSpec>();
  for (const ep of state.localEndpoints) {
    const m = meterOf(ep);
    if (m !== undefined) out.set(m.meterId, m);
  }
  return out;
}

function endpointFlows(ep: DesiredLocalEndpoint, cookie: bigint): Flow[] {
  const meter = meterOf(ep);
  const base = (priority: number): ReturnType<typeof flow> => {
    const f = flow(EgressQosTable.id, priority).cookie(cookie).gotoTable(ArpResponderTable.id);
    return meter !== undefined ? f.meter(meter.meterId) : f;
  };
  const flows: Flow[] = [];
  if (isDscp(ep.dscp)) {
    flows.push(base(Priority.Normal).match((m) => m.inPort(ep.ofport).ip()).actions((a) => a.setField('ip_dscp', ep.dscp)).build());
    flows.push(base(Priority.Normal).match((m) => m.inPort(ep.ofport).ipv6()).actions((a) => a.setField('ip_dscp', ep.dscp)).build());
  }
  // The rest of the port's traffic (all of it without DSCP; ARP and the like with it) is metered too.
  if (meter !== undefined) flows.push(base(Priority.Low).match((m) => m.inPort(ep.ofport)).build());
  return flows;
}

export const egressQosFeature: Feature = {
  name: 'egress-qos',
  requiredTables: [EgressQosTable],
  flows(state: DesiredState, ctx: FeatureContext): ObjectFlows[] {
    const out: ObjectFlows[] = [];
    for (const ep of state.localEndpoints) {
      const flows = endpointFlows(ep, makeCookie(ctx.round, CookieCategory.LocalEndpoint, ep.ofport));
      if (flows.length > 0) out.push({ key: `endpoint:${ep.endpointId}`, flows });
    }
    out.push({
      key: 'miss',
      flows: [flow(EgressQosTable.id, Priority.Miss).cookie(makeCookie(ctx.round, CookieCategory.Pipeline, 0)).gotoTable(ArpResponderTable.id).build()],
    });
    return out;
  },
};
