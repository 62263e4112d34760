import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as keys from './keys';

void describe('store keys', () => {
  void it('every keys.ts export is documented in docs/store-keys.md', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/store-keys.md'), 'utf8');
    const missing = Object.keys(keys).filter((name) => !doc.includes(`\`${name}`));
    assert.deepEqual(missing, []);
  });

  void it('keys live under one prefix and never collide across kinds', () => {
    const all = [
      keys.objectKey('network', 'default:net1'),
      keys.networkStateKey('default', 'net1'),
      keys.groupStateKey('default', 'net1'),
      keys.ruleStateKey('default', 'p1', '1'),
      keys.globalStateKey(),
      keys.endpointKey('e1'),
      keys.ipAllocKey('default', 'net1', '10.1.1.1'),
      keys.vlanAllocKey(1),
      keys.vxlanAllocKey(1),
      keys.groupIdAllocKey(1),
      keys.nodeKey('h1'),
      keys.dockerNetworkKey('cluster', 'd1'),
      keys.netmasterLeaderLock(),
    ];
    for (const k of all) assert.ok(k.startsWith(keys.KEY_PREFIX), k);
    assert.equal(new Set(all).size, all.length);
    assert.ok(keys.ipAllocKey('t', 'n', '1.1.1.1').startsWith(keys.ipamPrefix()));
    assert.ok(keys.ruleStateKey('t', 'p', 'r').startsWith(keys.policyRuleStatePrefix('t', 'p')));
    assert.ok(keys.policyRuleStatePrefix('t', 'p').startsWith(keys.ruleStatePrefix()));
    // A policy's prefix must not cover another policy whose name extends it.
    assert.ok(!keys.ruleStateKey('t', 'p1', 'r').startsWith(keys.policyRuleStatePrefix('t', 'p')));
  });
});
