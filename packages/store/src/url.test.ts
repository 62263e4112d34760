import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsulStore } from './consul/consul-store';
import { createStore } from './create-store';
import { EtcdStore } from './etcd/etcd-store';
import { isStoreError } from './errors';
import { parseStoreUrl } from './url';

void describe('parseStoreUrl', () => {
  void it('accepts etcd:// with one or several endpoints', () => {
    assert.deepEqual(parseStoreUrl('etcd://127.0.0.1:2379'), { backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] });
    assert.deepEqual(parseStoreUrl('etcd://h1:2379,h2:22379'), {
      backend: 'etcd',
      endpoints: ['http://h1:2379', 'http://h2:22379'],
    });
    assert.deepEqual(parseStoreUrl(' etcd://localhost/ '), { backend: 'etcd', endpoints: ['http://localhost:2379'] });
    assert.deepEqual(parseStoreUrl('etcd://[::1]:2379'), { backend: 'etcd', endpoints: ['http://[::1]:2379'] });
    assert.deepEqual(parseStoreUrl('ETCD://node-1.example.com:2379'), {
      backend: 'etcd',
      endpoints: ['http://node-1.example.com:2379'],
    });
  });

  void it('accepts plain http:// etcd endpoints', () => {
    assert.deepEqual(parseStoreUrl('http://127.0.0.1:2379'), { backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] });
    assert.deepEqual(parseStoreUrl('http://a:1,http://b:2'), { backend: 'etcd', endpoints: ['http://a:1', 'http://b:2'] });
  });

  void it('accepts consul://', () => {
    assert.deepEqual(parseStoreUrl('consul://127.0.0.1:8500'), {
      backend: 'consul',
      endpoints: ['http://127.0.0.1:8500'],
    });
    assert.deepEqual(parseStoreUrl('consul://c1'), { backend: 'consul', endpoints: ['http://c1:8500'] });
  });

  for (const bad of [
    '',
    '127.0.0.1:2379',
    'etcd://',
    'etcd://h1:2379,',
    'etcd://h:2379/path',
    'etcd://h:0',
    'etcd://h:65536',
    'etcd://h:port',
    'etcd://user@h:2379',
    'etcd://h1:1,etcd://h2:2',
    'http://a:1,b:2',
    'https://h:2379',
    'zookeeper://h:2181',
    'consul://a:1,b:2',
  ]) {
    void it(`rejects ${JSON.stringify(bad)} with STORE_BAD_URL naming it`, () => {
      assert.throws(
        () => parseStoreUrl(bad),
        (err) => isStoreError(err, 'STORE_BAD_URL') && (err as Error).message.includes(`"${bad}"`),
      );
    });
  }
});

void describe('createStore', () => {
  void it('makes an EtcdStore for etcd URLs without connecting', async () => {
    const store = createStore('etcd://127.0.0.1:1', { timeoutMs: 100 });
    assert.ok(store instanceof EtcdStore);
    assert.equal(store.url, 'etcd://127.0.0.1:1');
    await store.close();
  });

  void it('makes a ConsulStore for consul URLs without connecting', async () => {
    const store = createStore('consul://127.0.0.1:1', { timeoutMs: 100 });
    assert.ok(store instanceof ConsulStore);
    assert.equal(store.url, 'consul://127.0.0.1:1');
    await assert.rejects(store.get('/k'), (err) => isStoreError(err, 'STORE_UNAVAILABLE') && /consul:\/\/127\.0\.0\.1:1/.test(String(err)));
    await store.close();
  });
});
