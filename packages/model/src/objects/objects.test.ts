import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModelError } from '../errors';
import { macFromIPv4, endpointOper } from './endpoint';
import { validateEndpointGroup } from './endpoint-group';
import { DEFAULT_GLOBAL, validateGlobal } from './global';
import { linkSetOf, linkTo } from './links';
import { networkParamsEqual, networkSpec, validateNetwork } from './network';
import { validateTenant } from './tenant';
import { applyRestKey } from './validate';
import { toWire } from './wire';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isModelError(err, 'MODEL_INVALID'), String(err));
    return err.message;
  }
  assert.fail('expected a validation error');
}

const net = { tenantName: 'default', networkName: 'net1', encap: 'vxlan', subnet: '10.1.1.0/24', gateway: '10.1.1.254' };

void describe('network', () => {
  void it('accepts what netctl sends, drops links and applies defaults', () => {
    const body = { ...net, nwType: '', pktTag: 0, 'link-sets': {}, links: { Tenant: {} }, unknown: 1 };
    assert.deepEqual(validateNetwork(body), { ...net, nwType: 'data' });
  });

  void it('names the field and the object in every message', () => {
    assert.equal(
      message(() => validateNetwork({ ...net, subnet: '10.1.1.0/33' })),
      'network default:net1: subnet "10.1.1.0/33" is not a valid IPv4 subnet (a.b.c.d/len with len 1-31, or a.b.c.d-a.b.c.e/len)',
    );
    assert.equal(message(() => validateNetwork({ ...net, gateway: '10.1.2.1' })), 'network default:net1: gateway 10.1.2.1 is outside subnet 10.1.1.0/24');
    assert.match(message(() => validateNetwork({ ...net, gateway: '10.1.1.0' })), /gateway 10\.1\.1\.0 is the network address/);
    assert.match(message(() => validateNetwork({ ...net, gateway: '10.1.1.255' })), /broadcast address/);
    assert.match(message(() => validateNetwork({ ...net, encap: 'gre' })), /encap "gre" is not vlan or vxlan/);
    assert.match(message(() => validateNetwork({ ...net, encap: undefined })), /encap is required/);
    assert.match(message(() => validateNetwork({ ...net, pktTag: 16777217 })), /pktTag 16777217 is out of range \(0-16777216\)/);
    assert.match(message(() => validateNetwork({ ...net, encap: 'vlan', pktTag: 5000 })), /pktTag 5000 is not a valid VLAN id/);
    assert.match(message(() => validateNetwork({ ...net, pktTag: '5' })), /pktTag must be an integer/);
    assert.match(message(() => validateNetwork({ ...net, networkName: 'a'.repeat(65) })), /networkName is longer than 64 characters/);
    assert.match(message(() => validateNetwork({ ...net, networkName: 'bad_name' })), /networkName "bad_name" is not a valid name/);
    assert.match(message(() => validateNetwork({ ...net, subnet: '10.1.1.9-10.1.1.2/24' })), /range start/);
    assert.match(message(() => validateNetwork('x')), /body must be a JSON object/);
  });

  void it('reports every problem at once', () => {
    const msg = message(() => validateNetwork({ tenantName: 'default', networkName: 'n', encap: 'x', subnet: 'y' }));
    assert.match(msg, /encap/);
    assert.match(msg, /subnet/);
  });

  void it('accepts the range form and IPv6 fields', () => {
    const n = validateNetwork({ ...net, subnet: '10.1.1.10-10.1.1.20/24', ipv6Subnet: '2001:db8::/64', ipv6Gateway: '2001:db8::1' });
    assert.equal(n.subnet, '10.1.1.10-10.1.1.20/24');
    assert.match(message(() => validateNetwork({ ...net, ipv6Subnet: '2001:db8::/128' })), /ipv6Subnet/);
    assert.match(message(() => validateNetwork({ ...net, ipv6Subnet: '2001:db8::/64', ipv6Gateway: '2001:db9::1' })), /outside ipv6Subnet/);
  });

  void it('compares creation parameters', () => {
    const a = validateNetwork(net);
    assert.ok(networkParamsEqual(a, validateNetwork({ ...net, nwType: 'data' })));
    assert.ok(!networkParamsEqual(a, validateNetwork({ ...net, subnet: '10.1.2.0/24', gateway: '' })));
    assert.ok(!networkParamsEqual(a, validateNetwork({ ...net, pktTag: 5 })));
  });
});

void describe('REST key', () => {
  void it('fills key fields from the URL and refuses a body that disagrees', () => {
    assert.deepEqual(applyRestKey(networkSpec, { encap: 'vlan', key: 'blue:n' }, 'blue:n'), { encap: 'vlan', tenantName: 'blue', networkName: 'n' });
    assert.match(message(() => applyRestKey(networkSpec, { tenantName: 'red' }, 'blue:n')), /tenantName "red" does not match the key "blue:n"/);
    assert.match(message(() => applyRestKey(networkSpec, { key: 'a:b' }, 'blue:n')), /key "a:b" does not match/);
    assert.match(message(() => applyRestKey(networkSpec, {}, 'n')), /invalid key "n" \(expected tenantName:networkName\)/);
    assert.match(message(() => applyRestKey(networkSpec, {}, 'a:b:c')), /invalid key/);
    assert.match(message(() => applyRestKey(networkSpec, [], 'a:b')), /JSON object/);
  });
});

void describe('tenant, group, global', () => {
  void it('validates tenants', () => {
    assert.deepEqual(validateTenant({ tenantName: 'blue', 'link-sets': {} }), { tenantName: 'blue' });
    assert.match(message(() => validateTenant({ tenantName: 'a:b' })), /tenantName "a:b" is not a valid name/);
    assert.match(message(() => validateTenant({})), /tenantName is required/);
  });

  void it('validates groups', () => {
    const g = validateEndpointGroup({ tenantName: 'default', groupName: 'web', networkName: 'net1', policies: ['p1'], ipPool: '10.1.1.10-10.1.1.20' });
    assert.deepEqual(g.policies, ['p1']);
    assert.match(message(() => validateEndpointGroup({ tenantName: 'default', groupName: 'web' })), /networkName is required/);
    assert.match(message(() => validateEndpointGroup({ tenantName: 'default', groupName: 'web', networkName: 'n', ipPool: '10.1.1.0/24' })), /ipPool "10\.1\.1\.0\/24" is not a valid IPv4 address range/);
    assert.match(message(() => validateEndpointGroup({ tenantName: 'default', groupName: 'web', networkName: 'n', ipPool: '10.1.1.9-10.1.1.2' })), /start after its end/);
    assert.match(message(() => validateEndpointGroup({ tenantName: 'default', groupName: 'web', networkName: 'n', policies: 'p1' })), /policies must be a list/);
  });

  void it('validates the global object', () => {
    assert.deepEqual(validateGlobal({ ...DEFAULT_GLOBAL }), { ...DEFAULT_GLOBAL });
    assert.match(message(() => validateGlobal({ ...DEFAULT_GLOBAL, name: 'other' })), /name "other" is not "global"/);
    assert.match(message(() => validateGlobal({ ...DEFAULT_GLOBAL, vlans: '0-4095' })), /vlans "0-4095" is outside 1-4094/);
    assert.match(message(() => validateGlobal({ ...DEFAULT_GLOBAL, vlans: '1,2' })), /vlans "1,2" is not a VLAN range/);
    assert.match(message(() => validateGlobal({ ...DEFAULT_GLOBAL, pvtSubnet: '172.19.0.0/24' })), /pvtSubnet/);
    assert.match(message(() => validateGlobal({ ...DEFAULT_GLOBAL, fwdMode: 'nat' })), /fwdMode "nat" is not bridge or routing/);
  });
});

void describe('wire form', () => {
  void it('writes key first, omits empty values and keeps links', () => {
    const wire = toWire('default:net1', { subnet: '10.1.1.0/24', encap: 'vxlan', gateway: '', pktTag: 0 }, { EndpointGroups: linkSetOf('endpointGroup', ['default:web']), Services: {} }, { Tenant: linkTo('tenant', 'default') });
    assert.equal(
      JSON.stringify(wire),
      '{"key":"default:net1","encap":"vxlan","subnet":"10.1.1.0/24","link-sets":{"EndpointGroups":{"default:web":{"type":"endpointGroup","key":"default:web"}}},"links":{"Tenant":{"type":"tenant","key":"default"}}}',
    );
  });
});

void describe('endpoint', () => {
  void it('derives the MAC and the inspect view', () => {
    assert.equal(macFromIPv4('10.1.1.3'), '02:02:0a:01:01:03');
    const oper = endpointOper(
      {
        endpointId: 'abc',
        tenantName: 'default',
        networkName: 'net1',
        groupName: 'web',
        ipAddress: '10.1.1.3',
        ipv6Address: '',
        macAddress: '02:02:0a:01:01:03',
        homingHost: 'h1',
        intfName: 'vport3',
        vtepIp: '',
        containerId: 'c1',
        containerName: '/web1',
        createdAt: '2024-01-01T00:00:00Z',
      },
      7,
    );
    assert.deepEqual(oper, {
      containerID: 'c1',
      containerName: '/web1',
      endpointGroupId: 7,
      endpointGroupKey: 'web:default',
      endpointID: 'abc',
      homingHost: 'h1',
      intfName: 'vport3',
      ipAddress: ['10.1.1.3', ''],
      macAddress: '02:02:0a:01:01:03',
      network: 'net1.default',
      serviceName: 'web',
      virtualPort: 'vvport3',
    });
  });
});
