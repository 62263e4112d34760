/**
 * Property-based fuzzing of netmaster's REST API (docs/testing.md, "Fuzzing").
 * One request per run, written byte for byte (raw-http.ts), then:
 *
 * - it was answered (the server did not hang or drop it), and still answers
 *   GET /version afterwards;
 * - never a 5xx (Contiv's Go client excepted: it gets every error as a 500
 *   with the text, docs/rest-api.md), never a stack trace, never a message
 *   longer than MAX_MESSAGE;
 * - a refusal is 4xx with `{"error":{"code","message"}}` (text for the Go
 *   client) and leaves every store key, value and the store revision as they
 *   were;
 * - a success did what it answered: the object it returned is what a GET
 *   returns now (a DELETE: the object is gone); a GET changes nothing.
 *
 * The same properties run in-process on a MemoryStore (rest/fuzz.test.ts),
 * against the real process on etcd (test/src/integration/fuzz.itest.ts) and
 * longer in `make bench` (test/src/bench/fuzz.ts).
 */
import fc from 'fast-check';
import {
  checkProperty,
  deepJsonText,
  formatReports,
  hostileJsonValue,
  hostileString,
  newCounters,
  notJson,
  objectText,
  rawExchange,
  rawRequest,
  SPECIAL_STRINGS,
  type FuzzCounters,
  type FuzzRunOptions,
  type PropertyReport,
  type RawRequest,
  type RawResponse,
  type RawTarget,
} from '@contiv/testkit';

/** Every key and value of the store, and its revision. */
export interface StoreSnapshot {
  readonly revision: number;
  readonly entries: ReadonlyMap<string, string>;
}

export interface RestFuzzTarget {
  readonly raw: RawTarget;
  snapshot(): Promise<StoreSnapshot>;
  /** A problem with the server process (exited, logged an unhandled error), if any. */
  health?(): Promise<string | undefined>;
}

export const REST_PROPERTIES = ['bodies', 'paths', 'http', 'conflicts', 'races'] as const;
export type RestProperty = (typeof REST_PROPERTIES)[number];

/** Longest error message we call clear. */
export const MAX_MESSAGE = 2048;
const GO_UA = 'Go-http-client/1.1';

/** Contiv's generated plurals, their key arity and a valid body for the key `t:<name>...`. */
interface Collection {
  readonly plural: string;
  readonly keyFields: readonly string[];
  template(tenant: string, name: string): Record<string, unknown>;
}

const COLLECTIONS: readonly Collection[] = [
  { plural: 'tenants', keyFields: ['tenantName'], template: (_t, n) => ({ tenantName: n }) },
  {
    plural: 'networks',
    keyFields: ['tenantName', 'networkName'],
    template: (t, n) => ({ tenantName: t, networkName: n, encap: 'vxlan', nwType: 'data', subnet: '10.99.1.0/24', gateway: '10.99.1.254', pktTag: 0, cfgdTag: '' }),
  },
  {
    plural: 'endpointGroups',
    keyFields: ['tenantName', 'groupName'],
    template: (t, n) => ({ tenantName: t, groupName: n, networkName: 'n1', policies: ['p1'], netProfile: 'np1', extContractsGrps: [], ipPool: '', cfgdTag: '' }),
  },
  { plural: 'policys', keyFields: ['tenantName', 'policyName'], template: (t, n) => ({ tenantName: t, policyName: n }) },
  {
    plural: 'rules',
    keyFields: ['tenantName', 'policyName', 'ruleId'],
    template: (t, n) => ({ tenantName: t, policyName: 'p1', ruleId: n, direction: 'in', action: 'allow', priority: 1, protocol: 'tcp', port: 80, fromEndpointGroup: 'g2', fromIpAddress: '', fromNetwork: '' }),
  },
  { plural: 'netprofiles', keyFields: ['tenantName', 'profileName'], template: (t, n) => ({ tenantName: t, profileName: n, bandwidth: '10Mbps', DSCP: 10, burst: 100 }) },
  { plural: 'appProfiles', keyFields: ['tenantName', 'appProfileName'], template: (t, n) => ({ tenantName: t, appProfileName: n, endpointGroups: ['g2'] }) },
  {
    plural: 'extContractsGroups',
    keyFields: ['tenantName', 'contractsGroupName'],
    template: (t, n) => ({ tenantName: t, contractsGroupName: n, contractsType: 'provided', contracts: ['uni/tn-common/brc-default'] }),
  },
  {
    plural: 'globals',
    keyFields: ['name'],
    template: () => ({ name: 'global', networkInfraType: 'default', vlans: '1-4094', vxlans: '1-10000', fwdMode: 'bridge', arpMode: 'proxy', pvtSubnet: '172.19.0.0/16' }),
  },
];

function keyFor(c: Collection, tenant: string, name: string): string {
  if (c.plural === 'globals') return 'global';
  if (c.plural === 'tenants') return name;
  if (c.plural === 'rules') return `${tenant}:p1:${name}`;
  return `${tenant}:${name}`;
}

/** The tenant the bodies/paths properties may change, and the one only the conflicts property touches (all refusals). */
export const FUZZ_TENANT = 'fz';
export const CONFLICT_TENANT = 'fc';
const RACE_TENANT = 'fr';

interface SeedObject {
  readonly plural: string;
  readonly key: string;
  readonly body: Record<string, unknown>;
}

/** What each seeded tenant holds: every object kind, and every kind of reference between them. */
export function seedObjects(t: string, subnetOctet: number): SeedObject[] {
  const net = (name: string, extra: Record<string, unknown>) => ({
    plural: 'networks',
    key: `${t}:${name}`,
    body: { tenantName: t, networkName: name, nwType: 'data', ...extra },
  });
  return [
    { plural: 'tenants', key: t, body: { tenantName: t } },
    net('n1', { encap: 'vxlan', subnet: `10.${subnetOctet}.1.0/24`, gateway: `10.${subnetOctet}.1.254` }),
    net('n2', { encap: 'vlan', subnet: `10.${subnetOctet}.2.0/24`, gateway: `10.${subnetOctet}.2.254` }),
    { plural: 'policys', key: `${t}:p1`, body: { tenantName: t, policyName: 'p1' } },
    { plural: 'netprofiles', key: `${t}:np1`, body: { tenantName: t, profileName: 'np1', bandwidth: '10Mbps', DSCP: 10, burst: 100 } },
    { plural: 'extContractsGroups', key: `${t}:e1`, body: { tenantName: t, contractsGroupName: 'e1', contractsType: 'provided', contracts: ['uni/tn-common/brc-default'] } },
    {
      plural: 'endpointGroups',
      key: `${t}:g1`,
      body: { tenantName: t, groupName: 'g1', networkName: 'n1', policies: ['p1'], netProfile: 'np1', extContractsGrps: ['e1'], ipPool: `10.${subnetOctet}.1.10-10.${subnetOctet}.1.20` },
    },
    { plural: 'endpointGroups', key: `${t}:g2`, body: { tenantName: t, groupName: 'g2', networkName: 'n1' } },
    {
      plural: 'rules',
      key: `${t}:p1:1`,
      body: { tenantName: t, policyName: 'p1', ruleId: '1', direction: 'in', action: 'allow', priority: 5, protocol: 'tcp', port: 80, fromEndpointGroup: 'g2' },
    },
    { plural: 'appProfiles', key: `${t}:a1`, body: { tenantName: t, appProfileName: 'a1', endpointGroups: ['g1'] } },
  ];
}

/** `encodeURIComponent` that never throws: a lone surrogate goes out as the bytes Buffer makes of it. */
export function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const path = (plural: string, key: string) => `/api/v1/${plural}/${percentEncode(key)}/`;

/** Creates the tenants the properties work on; throws if netmaster refuses (then the fuzz cannot mean anything). */
export async function seedRestState(raw: RawTarget): Promise<void> {
  for (const o of [...seedObjects(FUZZ_TENANT, 98), ...seedObjects(CONFLICT_TENANT, 97), { plural: 'tenants', key: RACE_TENANT, body: { tenantName: RACE_TENANT } }]) {
    const r = await rawRequest(raw, { method: 'POST', target: path(o.plural, o.key), body: JSON.stringify(o.body) });
    if (r.status !== 200) throw new Error(`seeding POST ${o.plural}/${o.key}: HTTP ${r.status} ${r.body}`);
  }
}

// ---------------------------------------------------------------------------
// One fuzz case: a request and what may come back.

interface Case {
  readonly label: string;
  readonly req: RawRequest;
  /** Guaranteed bad: only a refusal will do. */
  readonly mustFail: boolean;
  /** The server may close without an answer (the request never completed). */
  readonly answerOptional?: boolean;
  /** Raw bytes instead of `req` (not HTTP at all). */
  readonly bytes?: Buffer;
}

function show(c: Case): string {
  const text = c.bytes ? JSON.stringify(c.bytes.toString('latin1')) : `${c.req.method} ${JSON.stringify(c.req.target)} headers=${JSON.stringify(c.req.headers ?? [])} body=${c.req.body === undefined ? '-' : JSON.stringify(String(c.req.body))}`;
  return `[${c.label}] ${text.length > 600 ? `${text.slice(0, 600)}... (${text.length} chars)` : text}`;
}

const contentTypes = fc.constantFrom<Array<readonly [string, string]>>(
  [],
  [['Content-Type', 'application/json']],
  [['Content-Type', 'text/plain']],
  [['Content-Type', 'application/x-www-form-urlencoded']],
  [['Content-Type', 'multipart/form-data; boundary=xyz']],
  [['Content-Type', 'application/json; charset=utf-16le']],
  [['Content-Type', 'application/octet-stream']],
  [['Content-Type', ';;;']],
  [['Content-Type', 'x'.repeat(3000)]],
  [['User-Agent', GO_UA]],
  [['User-Agent', GO_UA], ['Content-Type', 'application/json']],
  [['X-Request-Id', '../../etc'], ['Accept', 'text/html']],
  [['X-Request-Id', 'a'.repeat(500)]],
);

/** A key for a collection: new names, the seeded objects, and hostile strings. */
function keyArb(c: Collection): fc.Arbitrary<string> {
  const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.constantFrom('n1', 'n2', 'g1', 'g2', 'p1', 'np1', 'a1', 'e1', '1', '2'), hostileString());
  return fc.oneof(
    { weight: 3, arbitrary: name.map((n) => keyFor(c, FUZZ_TENANT, n)) },
    { weight: 1, arbitrary: fc.tuple(hostileString(), name).map(([t, n]) => keyFor(c, t, n)) },
    { weight: 1, arbitrary: hostileString() },
  );
}

/** The request target for a key: encoded, raw (if the request line survives it), double-encoded or partly encoded. */
function targetFor(prefix: string, key: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const lineSafe = (s: string) => s.replace(/[ \r\n]/g, (ch) => percentEncode(ch));
  return fc.tuple(key, fc.constantFrom('enc', 'enc', 'raw', 'double', 'dots'), fc.boolean()).map(([k, how, slash]) => {
    const seg = how === 'enc' ? percentEncode(k) : how === 'raw' ? lineSafe(k) : how === 'double' ? percentEncode(percentEncode(k)) : lineSafe(k).replace(/\./g, '%2e').replace(/\//g, '%2F');
    return `${prefix}${seg}${slash ? '/' : ''}`;
  });
}

function bodyArb(c: Collection): fc.Arbitrary<{ text: string; mustFail: boolean; label: string }> {
  const tmpl = c.template(FUZZ_TENANT, 'x1');
  const tmplText = JSON.stringify(tmpl);
  const fields = Object.keys(tmpl);
  const members = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)] as const);
  return fc.oneof(
    { weight: 2, arbitrary: notJson(tmplText).map((text) => ({ text, mustFail: true, label: 'not JSON' })) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r\n').map((text) => ({ text, mustFail: true, label: 'empty' })) },
    {
      weight: 1,
      arbitrary: fc.oneof(hostileJsonValue.filter((v) => !v.startsWith('{')), fc.constantFrom('[]', '[{}]', 'null', '"{}"', '1', 'true')).map((text) => ({ text, mustFail: true, label: 'not an object' })),
    },
    { weight: 1, arbitrary: deepJsonText.map((text) => ({ text, mustFail: text.startsWith('['), label: 'deep' })) },
    {
      weight: 5,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...fields, 'key', 'link-sets', 'links'), hostileJsonValue), { minLength: 1, maxLength: 3 })
        .map((changes) => {
          const m = new Map(members(tmpl));
          for (const [f, v] of changes) m.set(f, v);
          return { text: objectText([...m]), mustFail: false, label: 'wrong field values' };
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...fields), hostileJsonValue, fc.boolean()).map(([f, v, first]) => {
        const base = members(tmpl);
        return { text: objectText(first ? [[f, v], ...base] : [...base, [f, v]]), mustFail: false, label: 'duplicate key' };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(fc.oneof(hostileString({ huge: false }), fc.constantFrom('__proto__', 'constructor', 'prototype')), hostileJsonValue), { minLength: 1, maxLength: 3 }).map((extra) => ({
        text: objectText([...members(tmpl), ...extra]),
        mustFail: false,
        label: 'unknown members',
      })),
    },
    { weight: 1, arbitrary: fc.constant({ text: `${tmplText}${' '.repeat(1024 * 1024)}`, mustFail: true, label: 'over the body limit' }) },
  );
}

function bodiesCase(): fc.Arbitrary<Case> {
  return fc.constantFrom(...COLLECTIONS).chain((c) =>
    fc.record({ method: fc.constantFrom('POST', 'PUT'), target: targetFor(`/api/v1/${c.plural}/`, keyArb(c)), body: bodyArb(c), headers: contentTypes }).map(({ method, target, body, headers }) => ({
      label: `bodies/${c.plural}/${body.label}`,
      req: { method, target, body: body.text, headers },
      mustFail: body.mustFail,
    })),
  );
}

const METHODS = ['GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'FOO', 'M-SEARCH', 'PURGE'];

function queryArb(): fc.Arbitrary<string> {
  const param = fc.tuple(fc.constantFrom('tenant', 'from', 'to', 'protocol', 'port', 'tenant[]', '__proto__', 'x', ''), hostileString()).map(([k, v]) => `${k}=${percentEncode(v)}`);
  return fc.oneof(
    fc.array(param, { maxLength: 6 }).map((ps) => `?${ps.join('&')}`),
    fc.constantFrom('?', '?&&', '?=', '?tenant', '?tenant=fz&tenant=fz&from=a&to=b', '?tenant=fz&from=%ff&to=%zz', `?${'a=1&'.repeat(2000)}`, '?port=99999&tenant=fz&from=a&to=b', '?a[b][c]=1'),
  );
}

function pathsCase(): fc.Arbitrary<Case> {
  const collectionTarget = fc.constantFrom(...COLLECTIONS).chain((c) =>
    fc.oneof(targetFor(`/api/v1/${c.plural}/`, keyArb(c)), targetFor(`/api/v1/inspect/${c.plural}/`, keyArb(c)), fc.constant(`/api/v1/${c.plural}`)),
  );
  const target = fc.oneof(
    { weight: 4, arbitrary: collectionTarget },
    { weight: 1, arbitrary: targetFor('/api/v1/inspect/endpoints/', hostileString()) },
    { weight: 2, arbitrary: queryArb().map((q) => `/api/v1/inspect/policyTrace/${q}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/api/v1/../api/v1/networks/',
        '/api/v1/networks/./',
        '//api//v1//networks//',
        `/api/v1/networks/${FUZZ_TENANT}:n1/extra/`,
        '/API/V1/NETWORKS/',
        '/api/v1/networks;x/',
        '/api/v1/networks/%00/',
        '/api/v1/networks/%2e%2e/%2e%2e/version',
        '/api/v1/networks/..%2F..%2Fversion/',
        '/api/v1/networks/%c0%ae%c0%ae/',
        '/api/v1/networks/%ff/',
        '/api/v1/networks/%/',
        '*',
        'http://evil.example/api/v1/networks/',
        '/version/../info',
        '/info?x=1',
        '/',
        '',
        '/api',
        '/api/v1/',
        '/api/v1/inspect/',
        `/api/v1/networks/${'a'.repeat(600)}/`,
        `/${'a'.repeat(20_000)}`,
        `/api/v1/networks/?${'x'.repeat(70_000)}`,
        '/api/v1/networks/\u00e9t\u00e9/',
        '/api/v1/networks/\u{1f600}/',
      ),
    },
    { weight: 1, arbitrary: hostileString().map((s) => `/${s.replace(/[ \r\n]/g, '_')}`) },
  );
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      target,
      body: fc.option(fc.oneof(hostileJsonValue, fc.constant('{}')), { nil: undefined }),
      headers: contentTypes,
    })
    .map(({ method, target: t, body, headers }) => ({ label: `paths/${method}`, req: { method, target: t, body, headers }, mustFail: false }));
}

function httpCase(): fc.Arbitrary<Case> {
  const tmpl = JSON.stringify(COLLECTIONS[1]?.template(FUZZ_TENANT, 'h1'));
  const target = `/api/v1/networks/${FUZZ_TENANT}:h1/`;
  const req = (label: string, r: RawRequest, extra: Partial<Case> = {}): Case => ({ label: `http/${label}`, req: r, mustFail: true, ...extra });
  const raw = (label: string, text: string | Buffer, optional = false, mustFail = true): Case => ({
    label: `http/${label}`,
    // The raw requests that may succeed are all GETs.
    req: { method: 'GET', target: '-' },
    bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'),
    mustFail,
    answerOptional: optional,
  });
  return fc.oneof(
    // Not HTTP at all (never "PRI", which goes to gRPC): an answer is optional, since a partial line is not a request.
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).filter((b) => !Buffer.from(b).subarray(0, 3).equals(Buffer.from('PRI'))).map((b) => raw('random bytes', Buffer.from(b), true)),
    fc.constantFrom(
      raw('bad version', `GET /version HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('no version', `GET /version\r\nHost: x\r\n\r\n`, true, false),
      raw('bad method token', `G(T /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('space in target', `GET /api/v1/networks/a b/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('NUL in target', `GET /api/v1/net\u0000works/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('tab in target', `GET /api/v1/net\tworks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('header without colon', `GET /version HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n`),
      raw('control char in header', `GET /version HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\nConnection: close\r\n\r\n`),
      raw('obs-fold', `GET /version HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n`),
      raw('bare LF', `GET /version HTTP/1.1\nHost: x\nConnection: close\n\n`, true),
      raw('two content-lengths', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\n{"a":1}`),
      raw('negative content-length', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}`),
      raw('huge content-length', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n{}`),
      raw('CL and TE', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`),
      raw('bad chunk size', `POST ${target} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
      raw('unknown transfer-encoding', `POST ${target} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}`),
      raw('huge header', `GET /version HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`),
      raw('many headers', `GET /version HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v\r\n`).join('')}Connection: close\r\n\r\n`),
      raw('CONNECT', `CONNECT ${'127.0.0.1:9999'} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('upgrade', `GET /version HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`, false, false),
      raw('h2c upgrade', `GET /version HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`, false, false),
      raw('HTTP/1.0 no host', `GET /version HTTP/1.0\r\n\r\n`, false, false),
      raw('PR not PRI', `PRX * HTTP/2.0\r\n\r\nSM\r\n\r\n`),
    ),
    fc.integer({ min: 1, max: tmpl.length - 1 }).map((n) => req('short content-length', { method: 'POST', target, headers: [['Content-Length', String(n)]], body: tmpl })),
    fc.integer({ min: 1, max: 100 }).map((n) => req('long content-length', { method: 'POST', target, headers: [['Content-Length', String(tmpl.length + n)]], body: tmpl }, { answerOptional: true })),
    fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }), fc.constantFrom('X-Thing', 'Content-Type', 'User-Agent', 'Host', 'X-Request-Id')).map(([v, h]) =>
      req('header value', { method: 'GET', target: '/api/v1/networks/', headers: [[h, v]] }, { mustFail: false, answerOptional: true }),
    ),
    fc.constantFrom(...SPECIAL_STRINGS).map((s) => req('special header name', { method: 'GET', target: '/version', headers: [[s || 'X', 'v']] }, { mustFail: false, answerOptional: true })),
  );
}

function conflictsCase(): fc.Arbitrary<Case> {
  const t = CONFLICT_TENANT;
  const post = (plural: string, key: string, body: Record<string, unknown>, label: string): Case => ({ label: `conflicts/${label}`, req: { method: 'POST', target: path(plural, key), body: JSON.stringify(body) }, mustFail: true });
  const del = (plural: string, key: string): Case => ({ label: `conflicts/delete ${plural}`, req: { method: 'DELETE', target: path(plural, key) }, mustFail: true });
  const seeded = new Map(seedObjects(t, 97).map((o) => [o.key, o]));
  const body = (key: string): Record<string, unknown> => ({ ...(seeded.get(key)?.body ?? {}) });
  const overlapping = fc.constantFrom('10.97.1.0/24', '10.97.0.0/16', '10.97.1.128/25', '10.97.1.4/30', '10.96.0.0/14', '10.0.0.0/8', '10.97.2.0/23', '10.97.1.255/32');
  const name = fc.stringMatching(/^x[a-z0-9]{0,6}$/);
  const goUa = fc.boolean();
  return fc
    .tuple(
      fc.oneof(
        // Still in use.
        fc.constantFrom(del('tenants', t), del('networks', `${t}:n1`), del('endpointGroups', `${t}:g1`), del('endpointGroups', `${t}:g2`), del('policys', `${t}:p1`), del('netprofiles', `${t}:np1`), del('extContractsGroups', `${t}:e1`), del('globals', 'global')),
        // Changes to what cannot change.
        fc.tuple(fc.constantFrom('subnet', 'gateway', 'encap', 'pktTag', 'nwType'), fc.constantFrom<unknown>('10.97.9.0/24', '10.97.1.1', 'vlan', 77, 'infra')).map(([f, v]) =>
          post('networks', `${t}:n1`, { ...body(`${t}:n1`), [f]: v, ...(f === 'subnet' ? { gateway: '' } : {}) }, `change network ${f}`),
        ),
        fc.tuple(fc.constantFrom('port', 'priority', 'action', 'direction', 'protocol'), fc.constantFrom<unknown>(81, 6, 'deny', 'out', 'udp')).map(([f, v]) =>
          post('rules', `${t}:p1:1`, { ...body(`${t}:p1:1`), [f]: v, ...(f === 'direction' ? { fromEndpointGroup: '', toEndpointGroup: 'g2' } : {}) }, `change rule ${f}`),
        ),
        fc.constantFrom<Record<string, unknown>>({ contracts: ['uni/tn-common/brc-other'] }, { contractsType: 'consumed' }).map((ch) => post('extContractsGroups', `${t}:e1`, { ...body(`${t}:e1`), ...ch }, 'change contracts group')),
        fc.constantFrom<Record<string, unknown>>({ networkName: 'n2' }, { ipPool: '10.97.1.30-10.97.1.40' }).map((ch) => post('endpointGroups', `${t}:g1`, { ...body(`${t}:g1`), ...ch }, 'change group network/pool')),
        // References to what does not exist.
        fc.tuple(name, fc.constantFrom<Record<string, unknown>>({ policies: ['nosuch'] }, { netProfile: 'nosuch' }, { extContractsGrps: ['nosuch'] }, { networkName: 'nosuch' })).map(([n, ch]) =>
          post('endpointGroups', `${t}:${n}`, { tenantName: t, groupName: n, networkName: 'n1', ...ch }, 'group with missing reference'),
        ),
        fc.tuple(name, fc.constantFrom<Record<string, unknown>>({ fromEndpointGroup: 'nosuch' }, { fromNetwork: 'nosuch' }, { policyName: 'nosuch' })).map(([n, ch]) =>
          post('rules', `${t}:${String(ch.policyName ?? 'p1')}:${n}`, { tenantName: t, policyName: 'p1', ruleId: n, direction: 'in', action: 'allow', ...ch }, 'rule with missing reference'),
        ),
        fc.tuple(name, fc.constantFrom('nosuch1', 'nosuch2')).map(([n, tn]) => post('networks', `${tn}:${n}`, { tenantName: tn, networkName: n, encap: 'vxlan', subnet: '10.200.0.0/24' }, 'network in missing tenant')),
        // Overlaps and duplicates.
        fc.tuple(name, overlapping).map(([n, s]) => post('networks', `${t}:${n}`, { tenantName: t, networkName: n, encap: 'vxlan', subnet: s }, 'overlapping subnet')),
        name.map((n) => post('networks', `${t}:g1`, { tenantName: t, networkName: 'g1', encap: 'vxlan', subnet: `10.96.${n.length}.0/24` }, 'network named like a group')),
        name.map((n) => post('endpointGroups', `${t}:${n}`, { tenantName: t, groupName: n, networkName: 'n1', ipPool: '10.97.1.15-10.97.1.25' }, 'overlapping pool')),
        name.map((n) => post('endpointGroups', `${t}:${n}`, { tenantName: t, groupName: n, networkName: 'n1', ipPool: '10.97.9.1-10.97.9.5' }, 'pool outside subnet')),
        name.map((n) => post('appProfiles', `${t}:${n}`, { tenantName: t, appProfileName: n, endpointGroups: ['g1'] }, 'group in two app profiles')),
        fc.constantFrom<Record<string, unknown>>({ fwdMode: 'routing' }, { pvtSubnet: '172.20.0.0/16' }, { vxlans: '5000-6000' }, { vlans: '100-200' }).map((ch) => post('globals', 'global', { name: 'global', ...ch }, 'global change in use')),
      ),
      goUa,
    )
    .map(([c, go]) => (go ? { ...c, req: { ...c.req, headers: [['User-Agent', GO_UA] as const] } } : c));
}

// ---------------------------------------------------------------------------
// Judging an answer.

function snapshotDiff(a: StoreSnapshot, b: StoreSnapshot): string | undefined {
  const out: string[] = [];
  for (const [k, v] of a.entries) {
    const w = b.entries.get(k);
    if (w === undefined) out.push(`- ${k}`);
    else if (w !== v) out.push(`~ ${k}: ${v.slice(0, 200)} -> ${w.slice(0, 200)}`);
  }
  for (const k of b.entries.keys()) if (!a.entries.has(k)) out.push(`+ ${k}: ${(b.entries.get(k) ?? '').slice(0, 200)}`);
  if (out.length === 0 && a.revision !== b.revision) out.push(`store revision ${a.revision} -> ${b.revision} (a write of unchanged values)`);
  return out.length === 0 ? undefined : out.slice(0, 10).join('\n');
}

interface Judged {
  readonly problem?: string;
  readonly accepted: boolean;
}

/** What node's HTTP parser refused carries no User-Agent we could read: JSON for everyone (rest/client-error.ts). */
const parserRefusal = (res: RawResponse): boolean => (res.status === 400 || res.status === 431) && /"message":"malformed HTTP request: /.test(res.body);

function errorMessageOf(res: RawResponse, goClient: boolean): { message?: string; problem?: string } {
  if (goClient && !parserRefusal(res)) {
    if (!/^text\/plain/.test(res.headers['content-type'] ?? '')) return { problem: `the Go client's error is not text/plain (${res.headers['content-type'] ?? 'none'})` };
    return { message: res.body.trim() };
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { problem: `the error body is not JSON: ${JSON.stringify(res.body.slice(0, 300))}` };
  }
  const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof err !== 'object' || err === null || typeof err.code !== 'string' || typeof err.message !== 'string') {
    return { problem: `the error body is not {"error":{"code","message"}}: ${res.body.slice(0, 300)}` };
  }
  return { message: err.message };
}

/** Checks one answer against the properties of the file comment; `before`/`after` are the store around it. */
async function judge(target: RestFuzzTarget, c: Case, res: RawResponse, before: StoreSnapshot, after: StoreSnapshot): Promise<Judged> {
  const changed = snapshotDiff(before, after);
  const goClient = (c.req.headers ?? []).some(([k, v]) => k.toLowerCase() === 'user-agent' && v === GO_UA);
  if (res.status === 0) {
    if (c.answerOptional) return changed ? { problem: `no answer, and the store changed:\n${changed}`, accepted: false } : { accepted: false };
    return { problem: `no answer: ${res.failure ?? '?'}`, accepted: false };
  }
  const refused = res.status >= 400;
  if (res.status >= 500 && !(goClient && res.status === 500)) return { problem: `HTTP ${res.status}: ${res.body.slice(0, 500)}`, accepted: false };
  if (!refused && (res.status < 200 || res.status >= 300)) return { problem: `unexpected HTTP ${res.status}`, accepted: false };
  if (refused) {
    if (changed) return { problem: `refused with HTTP ${res.status}, but the store changed:\n${changed}`, accepted: false };
    if (c.req.method !== 'HEAD') {
      const { message, problem } = errorMessageOf(res, goClient);
      if (problem) return { problem, accepted: false };
      if (!message) return { problem: `HTTP ${res.status} with an empty message`, accepted: false };
      if (/\n\s+at .+\(.*:\d+:\d+\)/.test(message) || /^\s+at /m.test(message)) return { problem: `a stack trace in the answer: ${message.slice(0, 500)}`, accepted: false };
      if (message.length > MAX_MESSAGE) return { problem: `an error message of ${message.length} characters: ${message.slice(0, 200)}...`, accepted: false };
      if (/^internal error/.test(message)) return { problem: `an internal error: ${message.slice(0, 500)}`, accepted: false };
    }
    return { accepted: false };
  }
  if (c.mustFail) return { problem: `accepted (HTTP ${res.status}) a request that must be refused: ${res.body.slice(0, 300)}`, accepted: true };
  const method = c.req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return changed ? { problem: `a ${method} changed the store:\n${changed}`, accepted: true } : { accepted: true };
  // A success: it must have done what it said. The answer names the object (POST/PUT) or the key (DELETE).
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { problem: `HTTP ${res.status} with a body that is not JSON: ${res.body.slice(0, 300)}`, accepted: true };
  }
  const m = /^\/api\/v1\/([A-Za-z]+)\//.exec(c.req.target);
  if (!m) return { problem: `HTTP ${res.status} for ${method} on a path that is no collection`, accepted: true };
  const key = method === 'DELETE' ? json : (json as { key?: unknown } | null)?.key;
  if (typeof key !== 'string') return { problem: `HTTP ${res.status}: the answer names no key: ${res.body.slice(0, 300)}`, accepted: true };
  const now = await rawRequest(target.raw, { method: 'GET', target: path(m[1] ?? '', key) });
  if (method === 'DELETE') return now.status === 404 ? { accepted: true } : { problem: `DELETE answered ${res.status} but GET ${key} is ${now.status}`, accepted: true };
  if (now.status !== 200 || now.body !== JSON.stringify(json)) return { problem: `${method} answered ${res.body.slice(0, 300)} but GET ${key} is ${now.status} ${now.body.slice(0, 300)}`, accepted: true };
  return { accepted: true };
}

// ---------------------------------------------------------------------------
// Running.

async function alive(target: RestFuzzTarget): Promise<string | undefined> {
  const v = await rawRequest(target.raw, { method: 'GET', target: '/version' });
  if (v.status !== 200) return `GET /version after it: ${v.status === 0 ? v.failure : `HTTP ${v.status}`}`;
  return target.health?.();
}

async function checkCase(target: RestFuzzTarget, c: Case, n: FuzzCounters): Promise<void> {
  const before = await target.snapshot();
  const opts = c.answerOptional ? { halfCloseAfterMs: 300 } : {};
  const started = Date.now();
  const res = c.bytes ? await rawExchange(target.raw, c.bytes, opts) : await rawRequest(target.raw, c.req, opts);
  n.requests++;
  const ms = Date.now() - started;
  if (!n.slowest || ms > n.slowest.ms) n.slowest = { label: c.label, ms };
  const after = await target.snapshot();
  const j = await judge(target, c, res, before, after);
  if (j.accepted) n.accepted++;
  else n.refused++;
  const dead = await alive(target);
  if (j.problem || dead) throw new Error(`${j.problem ?? ''}${j.problem && dead ? '\n' : ''}${dead ? `the server is not well: ${dead}` : ''}\nrequest: ${show(c)}`);
}

/** Concurrent creates of networks whose names and subnets collide: the answers and the store must agree. */
function racesProperty(target: RestFuzzTarget, n: FuzzCounters): fc.IAsyncProperty<[Array<{ name: string; subnet: string }>]> {
  const t = RACE_TENANT;
  const entry = fc.record({ name: fc.constantFrom('r1', 'r2'), subnet: fc.constantFrom('10.95.0.0/24', '10.95.0.0/16', '10.95.0.128/25', '10.95.1.0/24') });
  return fc.asyncProperty(fc.array(entry, { minLength: 2, maxLength: 6 }), async (reqs) => {
    const before = await target.snapshot();
    const answers = await Promise.all(
      reqs.map((r) => rawRequest(target.raw, { method: 'POST', target: path('networks', `${t}:${r.name}`), body: JSON.stringify({ tenantName: t, networkName: r.name, encap: 'vxlan', subnet: r.subnet }) })),
    );
    n.requests += answers.length;
    const problems: string[] = [];
    const won = new Map<string, string>();
    answers.forEach((a, i) => {
      const r = reqs[i] as { name: string; subnet: string };
      if (a.status === 200) {
        n.accepted++;
        const prev = won.get(r.name);
        if (prev !== undefined && prev !== r.subnet) problems.push(`${r.name} created twice with different subnets (${prev}, ${r.subnet})`);
        won.set(r.name, r.subnet);
      } else if (a.status === 409) n.refused++;
      else problems.push(`POST ${r.name} ${r.subnet}: HTTP ${a.status} ${a.body.slice(0, 200)}`);
    });
    if (won.size === 0) problems.push('every create was refused');
    const list = await rawRequest(target.raw, { method: 'GET', target: '/api/v1/networks/' });
    const stored = (JSON.parse(list.body) as Array<{ tenantName: string; networkName: string; subnet: string }>).filter((x) => x.tenantName === t);
    const storedMap = new Map(stored.map((x) => [x.networkName, x.subnet]));
    if (JSON.stringify([...storedMap].sort()) !== JSON.stringify([...won].sort())) problems.push(`answers said ${JSON.stringify([...won])}, the store has ${JSON.stringify([...storedMap])}`);
    const subnets = [...storedMap.values()];
    for (let i = 0; i < subnets.length; i++) for (let j = i + 1; j < subnets.length; j++) if (overlaps(subnets[i] ?? '', subnets[j] ?? '')) problems.push(`overlapping networks stored: ${subnets[i]}, ${subnets[j]}`);
    for (const name of storedMap.keys()) {
      const d = await rawRequest(target.raw, { method: 'DELETE', target: path('networks', `${t}:${name}`) });
      if (d.status !== 200) problems.push(`cleanup DELETE ${name}: HTTP ${d.status} ${d.body.slice(0, 200)}`);
    }
    const after = await target.snapshot();
    // Values only: the deletes rewrote the allocator keys to what they were.
    const diff = snapshotDiff(before, { ...after, revision: before.revision });
    if (diff) problems.push(`create then delete left the store changed:\n${diff}`);
    const dead = await alive(target);
    if (dead) problems.push(`the server is not well: ${dead}`);
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\nrequests: ${JSON.stringify(reqs)}`);
  });
}

function overlaps(a: string, b: string): boolean {
  const parse = (s: string): [number, number] => {
    const [ip = '', len = '32'] = s.split('/');
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(len));
    const start = n - (n % size);
    return [start, start + size - 1];
  };
  const [a0, a1] = parse(a);
  const [b0, b1] = parse(b);
  return a0 <= b1 && b0 <= a1;
}

const CASES: Record<Exclude<RestProperty, 'races'>, () => fc.Arbitrary<Case>> = { bodies: bodiesCase, paths: pathsCase, http: httpCase, conflicts: conflictsCase };

function restProperty(target: RestFuzzTarget, name: RestProperty, n: FuzzCounters): fc.IAsyncProperty<[unknown]> {
  if (name === 'races') return racesProperty(target, n) as fc.IAsyncProperty<[unknown]>;
  return fc.asyncProperty(CASES[name](), (c) => checkCase(target, c, n)) as fc.IAsyncProperty<[unknown]>;
}

/** Runs the named properties (all by default) and reports each; never throws for a property failure. */
export async function runRestFuzz(target: RestFuzzTarget, opts: FuzzRunOptions & { readonly only?: readonly RestProperty[] }): Promise<PropertyReport[]> {
  const reports: PropertyReport[] = [];
  for (const name of opts.only ?? REST_PROPERTIES) {
    const n = newCounters();
    // A race case sends several requests at once: fewer of them cover as much.
    const numRuns = name === 'races' ? Math.max(1, Math.ceil(opts.numRuns / 5)) : opts.numRuns;
    reports.push(await checkProperty(`rest.${name}`, restProperty(target, name, n), n, { ...opts, numRuns }));
  }
  return reports;
}

export { formatReports };
