/**
 * @module @contiv/store/testing
 *
 * Test support: the conformance suite every Store implementation must pass, and
 * MemoryStore (also exported from the main entry) for unit tests of packages
 * built on the store.
 */
export { describeStoreConformance } from './conformance';
export type { StoreFixture, MakeStoreFixture } from './conformance';
export { MemoryStore } from '../memory/memory-store';
export type { MemoryStoreOptions } from '../memory/memory-store';
