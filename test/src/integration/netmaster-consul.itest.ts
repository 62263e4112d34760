/**
 * The real netmaster process on a real Consul, for what only Consul's limits
 * show: the writes that touch many keys (a policy deleted with its 100 rules,
 * a netprofile updated under 45 groups) stay within Consul's 64 operations per
 * transaction (with the leader fence and the store's journal) and reach a
 * watcher complete, as on etcd (netmaster-rest.itest.ts). Then the leader lock
 * after a netmaster crash: the new process leads once the old session is gone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bandwidthKbps, groupStatePrefix, objectPrefix, ruleStatePrefix, type GroupState } from '@contiv/model';
import { createStore, type Store, type WatchEvent } from '@contiv/store';
import { startConsul, type ConsulServer } from '../harness/consul';
import { eventually } from '../harness/eventually';
import { startDaemon, tailFile, type Daemon } from '../harness/exec';
import { freePort } from '../harness/ports';
import { makeTempDir, type TempDir } from '../harness/tmp';

const MAIN = path.resolve(__dirname, '../../../services/netmaster/lib/main.js');
const GROUPS = 45;
const RULES = 100;

interface Reply {
  status: number;
  text: string;
}

void describe('netmaster on Consul: writes of many keys, the leader lock after a crash', () => {
  let consul: ConsulServer;
  let tmp: TempDir;
  let store: Store;
  let port: number;
  let netmaster: Daemon | undefined;
  const logFile = (): string => path.join(tmp.path, 'netmaster.out');

  const rest = async (method: string, p: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  const ok = async (method: string, p: string, body?: unknown): Promise<void> => {
    const r = await rest(method, p, body);
    assert.equal(r.status, 200, `${method} ${p}: ${r.status} ${r.text}\n${tailFile(logFile())}`);
  };

  const startNetmaster = async (): Promise<void> => {
    const d = startDaemon('netmaster', process.execPath, [MAIN, '--cluster-store', consul.url, '--listen-url', `127.0.0.1:${port}`, '--plugin-mode', 'docker', '--log-dir', tmp.path], {
      logFile: logFile(),
    });
    netmaster = d;
    await eventually(
      async () => {
        if (!d.isRunning()) throw new Error(`netmaster exited:\n${tailFile(logFile())}`);
        const info = await rest('GET', '/info');
        assert.match(info.text, /"current-state"\s*:\s*"leader"/);
      },
      // A crashed leader's session holds the lock until Consul ends it (twice the session TTL: the lease's TTL).
      { timeoutMs: 60_000, intervalMs: 250, what: 'netmaster to lead' },
    );
  };

  before(async () => {
    // Sessions as short as netmaster's 4 s leader lease, as the local cluster's Consul allows.
    consul = await startConsul({ sessionTtlMin: '1s' });
    tmp = await makeTempDir('contiv-nm-consul-');
    port = await freePort();
    store = createStore(consul.url);
    await startNetmaster();
  });

  after(async () => {
    await netmaster?.stop();
    await store?.close();
    await consul?.stop();
    await tmp?.cleanup();
  });

  void it(`a netprofile update reaches the state of all ${GROUPS} groups using it, and a watcher sees every change`, async () => {
    await ok('POST', '/api/v1/networks/default:net1/', { tenantName: 'default', networkName: 'net1', encap: 'vxlan', subnet: '10.7.0.0/16', gateway: '10.7.0.1' });
    await ok('POST', '/api/v1/netprofiles/default:gold/', { tenantName: 'default', profileName: 'gold', bandwidth: '10Mbps', DSCP: 10 });
    for (let i = 1; i <= GROUPS; i++) {
      await ok('POST', `/api/v1/endpointGroups/default:g${i}/`, { tenantName: 'default', groupName: `g${i}`, networkName: 'net1', netProfile: 'gold' });
    }
    const listed = await store.list(groupStatePrefix());
    const seen = new Map<string, GroupState>();
    const resyncs: string[] = [];
    const watch = store.watch(
      groupStatePrefix(),
      {
        onEvent: (e: WatchEvent) => {
          if (e.type === 'put') seen.set(e.key, JSON.parse(e.value) as GroupState);
        },
        onResyncRequired: (reason) => resyncs.push(reason),
      },
      { fromRevision: listed.revision + 1 },
    );
    try {
      await watch.ready;
      await ok('POST', '/api/v1/netprofiles/default:gold/', { tenantName: 'default', profileName: 'gold', bandwidth: '20Mbps', DSCP: 20 });
      const kbps = bandwidthKbps('20Mbps');
      const states = (await store.list(groupStatePrefix())).entries.map((e) => JSON.parse(e.value) as GroupState);
      assert.equal(states.length, GROUPS);
      for (const s of states) assert.deepEqual([s.netProfile, s.bandwidthKbps, s.dscp], ['gold', kbps, 20], s.groupName);
      await eventually(() => assert.equal(seen.size, GROUPS), { timeoutMs: 10_000, what: `the watcher to see ${GROUPS} group states` });
      for (const s of seen.values()) assert.deepEqual([s.bandwidthKbps, s.dscp], [kbps, 20], s.groupName);
      assert.deepEqual(resyncs, []);
    } finally {
      await watch.close();
    }
  });

  void it(`a policy deleted with its ${RULES} rules: all of them gone from Consul`, async () => {
    await ok('POST', '/api/v1/policys/default:big/', { tenantName: 'default', policyName: 'big' });
    for (let i = 1; i <= RULES; i++) {
      await ok('POST', `/api/v1/rules/default:big:${i}/`, { tenantName: 'default', policyName: 'big', ruleId: String(i), direction: 'in', action: 'allow', protocol: 'tcp', port: 1000 + i, priority: (i % 100) + 1 });
    }
    assert.equal((await store.list(ruleStatePrefix())).entries.length, RULES);
    await ok('DELETE', '/api/v1/policys/default:big/');
    assert.deepEqual((await store.list(ruleStatePrefix())).entries, []);
    assert.deepEqual((await store.list(objectPrefix('rule'))).entries, []);
    assert.equal((await rest('GET', '/api/v1/policys/default:big/')).status, 404);
  });

  void it('netmaster killed (SIGKILL): a new one takes the leader lock once Consul ends the old session, with the state intact', async () => {
    await netmaster?.kill();
    await startNetmaster();
    const r = await rest('GET', '/api/v1/endpointGroups/default:g45/');
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /"netProfile"\s*:\s*"gold"/);
  });
});
