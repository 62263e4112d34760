import assert from 'node:assert/strict';
import test from 'node:test';
import { flowsToStrings } from '@contiv/openflow';
import type { DesiredState } from '../desired-state';
import { tableNames } from '../framework';
import { allFlows } from '../flow-cache';
import { computeFlowSet } from '../reconciler';
import { desiredState, localEndpoint, remoteEndpoint, remoteHost, vxlanNetwork } from '../testing/fixtures';
import { PIPELINE_FEATURES } from './index';
import { dnsInterceptorFeature } from './dns-interceptor';

const PUNT = 'cookie=0x60000000000, table=L2Forwarding, priority=300,udp,reg0=0x1/0xf,dl_dst=00:00:11:11:11:11,tp_dst=53 actions=CONTROLLER:65535';

function render(state: DesiredState, features = [dnsInterceptorFeature], round = 0): string[] {
  return flowsToStrings(allFlows(computeFlowSet(state, features, round)), { tableNames: tableNames() });
}

void test('dns-interceptor: one punt flow for local UDP/53 to the gateway MAC, whatever the state', () => {
  assert.deepEqual(render(desiredState({})), [PUNT]);
  assert.deepEqual(
    render(
      desiredState({
        networks: [vxlanNetwork('default/a', 1, 5001, '10.1.1.254'), vxlanNetwork('blue/b', 2, 5002)],
        localEndpoints: [localEndpoint('ep1', 3, 'default/a', '10.1.1.1')],
      }),
    ),
    [PUNT],
  );
});

void test('dns-interceptor: the cookie carries the round and the Dns category', () => {
  assert.deepEqual(render(desiredState({}), [dnsInterceptorFeature], 7), [PUNT.replace('cookie=0x60000000000', 'cookie=0x7060000000000')]);
});

void test('dns-interceptor with the pipeline: the punt flow is the only High flow of L2Forwarding and clashes with nothing', () => {
  const state = desiredState({
    networks: [vxlanNetwork('default/a', 1, 5001, '10.1.1.254')],
    localEndpoints: [localEndpoint('ep1', 3, 'default/a', '10.1.1.1')],
    remoteEndpoints: [remoteEndpoint('ep2', 'h2', 'default/a', '10.1.1.2')],
    remoteHosts: [remoteHost('h2', '192.168.250.12', 7)],
  });
  // Whether or not PIPELINE_FEATURES lists it already.
  const others = PIPELINE_FEATURES.filter((f) => f.name !== dnsInterceptorFeature.name);
  const without = render(state, others);
  const withDns = render(state, [...others, dnsInterceptorFeature]);
  assert.deepEqual(
    withDns.filter((l) => !without.includes(l)),
    [PUNT],
  );
  assert.equal(withDns.length, without.length + 1);
  assert.deepEqual(
    withDns.filter((l) => l.includes('table=L2Forwarding, ')).map((l) => /priority=(\d+)/.exec(l)?.[1]),
    ['300', '200', '200', '0'],
  );
});
