/**
 * Turns TypeBox field schemas into Contiv-style validation with messages that
 * name the object and the field:
 *   network default:net1: subnet "10.1.1.0/33" is not a valid IPv4 subnet (...)
 * Each field schema carries a `description` phrased to follow "is not".
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { ModelValidationError, type FieldIssue } from '../errors';

/** How one REST object type is validated. */
export interface ObjectSpec<S extends TObject> {
  /** Contiv's type name: `network`, `endpointGroup`, ... */
  readonly kind: string;
  readonly schema: S;
  /** Fields joined by `:` (in this order) make the REST key. */
  readonly keyFields: readonly (keyof Static<S> & string)[];
  /** Applied when a field is absent, null or "" (Go zero values). */
  readonly defaults?: Partial<Static<S>>;
  /** Checks across fields once every field is well-formed. */
  readonly check?: (obj: Static<S>) => FieldIssue[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's omitempty: these values are "not set". */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
}

function describe(field: string, err: ValueError): string {
  const schema = err.schema as TSchema & { description?: string; maxLength?: number; minimum?: number; maximum?: number };
  const where = err.path.length > 1 ? `${field}[${err.path.split('/').pop() ?? ''}]` : field;
  const shown = JSON.stringify(err.value);
  switch (err.type) {
    case ValueErrorType.String:
      return `${where} must be a string`;
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return `${where} must be an integer`;
    case ValueErrorType.Array:
      return `${where} must be a list`;
    case ValueErrorType.StringMaxLength:
      return `${where} is longer than ${schema.maxLength ?? '?'} characters`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberMinimum:
      return `${where} ${shown} is out of range (${schema.minimum ?? 0}-${schema.maximum ?? '∞'})`;
    case ValueErrorType.StringPattern:
    case ValueErrorType.Union:
      return `${where} ${shown} is not ${schema.description ?? 'in the expected format'}`;
    default:
      return `${where} ${shown} is invalid: ${err.message}`;
  }
}

/** `network default:net1`: the prefix of every message about one object. */
export function objectLabel<S extends TObject>(spec: ObjectSpec<S>, key: string | undefined): string {
  return key ? `${spec.kind} ${key}` : spec.kind;
}

/** The key of an object: its key fields joined by ':'. */
export function keyOf<S extends TObject>(spec: ObjectSpec<S>, obj: Partial<Static<S>>): string {
  return spec.keyFields.map((f) => String(obj[f] ?? '')).join(':');
}

/**
 * Makes `input` agree with the REST key from the URL: key fields missing from
 * the body are filled from it, and fields (or a `key` member) that disagree
 * are an error. Contiv's rule: the URL key wins, the body must match it.
 */
export function applyRestKey<S extends TObject>(spec: ObjectSpec<S>, input: unknown, urlKey: string): Record<string, unknown> {
  const label = objectLabel(spec, urlKey);
  if (!isRecord(input)) throw new ModelValidationError('MODEL_INVALID', `${label}: the body must be a JSON object`);
  const parts = urlKey.split(':');
  if (parts.length !== spec.keyFields.length || parts.some((p) => p === '')) {
    const want = spec.keyFields.join(':');
    throw new ModelValidationError('MODEL_INVALID', `${label}: invalid key "${urlKey}" (expected ${want})`, [{ field: 'key', message: `expected ${want}` }]);
  }
  const out: Record<string, unknown> = { ...input };
  const issues: FieldIssue[] = [];
  if (typeof input.key === 'string' && input.key !== '' && input.key !== urlKey) {
    issues.push({ field: 'key', message: `key "${input.key}" does not match the URL key "${urlKey}"` });
  }
  spec.keyFields.forEach((field, i) => {
    const fromUrl = parts[i] as string;
    const given = input[field];
    if (isEmptyValue(given)) out[field] = fromUrl;
    else if (given !== fromUrl) issues.push({ field, message: `${field} ${JSON.stringify(given)} does not match the key "${urlKey}"` });
  });
  if (issues.length > 0) throw new ModelValidationError('MODEL_INVALID', `${label}: ${issues.map((i) => i.message).join('; ')}`, issues);
  delete out.key;
  return out;
}

/**
 * Validates and normalises a config object: unknown members (such as
 * `link-sets`, `links`, `key`) are dropped, defaults applied, empty values
 * omitted. Throws ModelValidationError listing every problem at once.
 */
export function validateObject<S extends TObject>(spec: ObjectSpec<S>, input: unknown, key?: string): Static<S> {
  if (!isRecord(input)) throw new ModelValidationError('MODEL_INVALID', `${objectLabel(spec, key)}: the body must be a JSON object`);
  const label = objectLabel(spec, key ?? (spec.keyFields.every((f) => typeof input[f] === 'string' && input[f] !== '') ? keyOf(spec, input as Partial<Static<S>>) : undefined));
  const required = new Set(spec.schema.required ?? []);
  const defaults = (spec.defaults ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const [field, fieldSchema] of Object.entries(spec.schema.properties as Record<string, TSchema>)) {
    let value = input[field];
    if (value === null || value === undefined || value === '') value = field in defaults ? defaults[field] : value;
    if (value === null || value === undefined || (value === '' && required.has(field))) {
      if (required.has(field)) issues.push({ field, message: `${field} is required` });
      continue;
    }
    const err = Value.Errors(fieldSchema, value).First();
    if (err) issues.push({ field, message: describe(field, err) });
    else if (!isEmptyValue(value)) out[field] = value;
  }
  if (issues.length === 0 && spec.check) issues.push(...spec.check(out as Static<S>));
  if (issues.length > 0) {
    throw new ModelValidationError('MODEL_INVALID', `${label}: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return out as Static<S>;
}
