/**
 * Model failures. `MODEL_INVALID` is bad user input (a REST body, a CLI flag):
 * the message names the object and the field. `MODEL_BAD_STATE` is a stored
 * record that does not parse: readers never trust raw JSON from the store.
 * Codes are stable and listed in docs/errors.md.
 */
export type ModelErrorCode = 'MODEL_INVALID' | 'MODEL_BAD_STATE';

/** One problem with one field; `field` is "" for problems with the whole object. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class ModelValidationError extends Error {
  override readonly name = 'ModelValidationError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isModelError(err: unknown, code?: ModelErrorCode): err is ModelValidationError {
  return err instanceof Error && err.name === 'ModelValidationError' && (code === undefined || (err as ModelValidationError).code === code);
}
