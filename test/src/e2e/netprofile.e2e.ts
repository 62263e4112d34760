/**
 * netprofile through the user's workflow on a 2-host local cluster: a profile
 * (4 Mbit/s, DSCP 46, burst 250 KB) given to a group with `group create -n`
 * limits and marks what its containers send to another host; a container of
 * a group without a profile is far faster; `netprofile create` again with
 * another rate changes the running container's rate; `group create` again
 * without `-n` makes it unlimited and unmarked; bad input (a bandwidth in ms,
 * DSCP 64, burst 1, deleting a profile in use) is refused with one line and
 * nothing changed. How the agent enforces it: docs/ovs-pipeline.md
 * "EgressQos", docs/performance.md "netProfile on the datapath".
 *
 * Measuring (as test/src/integration/netprofile-datapath.itest.ts does on a
 * bare bridge): one TCP stream, written by this process's node in the sending
 * container's network namespace (`nsenter --net=/proc/<pid>/ns/net`: the
 * cluster's dockerds share this machine's pid namespace) and counted by node
 * in the receiving container's, after its first second (the meter's bucket
 * starts full). tcpdump in the receiver's namespace reads the TOS byte of the
 * stream's packets as they arrive from the other host. The bands (50%..115%
 * of the limit; at least 5 times the limit without one) check that the
 * configured rate is what is enforced, not how fast this machine is.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import type { RunResult } from '../harness/exec';
import { run } from '../harness/exec';
import { tcpKbps } from '../harness/tcp-probe';
import { netctlErrorLines } from './support';

const TENANT = 'qos';
const NET = 'qnet';
const SUBNET = '10.37.1.0/24';
const GATEWAY = '10.37.1.254';
const BRIDGE = 'contivbr';
const PROFILE = 'gold';
const LIMIT_KBPS = 4000;
/** 250 KB = 2000 kbit: half a second of the limit (a smaller bucket costs TCP more than the limit, docs/performance.md). */
const BURST_KB = 250;
const NEW_LIMIT_KBPS = 10_000;
const DSCP = 46;
/** Containers: the sender with the profile and one without on h1, the receiver on h2 (group without profile). */
const HOST_OF = { lim1: 'h1', free1: 'h1', rcv2: 'h2' } as const;
const GROUP_OF = { lim1: 'limited', free1: 'plain', rcv2: 'plain' } as const;
type Name = keyof typeof HOST_OF;

const STREAM_MS = 5_000;

/** A tcpdump that is listening; `done` resolves with its packets' header lines (`IP (tos 0x.., ...`). */
interface Capture {
  done: Promise<string[]>;
}

/**
 * Starts `tcpdump -v -c COUNT FILTER` on eth0 of a network namespace and
 * resolves once it listens, so nothing sent afterwards is missed. It stops by
 * itself after COUNT packets, or is killed after 60 s (then `done` has fewer).
 */
function startCapture(netnsFile: string, filter: string, count: number): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsFile}`, 'tcpdump', '-i', 'eth0', '-n', '-v', '-l', '-c', String(count), filter], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let listening = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const done = new Promise<string[]>((res) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        if (!listening) reject(new Error(`tcpdump exited ${String(code)} before it listened: ${err.trim()}`));
        res(out.split('\n').filter((l) => /^\d\S* IP6? \(/.test(l)));
      });
    });
    child.on('error', (e) => reject(e));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (!listening && err.includes('listening on')) {
        listening = true;
        resolve({ done });
      }
    });
  });
}

/** The DSCP of each IPv4 header line tcpdump -v printed (the TOS byte without its 2 ECN bits). */
const dscpsOf = (lines: readonly string[]): number[] => lines.map((l) => parseInt(/tos 0x([0-9a-f]+)/.exec(l)?.[1] ?? 'NaN', 16) >> 2);

/** Meters of the bridge as one line each (ovs-ofctl prints the bands on their own lines). */
function meterLines(dump: string): string[] {
  return dump
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('OFPST_'))
    .reduce<string[]>((acc, l) => (l.startsWith('meter=') ? [...acc, l] : [...acc.slice(0, -1), `${acc[acc.length - 1] ?? ''} ${l}`]), []);
}


void describe('netprofile on 2 hosts: rate limit and DSCP of a group, update, removal, bad input', { timeout: 600_000 }, () => {
  const cluster = useCluster({ hosts: 2 });
  const c = (): LocalCluster => cluster();
  const ips = new Map<Name, string>();
  const pids = new Map<Name, number>();
  const measured: Record<string, number> = {};
  const ip = (n: Name): string => ips.get(n) ?? assert.fail(`${n} has not been started`);
  const netnsOf = (n: Name): string => `/proc/${pids.get(n) ?? assert.fail(`${n} has not been started`)}/ns/net`;
  const netctl = (...args: string[]): Promise<RunResult> => c().netctl('h1', ...args);
  const tryNetctl = (...args: string[]): Promise<RunResult> => c().exec('h1', ['netctl', ...args], { allowFail: true });

  const meters = async (): Promise<string[]> => meterLines((await c().ofctl('h1', '-O', 'OpenFlow13', 'dump-meters', BRIDGE)).stdout);
  /** h1's EgressQos flows for an endpoint port (the priority 0 pass-through left out). */
  const qosFlows = async (): Promise<string[]> =>
    (await c().ofctl('h1', '-O', 'OpenFlow13', '--names', '--no-stats', 'dump-flows', BRIDGE)).stdout.split('\n').filter((l) => l.includes('table=EgressQos') && l.includes('in_port='));
  const inspectProfile = async (): Promise<string> => (await netctl('netprofile', 'inspect', '-t', TENANT, PROFILE)).stdout;

  async function startContainer(name: Name): Promise<void> {
    const host = HOST_OF[name];
    const net = `${GROUP_OF[name]}/${TENANT}`;
    // netctl returns when netmaster stored the group; each engine gets its Docker network a moment later.
    await eventually(async () => (await c().docker(host, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').includes(net), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `docker network ${net} on ${host}`,
    });
    await c().docker(host, 'run', '-itd', `--net=${net}`, `--name=${name}`, 'busybox', 'sh');
    const r = await c().docker(host, 'inspect', '-f', '{{.State.Pid}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
    const [pid, addr] = r.stdout.trim().split(' ');
    assert.match(addr ?? '', /^10\.37\.1\.\d+$/, `${name} on ${host} has an address of ${NET}`);
    assert.match(pid ?? '', /^[1-9]\d*$/, `${name} has a pid`);
    ips.set(name, addr ?? '');
    pids.set(name, Number(pid));
  }

  /**
   * One TCP stream from `from` to rcv2 for STREAM_MS: its sustained kbit/s,
   * and the DSCP of the first 10 of its packets as rcv2 receives them.
   */
  async function stream(t: TestContext, label: string, from: Name, port: number): Promise<{ kbps: number; dscps: number[] }> {
    const cap = await startCapture(netnsOf('rcv2'), `tcp and src ${ip(from)} and dst port ${port}`, 10);
    const kbps = await tcpKbps(netnsOf(from), netnsOf('rcv2'), ip('rcv2'), port, STREAM_MS);
    const dscps = dscpsOf(await cap.done);
    measured[label] = kbps;
    t.diagnostic(`${label}: ${kbps} kbit/s, DSCP ${[...new Set(dscps)].join(',')}`);
    return { kbps, dscps };
  }

  const assertBand = (kbps: number, limit: number, what: string): void =>
    assert.ok(kbps >= limit * 0.5 && kbps <= limit * 1.15, `${what}: ${kbps} kbit/s is not within 50%..115% of the ${limit} kbit/s limit`);
  const assertDscp = (dscps: readonly number[], dscp: number, what: string): void => {
    assert.equal(dscps.length, 10, `tcpdump saw 10 packets of ${what}`);
    assert.deepEqual([...new Set(dscps)], [dscp], `DSCP of ${what}'s packets`);
  };

  void test('a profile given to a group: its container on h1 sends to h2 at the limit, marked DSCP 46', async (t) => {
    await netctl('tenant', 'create', TENANT);
    await netctl('network', 'create', '-t', TENANT, '-s', SUBNET, '-g', GATEWAY, NET);
    const created = await netctl('netprofile', 'create', '-t', TENANT, '-b', `${LIMIT_KBPS / 1000}Mbps`, '-d', String(DSCP), '-s', String(BURST_KB), PROFILE);
    assert.equal(created.stdout.trim(), `Creating netprofile ${TENANT}:${PROFILE}`);
    await netctl('group', 'create', '-t', TENANT, '-n', PROFILE, NET, 'limited');
    await netctl('group', 'create', '-t', TENANT, NET, 'plain');
    const ls = (await netctl('netprofile', 'ls', '-t', TENANT)).stdout;
    assert.match(ls, new RegExp(`^${PROFILE}\\s+${TENANT}\\s+4Mbps\\s+${DSCP}\\s+${BURST_KB}\\s*$`, 'm'), ls);
    for (const n of ['lim1', 'free1', 'rcv2'] as const) await startContainer(n);

    // lim1's meter on h1: 4000 kbit/s, burst 250 KB = 2000 kbit; its IP packets get the DSCP.
    await eventually(async () => (await meters()).some((m) => m.includes(`rate=${LIMIT_KBPS} burst_size=${BURST_KB * 8}`)), { timeoutMs: 30_000, what: "lim1's meter on h1" });
    assert.ok((await qosFlows()).some((l) => l.includes(`set_field:${DSCP}->ip_dscp`)), (await qosFlows()).join('\n'));
    await eventually(async () => (await run('nsenter', [`--net=${netnsOf('lim1')}`, 'ping', '-c', '1', '-W', '1', ip('rcv2')], { allowFail: true })).code === 0, {
      timeoutMs: 30_000,
      what: 'lim1 on h1 to reach rcv2 on h2',
    });

    const { kbps, dscps } = await stream(t, `limited to ${LIMIT_KBPS}`, 'lim1', 5301);
    assertBand(kbps, LIMIT_KBPS, 'lim1 -> rcv2');
    assertDscp(dscps, DSCP, 'lim1 -> rcv2');
  });

  void test('a container of a group without a profile is far above the limit and unmarked', async (t) => {
    const { kbps, dscps } = await stream(t, 'no profile', 'free1', 5302);
    assert.ok(kbps >= LIMIT_KBPS * 5, `free1 -> rcv2: ${kbps} kbit/s is not well above the ${LIMIT_KBPS} kbit/s limit of the other group`);
    assertDscp(dscps, 0, 'free1 -> rcv2');
  });

  void test('bad input: one clear line, non-zero exit, and nothing changed', async (t) => {
    const profile = await inspectProfile();
    const meter = await meters();
    const cases: [string[], number, RegExp][] = [
      [['netprofile', 'create', '-t', TENANT, '-b', '10 ms', '-d', String(DSCP), PROFILE], 1, /bandwidth "10 ms" is not a valid bandwidth/],
      [['netprofile', 'create', '-t', TENANT, '-b', '4Mbps', '-d', '64', PROFILE], 1, /dscp.*'64' is invalid.*0 to 63/],
      [['netprofile', 'create', '-t', TENANT, '-b', '4Mbps', '-d', String(DSCP), '-s', '1', PROFILE], 1, /burst 1 is invalid/],
      [['netprofile', 'rm', '-t', TENANT, PROFILE], 3, /being used by 1 endpoint group.*limited/],
    ];
    for (const [args, code, message] of cases) {
      const r = await tryNetctl(...args);
      assert.equal(r.code, code, `netctl ${args.join(' ')}: exit ${r.code} (${r.stderr.trim()})`);
      const lines = netctlErrorLines(r);
      assert.equal(lines.length, 1, `netctl ${args.join(' ')}: one line besides the usage hint:\n${r.stderr}`);
      assert.match(lines[0] ?? '', message);
      t.diagnostic(`netctl ${args.join(' ')}: exit ${r.code}: ${lines[0] ?? ''}`);
    }
    // netmaster checks too, whatever the client (netctl never sends DSCP 64).
    const body = JSON.stringify({ DSCP: 64, bandwidth: '4Mbps', burst: BURST_KB, profileName: PROFILE, tenantName: TENANT });
    const rest = await c().exec('h1', ['sh', '-c', `curl -sS -X POST -d '${body}' -w '\\n%{http_code}' "$NETMASTER/api/v1/netprofiles/${TENANT}:${PROFILE}/"`]);
    const status = rest.stdout.trim().split('\n').pop();
    assert.match(status ?? '', /^4\d\d$/, `REST DSCP 64: ${rest.stdout}`);
    assert.match(rest.stdout, /DSCP/, rest.stdout);
    t.diagnostic(`REST DSCP 64: ${rest.stdout.trim().replace(/\n/g, ' ')}`);

    assert.equal(await inspectProfile(), profile, 'the profile is unchanged');
    assert.deepEqual(await meters(), meter, "h1's meter is unchanged");
    const group = JSON.parse((await netctl('group', 'inspect', '-t', TENANT, 'limited')).stdout) as { Config: { netProfile?: string } };
    assert.equal(group.Config.netProfile, PROFILE, 'the group still uses the profile');
  });

  void test('the profile updated to another rate: the running container follows', async (t) => {
    // `netprofile create` again is the update (no -s: the agent's default burst, half a second of the rate).
    await netctl('netprofile', 'create', '-t', TENANT, '-b', `${NEW_LIMIT_KBPS / 1000}Mbps`, '-d', String(DSCP), PROFILE);
    await eventually(async () => (await meters()).some((m) => m.includes(`rate=${NEW_LIMIT_KBPS} burst_size=${NEW_LIMIT_KBPS / 2}`)), {
      timeoutMs: 30_000,
      what: `h1's meter to become ${NEW_LIMIT_KBPS} kbit/s`,
    });
    assert.equal((await meters()).length, 1, (await meters()).join('\n'));
    const { kbps, dscps } = await stream(t, `updated to ${NEW_LIMIT_KBPS}`, 'lim1', 5303);
    assertBand(kbps, NEW_LIMIT_KBPS, 'lim1 -> rcv2 after the update');
    assertDscp(dscps, DSCP, 'lim1 -> rcv2 after the update');
  });

  void test('the profile removed from the group (group create without -n): unlimited again, DSCP no longer set', async (t) => {
    await netctl('group', 'create', '-t', TENANT, NET, 'limited');
    await eventually(async () => (await meters()).length === 0 && (await qosFlows()).length === 0, { timeoutMs: 30_000, what: "h1's meter and EgressQos flows to go" });
    const { kbps, dscps } = await stream(t, 'profile removed', 'lim1', 5304);
    assert.ok(kbps >= LIMIT_KBPS * 5, `lim1 -> rcv2 without the profile: ${kbps} kbit/s is not well above the old ${LIMIT_KBPS} kbit/s limit`);
    assertDscp(dscps, 0, 'lim1 -> rcv2 without the profile');
    // Unused now: it can be deleted.
    await netctl('netprofile', 'rm', '-t', TENANT, PROFILE);
    t.diagnostic(`TCP kbit/s: ${JSON.stringify(measured)}`);
  });
});
