/** `/Plugin.*`: answered by the shim alone, so activation never waits for the agent. */
import type { Route } from './route';

export const IMPLEMENTS = ['NetworkDriver', 'IpamDriver'] as const;

export function pluginRoutes(): Array<[string, Route]> {
  return [
    ['/Plugin.Activate', { subsystem: 'Plugin', handle: () => Promise.resolve({ Implements: [...IMPLEMENTS] }) }],
    ['/Plugin.Deactivate', { subsystem: 'Plugin', handle: () => Promise.resolve({}) }],
  ];
}
