import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { startNetmaster } from './netmaster';
import { rawRequest, startFixture } from './testing/fixture';

void describe('netmaster lifecycle', () => {
  void it('keeps its state across a restart on the same store', async () => {
    const store = new MemoryStore();
    const first = await startFixture(store);
    assert.equal((await first.request('POST', '/api/v1/networks/default:net1/', { encap: 'vlan', subnet: '10.1.1.0/24', gateway: '10.1.1.254' })).status, 200);
    const a = await first.control.AllocateAddress({ tenantName: 'default', networkName: 'net1', host: 'h', requestId: 'r1' });
    const before = (await first.request('GET', '/api/v1/inspect/networks/default:net1/')).json;
    await first.close();

    const second = await startFixture(store);
    const after = (await second.request('GET', '/api/v1/inspect/networks/default:net1/')).json;
    assert.deepEqual(after, before);
    const again = await second.control.AllocateAddress({ tenantName: 'default', networkName: 'net1', host: 'h', requestId: 'r1' });
    assert.equal(again.address, a.address, 'a retried request gets the same address after a restart');
    const next = await second.control.AllocateAddress({ tenantName: 'default', networkName: 'net1', host: 'h', requestId: 'r2' });
    assert.notEqual(next.address, a.address);
    const global = (await second.request('GET', '/api/v1/globals/global/')).json as Record<string, string>;
    assert.equal(global.vlans, '1-4094');
    await second.close();
  });

  void it('a second netmaster waits as a follower, forwards writes to the leader, and takes over when it stops', async () => {
    const store = new MemoryStore();
    const leader = await startFixture(store);
    const follower = await startNetmaster(
      { listenHost: '127.0.0.1', listenPort: 0, advertiseAddress: '127.0.0.1:0', pluginMode: 'docker', leaderTtlSeconds: 5 },
      store.newClient(),
      noopLogger,
    );
    let r = await rawRequest(follower.port, 'GET', '/info');
    for (let i = 0; i < 100 && (r.json as Record<string, string> | undefined)?.['current-state'] !== 'follower'; i++) r = await rawRequest(follower.port, 'GET', '/info');
    assert.equal((r.json as Record<string, string>)['leader-ip'], `127.0.0.1:${leader.port}`, 'it names the leader');
    const w = await rawRequest(follower.port, 'POST', '/api/v1/tenants/blue/', {});
    assert.equal(w.status, 200, `forwarded to the leader: ${w.text}`);
    assert.equal((await leader.request('GET', '/api/v1/tenants/blue/')).status, 200);
    await leader.close();
    await follower.leading;
    const w2 = await rawRequest(follower.port, 'POST', '/api/v1/tenants/red/', {});
    assert.equal(w2.status, 200, 'it takes over once the leader is gone');
    await follower.stop();
  });
});
