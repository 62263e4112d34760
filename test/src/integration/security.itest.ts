/**
 * docs/security.md end to end on one host: a throwaway CA made with openssl at
 * test time (no key is ever committed), real etcd, netmaster with HTTPS + a
 * token on REST and mutual TLS on gRPC, netplugin (with its client
 * certificate, in a netns beside its own OVS) and the driver shim. Checks:
 * netctl with the token over https works; a missing or wrong token gets 401
 * and changes nothing; plain HTTP is refused; gRPC clients without a
 * certificate from the CA are refused while the agent's allocations go
 * through; both unix sockets are root's alone; no log holds the token or a
 * private key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createControlClient, isRpcError, MutualTls } from '@contiv/rpc';
import { createTestPki, tlsWithoutClientCertificate, type TestCa, type TestCert, type TestPki } from '@contiv/rpc/testing';
import { startEtcd, type EtcdServer } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { onExitCleanup, randomSuffix, run, runSyncQuiet, startDaemon, startForwarder, tailFile, type Daemon } from '../harness/exec';
import { startOvs, type Ovs } from '../harness/ovs';
import { freePort } from '../harness/ports';
import { BRIDGE, pluginCall, serviceMain } from './netplugin-rig';

const TOKEN = `itest-${randomSuffix(12)}-${randomSuffix(12)}`;
const WRONG_TOKEN = `wrong-${randomSuffix(12)}-${randomSuffix(12)}`;
const NAMES = { ca: '--grpc-tls-ca', cert: '--grpc-tls-cert', key: '--grpc-tls-key' } as const;
const POOL_ID = 'default/secure-net|100.7.1.0/24';
const NETCTL = path.resolve(__dirname, '../../../services/netctl/lib/main.js');

interface Reply {
  status: number;
  text: string;
}

function httpsRequest(port: number, method: string, p: string, opts: { ca: Buffer; headers?: Record<string, string>; body?: unknown }): Promise<Reply> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, method, path: p, ca: opts.ca, agent: false, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Every line of every file under `dir`, for the no-secret check. */
function allLogs(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/** The base64 lines of a PEM private key: what would show if a key leaked into a log. */
function keyLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

void describe('security: HTTPS + token on REST, mutual TLS on gRPC, root-only sockets', { timeout: 240_000 }, () => {
  const name = `sec${randomSuffix(5)}`;
  // Short path: unix socket paths must stay under 108 bytes.
  const dir = fs.mkdtempSync(path.join('/tmp', `${name}-`));
  const logDir = path.join(dir, 'logs');
  const pluginSocket = path.join(dir, 'plugins', 'netplugin.sock');
  const agentSocket = path.join(dir, 'run', 'netplugin.sock');
  const daemons: Daemon[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  let pki: TestPki;
  let ca: TestCa;
  let otherCa: TestCa;
  let nmCert: TestCert;
  let agentCert: TestCert;
  let stranger: TestCert;
  let caPem: Buffer;
  let etcd: EtcdServer;
  let ovs: Ovs;
  let port = 0;
  const unregisterExit = onExitCleanup(() => {
    runSyncQuiet('ip', ['netns', 'del', name]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const netctl = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [NETCTL, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, allowFail: true, timeoutMs: 60_000 });
  const https9 = (method: string, p: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) => httpsRequest(port, method, p, { ca: caPem, ...opts });
  const logs = (): string => ['netmaster.log', 'netmaster.console.log', 'netplugin.log', 'netplugin.console.log', 'driver-shim.console.log'].map((f) => `--- ${f}\n${tailFile(path.join(logDir, f), 20)}`).join('\n');

  before(async () => {
    fs.mkdirSync(logDir, { recursive: true });
    pki = await createTestPki(path.join(dir, 'pki'));
    ca = await pki.newCa('cluster-ca');
    otherCa = await pki.newCa('other-ca');
    nmCert = await ca.issue('netmaster', { ips: ['127.0.0.1'] });
    agentCert = await ca.issue('agent');
    stranger = await otherCa.issue('stranger');
    caPem = fs.readFileSync(ca.cert);
    const tokenFile = path.join(pki.dir, 'token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });

    etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    await run('ip', ['netns', 'add', name]);
    cleanups.push(() => run('ip', ['netns', 'del', name], { allowFail: true }));
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    ovs = await startOvs({ netns: name });
    cleanups.push(() => ovs.stop());

    port = await freePort();
    const nm = startDaemon(
      `netmaster-${name}`,
      process.execPath,
      [
        serviceMain('netmaster'),
        '--cluster-store', etcd.url,
        '--listen-url', `127.0.0.1:${port}`,
        '--plugin-mode', 'docker',
        '--log-dir', logDir,
        '--debug',
        '--tls-cert-file', nmCert.cert,
        '--tls-key-file', nmCert.key,
        '--auth-token-file', tokenFile,
        '--grpc-tls-ca', ca.cert,
        '--grpc-tls-cert', nmCert.cert,
        '--grpc-tls-key', nmCert.key,
      ],
      { logFile: path.join(logDir, 'netmaster.console.log') },
    );
    daemons.push(nm);
    await eventually(
      async () => {
        if (!nm.isRunning()) throw new Error(`netmaster exited:\n${tailFile(path.join(logDir, 'netmaster.console.log'))}`);
        const info = await https9('GET', '/info');
        assert.equal((JSON.parse(info.text) as Record<string, string>)['current-state'], 'leader');
      },
      { timeoutMs: 40_000, what: 'netmaster to lead (over https)' },
    );

    // The agent's netns reaches netmaster (TLS bytes and all) through forwarders.
    const nmSock = path.join(dir, 'nm.sock');
    const etcdSock = path.join(dir, 'etcd.sock');
    daemons.push(
      await startForwarder(`fwd-${name}`, [
        { listen: `unix:${etcdSock}`, connect: `tcp:127.0.0.1:${etcd.port}` },
        { listen: `unix:${nmSock}`, connect: `tcp:127.0.0.1:${port}` },
      ], { logFile: path.join(dir, 'fwd-root.log') }),
      await startForwarder(`fwdns-${name}`, [
        { listen: `tcp:127.0.0.1:${etcd.port}`, connect: `unix:${etcdSock}` },
        { listen: `tcp:127.0.0.1:${port}`, connect: `unix:${nmSock}` },
      ], { netns: name, logFile: path.join(dir, 'fwd-netns.log') }),
    );
    const np = startDaemon(
      `netplugin-${name}`,
      'ip',
      [
        'netns', 'exec', name, process.execPath, serviceMain('netplugin'),
        '--cluster-store', `etcd://127.0.0.1:${etcd.port}`,
        '--control-url', `127.0.0.1:${port}`,
        '--plugin-mode', 'docker',
        '--host-name', name,
        '--ctrl-ip', '192.0.2.10',
        '--docker-host', `unix://${path.join(dir, 'no-docker.sock')}`,
        '--ovsdb', ovs.dbSocket,
        '--bridge', BRIDGE,
        '--datapath', 'netdev',
        '--agent-socket', agentSocket,
        '--state-dir', path.join(dir, 'state'),
        '--log-dir', logDir,
        '--debug',
        '--grpc-tls-ca', ca.cert,
        '--grpc-tls-cert', agentCert.cert,
        '--grpc-tls-key', agentCert.key,
      ],
      { logFile: path.join(logDir, 'netplugin.console.log') },
    );
    daemons.push(np);
    await eventually(() => fs.existsSync(agentSocket) || (np.isRunning() ? false : Promise.reject(new Error(`netplugin exited:\n${logs()}`))), {
      timeoutMs: 30_000,
      what: 'netplugin to serve its socket',
    });
    const shim = startDaemon(`shim-${name}`, process.execPath, [serviceMain('driver-shim'), '--socket', pluginSocket, '--agent-socket', agentSocket, '--log-dir', logDir, '--debug'], {
      logFile: path.join(logDir, 'driver-shim.console.log'),
    });
    daemons.push(shim);
    await eventually(async () => (await pluginCall(pluginSocket, '/Plugin.Activate', '')).status === 200, { timeoutMs: 15_000, what: 'the shim to answer Activate' });
  });

  after(async () => {
    for (const d of [...daemons].reverse()) await d.stop(10_000).catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    unregisterExit();
  });

  void it('netctl with the token over https works (flag or env)', async () => {
    const create = await netctl(['--netmaster', `https://127.0.0.1:${port}`, '--tls-ca-file', ca.cert, '--token', TOKEN, 'network', 'create', 'secure-net', '-s', '100.7.1.0/24', '-g', '100.7.1.254']);
    assert.equal(create.code, 0, create.stderr + logs());
    const ls = await netctl(['network', 'ls', '-q'], { NETMASTER: `https://127.0.0.1:${port}`, NETCTL_TLS_CA_FILE: ca.cert, NETCTL_TOKEN: TOKEN });
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(ls.stdout.trim().split('\n'), ['secure-net']);
    // --insecure skips the certificate check (Contiv's flag).
    const insecure = await netctl(['--netmaster', `https://127.0.0.1:${port}`, '--insecure', 'tenant', 'ls', '-q'], { NETCTL_TOKEN: TOKEN });
    assert.equal(insecure.code, 0, insecure.stderr);
    // Without the CA, the certificate is not trusted, and netctl says what to do.
    const untrusted = await netctl(['--netmaster', `https://127.0.0.1:${port}`, 'tenant', 'ls'], { NETCTL_TOKEN: TOKEN });
    assert.equal(untrusted.code, 3);
    assert.match(untrusted.stderr, /certificate.*--tls-ca-file.*--insecure/);
  });

  void it('a missing or wrong token gets 401 and changes nothing', async () => {
    const before = await https9('GET', '/api/v1/networks/', { headers: { 'x-auth-token': TOKEN } });
    const missing = await netctl(['--netmaster', `https://127.0.0.1:${port}`, '--tls-ca-file', ca.cert, 'network', 'create', 'evil-net', '-s', '100.8.1.0/24']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /^unauthorized: this netmaster requires a token/);
    const wrong = await netctl(['--netmaster', `https://127.0.0.1:${port}`, '--tls-ca-file', ca.cert, '--token', WRONG_TOKEN, 'network', 'rm', 'secure-net']);
    assert.equal(wrong.code, 3);
    assert.equal(wrong.stderr, 'unauthorized: the token is not valid\n');
    const variants: Record<string, string>[] = [{}, { 'x-auth-token': WRONG_TOKEN }, { authorization: `Bearer ${WRONG_TOKEN}` }];
    for (const headers of variants) {
      const r = await https9('POST', '/api/v1/tenants/evil/', { headers, body: { tenantName: 'evil' } });
      assert.equal(r.status, 401, r.text);
      assert.match(r.text, /"code":"UNAUTHORIZED"/);
    }
    const bearer = await https9('GET', '/api/v1/networks/', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.text, before.text, 'nothing changed');
    assert.equal((await https9('GET', '/api/v1/tenants/evil/', { headers: { 'x-auth-token': TOKEN } })).status, 404);
    // /version stays open (netctl version, health checks).
    assert.equal((await https9('GET', '/version')).status, 200);
  });

  void it('plain HTTP is refused with a message naming https', async () => {
    const r = await new Promise<Reply>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port, path: '/api/v1/networks/' }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        })
        .on('error', reject),
    );
    assert.equal(r.status, 400);
    assert.match(r.text, /TLS_REQUIRED/);
    const viaNetctl = await netctl(['--netmaster', `http://127.0.0.1:${port}`, 'network', 'ls']);
    assert.equal(viaNetctl.code, 3);
    assert.match(viaNetctl.stderr, /serves HTTPS only: use https:\/\//);
  });

  void it('gRPC: the agent allocates with its certificate; clients without one from the CA are refused', async () => {
    // The real agent, through the shim: RequestAddress -> netplugin -> netmaster over mutual TLS.
    const pool = await pluginCall(pluginSocket, '/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '100.7.1.0/24', SubPool: '', Options: { tenant: 'default', network: 'secure-net' }, V6: false });
    assert.equal(pool.json.PoolID, POOL_ID, pool.raw + logs());
    const addr = await pluginCall(pluginSocket, '/IpamDriver.RequestAddress', { PoolID: POOL_ID, Address: '', Options: null });
    assert.match(String(addr.json.Address), /^100\.7\.1\.\d+\/24$/, addr.raw + logs());

    const allocate = async (credentials?: Parameters<typeof createControlClient>[1]): Promise<string> => {
      const c = createControlClient(`127.0.0.1:${port}`, credentials);
      try {
        return (await c.AllocateAddress({ tenantName: 'default', networkName: 'secure-net', host: 'itest', requestId: `sec-${randomSuffix(8)}` }, { timeoutMs: 5000 })).address;
      } finally {
        c.close();
      }
    };
    assert.match(await allocate(MutualTls.load(ca.cert, agentCert.cert, agentCert.key, NAMES).channelCredentials()), /^100\.7\.1\.\d+$/);
    const refused = (err: unknown) => isRpcError(err, 'NETMASTER_UNAVAILABLE');
    await assert.rejects(allocate(), refused, 'plaintext');
    await assert.rejects(allocate(tlsWithoutClientCertificate(caPem)), refused, 'TLS without a client certificate');
    await assert.rejects(allocate(MutualTls.load(ca.cert, stranger.cert, stranger.key, NAMES).channelCredentials()), refused, 'a certificate from another CA');
  });

  void it('the plugin and agent sockets are root-only', () => {
    for (const sock of [pluginSocket, agentSocket]) {
      const st = fs.statSync(sock);
      assert.ok(st.isSocket(), sock);
      assert.equal((st.mode & 0o777).toString(8), '600', sock);
      assert.equal(st.uid, 0, sock);
    }
    // The agent socket's directory, made by netplugin, is root's alone too.
    assert.equal((fs.statSync(path.dirname(agentSocket)).mode & 0o777).toString(8), '700');
  });

  void it('no log holds the token or a private key', () => {
    const text = allLogs(logDir);
    assert.match(text, /Refused a REST request without a valid token/, 'the refusals were logged');
    // The start lines say what is on, in words.
    assert.match(text, /"rest":"https"/);
    assert.match(text, /"restAuth":"token"/);
    assert.match(text, /"grpc":"mutual-tls"/);
    assert.equal(text.includes(TOKEN), false, 'the token is in a log');
    assert.equal(text.includes(WRONG_TOKEN), false, 'a presented (wrong) token is in a log');
    for (const key of [nmCert.key, agentCert.key, ca.key, stranger.key]) {
      for (const line of keyLines(key)) assert.equal(text.includes(line), false, `a line of ${path.basename(key)} is in a log`);
    }
    assert.doesNotMatch(text, /PRIVATE KEY/);
  });
});
