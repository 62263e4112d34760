/**
 * Which cluster store the end-to-end tests run on: one switch for the stacks
 * (stack.ts) and the local clusters (cluster/client.ts), so netmaster, every
 * netplugin and the v2plugin's `cluster_store` all get the same URL.
 *
 *   CONTIV_E2E_STORE=consul   every stack and cluster keeps its state in Consul (`make test-consul`)
 *   CONTIV_E2E_STORE=etcd     every one in etcd
 *   unset                     each file's own choice: etcd, except the files that pick Consul
 *                             so every CI run covers it (docs/testing.md, "Which store")
 *
 * Files that cannot run on a store (dockerd's --cluster-store has no Consul
 * backend in Debian's dockerd 20.10) report one skipped test saying why
 * (`describeOnStore`), which the runner counts as skipped, never as passed.
 */
import { describe, test, type TestOptions } from 'node:test';
import type { StoreKind } from './cluster/state';

export type { StoreKind };

export const E2E_STORE_ENV = 'CONTIV_E2E_STORE';

/** The store CONTIV_E2E_STORE forces, or undefined when it is unset or empty. */
export function forcedStore(env: NodeJS.ProcessEnv = process.env): StoreKind | undefined {
  const v = env[E2E_STORE_ENV];
  if (v === undefined || v === '') return undefined;
  if (v === 'etcd' || v === 'consul') return v;
  throw new Error(`${E2E_STORE_ENV} must be etcd or consul, not "${v}"`);
}

/** The store a test file runs on: the forced one, else the file's preference (etcd when it has none). */
export function e2eStore(preferred: StoreKind = 'etcd', env: NodeJS.ProcessEnv = process.env): StoreKind {
  return forcedStore(env) ?? preferred;
}

/** Why suites whose engines run with `dockerd --cluster-store` skip on Consul. */
export const DOCKERD_CLUSTER_STORE_ETCD_ONLY =
  "dockerd --cluster-store needs etcd: Debian's dockerd 20.10 has no Consul backend for it " +
  '("discovery service not supported"); netmaster and the agents on Consul are covered by the other suites';

type SuiteFn = () => void | Promise<void>;

/**
 * describe() for a suite that only runs on some stores. On any other store the
 * suite holds a single skipped test named after it whose skip message is
 * `reason`, and nothing of the suite (its hooks included) runs. A skipped
 * describe would not do: node:test counts no skipped test for it.
 */
export function describeOnStore(stores: readonly StoreKind[], reason: string, name: string, options: TestOptions, fn: SuiteFn): void {
  const store = e2eStore();
  if (stores.includes(store)) {
    void describe(name, options, fn);
    return;
  }
  void describe(name, () => {
    void test(`runs on ${stores.join(' or ')} only (${E2E_STORE_ENV}=${store})`, { skip: reason }, () => undefined);
  });
}
