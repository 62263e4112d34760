import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModelError } from './errors';
import { networkSpec } from './objects/network';
import { decodeConfig, ipAllocationCodec, networkStateCodec } from './state-codec';
import type { NetworkState } from './state';

const state: NetworkState = {
  tenantName: 'default',
  networkName: 'net1',
  nwType: 'data',
  encap: 'vxlan',
  pktTag: 1,
  extPktTag: 1,
  subnet: '10.1.1.0/24',
  ipRange: '',
  gateway: '10.1.1.254',
  ipv6Subnet: '',
  ipv6Gateway: '',
  networkTag: 'net1.default',
  origin: 'contiv',
};

function badState(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isModelError(err, 'MODEL_BAD_STATE'), String(err));
    return err.message;
  }
  assert.fail('expected MODEL_BAD_STATE');
}

void describe('state codec', () => {
  void it('round-trips records and tolerates extra members', () => {
    assert.deepEqual(networkStateCodec.decode(networkStateCodec.encode(state)), state);
    const withExtra = networkStateCodec.decode(JSON.stringify({ ...state, future: 1 }));
    assert.equal(withExtra.networkName, 'net1');
  });

  void it('refuses records with the wrong shape, naming the key', () => {
    assert.match(badState(() => networkStateCodec.decode('{', '/k')), /network state at \/k is not valid: not JSON/);
    assert.match(badState(() => networkStateCodec.decode(JSON.stringify({ ...state, pktTag: 'x' }), '/k')), /\/pktTag/);
    assert.match(badState(() => ipAllocationCodec.decode('{"owner":1}')), /IP allocation is not valid/);
    assert.throws(() => networkStateCodec.encode({ ...state, encap: 'gre' as 'vlan' }));
  });

  void it('re-validates stored config objects', () => {
    const raw = JSON.stringify({ tenantName: 'default', networkName: 'n', encap: 'vlan', subnet: '10.0.0.0/8' });
    assert.equal(decodeConfig(networkSpec, raw).nwType, 'data');
    assert.match(badState(() => decodeConfig(networkSpec, JSON.stringify({ networkName: 'n' }), '/obj')), /network at \/obj is not valid/);
  });
});
