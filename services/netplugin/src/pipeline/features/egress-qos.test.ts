import assert from 'node:assert/strict';
import test from 'node:test';
import { desiredState, localEndpoint, renderPipeline, vxlanNetwork } from '../testing/fixtures';
import { DEFAULT_BURST_SECONDS, MIN_DEFAULT_BURST_KBITS, meterOf, meterSpecs } from './egress-qos';

const NET = 'default/net';
const inTable = (lines: string[], table: string): string[] => lines.filter((l) => l.includes(`table=${table}, `));
const MISS = 'cookie=0x10000000000, table=EgressQos, priority=0 actions=goto_table:ArpResponder';

void test('EgressQos: meter and DSCP per endpoint, by its ofport; endpoints without a profile only miss', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork(NET, 1, 1)],
      localEndpoints: [
        localEndpoint('both', 3, NET, '10.1.1.1', { bandwidthKbps: 2000, dscp: 46 }),
        localEndpoint('rate', 4, NET, '10.1.1.2', { bandwidthKbps: 500, burstKbits: 800 }),
        localEndpoint('dscp', 5, NET, '10.1.1.3', { dscp: 10 }),
        localEndpoint('plain', 6, NET, '10.1.1.4'),
      ],
    }),
  );
  assert.deepEqual(inTable(lines, 'EgressQos'), [
    // DSCP: IPv4 and IPv6 above the port's catch-all, through the meter when there is one.
    'cookie=0x20000000003, table=EgressQos, priority=200,ip,in_port=3 actions=meter:3,set_field:46->ip_dscp,goto_table:ArpResponder',
    'cookie=0x20000000003, table=EgressQos, priority=200,ipv6,in_port=3 actions=meter:3,set_field:46->ip_dscp,goto_table:ArpResponder',
    'cookie=0x20000000005, table=EgressQos, priority=200,ip,in_port=5 actions=set_field:10->ip_dscp,goto_table:ArpResponder',
    'cookie=0x20000000005, table=EgressQos, priority=200,ipv6,in_port=5 actions=set_field:10->ip_dscp,goto_table:ArpResponder',
    // Everything else the port sends (ARP too) is metered as well.
    'cookie=0x20000000003, table=EgressQos, priority=100,in_port=3 actions=meter:3,goto_table:ArpResponder',
    'cookie=0x20000000004, table=EgressQos, priority=100,in_port=4 actions=meter:4,goto_table:ArpResponder',
    MISS,
  ]);
});

void test('EgressQos: no local endpoints, only the miss flow', () => {
  assert.deepEqual(inTable(renderPipeline(desiredState({ networks: [vxlanNetwork(NET, 1, 1)] })), 'EgressQos'), [MISS]);
});

void test('EgressQos: values the store should never hold count as no profile instead of failing every flow', () => {
  const lines = renderPipeline(
    desiredState({
      networks: [vxlanNetwork(NET, 1, 1)],
      localEndpoints: [localEndpoint('bad', 3, NET, '10.1.1.1', { bandwidthKbps: -5, dscp: 64 }), localEndpoint('frac', 4, NET, '10.1.1.2', { bandwidthKbps: 1.5, dscp: 2.5 })],
    }),
  );
  assert.deepEqual(inTable(lines, 'EgressQos'), [MISS]);
});

void test('meters: one per metered endpoint, id = ofport; the group burst (kbit) or half a second of the rate', () => {
  const state = desiredState({
    localEndpoints: [
      localEndpoint('a', 3, NET, '10.1.1.1', { bandwidthKbps: 2000 }),
      localEndpoint('b', 4, NET, '10.1.1.2', { bandwidthKbps: 500, burstKbits: 800 }),
      localEndpoint('c', 5, NET, '10.1.1.3', { dscp: 10 }),
      localEndpoint('d', 6, NET, '10.1.1.4', { bandwidthKbps: 64 }),
    ],
  });
  assert.deepEqual(
    [...meterSpecs(state).values()],
    [
      { meterId: 3, rateKbps: 2000, burstKbits: 2000 * DEFAULT_BURST_SECONDS },
      { meterId: 4, rateKbps: 500, burstKbits: 800 },
      { meterId: 6, rateKbps: 64, burstKbits: MIN_DEFAULT_BURST_KBITS },
    ],
  );
  assert.equal(meterOf(localEndpoint('e', 7, NET, '10.1.1.5', { bandwidthKbps: 1001 }))?.burstKbits, 501, 'rounded up');
});
