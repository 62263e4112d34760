/**
 * Docker's remote NetworkDriver / IpamDriver JSON (PROTOCOLS.md §1–2), with Go
 * field names, and the small readers that check a decoded body has that shape.
 * Go encodes nil maps and slices as `null`, so `null` reads as "absent".
 */
import { ShimError } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One entry of IPv4Data / IPv6Data: Pool and Gateway in CIDR form. */
export interface DockerIpamData {
  AddressSpace?: string;
  Pool?: string;
  Gateway?: string;
  AuxAddresses?: Record<string, string> | null;
}

export interface DockerEndpointInterface {
  Address?: string;
  AddressIPv6?: string;
  MacAddress?: string;
}

export interface DockerCapabilitiesResponse {
  Scope: string;
  ConnectivityScope: string;
}

export interface DockerCreateEndpointResponse {
  Interface?: DockerEndpointInterface;
}

export interface DockerJoinResponse {
  InterfaceName: { SrcName: string; DstPrefix: string };
  Gateway: string;
  GatewayIPv6: string;
  StaticRoutes: Array<{ Destination: string; RouteType: number; NextHop: string }>;
  DisableGatewayService: boolean;
}

export interface DockerRequestPoolResponse {
  PoolID: string;
  Pool: string;
  Data: Record<string, string>;
}

export interface DockerRequestAddressResponse {
  Address: string;
  Data: Record<string, string>;
}

/** Reads a request body that must be an object; an empty body or `null` is `{}`. */
export function asObject(body: Json | undefined, method: string): JsonObject {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ShimError('SHIM_BAD_REQUEST', `invalid ${method} request: the body must be a JSON object`);
  }
  return body;
}

function bad(method: string, field: string, what: string): ShimError {
  return new ShimError('SHIM_BAD_REQUEST', `invalid ${method} request: ${field} ${what}`);
}

/** A field Docker always sends (NetworkID, EndpointID, PoolID). */
export function requiredString(o: JsonObject, field: string, method: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw bad(method, field, 'must be a non-empty string');
  return v;
}

export function optionalString(o: JsonObject, field: string, method: string): string {
  const v = o[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(method, field, 'must be a string');
  return v;
}

export function optionalBool(o: JsonObject, field: string, method: string): boolean {
  const v = o[field];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  // Options maps that went through a string-only hop carry "true"/"false".
  if (v === 'true' || v === 'false') return v === 'true';
  throw bad(method, field, 'must be a boolean');
}

export function optionalInt(o: JsonObject, field: string, method: string): number {
  const v = o[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(method, field, 'must be an integer');
  return v;
}

export function optionalObject(o: JsonObject, field: string, method: string): JsonObject {
  const v = o[field];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(method, field, 'must be an object');
  return v;
}

/**
 * A map whose values we forward as strings. Docker mixes value types in some
 * option maps (port maps are arrays): those entries are dropped, since the agent
 * contract only carries strings.
 */
export function stringEntries(o: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A map Docker documents as string -> string: a non-string value is a bad request. */
export function strictStringMap(o: JsonObject, field: string, method: string): Record<string, string> {
  const m = optionalObject(o, field, method);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw bad(method, `${field}.${k}`, 'must be a string');
    out[k] = v;
  }
  return out;
}

export function ipamDataList(o: JsonObject, field: string, method: string): DockerIpamData[] {
  const v = o[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(method, field, 'must be an array');
  return v.map((entry, i) => {
    const where = `${field}[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw bad(method, where, 'must be an object');
    const str = (name: string): string => {
      const x = entry[name];
      if (x === undefined || x === null) return '';
      if (typeof x !== 'string') throw bad(method, `${where}.${name}`, 'must be a string');
      return x;
    };
    const aux: Record<string, string> = {};
    const auxIn = entry.AuxAddresses;
    if (auxIn !== undefined && auxIn !== null) {
      if (typeof auxIn !== 'object' || Array.isArray(auxIn)) throw bad(method, `${where}.AuxAddresses`, 'must be an object');
      for (const [k, a] of Object.entries(auxIn)) {
        if (typeof a !== 'string') throw bad(method, `${where}.AuxAddresses.${k}`, 'must be a string');
        aux[k] = a;
      }
    }
    return { AddressSpace: str('AddressSpace'), Pool: str('Pool'), Gateway: str('Gateway'), AuxAddresses: aux };
  });
}

/**
 * Longest string (member name or value) a request may hold. Docker's ids are 64
 * characters, pools and addresses a few dozen. The agent quotes what it refuses
 * in its gRPC error, which travels percent-encoded in an HTTP/2 trailer: a
 * 31,000-character id made a trailer over grpc-js's 8 KB metadata limit, and
 * the call, and the next one, hung until their deadline (found by fuzzing).
 * 1,024 UTF-16 units stay under 7 KB however they encode.
 */
export const MAX_STRING_CHARS = 1024;

/** Refuses a body holding a string longer than MAX_STRING_CHARS, naming where it is. Iterative: any depth. */
export function checkStringSizes(body: Json | undefined, method: string): void {
  const stack: Array<[Json, string]> = body === undefined ? [] : [[body, '']];
  while (stack.length > 0) {
    const [v, where] = stack.pop() as [Json, string];
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_CHARS) throw bad(method, where || 'the body', `is ${v.length} characters long (at most ${MAX_STRING_CHARS})`);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${where}[${i}]`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const at = where ? `${where}.${k.slice(0, 40)}` : k.slice(0, 40);
        if (k.length > MAX_STRING_CHARS) throw bad(method, `a member name in ${where || 'the body'}`, `is ${k.length} characters long (at most ${MAX_STRING_CHARS})`);
        stack.push([x, at]);
      }
    }
  }
}
