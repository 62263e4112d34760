import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macFromIPv4 } from '@contiv/model';
import { FakeLinks } from '../testing/fakes';
import { detectUplinkMtu, endpointMtu } from './mtu';
import { isHostVethName, vethNames } from './naming';

void test('veth names come from the endpoint id and fit in 15 characters', () => {
  const n = vethNames('0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef');
  assert.deepEqual(n, { host: 'cvh0123456789ab', peer: 'cvc0123456789ab' });
  assert.ok(n.host.length <= 15 && n.peer.length <= 15);
  assert.ok(isHostVethName(n.host));
  assert.ok(!isHostVethName(n.peer));
  assert.throws(() => vethNames('not-hex'), /not 12 to 64 hex digits/);
  assert.throws(() => vethNames('abc'), /not 12 to 64 hex digits/);
});

void test('MAC is 02:02 followed by the IPv4 octets in hex (Contiv)', () => {
  assert.equal(macFromIPv4('10.1.1.3'), '02:02:0a:01:01:03');
  assert.equal(macFromIPv4('100.1.1.255'), '02:02:64:01:01:ff');
});

void test('MTU: VXLAN overhead only on vxlan networks', () => {
  assert.equal(endpointMtu(1500, 'vxlan'), 1450);
  assert.equal(endpointMtu(1500, 'vlan'), 1500);
  assert.equal(endpointMtu(1460, 'vxlan'), 1410);
});

void test('uplink MTU: iflist minimum, else the default route device, else 1500', async () => {
  const links = new FakeLinks();
  links.links.set('eth0', { mtu: 9000 });
  links.links.set('eth1', { mtu: 1460 });
  assert.equal(await detectUplinkMtu(links, ['eth0', 'eth1']), 1460);
  assert.equal(await detectUplinkMtu(links, []), 9000);
  links.defaultDev = undefined;
  assert.equal(await detectUplinkMtu(links, []), 1500);
});
