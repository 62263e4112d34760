/**
 * Helpers shared by the end-to-end tests: REST calls from the test process,
 * netmaster's inspect output, store reads, container facts, and the two seed
 * scenarios (legacy and Docker-first) that run against both engine kinds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipAllocPrefix } from '@contiv/model';
import { createStore } from '@contiv/store';
import { eventually } from '../harness/eventually';
import { run, type RunResult } from '../harness/exec';
import type { Host } from '../harness/host';
import { DRIVER_NAME } from '../harness/host';
import type { Stack } from '../harness/stack';

export const PAGE = 'hello from contiv busybox';

// ---------------------------------------------------------------- REST

export interface RestReply {
  status: number;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** One REST call to netmaster, the way Contiv's Go client makes it (no Content-Type). */
export async function rest(stack: Stack, method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<RestReply> {
  const res = await fetch(`${stack.netmasterUrl}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export interface NetworkInspect {
  Config: Record<string, unknown>;
  Oper: Record<string, unknown>;
}

/** `GET /api/v1/inspect/networks/<tenant>:<name>/`, or undefined on 404. */
export async function inspectNetwork(stack: Stack, name: string, tenant = 'default'): Promise<NetworkInspect | undefined> {
  const r = await rest(stack, 'GET', `/api/v1/inspect/networks/${tenant}:${name}/`);
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, `inspect ${tenant}:${name}: ${r.status} ${r.text}`);
  return r.json as NetworkInspect;
}

/** Names of the networks netmaster lists (`GET /api/v1/networks/`). */
export async function networkNames(stack: Stack, tenant = 'default'): Promise<string[]> {
  const r = await rest(stack, 'GET', '/api/v1/networks/');
  assert.equal(r.status, 200, r.text);
  return (r.json as { networkName?: string; tenantName?: string }[])
    .filter((n) => (n.tenantName ?? 'default') === tenant)
    .map((n) => String(n.networkName));
}

/**
 * Addresses netmaster reports as allocated: Oper.allocatedIPAddresses in
 * Contiv's range form ("10.1.1.1-10.1.1.3, 10.1.1.5") plus each endpoint's address.
 */
export function allocatedIps(inspect: NetworkInspect | undefined): Set<string> {
  const out = new Set<string>();
  if (!inspect) return out;
  const ranges = inspect.Oper['allocatedIPAddresses'];
  if (typeof ranges === 'string') for (const ip of expandRanges(ranges)) out.add(ip);
  const eps = inspect.Oper['endpoints'];
  if (Array.isArray(eps)) {
    for (const ep of eps as Record<string, unknown>[]) {
      const ip = ep['ipAddress'];
      if (typeof ip === 'string' && ip) out.add(ip.split('/')[0] ?? ip);
    }
  }
  return out;
}

export function expandRanges(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(/[,\s]+/).filter(Boolean)) {
    const [a, b] = part.split('-');
    if (!a) continue;
    if (!b) {
      out.push(a);
      continue;
    }
    for (let n = ipToInt(a); n <= ipToInt(b); n++) out.push(intToIp(n));
  }
  return out;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function inSubnet(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base ?? '') / size);
}

// ---------------------------------------------------------------- store

/**
 * Keys under a prefix, read from the test process: with etcdctl, or on Consul
 * through ConsulStore (Consul's raw KV also holds the store's journal and keys
 * whose lease ended but whose delete is not journaled yet, which no reader sees).
 */
export async function storeKeys(stack: Stack, prefix: string): Promise<string[]> {
  if (stack.storeKind === 'consul') {
    const store = createStore(stack.clusterStore);
    try {
      return (await store.list(prefix)).entries.map((e) => e.key);
    } finally {
      await store.close();
    }
  }
  const r = await run('etcdctl', ['--endpoints', stack.storeEndpoint, 'get', '--prefix', '--keys-only', prefix], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

export function ipamKeys(stack: Stack, network: string, tenant = 'default'): Promise<string[]> {
  return storeKeys(stack, ipAllocPrefix(tenant, network));
}

// ---------------------------------------------------------------- containers

/** A container's address on the one network it is attached to. */
export async function containerIp(host: Host, container: string): Promise<string> {
  const r = await host.docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container);
  const ips = r.stdout.trim().split(/\s+/).filter(Boolean);
  assert.equal(ips.length, 1, `${container} should have one address, has: ${r.stdout}`);
  return ips[0] as string;
}

/** Waits until the agent has created the Docker network for a netctl network (legacy mode). */
export async function waitDockerNetwork(host: Host, name: string): Promise<void> {
  await eventually(
    async () => {
      const r = await host.docker('network', 'inspect', '-f', '{{.Driver}}', name);
      assert.equal(r.stdout.trim(), DRIVER_NAME);
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `docker network ${name} on ${host.name}` },
  );
}

export async function waitNoDockerNetwork(host: Host, name: string): Promise<void> {
  await eventually(
    async () => {
      const r = await host.tryDocker('network', 'inspect', name);
      assert.notEqual(r.code, 0, `docker network ${name} still exists`);
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `docker network ${name} gone from ${host.name}` },
  );
}

/** Fails with the agent's and shim's log tails attached, so a CI failure explains itself. */
export async function withLogs<T>(host: Host, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const logs = (['netmaster', 'netplugin', 'driver-shim'] as const).map((s) => host.logTail(s, 15)).join('\n');
    const wrapped = new Error(`${msg}\n${logs}`);
    if (err instanceof Error && err.stack) wrapped.stack = `${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
    throw wrapped;
  }
}

// ---------------------------------------------------------------- scenarios

/**
 * The seed's legacy workflow, command for command (only `-it` of the ping is
 * dropped: there is no terminal in a test), then TCP between two containers.
 */
export function legacyScenario(getStack: () => Stack): void {
  const h = (): Host => getStack().host;

  void test('netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100', async () => {
    await withLogs(h(), async () => {
      await h().netctl('network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100');
      const names = await networkNames(getStack());
      assert.ok(names.includes('contiv-net'), `netmaster lists ${names.join(', ')}`);
      await waitDockerNetwork(h(), 'contiv-net');
    });
  });

  void test('docker run -itd --net=contiv-net --name=c1 busybox /bin/sh', async () => {
    await withLogs(h(), async () => {
      await h().docker('run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
      const ip = await containerIp(h(), 'c1');
      assert.ok(inSubnet(ip, '100.1.1.0/24'), `c1 got ${ip}`);
      assert.notEqual(ip, '100.1.1.100', 'the gateway address is reserved');
      assert.ok(allocatedIps(await inspectNetwork(getStack(), 'contiv-net')).has(ip), `netmaster shows ${ip} as allocated`);
    });
  });

  void test('docker run --rm --net=contiv-net --name=c2 busybox ping -c2 c1', async () => {
    await withLogs(h(), async () => {
      const r = await h().docker('run', '--rm', '--net=contiv-net', '--name=c2', 'busybox', 'ping', '-c2', 'c1');
      assert.match(r.stdout, /2 packets transmitted, 2 packets received/);
    });
  });

  void test('TCP between containers: httpd in one, wget from another', async () => {
    await withLogs(h(), async () => {
      await h().docker('run', '-d', '--net=contiv-net', '--name=web1', 'busybox', 'httpd', '-f', '-p', '80');
      const r = await h().docker('run', '--rm', '--net=contiv-net', 'busybox', 'timeout', '15', 'wget', '-qO-', 'http://web1/');
      assert.match(r.stdout, new RegExp(PAGE));
      // by address too (not only through Docker's DNS)
      const ip = await containerIp(h(), 'web1');
      const r2 = await h().docker('exec', 'c1', 'timeout', '15', 'wget', '-qO-', `http://${ip}/`);
      assert.match(r2.stdout, new RegExp(PAGE));
    });
  });
}

/**
 * The Docker-first path: a network made with `docker network create -d netplugin`
 * is a full Contiv network, and deleting it from Docker releases everything.
 * (Docker refuses one-letter container names, so the server is `web`, not `a`.)
 */
export function dockerFirstScenario(getStack: () => Stack): void {
  const h = (): Host => getStack().host;
  let serverIp = '';

  void test('docker network create -d netplugin --ipam-driver netplugin --subnet 10.9.0.0/24 --gateway 10.9.0.1 net2', async () => {
    await withLogs(h(), async () => {
      await h().docker('network', 'create', '-d', 'netplugin', '--ipam-driver', 'netplugin', '--subnet', '10.9.0.0/24', '--gateway', '10.9.0.1', 'net2');
      const r = await h().docker('network', 'inspect', '-f', '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', 'net2');
      assert.equal(r.stdout.trim(), 'netplugin 10.9.0.0/24 10.9.0.1');
    });
  });

  void test('docker run -d --net=net2 --name=web busybox httpd -f -p 80; wget -qO- http://web/ from another container', async () => {
    await withLogs(h(), async () => {
      await h().docker('run', '-d', '--net=net2', '--name=web', 'busybox', 'httpd', '-f', '-p', '80');
      serverIp = await containerIp(h(), 'web');
      assert.ok(inSubnet(serverIp, '10.9.0.0/24'), `web got ${serverIp}`);
      assert.notEqual(serverIp, '10.9.0.1');
      const r = await h().docker('run', '--rm', '--net=net2', 'busybox', 'wget', '-qO-', 'http://web/');
      assert.match(r.stdout, new RegExp(PAGE));
    });
  });

  void test('netctl network ls shows net2 under its Docker name', async () => {
    const r = await h().netctl('network', 'ls');
    assert.match(r.stdout, /(^|\s)net2(\s|$)/m, r.stdout);
    const q = await h().netctl('network', 'ls', '-q');
    assert.ok(q.stdout.split('\n').map((s) => s.trim()).includes('net2'), q.stdout);
  });

  void test('netctl network inspect net2 shows its allocated addresses', async () => {
    const r = await h().netctl('network', 'inspect', 'net2');
    const parsed = JSON.parse(r.stdout) as NetworkInspect;
    assert.equal(parsed.Config['subnet'], '10.9.0.0/24');
    const ips = allocatedIps(parsed);
    assert.ok(ips.has(serverIp), `inspect shows ${[...ips].join(', ')}; expected ${serverIp}`);
  });

  void test('docker network rm net2 releases everything', async () => {
    await withLogs(h(), async () => {
      await h().docker('rm', '-f', 'web');
      await h().docker('network', 'rm', 'net2');
      await eventually(
        async () => {
          assert.ok(!(await networkNames(getStack())).includes('net2'), 'netmaster still lists net2');
          assert.equal(await inspectNetwork(getStack(), 'net2'), undefined);
          assert.deepEqual(await ipamKeys(getStack(), 'net2'), []);
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'net2 released' },
      );
      const ls = await h().netctl('network', 'ls', '-q');
      assert.ok(!ls.stdout.split('\n').map((s) => s.trim()).includes('net2'), ls.stdout);
    });
  });
}

/** netctl's stderr as lines, without its usage hint `(run 'netctl ... --help' for usage)` (a refusal is one line besides it). */
export const netctlErrorLines = (r: Pick<RunResult, 'stderr'>): string[] =>
  r.stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !/^\(run 'netctl .* --help' for usage\)$/.test(l));
