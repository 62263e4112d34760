/**
 * Legacy docker mode (`--plugin-mode docker`): every Contiv network (origin
 * contiv, data) and endpoint group gets a Docker network, so `docker run
 * --net=<name>` works on every host (DESIGN.md decision 4):
 *
 *   network  -> "<network>" in tenant default, "<network>/<tenant>" otherwise
 *   group    -> "<group>"   in tenant default, "<group>/<tenant>"   otherwise
 *
 * driver and IPAM driver = ours; driver options {tenant, network, [group],
 * encap, pkt-tag}; IPAM options {tenant, network, [group]}; the network's
 * subnet and gateway. A Docker network is removed when its Contiv object goes,
 * and only if the agent made it (its options name a tenant and network).
 * Desired state is recomputed from the store on every change (reconcile, not
 * replay); a failure is retried on a later pass.
 *
 * A standalone engine has networks of its own: each agent makes them there.
 * Engines sharing a cluster store see each other's (global-scope) networks,
 * and Docker's duplicate-name check is not atomic across engines: agents that
 * create at once make one network per engine under the same name, which
 * `docker run --net` then cannot resolve. So on such an engine every change to
 * a Docker network (create, replace, remove, drop duplicates) happens under
 * the store lock dockerNetworkCreateLock(scope, tenant, name), after looking
 * at the engine again and reading the Contiv object from the store rather than
 * from this agent's cache (which may lag behind the agent that just acted).
 * The lock lives under a lease: a holder that dies frees it within its TTL.
 */
import { dockerNetworkCreateLock, groupStateCodec, groupStateKey, networkStateCodec, networkStateKey, type GroupState, type NetworkState } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Lock, Store } from '@contiv/store';
import { DockerApiError, type CreateNetworkSpec, type DockerEngineClient, type DockerNetwork } from '../docker/engine-client';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { AgentError, errorMessage } from '../errors';
import { canonicalSubnet, DEFAULT_TENANT, OPT_ENCAP, OPT_GROUP, OPT_NETWORK, OPT_PKT_TAG, OPT_TENANT } from '../network/binding';
import type { StateCache } from '../network/state-cache';

export const MANAGED_LABEL = 'io.contiv.netplugin.managed';

/** Seconds a dead lock holder blocks the others. */
const LOCK_TTL_SECONDS = 10;

export function dockerNetworkName(tenant: string, name: string): string {
  return tenant === DEFAULT_TENANT ? name : `${name}/${tenant}`;
}

/** Contiv networks that get a Docker network in legacy mode. */
function needsDockerNetwork(n: NetworkState): boolean {
  return n.origin === 'contiv' && n.nwType === 'data';
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
  for (const n of cache.allNetworks()) if (needsDockerNetwork(n)) out.push(desiredSpec(n, undefined, driverName));
  for (const g of cache.allGroups()) {
    const n = cache.network(g.tenantName, g.networkName);
    if (n && needsDockerNetwork(n)) out.push(desiredSpec(n, g, driverName));
  }
  return out;
}

/** Made by this agent (or Contiv's netmaster): options name its Contiv object. */
export function isManaged(n: DockerNetwork): boolean {
  return Boolean(n.Options?.[OPT_TENANT] && n.Options?.[OPT_NETWORK]);
}

/** The Contiv object a Docker network stands for, from its options. */
interface ObjectIds {
  readonly tenant: string;
  readonly network: string;
  readonly group: string;
}

function objectIds(options: Record<string, string> | null | undefined): ObjectIds {
  const o = options ?? {};
  return { tenant: o[OPT_TENANT] ?? '', network: o[OPT_NETWORK] ?? '', group: o[OPT_GROUP] ?? '' };
}

function sameObject(n: DockerNetwork, spec: CreateNetworkSpec): boolean {
  const a = objectIds(n.Options);
  const b = objectIds(spec.Options);
  return a.tenant === b.tenant && a.network === b.network && a.group === b.group;
}

function sameAddressing(n: DockerNetwork, spec: CreateNetworkSpec): boolean {
  const have = n.IPAM?.Config?.[0];
  const want = spec.IPAM.Config[0];
  return canonicalSubnet(have?.Subnet ?? '') === want?.Subnet && (have?.Gateway ?? '') === (want?.Gateway ?? '');
}

export interface DockerNetworkControllerOptions {
  readonly cache: StateCache;
  readonly engine: Pick<DockerEngineClient, 'listNetworks' | 'createNetwork' | 'removeNetwork' | 'inspectNetwork'>;
  /**
   * What makes a network shared by several engines exist once: the engine's
   * kind and the store (lock, fresh reads). Without it every agent acts on
   * its own engine, which is only right for standalone engines.
   */
  readonly coordination?: {
    readonly store: Pick<Store, 'get' | 'lock'>;
    readonly engineKind: Pick<EngineKindTracker, 'resolve'>;
    /** Written into the lock, so a waiting agent's log can name the holder. */
    readonly hostName: string;
  };
  readonly driverName: string;
  readonly log: Logger;
  readonly periodMs?: number;
  readonly debounceMs?: number;
  /** First delay after a pass that could not finish (doubles up to periodMs). */
  readonly retryMs?: number;
  /** How long to wait for the engine kind at the start of a pass. */
  readonly engineKindWaitMs?: number;
  /** How long to wait for another agent holding a network's lock. */
  readonly lockWaitMs?: number;
  /**
   * Tells netmaster that this engine has the Docker network (a docknet
   * mapping), which is what `netctl network create` waits for. Called once
   * per Docker network this controller made or found; a failure is retried
   * on the next pass.
   */
  readonly announce?: (net: Pick<DockerNetwork, 'Id' | 'Name' | 'Options' | 'IPAM'>) => Promise<void>;
}

/** An engine whose networks other engines share. */
interface Sharing {
  readonly scope: string;
  readonly store: Pick<Store, 'get' | 'lock'>;
  readonly hostName: string;
}

export class DockerNetworkController {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  /** Some network was left for later (lock busy or store down) although the pass went through. */
  private deferred = false;
  private failures = 0;
  /** Docker network ids netmaster has been told about. */
  private readonly announced = new Set<string>();

  constructor(private readonly o: DockerNetworkControllerOptions) {}

  start(): void {
    this.o.cache.onChange(() => this.trigger(this.o.debounceMs ?? 200));
    this.trigger(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One pass now (tests, startup); resolves false if some network was left for a later pass. */
  async reconcile(): Promise<boolean> {
    if (!this.o.cache.isSynced()) return true;
    this.deferred = false;
    const sharing = await this.sharing();
    const want = desiredSpecs(this.o.cache, this.o.driverName);
    const have = await this.o.engine.listNetworks({ driver: this.o.driverName });
    for (const spec of want) {
      const named = have.filter((n) => n.Name === spec.Name);
      const ours = named.filter((n) => sameObject(n, spec));
      const only = ours.length === 1 ? ours[0] : undefined;
      if (only && sameAddressing(only, spec)) {
        await this.announceOnce(only);
        continue;
      }
      if (ours.length === 0 && named.length > 0) {
        this.warnNameTaken(spec, named[0]);
        continue;
      }
      await this.underLock(sharing, objectIds(spec.Options), () => this.converge(sharing, spec));
    }
    const wanted = new Set(want.map((s) => s.Name));
    for (const n of have) {
      if (!isManaged(n) || wanted.has(n.Name)) continue;
      await this.underLock(sharing, objectIds(n.Options), () => this.removeGone(sharing, n));
    }
    return !this.deferred;
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
    let complete = false;
    try {
      complete = await this.reconcile();
    } catch (err) {
      this.o.log.warn('Reconciling Docker networks failed; will retry', { err: errorMessage(err) });
    } finally {
      this.running = false;
    }
    const period = this.o.periodMs ?? 30_000;
    this.failures = complete ? 0 : this.failures + 1;
    if (this.again) {
      this.again = false;
      this.trigger(0);
    } else if (complete) {
      this.trigger(period);
    } else {
      this.trigger(Math.min(period, (this.o.retryMs ?? 2_000) * 2 ** Math.min(this.failures - 1, 10)));
    }
  }

  /** Shared engines (cluster store, swarm) need the lock; undefined for a standalone engine. */
  private async sharing(): Promise<Sharing | undefined> {
    const c = this.o.coordination;
    if (!c) return undefined;
    const { kind, detected } = await c.engineKind.resolve(this.o.engineKindWaitMs ?? 5_000);
    // Guessing "standalone" on a shared engine would make duplicates.
    if (!detected) throw new AgentError('AGENT_DOCKER_FAILURE', 'the Docker engine has not answered GET /info yet: whether it shares networks is unknown');
    return kind.driverScope === 'global' ? { scope: kind.docknetScope, store: c.store, hostName: c.hostName } : undefined;
  }

  private async underLock(sharing: Sharing | undefined, ids: ObjectIds, fn: () => Promise<void>): Promise<void> {
    if (!sharing) return fn();
    const name = dockerNetworkCreateLock(sharing.scope, ids.tenant, ids.group || ids.network);
    let lock: Lock;
    try {
      lock = await sharing.store.lock(name, { value: sharing.hostName, ttlSeconds: LOCK_TTL_SECONDS, timeoutMs: this.o.lockWaitMs ?? 30_000 });
    } catch (err) {
      this.deferred = true;
      this.o.log.warn('Cannot take the lock of a shared Docker network; will retry', { lock: name, err: errorMessage(err) });
      return;
    }
    try {
      await fn();
    } finally {
      await lock.release().catch((err: unknown) => this.o.log.debug('Releasing a Docker network lock failed; its lease expires', { lock: name, err: errorMessage(err) }));
    }
  }

  /** Makes the engine hold exactly one Docker network for `cached` (its Contiv object re-read first when shared). */
  private async converge(sharing: Sharing | undefined, cached: CreateNetworkSpec): Promise<void> {
    const spec = sharing ? await this.freshSpec(sharing, objectIds(cached.Options)) : cached;
    if (spec?.Name !== cached.Name) return;
    const named = (await this.o.engine.listNetworks({ driver: this.o.driverName })).filter((n) => n.Name === spec.Name);
    const ours = named.filter((n) => sameObject(n, spec));
    const keep = await this.keeper(ours, spec);
    if (!keep) {
      if (named.length > 0) this.warnNameTaken(spec, named[0]);
      else await this.create(spec);
      return;
    }
    for (const n of ours) if (n !== keep) await this.remove(n, 'it duplicates another Docker network of the same Contiv object');
    if (!sameAddressing(keep, spec)) await this.replace(keep, spec);
  }

  /**
   * Of several Docker networks for one Contiv object (left by agents that
   * were not coordinated), the one to keep: in use here, else with the right
   * addressing, else the first by id, so every agent picks the same.
   */
  private async keeper(ours: DockerNetwork[], spec: CreateNetworkSpec): Promise<DockerNetwork | undefined> {
    if (ours.length <= 1) return ours[0];
    const ranked = await Promise.all(
      ours.map(async (n) => {
        const full = await this.o.engine.inspectNetwork(n.Id);
        return { n, inUse: Object.keys(full?.Containers ?? {}).length > 0, right: sameAddressing(n, spec) };
      }),
    );
    ranked.sort((a, b) => Number(b.inUse) - Number(a.inUse) || Number(b.right) - Number(a.right) || a.n.Id.localeCompare(b.n.Id));
    return ranked[0]?.n;
  }

  /** Removes a Docker network whose Contiv object is gone; when shared, only if the store agrees and it is still there. */
  private async removeGone(sharing: Sharing | undefined, n: DockerNetwork): Promise<void> {
    if (sharing) {
      // This agent's cache may lag behind the agent that just created the network.
      if ((await this.freshSpec(sharing, objectIds(n.Options)))?.Name === n.Name) return;
      // Another agent may have removed it while this one waited for the lock.
      if (!(await this.o.engine.inspectNetwork(n.Id))) return;
    }
    await this.remove(n, 'its Contiv network or group is gone');
  }

  /** The Docker network the store (not this agent's cache) asks for, if any. */
  private async freshSpec(sharing: Sharing, ids: ObjectIds): Promise<CreateNetworkSpec | undefined> {
    const netEntry = await sharing.store.get(networkStateKey(ids.tenant, ids.network));
    if (!netEntry) return undefined;
    const net = networkStateCodec.decode(netEntry.value, netEntry.key);
    if (!needsDockerNetwork(net)) return undefined;
    if (!ids.group) return desiredSpec(net, undefined, this.o.driverName);
    const groupEntry = await sharing.store.get(groupStateKey(ids.tenant, ids.group));
    if (!groupEntry) return undefined;
    const group = groupStateCodec.decode(groupEntry.value, groupEntry.key);
    return group.networkName === net.networkName ? desiredSpec(net, group, this.o.driverName) : undefined;
  }

  private warnNameTaken(spec: CreateNetworkSpec, other: DockerNetwork | undefined): void {
    this.o.log.warn('A Docker network already uses the name of a Contiv network', { name: spec.Name, id: other?.Id.slice(0, 12) });
  }

  private async create(spec: CreateNetworkSpec): Promise<void> {
    try {
      const res = await this.o.engine.createNetwork(spec);
      this.o.log.info('Created Docker network', { name: spec.Name, id: res.Id.slice(0, 12), subnet: spec.IPAM.Config[0]?.Subnet });
      await this.announceOnce({ Id: res.Id, Name: spec.Name, Options: spec.Options, IPAM: spec.IPAM });
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 409) return this.onNameConflict(spec);
      this.o.log.warn('Cannot create Docker network', { name: spec.Name, err: errorMessage(err) });
    }
  }

  private async announceOnce(net: Pick<DockerNetwork, 'Id' | 'Name' | 'Options' | 'IPAM'>): Promise<void> {
    if (!this.o.announce || this.announced.has(net.Id)) return;
    try {
      await this.o.announce(net);
      this.announced.add(net.Id);
    } catch (err) {
      this.deferred = true;
      this.o.log.warn('Cannot tell netmaster about a Docker network yet; will retry', { name: net.Name, id: net.Id.slice(0, 12), err: errorMessage(err) });
    }
  }

  /** "already exists": fine if it is the network of this Contiv object (made by someone else meanwhile). */
  private async onNameConflict(spec: CreateNetworkSpec): Promise<void> {
    const cur = await this.o.engine.inspectNetwork(spec.Name).catch(() => undefined);
    if (cur && sameObject(cur, spec)) {
      this.o.log.debug('The Docker network already exists', { name: spec.Name, id: cur.Id.slice(0, 12) });
      return;
    }
    this.warnNameTaken(spec, cur);
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
