/**
 * Attach latency: `docker run --rm --net=<net> busybox true` on our network
 * against Docker's bridge and none, interleaved in one run on one engine, and the
 * driver's own time per CreateEndpoint+Join as the shim served it to Docker.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Stack } from '../harness/stack';
import { waitDockerNetwork } from '../e2e/support';
import { median, ms, percentile, table, timed } from './stats';

const OURS = 'benchnet';

export async function benchAttach(stack: Stack, rounds: number): Promise<void> {
  const h = stack.host;
  await h.netctl('network', 'create', OURS, '-s', '10.77.0.0/16', '-g', '10.77.0.1');
  await waitDockerNetwork(h, OURS);
  const nets = [OURS, 'bridge', 'none'];
  const samples = new Map<string, number[]>(nets.map((n) => [n, []]));
  const runOnce = (net: string): Promise<unknown> => h.docker('run', '--rm', `--net=${net}`, 'busybox', 'true');
  for (const n of nets) await runOnce(n); // warm-up: image layers, plugin activation
  for (let i = 0; i < rounds; i++) {
    // rotate the order so no network always runs right after another
    const order = nets.map((_, k) => nets[(k + i) % nets.length] as string);
    for (const n of order) {
      const [t] = await timed(() => runOnce(n));
      samples.get(n)?.push(t);
    }
  }
  const s = (n: string): number[] => samples.get(n) ?? [];
  console.log(`\nAttach: docker run --rm --net=<net> busybox true (${rounds} runs each, interleaved)`);
  console.log(
    table([
      ['network', 'median', 'p99', 'min'],
      ...nets.map((n) => [n === OURS ? `${n} (ours)` : n, ms(median(s(n))), ms(percentile(s(n), 99)), ms(Math.min(...s(n)))]),
    ]),
  );
  const ratio = (a: string, b: string): string => (median(s(a)) / median(s(b))).toFixed(2);
  console.log(`ratio of medians: ours/bridge ${ratio(OURS, 'bridge')}x, ours/none ${ratio(OURS, 'none')}x`);
  benchDriver(stack);
  await h.tryNetctl('network', 'rm', OURS);
}

interface PluginCallLine {
  message?: string;
  method?: string;
  ms?: number;
}

/**
 * Driver-side time per attach, from the shim's debug log ("Served plugin call"
 * with its duration): what Docker waited for in RequestAddress, CreateEndpoint
 * and Join during the runs above, and in the teardown calls after them.
 */
function benchDriver(stack: Stack): void {
  const file = path.join(stack.host.logDir, 'driver-shim.log');
  const byMethod = new Map<string, number[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let rec: PluginCallLine;
    try {
      rec = JSON.parse(line) as PluginCallLine;
    } catch {
      continue;
    }
    if (rec.message !== 'Served plugin call' || typeof rec.method !== 'string' || typeof rec.ms !== 'number') continue;
    const list = byMethod.get(rec.method) ?? [];
    list.push(rec.ms);
    byMethod.set(rec.method, list);
  }
  const get = (m: string): number[] => byMethod.get(`/${m}`) ?? [];
  const create = get('NetworkDriver.CreateEndpoint');
  const join = get('NetworkDriver.Join');
  // Attaches run one at a time, so the n-th CreateEndpoint and the n-th Join belong together.
  const pairs = create.slice(0, join.length).map((c, i) => c + (join[i] ?? 0));
  const teardown = get('NetworkDriver.DeleteEndpoint').map((d, i) => d + (get('NetworkDriver.Leave')[i] ?? 0) + (get('IpamDriver.ReleaseAddress')[i] ?? 0));
  console.log(`\nDriver side (the shim's served time per call, from its debug log; ${pairs.length} attaches)`);
  if (pairs.length === 0) {
    console.log('n/a: no "Served plugin call" lines with a duration in the shim log');
    return;
  }
  const row = (name: string, xs: number[]): string[] => [name, ms(median(xs)), ms(percentile(xs, 99))];
  console.log(
    table([
      ['call', 'median', 'p99'],
      row('IpamDriver.RequestAddress', get('IpamDriver.RequestAddress')),
      row('NetworkDriver.CreateEndpoint', create),
      row('NetworkDriver.Join', join),
      row('CreateEndpoint+Join', pairs),
      row('Leave+DeleteEndpoint+ReleaseAddress', teardown),
    ]),
  );
}
