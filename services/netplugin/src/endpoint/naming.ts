/**
 * Names derived from Docker's endpoint id, so they can be recomputed after an
 * agent restart without any saved state. Linux allows 15 characters.
 */
import { AgentError } from '../errors';

export const HOST_VETH_PREFIX = 'cvh';
export const PEER_VETH_PREFIX = 'cvc';
/** 12 hex digits of the 64-digit endpoint id: 48 bits, like Docker's short ids. */
const ID_CHARS = 12;

export interface VethNames {
  readonly host: string;
  readonly peer: string;
}

export function checkEndpointId(endpointId: string): void {
  if (!/^[0-9a-f]{12,64}$/i.test(endpointId)) {
    throw new AgentError('AGENT_INVALID_ARGUMENT', `endpoint id "${endpointId}" is not 12 to 64 hex digits`);
  }
}

export function vethNames(endpointId: string): VethNames {
  checkEndpointId(endpointId);
  const short = endpointId.slice(0, ID_CHARS).toLowerCase();
  return { host: `${HOST_VETH_PREFIX}${short}`, peer: `${PEER_VETH_PREFIX}${short}` };
}

/** True for a host-side interface name this agent creates. */
export function isHostVethName(name: string): boolean {
  return name.length === HOST_VETH_PREFIX.length + ID_CHARS && name.startsWith(HOST_VETH_PREFIX);
}
