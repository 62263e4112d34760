/** Both stores reject the same bad watch start, so behaviour does not depend on the backend. */
export function checkFromRevision(fromRevision: number | undefined): void {
  if (fromRevision !== undefined && !(Number.isInteger(fromRevision) && fromRevision >= 1)) {
    throw new RangeError(`fromRevision must be an integer >= 1, got ${fromRevision}`);
  }
}
