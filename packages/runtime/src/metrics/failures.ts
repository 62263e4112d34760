/**
 * Counting the failures of a client object (the cluster store, the OVSDB
 * client, the OpenFlow connection) without touching its callers: a proxy
 * that reports every method call that throws or whose promise rejects, then
 * lets the error through unchanged.
 */

/** `target` with every method's failures reported to `onFailure(method, err)`. */
export function countFailures<T extends object>(target: T, onFailure: (method: string, err: unknown) => void): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value;
      const cached = wrapped.get(prop);
      if (cached !== undefined) return cached;
      const fn = value as (...args: unknown[]) => unknown;
      const method = (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          // The target itself as `this`: classes with private fields refuse a proxy there.
          result = fn.apply(obj, args);
        } catch (err) {
          onFailure(prop, err);
          throw err;
        }
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            onFailure(prop, err);
            throw err;
          });
        }
        return result;
      };
      wrapped.set(prop, method);
      return method;
    },
  });
}
