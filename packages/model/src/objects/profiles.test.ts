import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModelError } from '../errors';
import { appProfileKey, appProfileSpec, validateAppProfile } from './app-profile';
import { extContractsGroupsEqual, validateExtContractsGroup } from './ext-contracts-group';
import { bandwidthKbps, formatBandwidth, groupQosOf, netProfileKey, netProfilesEqual, validateNetProfile } from './net-profile';
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

void describe('netprofile', () => {
  // netctl netprofile create -t blue -b 100Mbps -d 6 -s 1500 prof1 (CONTIV-REST.md)
  const sent = { DSCP: 6, bandwidth: '100Mbps', burst: 1500, profileName: 'prof1', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } };

  void it('accepts what netctl sends and writes Contiv’s field order back', () => {
    const cfg = validateNetProfile(sent);
    assert.deepEqual(cfg, { DSCP: 6, bandwidth: '100Mbps', burst: 1500, profileName: 'prof1', tenantName: 'blue' });
    assert.equal(JSON.stringify(toWire(netProfileKey('blue', 'prof1'), cfg)), '{"key":"blue:prof1","DSCP":6,"bandwidth":"100Mbps","burst":1500,"profileName":"prof1","tenantName":"blue"}');
    assert.deepEqual(validateNetProfile({ profileName: 'p', tenantName: 't', DSCP: 0, bandwidth: '' }), { profileName: 'p', tenantName: 't' });
  });

  void it('accepts Contiv’s bandwidth forms and refuses the others, naming the field', () => {
    for (const bw of ['10Mbps', '10 Gbps', '5Gb', '4G', '100kbps', '7 k', '3mb', '']) {
      assert.doesNotThrow(() => validateNetProfile({ profileName: 'p', tenantName: 't', bandwidth: bw }), bw);
    }
    for (const bw of ['10 ms', 'Gbps', '0 Gbps', ' 10Mbps', '10', '10Tbps', '10{bps', '10  Mbps']) {
      assert.match(message(() => validateNetProfile({ profileName: 'p', tenantName: 't', bandwidth: bw })), /netprofile t:p: bandwidth ".*" is not a valid bandwidth/, bw);
    }
    assert.match(message(() => validateNetProfile({ profileName: 'p', tenantName: 't', bandwidth: '9999999G' })), /is more than the largest rate supported \(4294967295 kbit\/s\)/);
  });

  void it('checks DSCP and burst ranges, and Contiv’s burst 1', () => {
    const base = { profileName: 'p', tenantName: 't' };
    assert.match(message(() => validateNetProfile({ ...base, DSCP: 64 })), /DSCP 64 is out of range \(0-63\)/);
    assert.match(message(() => validateNetProfile({ ...base, DSCP: -1 })), /DSCP -1 is out of range/);
    assert.match(message(() => validateNetProfile({ ...base, burst: 10487 })), /burst 10487 is out of range \(0-10486\)/);
    assert.match(message(() => validateNetProfile({ ...base, burst: 1 })), /burst 1 is invalid/);
    assert.match(message(() => validateNetProfile({ ...base, burst: 2.5 })), /burst must be an integer/);
    assert.match(message(() => validateNetProfile({ ...base, profileName: 'a/b' })), /profileName "a\/b" is not a valid name/);
    assert.equal(validateNetProfile({ ...base, burst: 10486, DSCP: 63 }).burst, 10486);
  });

  void it('converts bandwidth to kbit/s with SI units', () => {
    assert.equal(bandwidthKbps('10Mbps'), 10000);
    assert.equal(bandwidthKbps('10 Gbps'), 10000000);
    assert.equal(bandwidthKbps('5Gb'), 5000000);
    assert.equal(bandwidthKbps('4G'), 4000000);
    assert.equal(bandwidthKbps('100kbps'), 100);
    assert.equal(bandwidthKbps('3mb'), 3000);
    assert.equal(bandwidthKbps(''), 0);
    assert.equal(bandwidthKbps(undefined), 0);
    assert.equal(bandwidthKbps('10 ms'), undefined);
    assert.equal(formatBandwidth('10 gbps'), '10Gbps');
    assert.equal(formatBandwidth('5mb'), '5Mbps');
    assert.equal(formatBandwidth('7K'), '7Kbps');
    assert.equal(formatBandwidth(''), '');
  });

  void it('gives a group its QoS settings', () => {
    assert.deepEqual(groupQosOf(undefined), { bandwidthKbps: 0, burstKb: 0, dscp: 0 });
    assert.deepEqual(groupQosOf(validateNetProfile(sent)), { bandwidthKbps: 100000, burstKb: 1500, dscp: 6 });
    assert.ok(netProfilesEqual(validateNetProfile(sent), validateNetProfile({ ...sent })));
    assert.ok(!netProfilesEqual(validateNetProfile(sent), validateNetProfile({ ...sent, DSCP: 0 })));
  });
});

void describe('appProfile', () => {
  void it('accepts what netctl sends and checks the group names', () => {
    const body = { appProfileName: 'app1', endpointGroups: ['web', 'db'], tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } };
    assert.deepEqual(validateAppProfile(body), { appProfileName: 'app1', endpointGroups: ['web', 'db'], tenantName: 'blue' });
    assert.deepEqual(validateAppProfile(applyRestKey(appProfileSpec, { endpointGroups: [] }, 'blue:app1')), { appProfileName: 'app1', tenantName: 'blue' });
    assert.equal(appProfileKey('blue', 'app1'), 'blue:app1');
    assert.match(message(() => validateAppProfile({ ...body, endpointGroups: ['web', 'we_b'] })), /appProfile blue:app1: endpointGroups\[1\] "we_b" is not a valid name/);
    assert.match(message(() => validateAppProfile({ ...body, endpointGroups: ['web', 'db', 'web'] })), /endpointGroups names web more than once/);
    assert.match(message(() => validateAppProfile({ ...body, endpointGroups: 'web' })), /endpointGroups must be a list/);
    const many = Array.from({ length: 49 }, (_, i) => `g${i}`);
    assert.match(message(() => validateAppProfile({ ...body, endpointGroups: many })), /endpointGroups names 49 groups; an app profile can name at most 48/);
  });
});

void describe('extContractsGroup', () => {
  void it('accepts what netctl sends and refuses a bad type or no contracts', () => {
    const body = { contracts: ['uni/tn-common/brc-default'], contractsGroupName: 'ext1', contractsType: 'consumed', tenantName: 'blue', 'link-sets': {} };
    const cfg = validateExtContractsGroup(body);
    assert.deepEqual(cfg, { contracts: ['uni/tn-common/brc-default'], contractsGroupName: 'ext1', contractsType: 'consumed', tenantName: 'blue' });
    assert.match(message(() => validateExtContractsGroup({ ...body, contractsType: 'both' })), /extContractsGroup blue:ext1: contractsType "both" is not provided or consumed/);
    assert.match(message(() => validateExtContractsGroup({ ...body, contractsType: '' })), /contractsType is required/);
    assert.match(message(() => validateExtContractsGroup({ ...body, contracts: [] })), /contracts must name at least one contract/);
    assert.match(message(() => validateExtContractsGroup({ ...body, contracts: ['a b'] })), /contracts\[0\] "a b" is not a contract name/);
    assert.ok(extContractsGroupsEqual(cfg, validateExtContractsGroup({ ...body })));
    assert.ok(!extContractsGroupsEqual(cfg, validateExtContractsGroup({ ...body, contractsType: 'provided' })));
  });
});
