import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEndpoint } from './endpoint';
import { isOvsdbError } from '../errors';

void describe('parseEndpoint', () => {
  void it('parses unix and tcp endpoints', () => {
    assert.deepEqual(parseEndpoint('unix:/var/run/openvswitch/db.sock'), { kind: 'unix', path: '/var/run/openvswitch/db.sock', text: 'unix:/var/run/openvswitch/db.sock' });
    assert.deepEqual(parseEndpoint('tcp:127.0.0.1:6640'), { kind: 'tcp', host: '127.0.0.1', port: 6640, text: 'tcp:127.0.0.1:6640' });
    assert.deepEqual(parseEndpoint('tcp:[::1]:6640'), { kind: 'tcp', host: '::1', port: 6640, text: 'tcp:[::1]:6640' });
  });

  void it('rejects anything else with OVSDB_BAD_ENDPOINT', () => {
    for (const bad of ['unix:', 'tcp:host', 'tcp:host:0', 'tcp:h:70000', 'ssl:1.2.3.4:6640', '/var/run/db.sock']) {
      assert.throws(() => parseEndpoint(bad), (e) => isOvsdbError(e, 'OVSDB_BAD_ENDPOINT'), bad);
    }
  });
});
