/** Test doubles: import from '@contiv/openflow/testing', never from the main entry point. */
export type { RecordedCall } from './recording-bridge';
export { RecordingBridge } from './recording-bridge';
export type { FakeError, FakeSwitchOptions } from './fake-switch';
export { FakeSwitch, BUNDLE_MSG_FAILED } from './fake-switch';
