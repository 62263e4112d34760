/**
 * @module @contiv/ovsdb-client/testing
 * Test doubles (never imported by production code).
 */
export type { FakeHandler, FakeReply } from './fake-ovsdb-server';
export { FakeOvsdbServer, FakeConnection, TEST_SCHEMA } from './fake-ovsdb-server';
