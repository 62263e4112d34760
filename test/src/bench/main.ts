/**
 * `make bench`: prints figures, never passes or fails on a timing. Exits non-zero
 * only when something could not run at all.
 *
 *   node test/lib/bench/main.js [--only attach|rest|allocation|pipeline|convergence|swarm|policy|fuzz|dns|service-lb] [--rounds N] [--requests N] [--reps N] [--containers N] [--service-runs N]
 *     [--allocations N]
 *     [--policy-parts scale,cluster] [--policy-endpoints 10,100,500] [--policy-rules 10,100,1000] [--policy-groups 2,10,50] [--policy-reps N] [--policy-rounds N]
 *     [--policy-cluster-rules N]
 *     [--fuzz-runs N] [--fuzz-seed S] [--fuzz-only rest.bodies,plugin.http,...] [--fuzz-path P]
 *
 * --rounds: docker runs per network (attach), one-endpoint changes (pipeline);
 * --allocations: addresses allocated per round from 3 hosts, on etcd and Consul (allocation);
 * --reps: full flow installs per host size (pipeline);
 * --containers: containers started on one host and pinged from another (convergence);
 * --service-runs: services created per network kind and replica count (swarm);
 * --lb-rounds, --lb-seconds: alternating VIP/direct rounds and their length (service-lb: connection rate through a serviceLB vs straight to a backend);
 * --dns-queries: A queries timed per kind of name (dns: the agent's responder against Docker's embedded DNS);
 * --fuzz-*: runs per fuzz property (default 500), seed (default: random, printed), properties, and the
 *   fast-check path of a failure to replay (fuzz; docs/testing.md).
 * --policy-*: the E × R × G grid of the flow counts, installs of 1,000 rules, and
 *   one-rule changes on the bridge and rule add/delete rounds on the cluster, other rules
 *   the cluster's agents hold meanwhile (policy).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEtcd } from '../harness/etcd';
import { sleep, startDaemon, tailFile } from '../harness/exec';
import { serviceMain } from '../harness/host';
import { freePort } from '../harness/ports';
import { createStack } from '../harness/stack';
import { benchAllocation } from './allocation';
import { benchAttach } from './attach';
import { benchConvergence } from './convergence';
import { benchDns } from './dns';
import { benchFuzz } from './fuzz';
import { benchPipelineScale } from './pipeline-scale';
import { benchPolicy } from './policy';
import type { PolicyPart } from './policy';
import { benchEtcdAlone, benchRest } from './rest';
import { benchServiceLb } from './service-lb';
import { benchSwarmService } from './swarm-service';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function listArg(name: string, fallback: string): number[] {
  return arg(name, fallback)
    .split(',')
    .filter((x) => x !== '')
    .map(Number);
}

function policyParts(): PolicyPart[] {
  const parts = arg('--policy-parts', 'scale,cluster').split(',');
  const bad = parts.find((p) => p !== 'scale' && p !== 'cluster');
  if (bad !== undefined) throw new Error(`--policy-parts: "${bad}" is not scale or cluster`);
  return parts as PolicyPart[];
}

async function main(): Promise<void> {
  const only = arg('--only', '');
  const rounds = Number(arg('--rounds', '20'));
  const requests = Number(arg('--requests', '200'));
  const reps = Number(arg('--reps', '3'));
  const containers = Number(arg('--containers', '50'));
  const serviceRuns = Number(arg('--service-runs', '3'));
  if (only === '' || only === 'attach') {
    // Debug logs on: the driver-side figures come from the shim's per-call durations.
    const stack = await createStack();
    try {
      await benchAttach(stack, rounds);
    } finally {
      await stack.stop();
    }
  }
  if (only === '' || only === 'rest') await restOnLoopback(requests);
  if (only === '' || only === 'allocation') await benchAllocation({ count: Number(arg('--allocations', '1000')) });
  if (only === '' || only === 'pipeline') await benchPipelineScale({ rounds, reps });
  if (only === '' || only === 'convergence') await benchConvergence({ containers });
  if (only === '' || only === 'swarm') await benchSwarmService({ runs: serviceRuns, replicas: [3, 9] });
  if (only === '' || only === 'dns') await benchDns({ queries: Number(arg('--dns-queries', '1000')) });
  if (only === '' || only === 'service-lb') await benchServiceLb({ rounds: Number(arg('--lb-rounds', '5')), seconds: Number(arg('--lb-seconds', '3')) });
  if (only === '' || only === 'policy') {
    await benchPolicy({
      parts: policyParts(),
      endpoints: listArg('--policy-endpoints', '10,100,500'),
      rules: listArg('--policy-rules', '10,100,1000'),
      groups: listArg('--policy-groups', '2,10,50'),
      reps: Number(arg('--policy-reps', '5')),
      rounds: Number(arg('--policy-rounds', '20')),
      clusterRules: Number(arg('--policy-cluster-rules', '0')),
    });
  }
  if (only === '' || only === 'fuzz') {
    const fuzzPath = arg('--fuzz-path', '');
    await benchFuzz({
      runs: Number(arg('--fuzz-runs', '500')),
      seed: Number(arg('--fuzz-seed', String(Math.floor(Math.random() * 2 ** 31)))),
      only: arg('--fuzz-only', '').split(',').filter((x) => x !== ''),
      ...(fuzzPath !== '' ? { path: fuzzPath } : {}),
    });
  }
}

/** netmaster and etcd on the root namespace's loopback: no namespace or forwarder between client and server. */
async function restOnLoopback(requests: number): Promise<void> {
  const etcd = await startEtcd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-bench-'));
  const port = await freePort();
  const log = path.join(dir, 'netmaster.console.log');
  const netmaster = startDaemon(
    'netmaster',
    process.execPath,
    [serviceMain('netmaster'), '--cluster-store', `etcd://127.0.0.1:${etcd.port}`, '--listen-url', `127.0.0.1:${port}`, '--log-dir', dir],
    { logFile: log },
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/info`).then(
        async (r) => r.ok && /"current-state"\s*:\s*"leader"/.test(await r.text()),
        () => false,
      );
      if (ok) break;
      if (!netmaster.isRunning() || i > 300) throw new Error(`netmaster did not start:\n${tailFile(log)}`);
      await sleep(100);
    }
    await benchRest(base, requests, etcd.clientUrl);
    await benchEtcdAlone(etcd.clientUrl, etcd.url, requests);
  } finally {
    await netmaster.stop();
    await etcd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
