/**
 * deploy/systemd: install.sh into a scratch root (twice: it must be idempotent),
 * then `systemd-analyze verify` on the installed units against that root, which
 * holds a copy of this machine's system units (so openvswitch-switch.service,
 * docker.service and the targets resolve) and the installed node. Also: the
 * installed services start from the prefix, and every setting contiv.env names
 * is one a service reads.
 *
 * Needs `make build` (install.sh copies the built services). Without
 * systemd-analyze the verify test reports a skip, never a pass.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const INSTALL = path.join(root, 'deploy/systemd/install.sh');
const UNITS = ['contiv-netmaster.service', 'contiv-netplugin.service', 'contiv-driver-shim.service'];
const SYSTEM_UNITS = '/usr/lib/systemd/system';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: readonly string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function onPath(bin: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(d, bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

void describe('deploy/systemd: install.sh and the units', { timeout: 120_000 }, () => {
  let dest = '';
  before(() => {
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-systemd-'));
  });
  after(() => {
    if (dest) fs.rmSync(dest, { recursive: true, force: true });
  });

  void test('install.sh --root installs the app, the units, the settings and netctl; again changes nothing', async () => {
    const first = await sh(INSTALL, ['--root', dest, '--role', 'master']);
    assert.equal(first.code, 0, first.stderr);
    for (const u of UNITS) assert.match(first.stdout, new RegExp(`unit: /etc/systemd/system/${u}`));
    assert.match(first.stdout, /settings: \/etc\/contiv\/contiv\.env \(edit/);
    assert.match(first.stdout, /enable --now contiv-netmaster\.service contiv-netplugin\.service contiv-driver-shim\.service/);
    for (const f of [...UNITS.map((u) => `etc/systemd/system/${u}`), 'etc/contiv/contiv.env', 'opt/contiv/bin/node', 'opt/contiv/bin/netctl']) {
      assert.ok(fs.existsSync(path.join(dest, f)), f);
    }
    assert.equal(fs.readlinkSync(path.join(dest, 'usr/local/bin/netctl')), '/opt/contiv/bin/netctl');
    assert.equal(fs.statSync(path.join(dest, 'etc/contiv/contiv.env')).mode & 0o777, 0o640);
    // An edited contiv.env survives a reinstall; unchanged units are not rewritten.
    fs.appendFileSync(path.join(dest, 'etc/contiv/contiv.env'), 'vtep_ip=192.0.2.7\n');
    const second = await sh(INSTALL, ['--root', dest, '--role', 'worker']);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /unit: /);
    assert.match(second.stdout, /contiv\.env kept/);
    assert.match(second.stdout, /enable --now contiv-netplugin\.service contiv-driver-shim\.service$/m);
    assert.match(fs.readFileSync(path.join(dest, 'etc/contiv/contiv.env'), 'utf8'), /vtep_ip=192\.0\.2\.7/);
  });

  void test('install.sh refuses bad arguments with one clear line', async () => {
    const r = await sh(INSTALL, ['--root', dest, '--role', 'boss']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--role is master or worker, not "boss"/);
  });

  void test('the installed services start from the prefix (their --help)', async () => {
    const node = path.join(dest, 'opt/contiv/bin/node');
    for (const s of ['netmaster', 'netplugin', 'driver-shim', 'netctl']) {
      const r = await sh(node, [path.join(dest, 'opt/contiv/services', s, 'lib/main.js'), '--help']);
      assert.equal(r.code, 0, `${s}: ${r.stderr}`);
      assert.match(`${r.stdout}${r.stderr}`, /usage/i, s);
    }
  });

  void test('systemd-analyze verify: the units are valid against the installed root', async (t) => {
    const analyze = onPath('systemd-analyze');
    if (analyze === undefined) {
      t.skip('systemd-analyze is not installed (Debian package systemd): the units are not verified');
      return;
    }
    // The machine's own units (targets, openvswitch-switch, docker) inside the scratch root.
    fs.mkdirSync(path.join(dest, 'usr/lib/systemd'), { recursive: true });
    fs.cpSync(SYSTEM_UNITS, path.join(dest, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    if (!fs.existsSync(path.join(dest, 'lib'))) fs.symlinkSync('usr/lib', path.join(dest, 'lib'));
    for (const dep of ['openvswitch-switch.service', 'docker.service']) {
      assert.ok(fs.existsSync(path.join(SYSTEM_UNITS, dep)), `${dep} is on this machine (make deps installs it)`);
    }
    const units = UNITS.map((u) => path.join(dest, 'etc/systemd/system', u));
    const r = await sh(analyze, ['verify', `--root=${dest}`, ...units]);
    // verify exits 0 on some problems (a value it cannot parse is only "ignored"): any output is a finding.
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no finding');
    // And it does find problems here: an ExecStart that is not there fails.
    const broken = path.join(dest, 'etc/systemd/system/contiv-broken.service');
    fs.writeFileSync(broken, fs.readFileSync(units[0] ?? '', 'utf8').replace('/opt/contiv/bin/node', '/opt/contiv/bin/no-such-node'));
    const bad = await sh(analyze, ['verify', `--root=${dest}`, broken]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no-such-node is not executable/);
  });

  void test('every setting in contiv.env is one a service reads', () => {
    const env = fs.readFileSync(path.join(root, 'deploy/systemd/contiv.env'), 'utf8');
    const keys = [...env.matchAll(/^#? ?([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1] as string);
    assert.ok(keys.length >= 10, keys.join(' '));
    const sources = ['netmaster', 'netplugin', 'driver-shim']
      .flatMap((s) => fs.readdirSync(path.join(root, 'services', s, 'src')).filter((f) => /^options.*\.ts$/.test(f) && !f.endsWith('.test.ts')).map((f) => path.join(root, 'services', s, 'src', f)))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    for (const k of keys) assert.ok(sources.includes(`'${k}'`), `${k} is read by no service's options`);
  });
});
