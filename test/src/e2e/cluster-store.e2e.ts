/**
 * (g) The same two workflows on a dockerd started with --cluster-store (Docker
 * 20.10's libkv on our etcd, which runs with --enable-v2): there our driver
 * reports global scope and Docker keeps the network in the cluster store.
 * etcd only: Debian's dockerd 20.10 has no Consul backend for --cluster-store,
 * so with CONTIV_E2E_STORE=consul the file reports a skip.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pluginCall } from '../harness/host';
import { useStack } from '../harness/stack';
import { describeOnStore, DOCKERD_CLUSTER_STORE_ETCD_ONLY } from '../harness/store-kind';
import { dockerFirstScenario, legacyScenario, storeKeys } from './support';

describeOnStore(['etcd'], DOCKERD_CLUSTER_STORE_ETCD_ONLY, 'engine with --cluster-store', { timeout: 900_000 }, () => {
  const stack = useStack({ dockerClusterStore: true });

  void test('the driver reports global scope to this engine', async () => {
    const r = await pluginCall(stack().host.pluginSocket, '/NetworkDriver.GetCapabilities', '');
    assert.equal(r.status, 200, r.body);
    const caps = JSON.parse(r.body) as { Scope?: string };
    assert.equal(caps.Scope, 'global');
  });

  void describe('legacy workflow', () => {
    legacyScenario(stack);
    void test('contiv-net is a global-scope network kept in the cluster store', async () => {
      const r = await stack().host.docker('network', 'inspect', '-f', '{{.Scope}} {{.Id}}', 'contiv-net');
      const [scope, id] = r.stdout.trim().split(' ');
      assert.equal(scope, 'global');
      // libkv writes the network under /docker/network/v1.0/network/<id>/ (etcd v2 API).
      const v2 = await fetch(`${stack().storeEndpoint}/v2/keys/docker/network/v1.0/network/${id ?? ''}`);
      assert.equal(v2.status, 200, `network ${id ?? ''} not in the cluster store`);
      assert.ok((await storeKeys(stack(), '/contiv.io/')).length > 0);
    });
  });

  void describe('Docker-first workflow', () => {
    dockerFirstScenario(stack);
  });
});
