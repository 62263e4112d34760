/**
 * The Contiv v2plugin (managed plugin) on a harness engine: its bundle is made
 * by deploy/v2plugin/build.sh, the script `make plugin` runs, and the plugin
 * lives in the engine's mount namespace, so its /var/log/contiv is the
 * engine's own (Dockerd.contivLogDir).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './busybox-image';
import type { Dockerd } from './dockerd';
import type { RunResult } from './exec';
import { run, tailFile } from './exec';

export const PLUGIN_BUILD_SCRIPT = path.join(REPO_ROOT, 'deploy', 'v2plugin', 'build.sh');

/** `contiv/v2plugin:<version of the root package.json>`, the name build.sh gives by default. */
export function defaultPluginName(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `contiv/v2plugin:${pkg.version}`;
}

export interface PluginBuildOptions {
  /** Where the bundle goes (config.json + rootfs/). */
  buildDir: string;
  /** Engine to create the plugin on; without it the script only assembles the bundle. */
  engine?: Pick<Dockerd, 'host'>;
  /** Plugin name (default: the script's). */
  name?: string;
}

export interface PluginBuild {
  /** What the script printed (its `[plugin] ...` lines). */
  output: string;
  ms: number;
}

/** Runs build.sh; throws with its output when it fails. */
export async function runPluginBuild(opts: PluginBuildOptions): Promise<PluginBuild> {
  const env: NodeJS.ProcessEnv = { ...process.env, BUILD_DIR: opts.buildDir, PLUGIN_CREATE: opts.engine ? '1' : '0' };
  if (opts.engine) env['DOCKER_HOST'] = opts.engine.host;
  if (opts.name) env['PLUGIN_NAME'] = opts.name;
  const t0 = Date.now();
  const r = await run('bash', [PLUGIN_BUILD_SCRIPT], { env, timeoutMs: 300_000 });
  return { output: `${r.stdout}${r.stderr}`, ms: Date.now() - t0 };
}

/** `docker plugin inspect`'s Enabled, or undefined when the engine has no such plugin. */
export async function pluginEnabled(engine: Pick<Dockerd, 'docker'>, name: string): Promise<boolean | undefined> {
  const r = await engine.docker(['plugin', 'inspect', '--format', '{{.Enabled}}', name], { allowFail: true });
  if (r.code !== 0) return undefined;
  return r.stdout.trim() === 'true';
}

/** The plugin's settings as `docker plugin inspect` shows them (NAME=VALUE). */
export async function pluginEnv(engine: Pick<Dockerd, 'docker'>, name: string): Promise<string[]> {
  const r = await engine.docker(['plugin', 'inspect', '--format', '{{json .Settings.Env}}', name]);
  return JSON.parse(r.stdout) as string[];
}

/** `docker plugin enable` that reports instead of throwing, with its duration. */
export async function enablePlugin(engine: Pick<Dockerd, 'docker'>, name: string): Promise<RunResult & { ms: number }> {
  const t0 = Date.now();
  // Docker's own dial loop bounds a failing enable (~12 s on 20.10); the timeout only guards a hang.
  const r = await engine.docker(['plugin', 'enable', name], { allowFail: true, timeoutMs: 90_000 });
  return { ...r, ms: Date.now() - t0 };
}

/** Lines of the plugin's /var/log/contiv/plugin_bootup.log on this engine ([] before the first start). */
export function bootLog(engine: Pick<Dockerd, 'contivLogDir'>): string[] {
  try {
    return fs.readFileSync(path.join(engine.contivLogDir, 'plugin_bootup.log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Lines of the boot log from its last start on ("==== Contiv v2plugin starting"). */
export function lastBoot(engine: Pick<Dockerd, 'contivLogDir'>): string[] {
  const lines = bootLog(engine);
  let start = -1;
  lines.forEach((l, i) => {
    if (l.includes('==== Contiv v2plugin starting')) start = i;
  });
  return start < 0 ? [] : lines.slice(start);
}

/** Tails of the plugin's logs, for failure messages. */
export function pluginLogTails(engine: Pick<Dockerd, 'contivLogDir'>, lines = 15): string {
  return ['plugin_bootup.log', 'driver-shim.log', 'netplugin.log', 'netmaster.log', 'netplugin.out', 'netmaster.out']
    .map((f) => path.join(engine.contivLogDir, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => `--- ${f}\n${tailFile(f, lines)}`)
    .join('\n');
}

/** What `docker plugin install NAME KEY=VALUE...` takes for one host (the guide's argument names). */
export interface PluginInstallSettings {
  role: 'master' | 'worker';
  /** etcd://host:port or consul://host:port as this host reaches it. */
  clusterStore: string;
  /** This host's address: ctrl_ip and vtep_ip. */
  ip?: string;
  /** netmaster's host:port. */
  controlUrl?: string;
  iflist?: readonly string[];
  mode: 'swarm-mode' | 'docker';
  /** The driver name Docker knows the plugin by, when it differs from the name it was built as (install --alias). */
  driverName?: string;
  vxlanPort?: number;
  debug?: boolean;
}

/** The KEY=VALUE arguments of `docker plugin install` / `docker plugin set`. */
export function pluginInstallArgs(s: PluginInstallSettings): string[] {
  return [
    `plugin_role=${s.role}`,
    ...(s.iflist && s.iflist.length > 0 ? [`iflist=${s.iflist.join(',')}`] : []),
    `cluster_store=${s.clusterStore}`,
    ...(s.ip !== undefined ? [`ctrl_ip=${s.ip}`, `vtep_ip=${s.ip}`] : []),
    ...(s.controlUrl !== undefined ? [`control_url=${s.controlUrl}`] : []),
    `plugin_mode=${s.mode}`,
    ...(s.driverName !== undefined ? [`plugin_name=${s.driverName}`] : []),
    ...(s.vxlanPort !== undefined ? [`vxlan_port=${s.vxlanPort}`] : []),
    ...(s.debug === true ? ['dbg_flag=-debug'] : []),
  ];
}

/**
 * Swarm nodes whose description does not list the network plugin yet
 * (`docker node inspect`'s .Description.Engine.Plugins), asked of a manager.
 * Swarm places a task only on nodes that advertise its network's driver, and
 * descriptions refresh lazily (ENVIRONMENT.md §5.4).
 */
export async function nodesWithoutPlugin(manager: Pick<Dockerd, 'docker'>, name: string): Promise<string[]> {
  const ids = (await manager.docker(['node', 'ls', '-q'])).stdout.split(/\s+/).filter(Boolean);
  const r = await manager.docker(['node', 'inspect', '--format', '{{.Description.Hostname}} {{json .Description.Engine.Plugins}}', ...ids]);
  const missing: string[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const sp = line.indexOf(' ');
    const plugins = JSON.parse(line.slice(sp + 1)) as { Type: string; Name: string }[] | null;
    if (!(plugins ?? []).some((p) => p.Type === 'Network' && p.Name === name)) missing.push(line.slice(0, sp));
  }
  return missing;
}
