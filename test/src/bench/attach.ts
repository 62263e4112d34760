/**
 * Attach latency: `docker run --rm --net=<net> busybox true` on our network
 * against Docker's bridge (the default one and a user-defined one, which like
 * ours gets Docker's embedded DNS) and none, interleaved in one run on one
 * engine; then where the time of ours goes, from the services' debug logs.
 */
import path from 'node:path';
import type { Stack } from '../harness/stack';
import { waitDockerNetwork } from '../e2e/support';
import { ATTACH_CALLS, etcdDisk, etcdDiskDelta, fieldSamples, pluginCalls, readLog, TEARDOWN_CALLS, type LogRecord } from './breakdown';
import { median, ms, percentile, table, timed } from './stats';

const OURS = 'benchnet';
const USER_BRIDGE = 'benchbr';

interface Window {
  readonly start: number;
  readonly end: number;
}

export async function benchAttach(stack: Stack, rounds: number): Promise<void> {
  const h = stack.host;
  await h.netctl('network', 'create', OURS, '-s', '10.77.0.0/16', '-g', '10.77.0.1');
  await waitDockerNetwork(h, OURS);
  await h.docker('network', 'create', '-d', 'bridge', '--subnet', '10.78.0.0/16', USER_BRIDGE);
  const nets = [OURS, USER_BRIDGE, 'bridge', 'none'];
  const samples = new Map<string, number[]>(nets.map((n) => [n, []]));
  const windows: Window[] = [];
  const runOnce = (net: string): Promise<unknown> => h.docker('run', '--rm', `--net=${net}`, 'busybox', 'true');
  for (const n of nets) await runOnce(n); // warm-up: image layers, plugin activation
  const diskBefore = await etcdDisk(stack.etcd.clientUrl);
  for (let i = 0; i < rounds; i++) {
    // rotate the order so no network always runs right after another
    const order = nets.map((_, k) => nets[(k + i) % nets.length] as string);
    for (const n of order) {
      const start = Date.now();
      const [t] = await timed(() => runOnce(n));
      samples.get(n)?.push(t);
      if (n === OURS) windows.push({ start, end: Date.now() });
    }
  }
  const disk = etcdDiskDelta(diskBefore, await etcdDisk(stack.etcd.clientUrl));
  const s = (n: string): number[] => samples.get(n) ?? [];
  const label = (n: string): string => (n === OURS ? `${n} (ours)` : n === USER_BRIDGE ? `${n} (bridge, user-defined)` : n);
  console.log(`\nAttach: docker run --rm --net=<net> busybox true (${rounds} runs each, interleaved)`);
  console.log(
    table([
      ['network', 'median', 'p99', 'min'],
      ...nets.map((n) => [label(n), ms(median(s(n))), ms(percentile(s(n), 99)), ms(Math.min(...s(n)))]),
    ]),
  );
  const ratio = (a: string, b: string): string => (median(s(a)) / median(s(b))).toFixed(2);
  console.log(`ratio of medians: ours/bridge ${ratio(OURS, 'bridge')}x, ours/user-defined bridge ${ratio(OURS, USER_BRIDGE)}x, ours/none ${ratio(OURS, 'none')}x`);
  breakdown(stack, windows, s(OURS), median(s(USER_BRIDGE)), disk);
  await h.tryDocker('network', 'rm', USER_BRIDGE);
  await h.tryNetctl('network', 'rm', OURS);
}

function breakdown(stack: Stack, windows: readonly Window[], totals: readonly number[], userBridgeMedian: number, disk: ReturnType<typeof etcdDiskDelta>): void {
  const logDir = stack.host.logDir;
  const calls = pluginCalls(readLog(path.join(logDir, 'driver-shim.log')));
  if (calls.length === 0) {
    console.log('\n(no "Served plugin call" lines with a duration in the shim log: no breakdown)');
    return;
  }
  // Every call inside a timed run of ours belongs to that run (runs are sequential).
  const perRun = windows.map((w) => calls.filter((c) => c.start >= w.start && c.end <= w.end));
  const byMethod = new Map<string, number[]>();
  const attach: number[] = [];
  const teardown: number[] = [];
  perRun.forEach((run) => {
    const sums = new Map<string, number>();
    for (const c of run) sums.set(c.method, (sums.get(c.method) ?? 0) + c.ms);
    for (const [m, v] of sums) byMethod.set(m, [...(byMethod.get(m) ?? []), v]);
    attach.push(run.filter((c) => ATTACH_CALLS.has(c.method)).reduce((a, c) => a + c.ms, 0));
    teardown.push(run.filter((c) => TEARDOWN_CALLS.has(c.method)).reduce((a, c) => a + c.ms, 0));
  });
  const docker = totals.map((t, i) => t - (attach[i] ?? 0) - (teardown[i] ?? 0));
  const row = (name: string, xs: readonly number[]): string[] => [name, ms(median(xs)), ms(percentile(xs, 99))];
  const order = [...ATTACH_CALLS, ...TEARDOWN_CALLS, ...[...byMethod.keys()].filter((m) => !ATTACH_CALLS.has(m) && !TEARDOWN_CALLS.has(m))];
  console.log(`\nWhere an attach on ours goes (${perRun.length} runs; a driver call lasts from the shim receiving it to its answer)`);
  console.log(
    table([
      ['part', 'median', 'p99'],
      ...order.filter((m) => byMethod.has(m)).map((m) => row(`  ${m}`, byMethod.get(m) ?? [])),
      row('driver calls while starting', attach),
      row('driver calls while removing', teardown),
      row('Docker itself (total - driver calls)', docker),
      ['(user-defined bridge, whole run)', ms(userBridgeMedian), ''],
    ]),
  );

  const agent = readLog(path.join(logDir, 'netplugin.log'));
  const steps = (message: string): Map<string, number[]> =>
    fieldSamples(inWindows(agent, windows), message, (r) => (typeof r.ms === 'number' ? { total: r.ms } : (r.ms as Record<string, unknown> | undefined)));
  const created = steps('Created endpoint');
  const deleted = steps('Deleted endpoint');
  console.log('\nAgent steps (ms since the agent got the call; steps overlap, see docs/driver.md)');
  console.log(
    table([
      ['step', 'median', 'p99'],
      ...[...created].map(([k, v]) => row(`  CreateEndpoint ${k}`, v)),
      ...[...deleted].map(([k, v]) => row(`  DeleteEndpoint ${k}`, v)),
    ]),
  );

  const master = readLog(path.join(logDir, 'netmaster.log'));
  const control = fieldSamples(inWindows(master, windows, 2_000), 'Served control call', (r) =>
    typeof r.method === 'string' && typeof r.ms === 'number' ? { [r.method]: r.ms } : undefined,
  );
  if (control.size > 0) {
    console.log('\nnetmaster control calls (ms inside netmaster; background ones included)');
    console.log(table([['call', 'median', 'p99', 'count'], ...[...control].map(([k, v]) => [...row(`  ${k}`, v), String(v.length)])]));
  }
  if (disk) {
    console.log(
      `\netcd during these runs: ${disk.fsyncs} WAL fsyncs (${(disk.fsyncs / Math.max(1, totals.length)).toFixed(1)} per attach of ours, lease renewals included), ` +
        `mean fsync ${ms(disk.fsyncMs)}, mean backend commit ${ms(disk.commitMs)}`,
    );
  }
}

function inWindows(log: readonly LogRecord[], windows: readonly Window[], slackMs = 0): LogRecord[] {
  return log.filter((r) => windows.some((w) => r.ts >= w.start && r.ts <= w.end + slackMs));
}
