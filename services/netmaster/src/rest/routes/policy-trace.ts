/**
 * `GET /api/v1/inspect/policyTrace/?tenant=T&from=A&to=B[&protocol=P][&port=N]`:
 * the policy verdict for a new connection from A to B (core/policy-trace.ts).
 * Read-only, so a GET with the request in the query string, under inspect/
 * like the other computed answers.
 */
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance } from 'fastify';
import { NetmasterError } from '../../errors';
import { PolicyTraceService, type PolicyTraceRequest } from '../../core/policy-trace';
import type { Services } from '../../core/services';
import type { Gate } from '../../gate';

export const POLICY_TRACE_PATH = '/api/v1/inspect/policyTrace/';

const REQUIRED = ['tenant', 'from', 'to'] as const;
const OPTIONAL = ['protocol', 'port'] as const;
type Param = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);

/** The query string as a trace request: every parameter once, known ones only, required ones non-empty. */
export function parseTraceQuery(query: unknown): PolicyTraceRequest {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw bad(`unknown parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${[...KNOWN].join(', ')})`);
  const value = (k: Param): string | undefined => {
    const v = q[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw bad(`parameter ${k} is given more than once`);
    return v;
  };
  for (const k of REQUIRED) {
    if (!value(k)) throw bad(`parameter ${k} is required`);
  }
  const optional = (k: Param): string | undefined => {
    const v = value(k);
    if (v === '') throw bad(`parameter ${k} is empty`);
    return v;
  };
  const protocol = optional('protocol');
  const port = optional('port');
  return {
    tenant: value('tenant') as string,
    from: value('from') as string,
    to: value('to') as string,
    ...(protocol !== undefined ? { protocol } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

const bad = (message: string): NetmasterError => new NetmasterError('INVALID_ARGUMENT', `policy trace: ${message}`);

export function registerPolicyTraceRoutes(app: FastifyInstance, s: Services, gate: Gate, _log: Logger): void {
  const tracer = new PolicyTraceService(s.core);
  app.get(POLICY_TRACE_PATH, async (req) => {
    gate.assertReadable();
    return tracer.trace(parseTraceQuery(req.query));
  });
}
