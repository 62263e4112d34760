/**
 * The docker-compose dev cluster (docker-compose.yml, deploy/compose/, deploy/images/)
 * as a user runs it, on a harness host: a network namespace with its own OVS and
 * its own dockerd (private /run, so /run/docker/plugins, /run/openvswitch and
 * /var/run/docker.sock are this host's), and none of the harness's services.
 * Every command runs inside that engine's mount and network namespaces, where
 * the compose file's host paths mean this host, so the machine's own Docker is
 * never touched.
 *
 *   make images       deploy/images/build.sh: the five images, built locally; again: all kept
 *   make compose-up   deploy/compose/up.sh: the host's OVS, the images, docker-compose up -d
 *   workflow          netctl (in the netmaster container) network create, two busybox
 *                     containers ping each other through the host's OVS
 *   docker-compose down / up -d   the containers keep talking meanwhile; new ones join after
 *   make compose-down deploy/compose/down.sh: nothing of ours left (containers, volumes,
 *                     networks, OVS bridge and ports, processes)
 *
 * The compose cluster always keeps its state in its own etcd (docker-compose.yml),
 * whatever store CONTIV_E2E_STORE names; the stack's store is not used.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../harness/busybox-image';
import { eventually } from '../harness/eventually';
import type { RunResult } from '../harness/exec';
import { run, tailFile } from '../harness/exec';
import { BRIDGE, type Host } from '../harness/host';
import { useStack } from '../harness/stack';
import { makeTempDir, type TempDir } from '../harness/tmp';
import { inSubnet } from './support';

const SERVICES = ['contiv-etcd', 'contiv-netmaster', 'contiv-netplugin', 'contiv-driver-shim'] as const;
const IMAGES = ['base', 'netmaster', 'netplugin', 'driver-shim', 'etcd'] as const;
const SUBNET = '10.1.2.0/24';
/**
 * build.sh's BUILD_DIR, kept between runs: the assembled rootfs is reused while its
 * tools and the built services are unchanged, so a later run only imports the
 * images into its fresh engine. build.sh refuses a directory that is not its own.
 */
const IMAGE_CACHE = '/var/cache/contiv/compose-e2e-images';

const show = (r: RunResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

void describe('docker-compose dev cluster: make images, compose up, the workflow, compose down', { timeout: 900_000 }, () => {
  const stack = useStack({ services: false });
  const h = (): Host => stack().host;
  let work: TempDir | undefined;
  const dir = (): string => {
    if (!work) throw new Error('no work dir (see the before hook error)');
    return work.path;
  };
  before(async () => {
    work = await makeTempDir('contiv-compose-');
  });
  after(async () => {
    // Whatever a failed test left: the compose cluster first, while the plugin answers.
    if (work) await sh('deploy/compose/down.sh', 120_000).catch(() => undefined);
    await work?.cleanup();
  });

  /**
   * A shell command on the host as its root sees it: the engine's mount and UTS
   * namespaces and the host's network namespace, in the repository, with the
   * engine on the default socket. Pid files go to the test's dir, the image build to IMAGE_CACHE.
   */
  async function sh(script: string, timeoutMs = 300_000): Promise<RunResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, BUILD_DIR: IMAGE_CACHE, CONTIV_COMPOSE_STATE: path.join(dir(), 'state') };
    delete env['DOCKER_HOST'];
    return run('nsenter', ['-t', String(h().dockerd.pid()), '-m', '-n', '-u', `--wd=${REPO_ROOT}`, 'bash', '-c', script], { env, allowFail: true, timeoutMs });
  }
  async function ok(script: string, timeoutMs?: number): Promise<string> {
    const r = await sh(script, timeoutMs);
    assert.equal(r.code, 0, `${script}\n${show(r)}\n${await serviceLogs()}`);
    return r.stdout;
  }
  /** Tails of the services' own logs (the engine's /var/log/contiv) and of `docker logs`, for failures. */
  async function serviceLogs(): Promise<string> {
    const files = ['netmaster.log', 'netplugin.log', 'driver-shim.log'].map((f) => `--- ${f}\n${tailFile(path.join(h().dockerd.contivLogDir, f), 15)}`);
    const docker = await Promise.all(SERVICES.map(async (c) => `--- docker logs ${c}\n${(await h().tryDocker('logs', '--tail', '10', c)).stderr}`));
    return [...files, ...docker].join('\n');
  }
  const health = async (c: string): Promise<string> =>
    (await h().tryDocker('inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', c)).stdout.trim();
  const imageIds = async (): Promise<string[]> =>
    Promise.all(IMAGES.map(async (i) => (await h().docker('image', 'inspect', '--format', '{{.Id}}', `contiv/${i}:latest`)).stdout.trim()));
  const containerPorts = async (): Promise<string[]> => (await h().ovsPorts()).filter((p) => p !== BRIDGE);
  /** Processes of our services in the host's network namespace (the compose containers share it). */
  async function ourProcesses(): Promise<string[]> {
    const r = await run('ip', ['netns', 'pids', h().netns]);
    const out: string[] = [];
    for (const pid of r.stdout.split(/\s+/).filter(Boolean)) {
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        continue;
      }
      if (/\/contiv\/services\/|\/usr\/bin\/etcd/.test(cmd)) out.push(`${pid} ${cmd}`);
    }
    return out;
  }

  void test('make images (deploy/images/build.sh) builds the images locally; a second run keeps them', { timeout: 600_000 }, async (t) => {
    let t0 = Date.now();
    const first = await ok('deploy/images/build.sh 2>&1', 600_000);
    const firstMs = Date.now() - t0;
    for (const i of IMAGES) assert.match(first, new RegExp(`contiv/${i}:\\d+\\.\\d+\\.\\d+: (imported|built) in \\d+ ms`), first);
    const ids = await imageIds();
    t0 = Date.now();
    const second = await ok('deploy/images/build.sh 2>&1', 600_000);
    const secondMs = Date.now() - t0;
    for (const i of IMAGES) assert.match(second, new RegExp(`contiv/${i}:\\S+: up to date`), second);
    assert.deepEqual(await imageIds(), ids, 'the same images');
    t.diagnostic(`build.sh into a fresh engine: ${firstMs} ms (${/reusing/.test(first) ? 'rootfs cached from an earlier run' : 'rootfs assembled'}); again with nothing changed: ${secondMs} ms\n${first.trim()}`);
    // Nothing pulled: the base is an import, the services are FROM it and add no layer.
    const history = (await h().docker('history', '--format', '{{.Size}} {{.CreatedBy}}', 'contiv/netplugin:latest')).stdout.trim().split('\n');
    assert.equal(history.filter((l) => !/^0B /.test(l)).length, 1, `one layer with content (the import):\n${history.join('\n')}`);
  });

  void test('make compose-up (deploy/compose/up.sh): the host OVS, docker-compose up -d, all healthy', { timeout: 300_000 }, async (t) => {
    const t0 = Date.now();
    const out = await ok('deploy/compose/up.sh 2>&1');
    t.diagnostic(`up.sh (images up to date) took ${Date.now() - t0} ms`);
    assert.match(out, /OVS: ovsdb-server answers on unix:\/var\/run\/openvswitch\/db\.sock \(using it\)/);
    assert.match(out, /OVS: ovs-vswitchd runs \(using it\)/);
    for (const c of SERVICES) assert.equal(await health(c), c === 'contiv-driver-shim' ? 'running' : 'healthy', c);
    const modes = (await h().docker('inspect', '--format', '{{.Name}} {{.HostConfig.NetworkMode}} {{.HostConfig.Privileged}} {{.HostConfig.CapAdd}}', ...SERVICES)).stdout;
    assert.match(modes, /\/contiv-netplugin host false \[NET_ADMIN\]/);
    assert.match(modes, /\/contiv-netmaster host false \[\]/);
    assert.match(modes, /\/contiv-driver-shim none false \[\]/);
    // The shim's socket is where this host's dockerd looks for legacy plugins.
    assert.ok(fs.existsSync(path.join(h().dockerd.pluginsDir, 'netplugin.sock')), 'netplugin.sock in /run/docker/plugins');
    // up.sh again reuses everything.
    const again = await ok('deploy/compose/up.sh 2>&1');
    assert.match(again, /contiv-netplugin is up-to-date/);
  });

  void test('netctl network create contiv-net; two busybox containers ping each other', async () => {
    await ok(`docker-compose exec -T netmaster netctl network create contiv-net -s ${SUBNET} -g 10.1.2.1`);
    await eventually(async () => assert.equal((await h().docker('network', 'inspect', '-f', '{{.Driver}}', 'contiv-net')).stdout.trim(), 'netplugin'), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'netplugin (in its container) to create the Docker network contiv-net',
    });
    await ok('docker run -itd --net=contiv-net --name=c1 busybox sh && docker run -itd --net=contiv-net --name=c2 busybox sh');
    const ips = await Promise.all(['c1', 'c2'].map(async (c) => (await h().docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', c)).stdout.trim()));
    for (const ip of ips) assert.ok(inSubnet(ip, SUBNET), `${ip} in ${SUBNET}`);
    assert.match(await ok('docker exec c1 ping -c2 -W2 c2'), /2 packets transmitted, 2 packets received/);
    assert.match(await ok(`docker exec c2 ping -c2 -W2 ${ips[0] ?? ''}`), /2 packets transmitted, 2 packets received/);
    assert.match(await ok('docker run --rm --net=contiv-net busybox ping -c2 -W2 c1'), /2 packets received/);
    assert.equal((await containerPorts()).length, 2, 'one OVS port on contivbr per running container');
    assert.match(await ok('docker-compose exec -T netmaster netctl network ls'), /contiv-net\s+data\s+vxlan/);
  });

  void test('docker-compose down keeps the containers talking; up -d again serves new ones', { timeout: 300_000 }, async (t) => {
    const t0 = Date.now();
    await ok('docker-compose down 2>&1');
    t.diagnostic(`docker-compose down took ${Date.now() - t0} ms`);
    for (const c of SERVICES) assert.equal(await health(c), '', `${c} is gone`);
    assert.equal((await containerPorts()).length, 2, 'the ports stay in the host OVS');
    assert.match(await ok('docker exec c1 ping -c2 -W2 c2'), /2 packets received/, 'flows stay (fail_mode=secure)');
    const t1 = Date.now();
    await ok('docker-compose up -d 2>&1');
    await eventually(async () => assert.equal(await health('contiv-netplugin'), 'healthy'), { timeoutMs: 60_000, intervalMs: 250, what: 'netplugin healthy again' });
    t.diagnostic(`docker-compose up -d until netplugin is healthy: ${Date.now() - t1} ms`);
    assert.match(await ok('docker run --rm --net=contiv-net busybox ping -c2 -W2 c1'), /2 packets received/);
    assert.match(await ok('docker exec c2 ping -c2 -W2 c1'), /2 packets received/);
  });

  void test('make compose-down (deploy/compose/down.sh) leaves nothing of ours', { timeout: 300_000 }, async (t) => {
    const t0 = Date.now();
    const out = await ok('deploy/compose/down.sh 2>&1');
    t.diagnostic(`down.sh took ${Date.now() - t0} ms:\n${out.trim()}`);
    assert.match(out, /removed container c1/);
    assert.match(out, /removed Contiv network default:contiv-net/);
    assert.doesNotMatch(out, /WARNING/);
    assert.equal((await h().docker('ps', '-aq')).stdout.trim(), '', 'no container at all');
    assert.deepEqual((await h().docker('volume', 'ls', '-q')).stdout.split('\n').filter((v) => v.startsWith('contiv-')), [], 'no contiv volume');
    assert.equal((await h().docker('network', 'ls', '-q', '--filter', 'driver=netplugin')).stdout.trim(), '', 'no network of the plugin');
    assert.equal((await run('ovs-vsctl', [`--db=${h().ovsDb()}`, 'br-exists', BRIDGE], { allowFail: true })).code, 2, `${BRIDGE} removed`);
    assert.deepEqual((await h().exec('ip', '-o', 'link', 'show')).stdout.split('\n').filter((l) => /: cv[hc]/.test(l)), [], 'no veth of ours');
    assert.deepEqual(await ourProcesses(), [], 'no process of ours');
    assert.ok(!fs.existsSync(path.join(h().dockerd.pluginsDir, 'netplugin.sock')), 'the plugin socket is gone');
    // The images stay for the next `up`.
    assert.equal((await imageIds()).length, IMAGES.length);
  });
});
