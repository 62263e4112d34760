import assert from 'node:assert/strict';
import test from 'node:test';
import type { PortView } from '@contiv/ovsdb-client';
import { makeCookie, CookieCategory } from '../pipeline/framework';
import { EXT_FLOW_ROUND, nextFlowRound, roundOfCookie, staleRounds } from './flow-rounds';
import { EXT_TUNNEL_PEER, planTunnelPorts, tunnelPortName, tunnelPortSpec } from './tunnel-ports';
import { EXT_UPLINK, planUplinkPorts } from './uplink-ports';

function view(name: string, type: string, options: Record<string, string>, externalIds: Record<string, string>): PortView {
  return { uuid: name, name, bridge: 'contivbr', tag: undefined, externalIds, interfaces: [{ uuid: name, name, type, ofport: 1, options, externalIds, error: undefined, mtu: undefined }] };
}

void test('tunnel ports: a short name per peer, key=flow on the vxlan_port', () => {
  assert.equal(tunnelPortName('192.168.250.111'), 'vxc0a8fa6f');
  assert.ok(tunnelPortName('255.255.255.255').length <= 15);
  assert.deepEqual(tunnelPortSpec('10.0.0.2', 8472).options, { remote_ip: '10.0.0.2', key: 'flow', dst_port: '8472' });
});

void test('tunnel plan: adds missing peers, updates a changed port, removes ports of gone peers, keeps others alone', () => {
  const existing = [
    view(tunnelPortName('10.0.0.2'), 'vxlan', { remote_ip: '10.0.0.2', key: 'flow', dst_port: '8472' }, { [EXT_TUNNEL_PEER]: '10.0.0.2' }),
    view(tunnelPortName('10.0.0.3'), 'vxlan', { remote_ip: '10.0.0.3', key: 'flow', dst_port: '4789' }, { [EXT_TUNNEL_PEER]: '10.0.0.3' }),
    view(tunnelPortName('10.0.0.9'), 'vxlan', { remote_ip: '10.0.0.9', key: 'flow', dst_port: '8472' }, { [EXT_TUNNEL_PEER]: '10.0.0.9' }),
    view('vxsomeoneelse', 'vxlan', { remote_ip: '10.0.0.7' }, {}),
  ];
  const plan = planTunnelPorts(new Set(['10.0.0.2', '10.0.0.3', '10.0.0.4']), existing, 8472);
  assert.deepEqual(plan.ensure.map((s) => s.name), [tunnelPortName('10.0.0.3'), tunnelPortName('10.0.0.4')]);
  assert.deepEqual(plan.remove, [tunnelPortName('10.0.0.9')]);
});

void test('uplink plan: iflist interfaces become ports; ours that left iflist go; foreign ports stay', () => {
  const existing = [view('eth1', '', {}, { [EXT_UPLINK]: 'true' }), view('eth9', '', {}, { [EXT_UPLINK]: 'true' }), view('ethX', '', {}, {})];
  const plan = planUplinkPorts(['eth1', 'eth2'], existing);
  assert.deepEqual(plan.ensure.map((s) => s.name), ['eth2']);
  assert.deepEqual(plan.remove, ['eth9']);
});

void test('flow rounds: the next one wraps at 16 bits; stale rounds are every other round flows carry', () => {
  assert.equal(nextFlowRound(undefined), 1);
  assert.equal(nextFlowRound({ [EXT_FLOW_ROUND]: '41' }), 42);
  assert.equal(nextFlowRound({ [EXT_FLOW_ROUND]: '65535' }), 0);
  assert.equal(nextFlowRound({ [EXT_FLOW_ROUND]: 'junk' }), 1);
  const cookies = [makeCookie(3, CookieCategory.Network, 1), makeCookie(5, CookieCategory.Pipeline, 0), makeCookie(4, CookieCategory.LocalEndpoint, 9), makeCookie(3, CookieCategory.Dns, 0)];
  assert.equal(roundOfCookie(cookies[0] ?? 0n), 3);
  assert.deepEqual(staleRounds(cookies.map((cookie) => ({ cookie })), 5), [3, 4]);
});
