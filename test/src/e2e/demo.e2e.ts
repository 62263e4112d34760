/**
 * `make demo` and `make demo-down` as a user runs them (the scripts behind the
 * targets, after deps and build), inside a sandbox: a network namespace plus a
 * private mount namespace where /run, /etc/docker (whose daemon.json moves the
 * engine's data root into the sandbox) and OVS's system paths are private
 * directories. So the demo starts "the system" etcd, OVS and dockerd for real,
 * without touching this machine's own. Every command checks a mark that exists
 * only on the sandbox's /run before it runs.
 *
 * etcd only: `make demo` is the single-host quick start and always runs etcd
 * (deploy/host/demo-up.sh has no store choice), so with CONTIV_E2E_STORE=consul
 * the file reports a skip.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../harness/busybox-image';
import { removeCgroupParent } from '../harness/dockerd';
import type { Daemon, RunResult } from '../harness/exec';
import { netnsPath, onExitCleanup, randomSuffix, run, runSyncQuiet, sleep, startDaemon, tailFile } from '../harness/exec';
import { describeOnStore } from '../harness/store-kind';
import { PAGE } from './support';

/** A file on the sandbox's private /run: proof that a command runs inside it. */
const SANDBOX_MARK = '/run/.contiv-demo-sandbox';

interface Sandbox {
  netns: string;
  dir: string;
  anchor: Daemon;
  env: Record<string, string>;
  /** Runs a command inside the sandbox (its netns, mount and UTS namespaces). */
  sh(script: string, timeoutMs?: number): Promise<RunResult>;
  destroy(): Promise<void>;
}

async function createSandbox(): Promise<Sandbox> {
  const netns = `ctvd${randomSuffix(5)}`;
  const dir = fs.mkdtempSync(path.join('/tmp', `${netns}-`));
  const d = (p: string): string => path.join(dir, p);
  for (const p of ['cg', 'docker', 'etc-docker', 'etc-ovs', 'log-ovs', 'state', 'logs', 'bin']) fs.mkdirSync(d(p), { recursive: true });
  // Bind targets (all three come with the packages the demo installs).
  for (const p of ['/etc/docker', '/etc/openvswitch', '/var/log/openvswitch']) fs.mkdirSync(p, { recursive: true });
  // The sandbox's own /etc/docker/daemon.json: its engine keeps its data and its
  // containers' cgroups apart from anything else on this machine.
  fs.writeFileSync(d('etc-docker/daemon.json'), JSON.stringify({ 'data-root': d('docker'), 'cgroup-parent': `/${netns}` }));
  await run('ip', ['netns', 'add', netns]);
  const unregister = onExitCleanup(() => {
    killNetnsProcesses(netns);
    runSyncQuiet('ip', ['netns', 'del', netns]);
  });
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const setup = [
    'set -e',
    `hostname ${netns}`,
    `mount --rbind /sys/fs/cgroup ${d('cg')}`,
    'umount -l /sys',
    'mount -t sysfs sysfs /sys',
    `mount --move ${d('cg')} /sys/fs/cgroup`,
    'mount -t tmpfs -o mode=755 demorun /run',
    `mount --bind ${d('etc-docker')} /etc/docker`,
    `mount --bind ${d('etc-ovs')} /etc/openvswitch`,
    `mount --bind ${d('log-ovs')} /var/log/openvswitch`,
    `touch ${SANDBOX_MARK}`,
    // Printed as its own line; the log's header line holds this script, where it follows "echo ".
    'echo sandbox-ready',
    'exec sleep infinity',
  ].join('\n');
  const anchorLog = d('anchor.log');
  const anchor = startDaemon('demo-sandbox', 'nsenter', [`--net=${netnsPath(netns)}`, 'unshare', '--mount', '--uts', '--propagation', 'slave', 'sh', '-c', setup], {
    logFile: anchorLog,
  });
  for (let i = 0; !/^sandbox-ready$/m.test(tailFile(anchorLog)); i++) {
    if (!anchor.isRunning() || i > 100) throw new Error(`sandbox did not start: ${tailFile(anchorLog)}`);
    await sleep(50);
  }
  const env = {
    CONTIV_DEMO_STATE: d('state'),
    CONTIV_LOG_DIR: d('logs'),
    CONTIV_BIN_DIR: d('bin'),
    PATH: `${d('bin')}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
  };
  const sh = (script: string, timeoutMs = 300_000): Promise<RunResult> =>
    // Entering a mount namespace resets the working directory to /, so cd explicitly.
    // The mark exists only on the sandbox's /run: never run the demo on the real system.
    run('nsenter', ['-t', String(anchor.pid), '-m', '-n', '-u', 'bash', '-c', `[ -e ${SANDBOX_MARK} ] || { echo "not inside the sandbox" >&2; exit 99; }; cd '${REPO_ROOT}' && ${script}`], {
      env: { ...process.env, ...env },
      cwd: REPO_ROOT,
      allowFail: true,
      timeoutMs,
    });
  return {
    netns,
    dir,
    anchor,
    env,
    sh,
    async destroy() {
      // Whatever demo-down missed: every process in our namespace is ours.
      killNetnsProcesses(netns, anchor.pid);
      await anchor.stop(5_000);
      await run('ip', ['netns', 'del', netns], { allowFail: true });
      removeCgroupParent(netns);
      fs.rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
}

/** Pids of the processes in a network namespace (other than `except`). */
function netnsPids(netns: string, except?: number): number[] {
  const target = fs.statSync(netnsPath(netns)).ino;
  const pids: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === except) continue;
    try {
      if (fs.statSync(`/proc/${e}/ns/net`).ino === target) pids.push(Number(e));
    } catch {
      // exited
    }
  }
  return pids;
}

function killNetnsProcesses(netns: string, except?: number): void {
  try {
    for (const pid of netnsPids(netns, except)) process.kill(pid, 'SIGKILL');
  } catch {
    // namespace already gone
  }
}

const show = (r: RunResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describeOnStore(['etcd'], 'make demo always runs etcd (deploy/host/demo-up.sh has no store choice); Consul is what make demo-cluster CLUSTER_FLAGS=\'--store consul\' runs', 'make demo / make demo-down (in a sandbox)', { timeout: 900_000 }, () => {
  let sb: Sandbox | undefined;
  const box = (): Sandbox => {
    if (!sb) throw new Error('the sandbox did not start');
    return sb;
  };
  const demoLogs = (): string =>
    ['netmaster.log', 'netplugin.log', 'driver-shim.log', 'netmaster.out', 'netplugin.out', 'driver-shim.out']
      .map((f) => `--- ${f}\n${tailFile(path.join(box().dir, 'logs', f), 20)}`)
      .join('\n');

  before(async () => {
    sb = await createSandbox();
  });
  after(async () => {
    if (!sb) return;
    await sb.sh('deploy/host/demo-down.sh', 120_000);
    await sb.destroy();
  });

  void test('demo-up.sh starts everything and the smoke check passes', async (t) => {
    const r = await box().sh('deploy/host/demo-up.sh');
    t.diagnostic(r.stdout);
    assert.equal(r.code, 0, `${show(r)}\n${demoLogs()}`);
    assert.match(r.stdout, /netctl network create contiv-net -s 100\.1\.1\.1\/24 -g 100\.1\.1\.100/);
    assert.match(r.stdout, /2 packets transmitted, 2 packets received/);
    assert.match(r.stdout, /smoke check passed/);
    for (const f of ['netmaster.log', 'netplugin.log', 'driver-shim.log', 'dockerd.log', 'etcd.log']) {
      assert.ok(fs.existsSync(path.join(box().dir, 'logs', f)), `${f} in the log dir`);
    }
  });

  void test('running it again reuses what runs', async () => {
    const r = await box().sh('deploy/host/demo-up.sh');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /netmaster: running/);
    assert.match(r.stdout, /dockerd: answers/);
    assert.match(r.stdout, /smoke check passed/);
  });

  void test('the seed workflows work with the netctl on PATH and the demo engine', async () => {
    const r = await box().sh(
      [
        'set -e',
        'netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100',
        'for i in $(seq 100); do docker network inspect contiv-net >/dev/null 2>&1 && break; sleep 0.2; done',
        'docker run -itd --net=contiv-net --name=c1 busybox /bin/sh',
        'docker run --rm --net=contiv-net --name=c2 busybox ping -c2 c1',
        'docker network create -d netplugin --ipam-driver netplugin --subnet 10.9.0.0/24 --gateway 10.9.0.1 net2',
        'docker run -d --net=net2 --name=web busybox httpd -f -p 80',
        'docker run --rm --net=net2 busybox wget -qO- http://web/',
        'netctl network ls',
      ].join('\n'),
    );
    assert.equal(r.code, 0, `${show(r)}\n${demoLogs()}`);
    assert.match(r.stdout, /2 packets received/);
    assert.match(r.stdout, new RegExp(PAGE));
    assert.match(r.stdout, /net2/);
  });

  void test('demo-down.sh stops only what the demo started and removes its networks', async (t) => {
    const r = await box().sh('deploy/host/demo-down.sh 2>&1 | while IFS= read -r l; do echo "$(date +%T.%N | cut -c1-12) $l"; done; exit ${PIPESTATUS[0]}', 120_000);
    t.diagnostic(r.stdout);
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(
      netnsPids(box().netns, box().anchor.pid).map((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          return `${p} (exited)`;
        }
      }),
      [],
      'no demo process is left',
    );
    assert.ok(!fs.existsSync(path.join(box().dir, 'bin', 'netctl')), 'the netctl link is gone');
    const again = await box().sh('deploy/host/demo-down.sh', 120_000);
    assert.equal(again.code, 0, show(again));
  });
});
