import assert from 'node:assert/strict';
import test from 'node:test';
import type { EndpointState, NodeRecord, RuleState } from '@contiv/model';
import type { PortView } from '@contiv/ovsdb-client';
import { endpointPortSpec } from '../ovs/endpoint-ports';
import { groupState, networkState, ruleState } from '../testing/state';
import { buildDesiredState, type DatapathInputs } from './desired-state-builder';
import { tunnelPortName } from './tunnel-ports';

function port(name: string, ofport: number | undefined, externalIds: Record<string, string> = {}): PortView {
  return {
    uuid: `u-${name}`,
    name,
    bridge: 'contivbr',
    tag: undefined,
    externalIds,
    interfaces: [{ uuid: `i-${name}`, name, type: '', ofport, options: {}, externalIds, error: undefined, mtu: undefined }],
  };
}

function localPort(id: string, ofport: number | undefined, ip: string, network = 'contiv-net', groupName = ''): PortView {
  const spec = endpointPortSpec({ name: `cvh${id}`, tag: 0, endpointId: id, tenantName: 'default', networkName: network, groupName, dockerNetworkId: 'd', mac: `02:02:00:00:00:${ofport ?? 0}`, ip });
  return port(spec.name, ofport, spec.externalIds ?? {});
}

function endpoint(id: string, host: string, ip: string, vtepIp: string, network = 'contiv-net'): EndpointState {
  return {
    endpointId: id,
    tenantName: 'default',
    networkName: network,
    groupName: '',
    ipAddress: ip,
    ipv6Address: '',
    macAddress: `02:02:${id}`,
    homingHost: host,
    intfName: '',
    vtepIp,
    containerId: '',
    containerName: '',
    createdAt: '',
  };
}

const node = (hostname: string, vtepIp: string): NodeRecord => ({ hostname, ctrlIp: vtepIp, vtepIp, uplinks: [], agentVersion: '', startedAt: '' });

function inputs(p: Partial<DatapathInputs>): DatapathInputs {
  return {
    hostName: 'h1',
    vtepIp: '192.168.250.11',
    networks: [networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24', encap: 'vxlan', pktTag: 7, extPktTag: 5001, gateway: '100.1.1.100' })],
    groups: [],
    rules: [],
    endpoints: [],
    nodes: [],
    ports: [],
    uplinks: [],
    ...p,
  };
}

void test('a network is identified by its pktTag on every host; a VLAN network carries it as its VLAN', () => {
  const { state } = buildDesiredState(
    inputs({
      networks: [
        networkState({ networkName: 'vx', subnet: '10.1.0.0/24', encap: 'vxlan', pktTag: 7, extPktTag: 5001 }),
        networkState({ networkName: 'vl', subnet: '10.2.0.0/24', encap: 'vlan', pktTag: 100, extPktTag: 0 }),
      ],
    }),
  );
  assert.deepEqual(
    state.networks.map((n) => [n.key, n.localId, n.vni, n.vlan]),
    [
      ['default/vx', 7, 5001, 0],
      ['default/vl', 100, 0, 100],
    ],
  );
});

void test('local endpoints come from OVS ports with an ofport; the same endpoint in the store is not remote', () => {
  const built = buildDesiredState(
    inputs({
      ports: [localPort('aaa', 5, '100.1.1.1'), localPort('bbb', undefined, '100.1.1.2'), port('unrelated', 9)],
      endpoints: [endpoint('aaa', 'h1', '100.1.1.1', '192.168.250.11'), endpoint('ccc', 'h2', '100.1.1.3', '192.168.250.12')],
    }),
  );
  assert.deepEqual(built.state.localEndpoints, [
    { endpointId: 'aaa', ofport: 5, network: 'default/contiv-net', ip: '100.1.1.1', mac: '02:02:00:00:00:5', ipv6: '', groupId: 0, bandwidthKbps: 0, burstKbits: 0, dscp: 0 },
  ]);
  assert.deepEqual(built.state.remoteEndpoints.map((e) => e.endpointId), ['ccc']);
  assert.ok(built.skipped.some((s) => s.includes('bbb') && s.includes('no ofport')));
});

void test('remote hosts: node records, plus hosts whose endpoints remain while their node record is gone; never this host', () => {
  const built = buildDesiredState(
    inputs({
      nodes: [node('h1', '192.168.250.11'), node('h2', '192.168.250.12')],
      endpoints: [endpoint('e3', 'h3', '100.1.1.3', '192.168.250.13'), endpoint('e2', 'h2', '100.1.1.2', '192.168.250.99')],
      ports: [port(tunnelPortName('192.168.250.12'), 4)],
    }),
  );
  // h2's node record wins over the VTEP its endpoint remembers.
  assert.deepEqual(built.state.remoteHosts, [
    { host: 'h2', vtepIp: '192.168.250.12', tunnelOfport: 4 },
    { host: 'h3', vtepIp: '192.168.250.13' },
  ]);
  assert.deepEqual([...built.tunnelPeers].sort(), ['192.168.250.12', '192.168.250.13']);
  assert.deepEqual(built.state.remoteEndpoints.map((e) => [e.endpointId, e.host]), [
    ['e3', 'h3'],
    ['e2', 'h2'],
  ]);
});

void test('endpoints of unknown networks and networks without a usable id are left out, and say why', () => {
  const built = buildDesiredState(
    inputs({
      networks: [
        networkState({ networkName: 'a', subnet: '10.1.0.0/24', pktTag: 0 }),
        networkState({ networkName: 'b', subnet: '10.2.0.0/24', pktTag: 3 }),
        networkState({ networkName: 'c', subnet: '10.3.0.0/24', pktTag: 3 }),
      ],
      ports: [localPort('aaa', 5, '10.9.0.1', 'nope')],
    }),
  );
  assert.deepEqual(built.state.networks.map((n) => n.key), ['default/b']);
  assert.equal(built.state.localEndpoints.length, 0);
  assert.equal(built.skipped.length, 3, built.skipped.join('\n'));
});

void test('uplink ofports follow iflist order; uplinks without an ofport are not used', () => {
  const built = buildDesiredState(inputs({ uplinks: ['eth2', 'eth1', 'eth3'], ports: [port('eth1', 8), port('eth2', 9), port('eth3', undefined)] }));
  assert.deepEqual(built.state.uplinkOfports, [9, 8]);
});

void test("endpoints carry their group's id and netProfile; rules compile for the groups that apply their policy", () => {
  const web = groupState({ groupName: 'web', networkName: 'contiv-net', groupId: 4, policies: ['p'], bandwidthKbps: 2000, burstKb: 100, dscp: 10 });
  const rule = ruleState({ policyName: 'p', ruleId: '1', action: 'deny' });
  const remote = { ...endpoint('ccc', 'h2', '100.1.1.3', '192.168.250.12'), groupName: 'web', ipv6Address: '2001:db8::3/64' };
  const built = buildDesiredState(
    inputs({ groups: [web], rules: [rule, { ...rule, policyName: 'unused', ruleId: '2' }], ports: [localPort('aaa', 5, '100.1.1.1', 'contiv-net', 'web')], endpoints: [remote] }),
  );
  const local = built.state.localEndpoints[0];
  assert.deepEqual([local?.groupId, local?.bandwidthKbps, local?.burstKbits, local?.dscp], [4, 2000, 800, 10]);
  assert.deepEqual(built.state.remoteEndpoints.map((e) => [e.groupId, e.ipv6]), [[4, '2001:db8::3']]);
  assert.deepEqual(built.state.policyRules.map((r) => [r.id, r.appliedTo]), [['default/p/1', [4]]]);
});

void test('a host keeps the rules of its local endpoints\' groups only, applied to those groups', () => {
  const web = groupState({ groupName: 'web', networkName: 'contiv-net', groupId: 4, policies: ['p'] });
  const db = groupState({ groupName: 'db', networkName: 'contiv-net', groupId: 5, policies: ['p', 'q'] });
  const rule = (policyName: string, ruleId: string): RuleState => ruleState({ policyName, ruleId, protocol: 'tcp', ipProtocol: 6, port: 80 });
  const rules = [rule('p', '1'), rule('q', '2')];
  // A db member elsewhere: its group's rules are decided on its host, not here.
  const remoteDb = { ...endpoint('ccc', 'h2', '100.1.1.3', '192.168.250.12'), groupName: 'db' };
  const rulesOf = (ports: PortView[]): Array<[string, readonly number[]]> =>
    buildDesiredState(inputs({ groups: [web, db], rules, endpoints: [remoteDb], ports })).state.policyRules.map((r) => [r.id, r.appliedTo]);
  assert.deepEqual(rulesOf([]), [], 'no local endpoint: no rule');
  assert.deepEqual(rulesOf([localPort('aaa', 5, '100.1.1.1')]), [], 'a local endpoint in no group: no rule');
  assert.deepEqual(rulesOf([localPort('aaa', 5, '100.1.1.1', 'contiv-net', 'web')]), [['default/p/1', [4]]], 'p applies to web and db: here to web only; q (db only) is not here');
  assert.deepEqual(
    rulesOf([localPort('aaa', 5, '100.1.1.1', 'contiv-net', 'web'), localPort('bbb', 6, '100.1.1.2', 'contiv-net', 'db')]),
    [['default/p/1', [4, 5]], ['default/q/2', [5]]],
  );
});

void test('services: providers are the labelled endpoints this host programs (local ports, remote records), with their VIP and ports', () => {
  const labelled = (e: EndpointState, labels: Record<string, string>): EndpointState => ({ ...e, labels });
  const { state } = buildDesiredState(
    inputs({
      ports: [localPort('l1', 5, '100.1.1.1'), localPort('l2', 6, '100.1.1.2')],
      nodes: [node('h2', '192.168.250.12')],
      endpoints: [
        labelled(endpoint('l1', 'h1', '100.1.1.1', '192.168.250.11'), { app: 'web' }),
        labelled(endpoint('l2', 'h1', '100.1.1.2', '192.168.250.11'), { app: 'db' }),
        labelled(endpoint('r1', 'h2', '100.1.1.3', '192.168.250.12'), { app: 'web', x: 'y' }),
        labelled(endpoint('r9', 'h9', '100.1.1.9', ''), { app: 'web' }),
      ],
      services: [
        { serviceName: 'web-svc', tenantName: 'default', networkName: 'contiv-net', ipAddress: '100.1.1.200', selectors: ['app=web'], ports: ['80:8080:TCP'] },
        { serviceName: 'elsewhere', tenantName: 'default', networkName: 'nonet', ipAddress: '10.9.9.9', selectors: ['app=web'] },
        { serviceName: 'no-vip', tenantName: 'default', networkName: 'contiv-net', selectors: ['app=web'] },
      ],
    }),
  );
  assert.deepEqual(state.services, [
    {
      key: 'default/web-svc',
      network: 'default/contiv-net',
      vip: '100.1.1.200',
      ports: [{ servicePort: 80, providerPort: 8080, protocol: 'tcp' }],
      providers: [
        { endpointId: 'l1', ip: '100.1.1.1', mac: '02:02:00:00:00:5' },
        { endpointId: 'r1', ip: '100.1.1.3', mac: '02:02:r1' },
      ],
    },
  ]);
  assert.equal(buildDesiredState(inputs({})).state.services, undefined, 'no services: the state has none');
});
