/**
 * The part of the OVSDB client the agent uses: a seam, so endpoint and
 * reconcile code can be unit-tested against an in-memory fake.
 */
import type { VswitchClient } from '@contiv/ovsdb-client';

export type VswitchPorts = Pick<VswitchClient, 'addPort' | 'deletePort' | 'getPort' | 'listPorts' | 'findPorts' | 'waitForOfport'>;
export type VswitchBridges = Pick<VswitchClient, 'ensureBridge' | 'datapathTypes' | 'bridgeNames'>;
