/**
 * JSON as Contiv's Go server wrote it: `key` first, config fields in
 * alphabetical order with Go's omitempty (0, "", [] left out), then
 * `link-sets` (empty sets left out) and `links` (every member, `{}` when unset)
 * for the types that have them.
 */
import { isEmptyValue } from './validate';
import type { LinkSets, Links } from './links';

export type WireObject = Record<string, unknown>;

export function toWire(key: string, config: object, linkSets?: LinkSets, links?: Links): WireObject {
  const out: WireObject = { key };
  const fields = config as Record<string, unknown>;
  for (const name of Object.keys(fields).sort()) {
    if (name === 'key' || name === 'link-sets' || name === 'links') continue;
    const v = fields[name];
    if (!isEmptyValue(v)) out[name] = v;
  }
  if (linkSets) {
    const sets: LinkSets = {};
    for (const name of Object.keys(linkSets).sort()) {
      const set = linkSets[name];
      if (set && Object.keys(set).length > 0) sets[name] = set;
    }
    out['link-sets'] = sets;
  }
  if (links) out.links = links;
  return out;
}

/** An oper object: omitempty on every member, keys in alphabetical order. */
export function omitEmpty(obj: object): WireObject {
  const out: WireObject = {};
  const fields = obj as Record<string, unknown>;
  for (const name of Object.keys(fields).sort()) {
    const v = fields[name];
    if (!isEmptyValue(v)) out[name] = v;
  }
  return out;
}
