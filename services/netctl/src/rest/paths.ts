/**
 * netmaster REST paths, spelled as Contiv's generated client spells them:
 * collection names are the generator's plurals and every path ends in '/'.
 */
import { UsageError } from '../errors';

export type Collection =
  | 'tenants'
  | 'networks'
  | 'endpointGroups'
  | 'policys'
  | 'rules'
  | 'netprofiles'
  | 'appProfiles'
  | 'extContractsGroups'
  | 'serviceLBs'
  | 'globals'
  | 'endpoints';

/** Object keys join their id fields with ':' (tenant:network). */
export function objectKey(...parts: readonly string[]): string {
  return parts.join(':');
}

// Keys are made of model names (no '/' allowed there), but a user can type
// anything; encode so a bad name cannot change the path, keeping ':' readable.
function segment(key: string): string {
  // encodeURIComponent throws on a lone surrogate (an internal error before this check).
  if (LONE_SURROGATE.test(key)) throw new UsageError(`${JSON.stringify(key)} is not valid Unicode text (it holds a lone surrogate)`);
  return encodeURIComponent(key).replace(/%3A/gi, ':');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const listPath = (collection: Collection): string => `/api/v1/${collection}/`;
export const objectPath = (collection: Collection, key: string): string => `/api/v1/${collection}/${segment(key)}/`;
export const inspectPath = (collection: Collection, key: string): string => `/api/v1/inspect/${collection}/${segment(key)}/`;
export const VERSION_PATH = '/version';

/** `policy trace`: a read-only query (netmaster's rest/routes/policy-trace.ts); the parameters go in the query string. */
export const policyTracePath = (params: Readonly<Record<string, string>>): string => `/api/v1/inspect/policyTrace/?${new URLSearchParams(params).toString()}`;
