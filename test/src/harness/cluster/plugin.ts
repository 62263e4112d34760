/**
 * `--plugin v2`: the managed plugin instead of our services as host processes.
 * The bundle is built once (deploy/v2plugin/build.sh) on h1's engine under the
 * registry name, pushed to the hosts' shared registry, and then every host
 * installs it the way the v2plugin guide has users do it:
 *
 *   docker plugin install --grant-all-permissions --alias contiv/v2plugin:V \
 *     localhost:5000/contiv/v2plugin:V plugin_role=master|worker iflist=eth1 ...
 *
 * The alias makes the engines know the plugin, and so the network driver
 * users type, as contiv/v2plugin:V; plugin_name tells the agents that name
 * (it defaults to the name the bundle was built as, with the registry prefix).
 */
import path from 'node:path';
import { runPluginBuild, defaultPluginName, pluginInstallArgs, pluginEnabled } from '../v2plugin';
import { NETMASTER_PORT } from '../host';
import { UPLINK_NIC } from '../underlay';
import { REGISTRY_PORT } from './registry';
import { engineOf } from './engine';
import type { ClusterOptions, ClusterState, HostState, PluginState } from './state';
import { clusterMode } from './state';

/** The registry reference and the alias of this build's plugin. */
export function pluginNames(): PluginState {
  const name = defaultPluginName();
  return { remote: `localhost:${REGISTRY_PORT}/${name}`, name };
}

/** build.sh on h1's engine, then `docker plugin push`; h1 then drops its built copy to install like every host. */
export async function buildAndPush(h1: HostState, buildDir: string, plugin: PluginState, say: (m: string) => void): Promise<void> {
  const t0 = Date.now();
  const e = engineOf(h1);
  await runPluginBuild({ buildDir, engine: e, name: plugin.remote });
  await e.docker(['plugin', 'push', plugin.remote], { timeoutMs: 300_000 });
  await e.docker(['plugin', 'rm', '-f', plugin.remote]);
  say(`built ${plugin.remote} (deploy/v2plugin/build.sh, bundle in ${path.basename(buildDir)}/) and pushed it in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The install arguments of one host: h1 is the master (netmaster runs in its plugin). */
export function installArgs(state: ClusterState, h: HostState, options: ClusterOptions, plugin: PluginState): string[] {
  const master = state.hosts.find((x) => x.index === 1);
  return pluginInstallArgs({
    role: h.index === 1 ? 'master' : 'worker',
    clusterStore: state.clusterStore,
    ip: h.ip,
    controlUrl: `${master?.ip ?? h.ip}:${NETMASTER_PORT}`,
    iflist: [UPLINK_NIC],
    mode: clusterMode(options) === 'swarm' ? 'swarm-mode' : 'docker',
    driverName: plugin.name,
    ...(options.vxlanPort !== undefined ? { vxlanPort: options.vxlanPort } : {}),
    debug: options.debug,
  });
}

/** `docker plugin install` on one host; resolves once the engine reports it enabled. */
export async function installPlugin(h: HostState, plugin: PluginState, args: readonly string[]): Promise<void> {
  const e = engineOf(h);
  const r = await e.docker(['plugin', 'install', '--grant-all-permissions', '--alias', plugin.name, plugin.remote, ...args], { timeoutMs: 180_000, allowFail: true });
  if (r.code !== 0) throw new Error(`${h.key}: docker plugin install ${plugin.remote} failed: ${r.stderr.trim()} (boot log: ${path.join(h.dir, 'docker', 'var-log-contiv', 'plugin_bootup.log')})`);
  if ((await pluginEnabled(e, plugin.name)) !== true) throw new Error(`${h.key}: ${plugin.name} is installed but not enabled`);
}

/** Removes the plugin from a host's engine (best effort: the engine may be gone). */
export async function removePlugin(h: HostState, plugin: PluginState): Promise<void> {
  await engineOf(h).docker(['plugin', 'rm', '-f', plugin.name], { allowFail: true, timeoutMs: 60_000 });
}
