/**
 * Property-based fuzzing of the Docker plugin socket (docs/testing.md,
 * "Fuzzing"): Docker's remote NetworkDriver and IpamDriver calls with hostile
 * bodies, paths, methods and raw HTTP. One request per run, then:
 *
 * - it was answered, in Docker's media type, with a JSON object, and the shim
 *   (and whatever `health` checks: the agent) still answers Plugin.Activate;
 * - a failure is `{"Err": "<non-empty>"}` (IpamDriver: `Error` too, equal)
 *   with the status docs/driver.md gives it, no stack, no internal error,
 *   at most MAX_MESSAGE characters;
 * - what the shim refused itself (400, 404, 413) never reached the agent, and
 *   a refusal left the state `snapshot` sees (store, OVS) as it was;
 * - a success only where the target allows one.
 *
 * Run against a fake agent in the unit test (src/fuzz.test.ts), against the
 * real netplugin in test/src/integration/fuzz.itest.ts, longer in `make bench`.
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
} from '@contiv/testkit';

export interface PluginFuzzTarget {
  readonly socketPath: string;
  /** Opaque state that a refused call must leave as it was (store keys, OVS ports); none: not checked. */
  snapshot?(): Promise<string>;
  /** Calls the agent has received so far (a fake agent); none: not checked. */
  agentCalls?(): number;
  /** May a call of this method succeed? (A fake agent that refuses everything: only the shim's own answers.) */
  successAllowed(method: string): boolean;
  /** A problem with the processes behind the socket, if any. */
  health?(): Promise<string | undefined>;
}

export const PLUGIN_PROPERTIES = ['bodies', 'paths', 'http'] as const;
export type PluginProperty = (typeof PLUGIN_PROPERTIES)[number];

export const MAX_MESSAGE = 2048;
const MEDIA_TYPE = 'application/vnd.docker.plugins.v1+json';

const NID = 'a'.repeat(64);
const EID = 'b'.repeat(64);

/** Docker's request for each method (PROTOCOLS.md §1–2), as Docker sends it. */
export const DOCKER_REQUESTS: Readonly<Record<string, Record<string, unknown> | undefined>> = {
  '/Plugin.Activate': undefined,
  '/Plugin.Deactivate': undefined,
  '/NetworkDriver.GetCapabilities': undefined,
  '/NetworkDriver.CreateNetwork': {
    NetworkID: NID,
    Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': { tenant: 'default', network: 'fz' } },
    IPv4Data: [{ AddressSpace: 'contiv-local', Pool: '10.94.0.0/24', Gateway: '10.94.0.1/24', AuxAddresses: {} }],
    IPv6Data: [],
  },
  '/NetworkDriver.DeleteNetwork': { NetworkID: NID },
  '/NetworkDriver.AllocateNetwork': { NetworkID: NID, Options: {}, IPv4Data: [], IPv6Data: [] },
  '/NetworkDriver.FreeNetwork': { NetworkID: NID },
  '/NetworkDriver.CreateEndpoint': { NetworkID: NID, EndpointID: EID, Interface: { Address: '10.94.0.2/24', AddressIPv6: '', MacAddress: '' }, Options: {} },
  '/NetworkDriver.DeleteEndpoint': { NetworkID: NID, EndpointID: EID },
  '/NetworkDriver.EndpointOperInfo': { NetworkID: NID, EndpointID: EID },
  '/NetworkDriver.Join': { NetworkID: NID, EndpointID: EID, SandboxKey: '/var/run/docker/netns/fz', Options: {} },
  '/NetworkDriver.Leave': { NetworkID: NID, EndpointID: EID },
  '/NetworkDriver.DiscoverNew': { DiscoveryType: 1, DiscoveryData: { Address: '192.0.2.1', BindAddress: '', Self: false } },
  '/NetworkDriver.DiscoverDelete': { DiscoveryType: 1, DiscoveryData: { Address: '192.0.2.1', BindAddress: '', Self: false } },
  '/NetworkDriver.ProgramExternalConnectivity': { NetworkID: NID, EndpointID: EID, Options: {} },
  '/NetworkDriver.RevokeExternalConnectivity': { NetworkID: NID, EndpointID: EID },
  '/IpamDriver.GetCapabilities': undefined,
  '/IpamDriver.GetDefaultAddressSpaces': undefined,
  '/IpamDriver.RequestPool': { AddressSpace: 'contiv-local', Pool: '10.94.0.0/24', SubPool: '', Options: {}, V6: false },
  '/IpamDriver.ReleasePool': { PoolID: 'fz|10.94.0.0/24' },
  '/IpamDriver.RequestAddress': { PoolID: 'fz|10.94.0.0/24', Address: '', Options: {} },
  '/IpamDriver.ReleaseAddress': { PoolID: 'fz|10.94.0.0/24', Address: '10.94.0.2' },
};
export const DOCKER_METHODS = Object.keys(DOCKER_REQUESTS);

interface Case {
  readonly label: string;
  /** The Docker method the path names (for the error shape), or '' for none. */
  readonly method: string;
  readonly req: RawRequest;
  readonly bytes?: Buffer;
  /** Bad for every method: only a refusal will do. */
  readonly mustFail: boolean;
  readonly answerOptional?: boolean;
}

function show(c: Case): string {
  const text = c.bytes ? JSON.stringify(c.bytes.toString('latin1')) : `${c.req.method} ${JSON.stringify(c.req.target)} headers=${JSON.stringify(c.req.headers ?? [])} body=${c.req.body === undefined ? '-' : JSON.stringify(String(c.req.body))}`;
  return `[${c.label}] ${text.length > 600 ? `${text.slice(0, 600)}... (${text.length} chars)` : text}`;
}

const headersArb = fc.constantFrom<Array<readonly [string, string]>>(
  [],
  [['Accept', 'application/vnd.docker.plugins.v1.2+json']],
  [['Content-Type', 'application/json']],
  [['Content-Type', 'text/html; charset=utf-16']],
  [['Content-Type', 'multipart/form-data; boundary=x']],
  [['Transfer-Encoding', 'chunked']],
);

/** Chunked encoding of `body` (Transfer-Encoding: chunked in the headers), in small chunks. */
function chunked(body: string): string {
  const b = Buffer.from(body, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += 7) {
    const piece = b.subarray(i, i + 7);
    parts.push(`${piece.length.toString(16)}\r\n${piece.toString('latin1')}\r\n`);
  }
  return `${parts.join('')}0\r\n\r\n`;
}

function bodyArb(method: string): fc.Arbitrary<{ text: string; mustFail: boolean; label: string }> {
  const hasArgs = DOCKER_REQUESTS[method] !== undefined;
  const tmpl = DOCKER_REQUESTS[method] ?? { NetworkID: NID };
  const tmplText = JSON.stringify(tmpl);
  const fields = Object.keys(tmpl);
  const members = Object.entries(tmpl).map(([k, v]) => [k, JSON.stringify(v)] as const);
  // Which nested objects a field may hold hostile members in.
  const nested = ['Options', 'Interface', 'DiscoveryData', 'IPv4Data'].filter((f) => f in tmpl);
  return fc.oneof(
    { weight: 2, arbitrary: notJson(tmplText).map((text) => ({ text, mustFail: true, label: 'not JSON' })) },
    // The argument-less calls (Activate, GetCapabilities...) ignore what JSON they get.
    { weight: 1, arbitrary: fc.oneof(hostileJsonValue.filter((v) => !v.startsWith('{') && v !== 'null'), fc.constantFrom('[]', '[{}]', '1', 'true', '"{}"')).map((text) => ({ text, mustFail: hasArgs, label: 'not an object' })) },
    { weight: 1, arbitrary: deepJsonText.map((text) => ({ text, mustFail: hasArgs && text.startsWith('['), label: 'deep' })) },
    {
      weight: 5,
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...fields, 'Err', 'NetworkID', 'EndpointID', 'PoolID'), hostileJsonValue), { minLength: 1, maxLength: 3 }).map((changes) => {
        const m = new Map(members);
        for (const [f, v] of changes) m.set(f, v);
        return { text: objectText([...m]), mustFail: false, label: 'wrong field values' };
      }),
    },
    {
      weight: nested.length > 0 ? 2 : 0,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...(nested.length > 0 ? nested : ['Options'])),
          fc.array(fc.tuple(fc.oneof(hostileString({ huge: false }), fc.constantFrom('__proto__', 'constructor', 'com.docker.network.generic', 'Address', 'MacAddress', 'Pool', 'Gateway', 'AuxAddresses')), hostileJsonValue), { maxLength: 4 }),
        )
        .map(([f, entries]) => {
        const m = new Map(members);
        const d = objectText(entries);
        m.set(f, f === 'IPv4Data' ? `[${d}]` : d);
        return { text: objectText([...m]), mustFail: false, label: `hostile ${f}` };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...fields), hostileJsonValue).map(([f, v]) => ({ text: objectText([...members, [f, v]]), mustFail: false, label: 'duplicate key' })),
    },
    { weight: 1, arbitrary: fc.constant({ text: `${tmplText}${' '.repeat((1 << 20) + 10)}`, mustFail: true, label: 'over the body limit' }) },
  );
}

function bodiesCase(): fc.Arbitrary<Case> {
  return fc.constantFrom(...DOCKER_METHODS).chain((m) =>
    fc.tuple(bodyArb(m), headersArb).map(([b, headers]) => ({
      label: `bodies${m}/${b.label}`,
      method: m,
      req: { method: 'POST', target: m, headers, body: headers.some(([k]) => k === 'Transfer-Encoding') ? chunked(b.text) : b.text },
      mustFail: b.mustFail,
    })),
  );
}

function pathsCase(): fc.Arbitrary<Case> {
  const known = fc.constantFrom(...DOCKER_METHODS);
  const target = fc.oneof(
    known.map((m) => ({ target: m, method: m })),
    fc.tuple(known, fc.constantFrom('?x=1', '?', '#x', '/', '/..', '%00', '%2F', '/../Plugin.Activate', '.', 'x', '\u00e9')).map(([m, s]) => ({ target: `${m}${s}`, method: s.startsWith('?') || s === '#x' ? m : '' })),
    known.map((m) => ({ target: m.toLowerCase(), method: '' })),
    known.map((m) => ({ target: `/${m}`, method: '' })),
    known.map((m) => ({ target: m.replace('.', '%2E'), method: '' })),
    fc.constantFrom('/', '', '*', '/NetworkDriver.', '/IpamDriver.', '/Plugin.', '/NetworkDriver.GwAllocCheck', '/NetworkDriver.Create Network', '/VolumeDriver.Create', `/${'A'.repeat(20_000)}`, 'http://x/Plugin.Activate', '/NetworkDriver.CreateNetwork/../../etc/passwd').map((t) => ({ target: t, method: '' })),
    hostileString().map((s) => ({ target: `/${s.replace(/[ \r\n]/g, '_')}`, method: '' })),
  );
  return fc
    .record({
      t: target,
      verb: fc.constantFrom('POST', 'POST', 'GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'post', 'FOO', 'TRACE'),
      body: fc.option(fc.oneof(fc.constant('{}'), hostileJsonValue), { nil: undefined }),
    })
    .map(({ t, verb, body }) => ({
      label: `paths/${verb}`,
      method: t.method,
      req: { method: verb, target: t.target, ...(body !== undefined ? { body } : {}) },
      // Only a POST to a known method may succeed.
      mustFail: verb !== 'POST' || t.method === '',
    }));
}

function httpCase(): fc.Arbitrary<Case> {
  const target = '/NetworkDriver.CreateNetwork';
  const tmpl = JSON.stringify(DOCKER_REQUESTS[target]);
  // The raw requests that may succeed all call Plugin.Activate.
  const raw = (label: string, text: string, optional = false, mustFail = true): Case => ({ label: `http/${label}`, method: mustFail ? '' : '/Plugin.Activate', req: { method: 'POST', target: '-' }, bytes: Buffer.from(text, 'latin1'), mustFail, answerOptional: optional });
  return fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => ({ ...raw('random bytes', '', true), bytes: Buffer.from(b) })),
    fc.constantFrom(
      raw('bad version', `POST /Plugin.Activate HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('bad method token', `P(ST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('space in target', `POST /Plugin. Activate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('control char in header', `POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\nConnection: close\r\n\r\n`),
      raw('two content-lengths', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\n{"a":1}`),
      raw('CL and TE', `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`),
      raw('bad chunk size', `POST ${target} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
      raw('huge header', `POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`),
      raw('CONNECT', `CONNECT x:1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      raw('upgrade', `POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n`, false, false),
      raw('HTTP/1.0', `POST /Plugin.Activate HTTP/1.0\r\nContent-Length: 0\r\n\r\n`, false, false),
    ),
    fc.integer({ min: 1, max: tmpl.length - 1 }).map((n) => ({ label: 'http/short content-length', method: target, req: { method: 'POST', target, headers: [['Content-Length', String(n)] as const], body: tmpl }, mustFail: true })),
    fc.integer({ min: 1, max: 100 }).map((n) => ({ label: 'http/long content-length', method: target, req: { method: 'POST', target, headers: [['Content-Length', String(tmpl.length + n)] as const], body: tmpl }, mustFail: true, answerOptional: true })),
    fc.constantFrom(...SPECIAL_STRINGS).map((s) => ({ label: 'http/special header name', method: '/Plugin.Activate', req: { method: 'POST', target: '/Plugin.Activate', headers: [[s || 'X', 'v'] as const] }, mustFail: false, answerOptional: true })),
  );
}

const subsystemOf = (method: string) => (method.startsWith('/IpamDriver.') ? 'IpamDriver' : method.startsWith('/NetworkDriver.') ? 'NetworkDriver' : 'Plugin');

function judge(target: PluginFuzzTarget, c: Case, res: RawResponse, agentCalled: boolean, changed: string | undefined): { problem?: string; accepted: boolean } {
  if (res.status === 0) {
    if (c.answerOptional) return changed ? { problem: `no answer, and the state changed: ${changed}`, accepted: false } : { accepted: false };
    return { problem: `no answer: ${res.failure ?? '?'}`, accepted: false };
  }
  const head = c.req.method.toUpperCase() === 'HEAD' && !c.bytes;
  if (!head && !(res.headers['content-type'] ?? '').startsWith(MEDIA_TYPE)) return { problem: `HTTP ${res.status} in ${res.headers['content-type'] ?? 'no content type'}: ${res.body.slice(0, 300)}`, accepted: false };
  let json: unknown = {};
  if (!head) {
    try {
      json = JSON.parse(res.body);
    } catch {
      return { problem: `HTTP ${res.status} with a body that is not JSON: ${JSON.stringify(res.body.slice(0, 300))}`, accepted: false };
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problem: `the answer is not a JSON object: ${res.body.slice(0, 300)}`, accepted: false };
  }
  const o = json as Record<string, unknown>;
  const err = o.Err;
  const refused = (typeof err === 'string' && err !== '') || res.status >= 400;
  if (refused) {
    if (head) return { accepted: false };
    if (typeof err !== 'string' || err === '') return { problem: `HTTP ${res.status} without an Err: ${res.body.slice(0, 300)}`, accepted: false };
    const sub = subsystemOf(c.method);
    if (sub === 'IpamDriver' && o.Error !== err) return { problem: `an IpamDriver failure whose Error is not its Err: ${res.body.slice(0, 300)}`, accepted: false };
    const allowed = sub === 'IpamDriver' ? [400, 404, 405, 413, 431, 500] : [200, 400, 404, 405, 413, 431];
    if (!allowed.includes(res.status)) return { problem: `a ${sub} failure with HTTP ${res.status}: ${err.slice(0, 300)}`, accepted: false };
    if (/internal error/.test(err)) return { problem: `an internal error: ${err.slice(0, 500)}`, accepted: false };
    if (/^\s+at /m.test(err)) return { problem: `a stack trace in the answer: ${err.slice(0, 500)}`, accepted: false };
    if (err.length > MAX_MESSAGE) return { problem: `an Err of ${err.length} characters: ${err.slice(0, 200)}...`, accepted: false };
    if (res.status >= 400 && res.status !== 500 && agentCalled) return { problem: `refused by the shim (HTTP ${res.status}: ${err.slice(0, 200)}), yet the agent was called`, accepted: false };
    if (changed) return { problem: `refused (${err.slice(0, 200)}), but the state changed: ${changed}`, accepted: false };
    return { accepted: false };
  }
  if (res.status !== 200) return { problem: `HTTP ${res.status} for a success: ${res.body.slice(0, 300)}`, accepted: true };
  if (c.mustFail) return { problem: `accepted a request that must be refused: ${res.body.slice(0, 300)}`, accepted: true };
  if (!target.successAllowed(c.method)) return { problem: `${c.method || c.req.target} succeeded, which this target never allows: ${res.body.slice(0, 300)}`, accepted: true };
  return { accepted: true };
}

async function alive(target: PluginFuzzTarget): Promise<string | undefined> {
  const r = await rawRequest({ socketPath: target.socketPath }, { method: 'POST', target: '/Plugin.Activate', body: '' });
  if (r.status !== 200) return `Plugin.Activate after it: ${r.status === 0 ? r.failure : `HTTP ${r.status} ${r.body.slice(0, 200)}`}`;
  return target.health?.();
}

async function checkCase(target: PluginFuzzTarget, c: Case, n: FuzzCounters): Promise<void> {
  const before = await target.snapshot?.();
  const callsBefore = target.agentCalls?.() ?? 0;
  const opts = c.answerOptional ? { halfCloseAfterMs: 300 } : {};
  const started = Date.now();
  const res = c.bytes ? await rawExchange({ socketPath: target.socketPath }, c.bytes, opts) : await rawRequest({ socketPath: target.socketPath }, c.req, opts);
  n.requests++;
  const ms = Date.now() - started;
  if (!n.slowest || ms > n.slowest.ms) n.slowest = { label: c.label, ms };
  const after = await target.snapshot?.();
  const changed = before !== after ? diffText(before ?? '', after ?? '') : undefined;
  const j = judge(target, c, res, (target.agentCalls?.() ?? 0) > callsBefore, changed);
  if (j.accepted) n.accepted++;
  else n.refused++;
  const dead = await alive(target);
  if (j.problem || dead) throw new Error(`${j.problem ?? ''}${j.problem && dead ? '\n' : ''}${dead ? `not well afterwards: ${dead}` : ''}\nrequest: ${show(c)}`);
}

function diffText(a: string, b: string): string {
  const al = new Set(a.split('\n'));
  const bl = new Set(b.split('\n'));
  const gone = [...al].filter((l) => !bl.has(l)).map((l) => `- ${l}`);
  const added = [...bl].filter((l) => !al.has(l)).map((l) => `+ ${l}`);
  return [...gone, ...added].slice(0, 10).join('\n');
}

const CASES: Record<PluginProperty, () => fc.Arbitrary<Case>> = { bodies: bodiesCase, paths: pathsCase, http: httpCase };

export async function runPluginFuzz(
  target: PluginFuzzTarget,
  opts: FuzzRunOptions & { readonly only?: readonly PluginProperty[] },
): Promise<PropertyReport[]> {
  const reports: PropertyReport[] = [];
  for (const name of opts.only ?? PLUGIN_PROPERTIES) {
    const n = newCounters();
    reports.push(await checkProperty(`plugin.${name}`, fc.asyncProperty(CASES[name](), (c) => checkCase(target, c, n)), n, opts));
  }
  return reports;
}

export { formatReports };
