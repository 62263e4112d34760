import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DockerApiError, DockerEngineClient, parseDockerHost } from './engine-client';

void test('DOCKER_HOST forms', () => {
  assert.deepEqual(parseDockerHost('unix:///var/run/docker.sock'), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(parseDockerHost('unix:/x/d.sock'), { socketPath: '/x/d.sock' });
  assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375'), { host: '127.0.0.1', port: 2375 });
  assert.throws(() => parseDockerHost('ssh://h'), /unsupported Docker host/);
});

void describe('DockerEngineClient against a fake engine', () => {
  let dir: string;
  let server: http.Server;
  const seen: Array<{ method: string; url: string; body: string }> = [];
  let client: DockerEngineClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-docker-'));
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body });
        const reply = (status: number, v: unknown): void => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(v));
        };
        if (req.url === '/info') return reply(200, { ClusterStore: '', Swarm: { LocalNodeState: 'inactive' }, ServerVersion: '20.10.24' });
        if (req.url?.startsWith('/networks?')) return reply(200, [{ Id: 'n1', Name: 'net1', Driver: 'netplugin' }]);
        if (req.url === '/networks/missing') return reply(404, { message: 'network missing not found' });
        if (req.url === '/networks/n1' && req.method === 'GET') return reply(200, { Id: 'n1', Name: 'net1', Driver: 'netplugin', Containers: { c: { EndpointID: 'e1' } } });
        if (req.url === '/networks/create') return reply(409, { message: 'network with name net1 already exists' });
        if (req.url === '/networks/n1' && req.method === 'DELETE') return reply(403, { message: 'error while removing network: network net1 id n1 has active endpoints' });
        return reply(500, { message: 'unexpected' });
      });
    });
    await new Promise<void>((r) => server.listen(path.join(dir, 'docker.sock'), r));
    client = new DockerEngineClient({ host: `unix://${path.join(dir, 'docker.sock')}` });
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void test('one named function per call', async () => {
    assert.equal((await client.info()).ServerVersion, '20.10.24');
    assert.deepEqual((await client.listNetworks({ driver: 'netplugin' })).map((n) => n.Name), ['net1']);
    assert.equal(decodeURIComponent(seen.at(-1)?.url ?? ''), '/networks?filters={"driver":["netplugin"]}');
    assert.equal(await client.inspectNetwork('missing'), undefined);
    assert.deepEqual((await client.inspectNetwork('n1'))?.Containers, { c: { EndpointID: 'e1' } });
  });

  void test('errors carry the status and the engine message', async () => {
    await assert.rejects(
      client.createNetwork({ Name: 'net1', Driver: 'netplugin', Options: {}, IPAM: { Driver: 'netplugin', Options: {}, Config: [] } }),
      (e: unknown) => e instanceof DockerApiError && e.status === 409 && /already exists/.test(e.message),
    );
    assert.equal(JSON.parse(seen.at(-1)?.body ?? '{}').Name, 'net1');
    await assert.rejects(client.removeNetwork('n1'), /has active endpoints/);
  });

  void test('an engine that is not there is a DOCKER failure', async () => {
    const dead = new DockerEngineClient({ host: `unix://${path.join(dir, 'none.sock')}` });
    await assert.rejects(dead.info(), /Docker info failed/);
  });
});
