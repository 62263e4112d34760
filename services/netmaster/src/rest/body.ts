/**
 * Request bodies. Contiv's clients POST JSON with no Content-Type at all, so
 * every body is taken as text (whatever its content type) and parsed here,
 * with a message a user can act on when it is not JSON.
 */
import { jsonNestingDepth } from '@contiv/model';
import type { FastifyInstance } from 'fastify';
import { NetmasterError } from '../errors';

/** Largest body accepted (a network object is a few hundred bytes). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export function acceptAnyBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
}

/**
 * Deepest nesting of arrays and objects accepted. Contiv's objects nest four
 * levels (`link-sets` -> set -> member -> fields); JSON.parse itself copes with
 * any depth, but the recursive validation and error formatting after it do
 * not (20,000 levels overflowed the stack: a 500).
 */
export const MAX_BODY_DEPTH = 64;

export function parseJsonBody(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
  if (text.trim() === '') throw new NetmasterError('MALFORMED_JSON', 'the request body is empty: expected a JSON object');
  if (jsonNestingDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new NetmasterError('INVALID_ARGUMENT', `the request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new NetmasterError('MALFORMED_JSON', `the request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
