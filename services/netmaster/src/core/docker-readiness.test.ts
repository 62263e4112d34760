import assert from 'node:assert/strict';
import test from 'node:test';
import { dockerNetworkKey, dockerNetworkMappingCodec, nodeKey, nodeRecordCodec } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { DockerReadiness } from './docker-readiness';

class FakeMirror {
  readonly entries = new Map<string, string>();
  lists = 0;
  list(prefix: string): Array<{ key: string; value: string }> {
    this.lists++;
    return [...this.entries].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value }));
  }
  node(name: string): void {
    this.entries.set(nodeKey(name), nodeRecordCodec.encode({ hostname: name, ctrlIp: '', vtepIp: '', uplinks: [], agentVersion: '', startedAt: '' }));
  }
  mapping(scope: string, id: string, networkName: string, groupName = ''): void {
    this.entries.set(dockerNetworkKey(scope, id), dockerNetworkMappingCodec.encode({ dockerNetworkId: id, tenantName: 'default', networkName, groupName, dockerName: networkName, origin: 'contiv' }));
  }
}

function readiness(m: FakeMirror, pluginMode = 'docker', timeoutMs = 2_000): DockerReadiness {
  return new DockerReadiness({ mirror: m as never, pluginMode, log: noopLogger, timeoutMs, pollMs: 5 });
}

void test('waits until every live node registered the Docker network in its own scope', async () => {
  const m = new FakeMirror();
  m.node('h1');
  m.node('h2');
  m.mapping('h1', 'a', 'net');
  const r = readiness(m);
  assert.deepEqual(r.nodesWithout('default', 'net', ''), ['h2']);
  let done = false;
  const waiting = r.wait('default', 'net', '').then(() => (done = true));
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(done, false);
  m.mapping('h2', 'b', 'net');
  await waiting;
  assert.deepEqual(r.nodesWithout('default', 'net', 'g1'), ['h1', 'h2'], 'a group is its own Docker network');
});

void test('engines that share networks: one registration in the shared scope is enough', () => {
  const m = new FakeMirror();
  m.node('h1');
  m.node('h2');
  m.mapping('cluster', 'a', 'net');
  assert.deepEqual(readiness(m).nodesWithout('default', 'net', ''), []);
});

void test('gives up after the timeout without failing, and does not look at all outside docker mode', async () => {
  const m = new FakeMirror();
  m.node('h1');
  await readiness(m, 'docker', 50).wait('default', 'net', '');
  assert.ok(m.lists > 2, 'it polled until the timeout');
  m.lists = 0;
  await readiness(m, 'swarm-mode').wait('default', 'net', '');
  assert.equal(m.lists, 0);
});
