/**
 * The agent's OVS bridge: fail_mode secure, so the switch forwards only what
 * the agent's OpenFlow pipeline says (nothing before it is programmed, and the
 * last programmed flows while the agent is away). OpenFlow 1.3 for the agent;
 * 1.0 too so a bare `ovs-ofctl dump-flows contivbr` works for humans.
 *
 * Datapath: the kernel one where the openvswitch module is loaded, else the
 * userspace `netdev` one (DESIGN.md decision 5).
 */
import fs from 'node:fs';
import type { Logger } from '@contiv/runtime';
import { AgentError } from '../errors';
import type { VswitchBridges } from './vswitch';

export type DatapathSetting = 'auto' | 'system' | 'netdev';
export type Datapath = 'system' | 'netdev';

export const OVS_MODULE_PATH = '/sys/module/openvswitch';

export function detectDatapath(setting: DatapathSetting, moduleLoaded: () => boolean = () => fs.existsSync(OVS_MODULE_PATH)): Datapath {
  if (setting !== 'auto') return setting;
  return moduleLoaded() ? 'system' : 'netdev';
}

/** Creates the bridge or brings its settings back to ours; existing ports are untouched. */
export async function setupBridge(vs: VswitchBridges, bridge: string, datapath: Datapath, log: Logger): Promise<void> {
  const supported = vs.datapathTypes();
  if (supported.length > 0 && !supported.includes(datapath)) {
    throw new AgentError('AGENT_OVS_FAILURE', `ovs-vswitchd does not support the ${datapath} datapath (it supports: ${supported.join(', ')})`);
  }
  await vs.ensureBridge(bridge, { datapathType: datapath, failMode: 'secure', protocols: ['OpenFlow10', 'OpenFlow13'], externalIds: { 'contiv-managed': 'true' } });
  log.info('OVS bridge ready', { bridge, datapath });
}
