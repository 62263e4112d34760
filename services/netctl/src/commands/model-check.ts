/** The model's own validation, run on a request body before it is sent, so netctl and netmaster never disagree. */
import { isModelError } from '@contiv/model';
import { UsageError } from '../errors';

/** Runs `validate`; a model validation error becomes a usage error (exit 1, nothing sent). */
export function checkWithModel(validate: () => unknown): void {
  try {
    validate();
  } catch (err) {
    if (isModelError(err, 'MODEL_INVALID')) throw new UsageError(err.message);
    throw err;
  }
}
