/**
 * Legacy docker mode (`--plugin-mode docker`): every Contiv network (origin
 * contiv, data) and endpoint group gets a Docker network on the local engine,
 * so `docker run --net=<name>` works on every host (DESIGN.md decision 4):
 *
 *   network  -> "<network>" in tenant default, "<network>/<tenant>" otherwise
 *   group    -> "<group>"   in tenant default, "<group>/<tenant>"   otherwise
 *
 * driver and IPAM driver = ours; driver options {tenant, network, [group],
 * encap, pkt-tag}; IPAM options {tenant, network, [group]}; the network's
 * subnet and gateway. A Docker network is removed when its Contiv object goes,
 * and only if the agent made it (its options name a tenant and network). On
 * engines with a cluster store the network is shared: "already exists" is fine.
 * Desired state is recomputed from the store on every change (reconcile, not
 * replay); a failure is retried on the next pass.
 */
import type { GroupState, NetworkState } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import { DockerApiError, type CreateNetworkSpec, type DockerEngineClient, type DockerNetwork } from '../docker/engine-client';
import { errorMessage } from '../errors';
import { canonicalSubnet, DEFAULT_TENANT, OPT_ENCAP, OPT_GROUP, OPT_NETWORK, OPT_PKT_TAG, OPT_TENANT } from '../network/binding';
import type { StateCache } from '../network/state-cache';

export const MANAGED_LABEL = 'io.contiv.netplugin.managed';

export function dockerNetworkName(tenant: string, name: string): string {
  return tenant === DEFAULT_TENANT ? name : `${name}/${tenant}`;
}

/** The Docker network a Contiv network or group should have. */
export function desiredSpec(net: NetworkState, group: GroupState | undefined, driverName: string): CreateNetworkSpec {
  const ids: Record<string, string> = { [OPT_TENANT]: net.tenantName, [OPT_NETWORK]: net.networkName, ...(group ? { [OPT_GROUP]: group.groupName } : {}) };
  return {
    Name: dockerNetworkName(net.tenantName, group ? group.groupName : net.networkName),
    Driver: driverName,
    Options: { ...ids, [OPT_ENCAP]: net.encap, [OPT_PKT_TAG]: String(net.pktTag) },
    Labels: { [MANAGED_LABEL]: 'true' },
    IPAM: { Driver: driverName, Options: ids, Config: [{ Subnet: canonicalSubnet(net.subnet), ...(net.gateway ? { Gateway: net.gateway } : {}) }] },
    CheckDuplicate: true,
  };
}

export function desiredSpecs(cache: Pick<StateCache, 'allNetworks' | 'allGroups' | 'network'>, driverName: string): CreateNetworkSpec[] {
  const out: CreateNetworkSpec[] = [];
  for (const n of cache.allNetworks()) if (n.origin === 'contiv' && n.nwType === 'data') out.push(desiredSpec(n, undefined, driverName));
  for (const g of cache.allGroups()) {
    const n = cache.network(g.tenantName, g.networkName);
    if (n && n.origin === 'contiv' && n.nwType === 'data') out.push(desiredSpec(n, g, driverName));
  }
  return out;
}

/** Made by this agent (or Contiv's netmaster): options name its Contiv object. */
export function isManaged(n: DockerNetwork): boolean {
  return Boolean(n.Options?.[OPT_TENANT] && n.Options?.[OPT_NETWORK]);
}

function sameObject(n: DockerNetwork, spec: CreateNetworkSpec): boolean {
  const a = n.Options ?? {};
  return a[OPT_TENANT] === spec.Options[OPT_TENANT] && a[OPT_NETWORK] === spec.Options[OPT_NETWORK] && (a[OPT_GROUP] ?? '') === (spec.Options[OPT_GROUP] ?? '');
}

function sameAddressing(n: DockerNetwork, spec: CreateNetworkSpec): boolean {
  const have = n.IPAM?.Config?.[0];
  const want = spec.IPAM.Config[0];
  return canonicalSubnet(have?.Subnet ?? '') === want?.Subnet && (have?.Gateway ?? '') === (want?.Gateway ?? '');
}

export interface DockerNetworkControllerOptions {
  readonly cache: StateCache;
  readonly engine: Pick<DockerEngineClient, 'listNetworks' | 'createNetwork' | 'removeNetwork' | 'inspectNetwork'>;
  readonly driverName: string;
  readonly log: Logger;
  readonly periodMs?: number;
  readonly debounceMs?: number;
}

export class DockerNetworkController {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(private readonly o: DockerNetworkControllerOptions) {}

  start(): void {
    this.o.cache.onChange(() => this.trigger(this.o.debounceMs ?? 200));
    this.trigger(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One pass now (tests, startup). */
  async reconcile(): Promise<void> {
    if (!this.o.cache.isSynced()) return;
    const log = this.o.log;
    const want = desiredSpecs(this.o.cache, this.o.driverName);
    const have = await this.o.engine.listNetworks({ driver: this.o.driverName });
    const byName = new Map(have.map((n) => [n.Name, n]));
    for (const spec of want) {
      const cur = byName.get(spec.Name);
      if (cur && sameObject(cur, spec)) {
        if (!sameAddressing(cur, spec)) await this.replace(cur, spec);
        continue;
      }
      if (cur) {
        log.warn('A Docker network already uses the name of a Contiv network', { name: spec.Name, id: cur.Id.slice(0, 12) });
        continue;
      }
      await this.create(spec);
    }
    const wanted = new Set(want.map((s) => s.Name));
    for (const n of have) {
      if (!isManaged(n) || wanted.has(n.Name)) continue;
      await this.remove(n, 'its Contiv network or group is gone');
    }
  }

  private trigger(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), ms);
  }

  private async pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await this.reconcile();
    } catch (err) {
      this.o.log.warn('Reconciling Docker networks failed; will retry', { err: errorMessage(err) });
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.trigger(0);
    } else {
      this.trigger(this.o.periodMs ?? 30_000);
    }
  }

  private async create(spec: CreateNetworkSpec): Promise<void> {
    try {
      const res = await this.o.engine.createNetwork(spec);
      this.o.log.info('Created Docker network', { name: spec.Name, id: res.Id.slice(0, 12), subnet: spec.IPAM.Config[0]?.Subnet });
    } catch (err) {
      // Engines sharing a cluster store: another host created it first.
      if (err instanceof DockerApiError && err.status === 409) return;
      this.o.log.warn('Cannot create Docker network', { name: spec.Name, err: errorMessage(err) });
    }
  }

  private async remove(n: DockerNetwork, why: string): Promise<boolean> {
    try {
      if (await this.o.engine.removeNetwork(n.Id)) this.o.log.info('Removed Docker network', { name: n.Name, id: n.Id.slice(0, 12), why });
      return true;
    } catch (err) {
      this.o.log.warn('Cannot remove Docker network yet', { name: n.Name, err: errorMessage(err) });
      return false;
    }
  }

  /** A Contiv network re-created with other addressing while we were away. */
  private async replace(cur: DockerNetwork, spec: CreateNetworkSpec): Promise<void> {
    const full = await this.o.engine.inspectNetwork(cur.Id);
    if (full && Object.keys(full.Containers ?? {}).length > 0) {
      this.o.log.warn('Docker network has other addressing than its Contiv network but is in use; leaving it', { name: cur.Name });
      return;
    }
    if (await this.remove(cur, 'its addressing changed')) await this.create(spec);
  }
}
