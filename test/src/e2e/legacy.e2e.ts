/**
 * (a) The seed's legacy workflow on one host with a standalone dockerd: networks
 * made with netctl appear in Docker (netplugin creates them), containers get
 * addresses from netmaster, ping by name and TCP work through OVS. Then the
 * same installation's /metrics and OpenAPI document (metrics-check.ts).
 */
import { describe } from 'node:test';
import { useStack } from '../harness/stack';
import { metricsScenario } from './metrics-check';
import { legacyScenario } from './support';

void describe('legacy workflow (standalone engine)', { timeout: 600_000 }, () => {
  const stack = useStack();
  legacyScenario(stack);
  metricsScenario(stack, 'contiv-net');
});
