/**
 * Contiv's relation members: every object carries `link-sets` (sets keyed by
 * the target's key) and `links` (single references), with Capitalized member
 * names and `{type, key}` entries. An unset single link is `{}`.
 */
export interface LinkRef {
  readonly type: string;
  readonly key: string;
}

/** A single link: `{}` when unset. */
export type Link = LinkRef | Record<string, never>;

/** A set of links keyed by the target's key. */
export type LinkSet = Record<string, LinkRef>;

export type LinkSets = Record<string, LinkSet>;
export type Links = Record<string, Link>;

export function linkTo(type: string, key: string): LinkRef {
  return { type, key };
}

/** A link-set from target keys (sorted, so output is stable). */
export function linkSetOf(type: string, keys: Iterable<string>): LinkSet {
  const out: LinkSet = {};
  for (const key of [...keys].sort()) out[key] = { type, key };
  return out;
}
