/**
 * What the pipeline installed, per feature and object (Antrea's
 * flowCategoryCache), and the diff from it to a new desired set. The cache
 * only ever holds what the switch acknowledged: the reconciler swaps in the
 * desired set after the bundle committed.
 */
import type { BundleOps, Flow } from '@contiv/openflow';
import { flowKey, flowToString } from '@contiv/openflow';
import { AgentError } from '../errors';
import type { ObjectFlows } from './framework';

export interface CachedFlow {
  readonly flow: Flow;
  /** flowKey: table, priority, match (the switch's identity of a flow). */
  readonly key: string;
  /** The rendered flow, instructions and cookie included: equal text = nothing to send. */
  readonly text: string;
}

/** The flows of one object, rendered, with the signature they were built from. */
export interface CachedObject {
  readonly signature: string | undefined;
  readonly flows: readonly CachedFlow[];
}

/** feature name → object key → flows of that object. */
export type FlowSet = ReadonlyMap<string, ReadonlyMap<string, CachedObject>>;

/**
 * Which object owns each flow identity in a set (`feature/objectKey`), kept
 * beside the set so the next toFlowSet checks only the flows it rendered anew:
 * checking every flow of every object took a third of a one-rule reconcile
 * on a host with 1,000 rules.
 */
const ownersOfSet = new WeakMap<FlowSet, ReadonlyMap<string, string>>();

function ownersOf(set: FlowSet): ReadonlyMap<string, string> {
  const known = ownersOfSet.get(set);
  if (known !== undefined) return known;
  const owners = new Map<string, string>();
  for (const [feature, objects] of set) for (const [key, obj] of objects) for (const f of obj.flows) owners.set(f.key, `${feature}/${key}`);
  ownersOfSet.set(set, owners);
  return owners;
}

/**
 * Features' output as a FlowSet; two flows with the same identity are a bug
 * in the features. An object whose signature equals the one it had in
 * `previous` keeps the flows rendered then: building and rendering flows is
 * most of a reconcile's cost, and most objects are unchanged by any one event.
 */
export function toFlowSet(byFeature: ReadonlyMap<string, readonly ObjectFlows[]>, previous: FlowSet = EMPTY_FLOW_SET): FlowSet {
  const out = new Map<string, Map<string, CachedObject>>();
  const fresh: Array<{ owner: string; flows: readonly CachedFlow[] }> = [];
  for (const [feature, objects] of byFeature) {
    const perObject = new Map<string, CachedObject>();
    const before = previous.get(feature);
    for (const obj of objects) {
      const earlier = perObject.get(obj.key);
      const previousObject = before?.get(obj.key);
      // An object listed twice by its feature is merged, and never reused (its signature would say only half).
      const reused = earlier === undefined && obj.signature !== undefined && previousObject?.signature === obj.signature ? previousObject : undefined;
      if (reused !== undefined) {
        // The very object of the previous set: diffFlowSets skips those by identity.
        perObject.set(obj.key, reused);
        continue;
      }
      const rendered: readonly CachedFlow[] = builtFlows(obj).map((flow) => ({ flow, key: flowKey(flow), text: flowToString(flow) }));
      const owner = `${feature}/${obj.key}`;
      // A merge with a reused first listing makes its flows new too.
      if (earlier !== undefined && earlier === previousObject) fresh.push({ owner, flows: earlier.flows });
      fresh.push({ owner, flows: rendered });
      perObject.set(obj.key, earlier === undefined ? { signature: obj.signature, flows: rendered } : { signature: undefined, flows: [...earlier.flows, ...rendered] });
    }
    out.set(feature, perObject);
  }
  // Owners of the reused objects' flows are as in `previous`; the flows of every object not carried over are gone.
  const owners = new Map(ownersOf(previous));
  for (const [feature, objects] of previous) {
    for (const [key, obj] of objects) {
      if (out.get(feature)?.get(key) === obj) continue;
      const owner = `${feature}/${key}`;
      for (const f of obj.flows) if (owners.get(f.key) === owner) owners.delete(f.key);
    }
  }
  for (const { owner, flows } of fresh) {
    for (const f of flows) {
      const other = owners.get(f.key);
      if (other !== undefined) throw new AgentError('AGENT_INVALID_ARGUMENT', `Flow ${f.text} is wanted by both ${other} and ${owner}`);
      owners.set(f.key, owner);
    }
  }
  ownersOfSet.set(out, owners);
  return out;
}

function builtFlows(obj: ObjectFlows): readonly Flow[] {
  return typeof obj.flows === 'function' ? obj.flows() : obj.flows;
}

function byIdentity(set: FlowSet, include: (feature: string, key: string, obj: CachedObject) => boolean = () => true): Map<string, CachedFlow> {
  const out = new Map<string, CachedFlow>();
  for (const [feature, objects] of set) for (const [key, obj] of objects) if (include(feature, key, obj)) for (const f of obj.flows) out.set(f.key, f);
  return out;
}

export interface FlowChanges extends BundleOps {
  readonly adds: readonly Flow[];
  readonly modifies: readonly Flow[];
  readonly deletes: readonly Flow[];
}

/**
 * The flow-mods that turn `installed` into `desired`. A changed cookie (or
 * timeout, flags) is an add, which replaces the flow: in OpenFlow 1.3 a modify
 * keeps the old cookie. A change of instructions only is a modify.
 */
export function diffFlowSets(installed: FlowSet, desired: FlowSet): FlowChanges {
  // Objects the new set reused from the installed one hold the same flows: only the others can differ.
  const before = byIdentity(installed, (feature, key, obj) => desired.get(feature)?.get(key) !== obj);
  const after = byIdentity(desired, (feature, key, obj) => installed.get(feature)?.get(key) !== obj);
  const adds: Flow[] = [];
  const modifies: Flow[] = [];
  const deletes: Flow[] = [];
  for (const [key, want] of after) {
    const have = before.get(key);
    if (have === undefined) adds.push(want.flow);
    else if (have.text === want.text) continue;
    else if (sameHeader(have.flow, want.flow)) modifies.push(want.flow);
    else adds.push(want.flow);
  }
  for (const [key, have] of before) if (!after.has(key)) deletes.push(have.flow);
  return { adds, modifies, deletes };
}

function sameHeader(a: Flow, b: Flow): boolean {
  return a.cookie === b.cookie && (a.idleTimeout ?? 0) === (b.idleTimeout ?? 0) && (a.hardTimeout ?? 0) === (b.hardTimeout ?? 0) && (a.flags ?? 0) === (b.flags ?? 0);
}

/** Every flow of a set (for replay after a switch reconnect). */
export function allFlows(set: FlowSet): Flow[] {
  return [...byIdentity(set).values()].map((f) => f.flow);
}

/** The flows one object of one feature has in a set. */
export function flowsOf(set: FlowSet, feature: string, objectKey: string): Flow[] {
  return (set.get(feature)?.get(objectKey)?.flows ?? []).map((f) => f.flow);
}

export function countFlows(set: FlowSet): number {
  let n = 0;
  for (const objects of set.values()) for (const obj of objects.values()) n += obj.flows.length;
  return n;
}

export const EMPTY_FLOW_SET: FlowSet = new Map();
