/**
 * Docker network id -> Contiv network/group, on this host, and the
 * registration of networks made from Docker.
 *
 * Docker never sends a network's NAME to the driver, and `GET /networks/<id>`
 * only answers once CreateNetwork has returned. So for `docker network create
 * -d netplugin --ipam-driver netplugin --subnet S NAME` the agent records a
 * pending registration, answers CreateNetwork, then polls the engine until
 * the network exists and registers it at netmaster under its Docker name
 * (Control.RegisterDockerNetwork). RequestAddress on its `docker|S` pool waits
 * (bounded) for that registration. After an agent restart, reconcile()
 * registers every network of our driver that Contiv does not know, and
 * unregisters docker-origin networks whose Docker network is gone.
 *
 * Resolution order for an id: memory (CreateNetwork options, registrations),
 * the network state (origin docker, dockerNetworkId), the docknet mapping key,
 * and finally the engine's own view of the network (its options).
 *
 * Swarm networks (docs/driver.md, "Swarm mode"): AllocateNetwork on the
 * manager registers the network in Contiv, or maps it to the network or group
 * its contiv-tag names, under docknet scope "cluster", and returns the options
 * with the Contiv names added; every worker's CreateNetwork carries them, so
 * it only remembers them. Only FreeNetwork, on the manager, lets go of the
 * Contiv side: a worker's DeleteNetwork (its last task left) forgets, and
 * the periodic reconcile never unregisters on an engine in swarm (a worker
 * only lists the swarm networks it has tasks on).
 */
import { dockerNetworkKey, dockerNetworkMappingCodec, type DockerNetworkMapping } from '@contiv/model';
import { isRpcError, type msg } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import type { ControlApi } from '../control/control-api';
import type { DockerEngineClient, DockerNetwork } from '../docker/engine-client';
import { CLUSTER_DOCKNET_SCOPE } from '../docker/engine-kind';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { AgentError, errorMessage, isAgentError } from '../errors';
import {
  bindingFromDockerNetwork,
  bindingFromOptions,
  bindingFromSwarmOptions,
  canonicalSubnet,
  OPT_CONTIV_TAG,
  OPT_ENCAP,
  OPT_SWARM_GROUP,
  OPT_SWARM_NETWORK,
  OPT_SWARM_TENANT,
  OPT_TENANT,
  swarmOptions,
  type Binding,
} from './binding';
import type { StateCache } from './state-cache';

/** Address spaces our IPAM answers GetDefaultAddressSpaces with. */
export const LOCAL_ADDRESS_SPACE = 'contiv-local';
export const GLOBAL_ADDRESS_SPACE = 'contiv-global';
const OUR_ADDRESS_SPACES = new Set([LOCAL_ADDRESS_SPACE, GLOBAL_ADDRESS_SPACE]);

export interface DockerNetworksOptions {
  readonly cache: StateCache;
  readonly store: Pick<Store, 'get'>;
  readonly engine: Pick<DockerEngineClient, 'inspectNetwork' | 'listNetworks'>;
  readonly control: ControlApi;
  readonly engineKind: Pick<EngineKindTracker, 'resolve'>;
  /** Our Docker driver / IPAM driver name. */
  readonly driverName: string;
  readonly log: Logger;
  /** How long a registration may take (engine poll + netmaster). */
  readonly registerTimeoutMs?: number;
  readonly pollMs?: number;
  /** How long AllocateNetwork asks the manager's engine for the network's name. */
  readonly nameLookupMs?: number;
}

interface Pending {
  readonly dockerNetworkId: string;
  readonly pool: string;
  readonly gateway: string;
  readonly options: Record<string, string>;
  cancelled: boolean;
  readonly promise: Promise<Binding>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function bareIp(cidrOrIp: string | undefined): string {
  return (cidrOrIp ?? '').split('/')[0] ?? '';
}

export class DockerNetworks {
  private readonly bindings = new Map<string, Binding>();
  private readonly pending = new Map<string, Pending>();
  /** Registrations that failed for good, by Docker network id, so waiters fail fast with the reason. */
  private readonly failed = new Map<string, { readonly error: AgentError; readonly pool: string }>();
  /** Unregistrations to retry: Docker network id -> docknet scope (undefined: this engine's). */
  private readonly unregisterRetry = new Map<string, string | undefined>();
  private changeWaiters: Array<() => void> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private reconcileRunning: Promise<void> | undefined;

  constructor(private readonly o: DockerNetworksOptions) {
    o.cache.onChange(() => this.notify());
  }

  // ------------------------------------------------------------ NetworkDriver calls

  /** NetworkDriver.CreateNetwork: remember what the network is; start a registration for Docker-first ones. */
  onCreateNetwork(req: msg.CreateNetworkRequest__Output): void {
    const id = req.networkId;
    const opts = req.genericOptions;
    const swarm = bindingFromSwarmOptions(opts);
    if (swarm) {
      // A swarm worker: the manager's AllocateNetwork made the binding. Again and again is fine.
      this.bindings.set(id, swarm);
      return;
    }
    const fromOpts = bindingFromOptions(opts);
    if (fromOpts) {
      this.bindings.set(id, fromOpts);
      return;
    }
    const tag = opts[OPT_CONTIV_TAG];
    if (tag) {
      this.bindings.set(id, this.bindingForTag(tag));
      return;
    }
    const v4 = req.ipv4Data[0];
    if (!v4 || !v4.pool) {
      throw new AgentError('AGENT_INVALID_ARGUMENT', 'a netplugin network needs an IPv4 subnet: use --ipam-driver with this plugin and --subnet');
    }
    if (!OUR_ADDRESS_SPACES.has(v4.addressSpace)) {
      throw new AgentError(
        'AGENT_INVALID_ARGUMENT',
        `the addresses of a netplugin network must come from the netplugin IPAM driver (this one uses address space "${v4.addressSpace}"): add --ipam-driver ${this.o.driverName}`,
      );
    }
    if (req.ipv6Data.length > 0) throw new AgentError('AGENT_INVALID_ARGUMENT', 'IPv6 is not supported by netplugin networks yet');
    this.startRegistration(id, canonicalSubnet(v4.pool), bareIp(v4.gateway), opts, true);
  }

  /** NetworkDriver.DeleteNetwork: a Docker-first network leaves Contiv with it; others stay. */
  async onDeleteNetwork(id: string): Promise<void> {
    const b = this.bindings.get(id);
    if (await this.swarmOwned(id, b)) {
      // A worker's last task left: the network stays in Contiv until the manager's FreeNetwork.
      this.forget(id);
      return;
    }
    this.bindings.delete(id);
    this.failed.delete(id);
    const p = this.pending.get(id);
    if (p) {
      p.cancelled = true;
      this.pending.delete(id);
      const registered = await p.promise.then(
        () => true,
        () => false,
      );
      if (!registered) return;
    } else if (b && b.origin !== 'docker') {
      return;
    } else if (!b && this.o.cache.isSynced() && !this.o.cache.networkByDockerId(id)) {
      return;
    }
    await this.unregister(id);
  }

  // ------------------------------------------------------------ swarm (the manager's allocator)

  /**
   * NetworkDriver.AllocateNetwork: registers the swarm network in Contiv (or
   * maps it to what its contiv-tag names) once, cluster-wide, and returns the
   * options every worker's CreateNetwork will carry: the input, plus the
   * Contiv tenant, network and group. Called again after a manager restart or
   * a new leader, with the options returned before: the same answer.
   */
  async onAllocateNetwork(req: msg.AllocateNetworkRequest__Output): Promise<Record<string, string>> {
    const id = req.networkId;
    if (req.ipv6Data.length > 0) throw new AgentError('AGENT_INVALID_ARGUMENT', 'IPv6 is not supported by netplugin networks yet');
    const input: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.options)) if (k !== OPT_SWARM_TENANT && k !== OPT_SWARM_NETWORK && k !== OPT_SWARM_GROUP) input[k] = v;
    const v4 = req.ipv4Data[0];
    const subnet = v4?.pool ? canonicalSubnet(v4.pool) : '';
    // Docker tells the driver no name; the manager's engine knows the network already (the allocator runs after it is stored).
    const net = await this.o.engine.inspectNetwork(id, this.o.nameLookupMs ?? 3_000).catch((err: unknown) => {
      this.o.log.warn('Cannot ask the engine for the name of a swarm network; using its id', { id: id.slice(0, 12), err: errorMessage(err) });
      return undefined;
    });
    const dockerName = net?.Name || id.slice(0, 12);
    let res: msg.RegisterDockerNetworkResponse__Output;
    try {
      res = await this.o.control.RegisterDockerNetwork({
        dockerNetworkId: id,
        dockerName,
        dockerScope: CLUSTER_DOCKNET_SCOPE,
        tenantName: input[OPT_TENANT] ?? '',
        subnet,
        gateway: bareIp(v4?.gateway),
        ipRange: net?.IPAM?.Config?.[0]?.IPRange ?? '',
        ipv6Subnet: '',
        ipv6Gateway: '',
        encap: input[OPT_ENCAP] ?? '',
        options: input,
      });
    } catch (err) {
      throw new AgentError('AGENT_REGISTRATION_FAILED', `swarm network ${dockerName} could not be registered in Contiv: ${errorMessage(err)}`, { cause: err });
    }
    // The mapping netmaster just wrote says whether it is a network of its own and which group a tag named.
    const mapping = await this.readMapping(CLUSTER_DOCKNET_SCOPE, id);
    const tag = input[OPT_CONTIV_TAG];
    const groupName = mapping ? mapping.groupName : tag ? (this.o.cache.groupByTag(tag)?.groupName ?? '') : (input['group'] ?? '');
    const own = mapping ? mapping.origin === 'docker' : !tag && !bindingFromOptions(input);
    const b: Binding = { tenantName: res.tenantName, networkName: res.networkName, groupName, origin: 'swarm', pool: own ? subnet : '' };
    this.failed.delete(id);
    this.bindings.set(id, b);
    this.notify();
    this.o.log.info('Allocated a swarm network', { dockerNetwork: dockerName, id: id.slice(0, 12), tenant: b.tenantName, network: b.networkName, group: b.groupName, subnet });
    return { ...input, ...swarmOptions(b) };
  }

  /** NetworkDriver.FreeNetwork: the swarm network is gone; so is its Contiv network (or only the mapping to a tagged one). */
  async onFreeNetwork(id: string): Promise<void> {
    this.forget(id);
    await this.unregister(id, CLUSTER_DOCKNET_SCOPE);
  }

  /** Whether this engine is in swarm (then the addresses of its networks are the swarm manager's). */
  async isSwarm(): Promise<boolean> {
    return (await this.o.engineKind.resolve(0)).kind.flavor === 'swarm';
  }

  /** The swarm network whose own pool (`docker network create --subnet`) is this subnet, if Contiv has it. */
  swarmNetworkWithPool(cidr: string): Binding | undefined {
    for (const b of this.bindings.values()) if (b.origin === 'swarm' && b.pool === cidr) return b;
    const n = this.o.cache.allNetworks().find((x) => x.origin === 'docker' && x.dockerScope === CLUSTER_DOCKNET_SCOPE && canonicalSubnet(x.subnet) === cidr);
    return n ? bindingFromDockerNetwork(n) : undefined;
  }

  // ------------------------------------------------------------ lookups

  /** The Contiv network/group behind a Docker network id (CreateEndpoint, Join). */
  async resolve(id: string, waitMs: number): Promise<Binding> {
    const known = this.bindings.get(id);
    if (known) return known;
    const p = this.pending.get(id);
    if (p) return this.awaitPending(p, waitMs);
    const failed = this.failed.get(id);
    if (failed) throw failed.error;
    const state = this.o.cache.networkByDockerId(id);
    if (state) return this.remember(id, bindingFromDockerNetwork(state));
    const { kind } = await this.o.engineKind.resolve(0);
    const mapping = await this.o.store.get(dockerNetworkKey(kind.docknetScope, id)).catch(() => undefined);
    if (mapping) {
      try {
        const m = dockerNetworkMappingCodec.decode(mapping.value, mapping.key);
        return this.remember(id, { tenantName: m.tenantName, networkName: m.networkName, groupName: m.groupName, origin: m.origin === 'docker' ? 'docker' : 'contiv', pool: '' });
      } catch (err) {
        this.o.log.warn('Ignoring an invalid docknet mapping', { key: mapping.key, err: errorMessage(err) });
      }
    }
    const net = await this.o.engine.inspectNetwork(id);
    if (!net) throw new AgentError('AGENT_NOT_FOUND', `Docker network ${id.slice(0, 12)} is not known to the local Docker engine`);
    const fromOpts = bindingFromOptions(net.Options);
    if (fromOpts) return this.remember(id, fromOpts);
    const tag = net.Options?.[OPT_CONTIV_TAG];
    if (tag) return this.remember(id, this.bindingForTag(tag));
    const reg = this.registerExisting(net);
    if (!reg) throw new AgentError('AGENT_NOT_FOUND', `Docker network ${net.Name} has no subnet from the netplugin IPAM driver`);
    return this.awaitPending(reg, waitMs);
  }

  /** The Contiv network behind a `docker|<cidr>` pool (RequestAddress), waiting for its registration. */
  async resolvePool(pool: string, waitMs: number): Promise<Binding> {
    const cidr = canonicalSubnet(pool);
    const deadline = Date.now() + waitMs;
    let kicked = false;
    for (;;) {
      const found = this.lookupPool(cidr);
      if (found?.pending) return this.awaitPending(found.pending, deadline - Date.now());
      if (found?.binding) return found.binding;
      const failed = [...this.failed.values()].find((f) => f.pool === cidr);
      if (failed) throw failed.error;
      if (!kicked) {
        // Maybe created while the agent was down: look at the engine now.
        kicked = true;
        void this.reconcile().catch(() => undefined);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new AgentError(
          'AGENT_TIMEOUT',
          `no Contiv network for pool ${cidr} yet: the Docker network with this subnet is not registered (see netplugin.log; is netmaster reachable?)`,
        );
      }
      await this.waitForChange(Math.min(left, 500));
    }
  }

  /** A Docker-first network's binding (or its registration in flight) by pool, without waiting. */
  lookupPool(cidr: string): { binding?: Binding; pending?: Pending } | undefined {
    for (const p of this.pending.values()) if (p.pool === cidr) return { pending: p };
    for (const b of this.bindings.values()) if ((b.origin === 'docker' || b.origin === 'swarm') && b.pool !== '' && b.pool === cidr) return { binding: b };
    const n = this.o.cache.allNetworks().find((x) => x.origin === 'docker' && canonicalSubnet(x.subnet) === cidr);
    return n ? { binding: bindingFromDockerNetwork(n) } : undefined;
  }

  /** Pools of registrations still in flight (the overlap check must see them). */
  pendingPools(): string[] {
    return [...this.pending.values()].map((p) => p.pool);
  }

  // ------------------------------------------------------------ reconcile

  /**
   * Registers every network of our driver that Contiv does not know and
   * unregisters docker-origin Contiv networks of this engine whose Docker
   * network is gone. Needs the state cache and the engine.
   */
  reconcile(): Promise<void> {
    if (!this.reconcileRunning) {
      this.reconcileRunning = this.reconcileOnce().finally(() => {
        this.reconcileRunning = undefined;
      });
    }
    return this.reconcileRunning;
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const p of this.pending.values()) p.cancelled = true;
  }

  private async reconcileOnce(): Promise<void> {
    if (!this.o.cache.isSynced()) return;
    const { kind, detected } = await this.o.engineKind.resolve(0);
    if (!detected) return;
    const nets = await this.o.engine.listNetworks({ driver: this.o.driverName });
    const present = new Set<string>();
    for (const n of nets) {
      present.add(n.Id);
      if (this.bindings.has(n.Id) || this.pending.has(n.Id)) continue;
      const swarm = bindingFromSwarmOptions(n.Options);
      if (swarm) {
        this.bindings.set(n.Id, swarm);
        continue;
      }
      const fromOpts = bindingFromOptions(n.Options);
      if (fromOpts) {
        this.bindings.set(n.Id, fromOpts);
        continue;
      }
      if (n.Options?.[OPT_CONTIV_TAG]) continue;
      const state = this.o.cache.networkByDockerId(n.Id);
      if (state) {
        this.bindings.set(n.Id, bindingFromDockerNetwork(state));
        continue;
      }
      if (this.failed.has(n.Id)) continue;
      if (this.registerExisting(n)) this.o.log.info('Registering a Docker network Contiv does not know', { dockerNetwork: n.Name, id: n.Id.slice(0, 12) });
    }
    // A swarm worker lists only the swarm networks it has tasks on; the manager's FreeNetwork unregisters.
    if (kind.flavor === 'swarm') return;
    for (const s of this.o.cache.allNetworks()) {
      const id = s.dockerNetworkId;
      if (s.origin !== 'docker' || !id || s.dockerScope !== kind.docknetScope || present.has(id) || this.pending.has(id)) continue;
      // The list may predate a network created since: ask once more before letting go.
      if (await this.o.engine.inspectNetwork(id)) continue;
      this.o.log.info('Unregistering a network whose Docker network is gone', { network: s.networkName, id: id.slice(0, 12) });
      await this.unregister(id);
    }
  }

  // ------------------------------------------------------------ internals

  private forget(id: string): void {
    this.bindings.delete(id);
    this.failed.delete(id);
    const p = this.pending.get(id);
    if (p) {
      p.cancelled = true;
      this.pending.delete(id);
    }
  }

  /**
   * Whether a Docker network's Contiv side belongs to the swarm manager:
   * bound by AllocateNetwork, or (the agent restarted since) a network of
   * docknet scope "cluster" on an engine in swarm.
   */
  private async swarmOwned(id: string, b: Binding | undefined): Promise<boolean> {
    if (b?.origin === 'swarm') return true;
    if (!(await this.isSwarm())) return false;
    const st = this.o.cache.networkByDockerId(id);
    return !st || st.dockerScope === CLUSTER_DOCKNET_SCOPE;
  }

  private async readMapping(scope: string, id: string): Promise<DockerNetworkMapping | undefined> {
    try {
      const e = await this.o.store.get(dockerNetworkKey(scope, id));
      return e ? dockerNetworkMappingCodec.decode(e.value, e.key) : undefined;
    } catch (err) {
      this.o.log.warn('Cannot read a docknet mapping', { id: id.slice(0, 12), err: errorMessage(err) });
      return undefined;
    }
  }

  private remember(id: string, b: Binding): Binding {
    this.bindings.set(id, b);
    return b;
  }

  private bindingForTag(tag: string): Binding {
    const g = this.o.cache.groupByTag(tag);
    if (g) return { tenantName: g.tenantName, networkName: g.networkName, groupName: g.groupName, origin: 'tag', pool: '' };
    const n = this.o.cache.networkByTag(tag);
    if (n) return { tenantName: n.tenantName, networkName: n.networkName, groupName: '', origin: 'tag', pool: '' };
    throw new AgentError('AGENT_NOT_FOUND', `no Contiv network or endpoint group has the tag "${tag}"`);
  }

  /** Starts registering a network the engine already has; undefined if it has no pool of ours. */
  private registerExisting(n: DockerNetwork): Pending | undefined {
    const existing = this.pending.get(n.Id);
    if (existing) return existing;
    const cfg = n.IPAM?.Config?.[0];
    if (!cfg?.Subnet || n.IPAM?.Driver !== this.o.driverName) return undefined;
    return this.startRegistration(n.Id, canonicalSubnet(cfg.Subnet), bareIp(cfg.Gateway), n.Options ?? {}, false, n);
  }

  private startRegistration(id: string, pool: string, gateway: string, options: Record<string, string>, waitForEngine: boolean, known?: DockerNetwork): Pending {
    this.failed.delete(id);
    const p: Pending = {
      dockerNetworkId: id,
      pool,
      gateway,
      options,
      cancelled: false,
      promise: Promise.resolve().then(() => this.register(p, waitForEngine, known)),
    };
    p.promise.then(
      (b) => {
        if (this.pending.get(id) === p) this.pending.delete(id);
        if (!p.cancelled) this.bindings.set(id, b);
        this.notify();
      },
      (err: unknown) => {
        if (this.pending.get(id) === p) this.pending.delete(id);
        if (!p.cancelled) {
          const e = isAgentError(err) && err.code === 'AGENT_REGISTRATION_FAILED' ? err : new AgentError('AGENT_REGISTRATION_FAILED', errorMessage(err), { cause: err });
          this.failed.set(id, { error: e, pool });
          this.o.log.error('Cannot register a Docker network in Contiv', { id: id.slice(0, 12), pool, err: e.message });
        }
        this.notify();
      },
    );
    this.pending.set(id, p);
    this.notify();
    return p;
  }

  private async register(p: Pending, waitForEngine: boolean, known?: DockerNetwork): Promise<Binding> {
    const deadline = Date.now() + (this.o.registerTimeoutMs ?? 60_000);
    const id = p.dockerNetworkId;
    let net = known;
    while (!net) {
      if (p.cancelled) throw new AgentError('AGENT_REGISTRATION_FAILED', 'cancelled: the network was deleted');
      net = await this.o.engine.inspectNetwork(id).catch(() => undefined);
      if (net) break;
      if (!waitForEngine || Date.now() > deadline) {
        throw new AgentError('AGENT_REGISTRATION_FAILED', `Docker network ${id.slice(0, 12)} did not appear in the local engine`);
      }
      await sleep(this.o.pollMs ?? 100);
    }
    const { kind } = await this.o.engineKind.resolve(5_000);
    const cfg = net.IPAM?.Config?.[0];
    const subnet = cfg?.Subnet ? canonicalSubnet(cfg.Subnet) : p.pool;
    const req: msg.RegisterDockerNetworkRequest = {
      dockerNetworkId: id,
      dockerName: net.Name,
      dockerScope: kind.docknetScope,
      tenantName: p.options[OPT_TENANT] ?? '',
      subnet,
      gateway: bareIp(cfg?.Gateway) || p.gateway,
      ipRange: cfg?.IPRange ?? '',
      ipv6Subnet: '',
      ipv6Gateway: '',
      encap: p.options[OPT_ENCAP] ?? '',
      options: p.options,
    };
    for (;;) {
      if (p.cancelled) throw new AgentError('AGENT_REGISTRATION_FAILED', 'cancelled: the network was deleted');
      try {
        const res = await this.o.control.RegisterDockerNetwork(req);
        this.o.log.info('Registered a Docker network in Contiv', { dockerNetwork: net.Name, id: id.slice(0, 12), tenant: res.tenantName, network: res.networkName, subnet });
        return { tenantName: res.tenantName, networkName: res.networkName, groupName: '', origin: 'docker', pool: subnet };
      } catch (err) {
        if (!isRpcError(err, 'NETMASTER_UNAVAILABLE') || Date.now() > deadline) {
          throw new AgentError('AGENT_REGISTRATION_FAILED', `Docker network ${net.Name} could not be registered in Contiv: ${errorMessage(err)}`, { cause: err });
        }
        await sleep(1_000);
      }
    }
  }

  /**
   * Tells netmaster that this engine has a Docker network made for a Contiv
   * network or group (legacy mode): a docknet mapping in this engine's scope.
   */
  async announce(net: Pick<DockerNetwork, 'Id' | 'Name' | 'Options' | 'IPAM'>): Promise<void> {
    const { kind } = await this.o.engineKind.resolve(5_000);
    const options = net.Options ?? {};
    const cfg = net.IPAM?.Config?.[0];
    await this.o.control.RegisterDockerNetwork({
      dockerNetworkId: net.Id,
      dockerName: net.Name,
      dockerScope: kind.docknetScope,
      tenantName: options[OPT_TENANT] ?? '',
      subnet: cfg?.Subnet ? canonicalSubnet(cfg.Subnet) : '',
      gateway: bareIp(cfg?.Gateway),
      ipRange: '',
      ipv6Subnet: '',
      ipv6Gateway: '',
      encap: '',
      options,
    });
  }

  private async awaitPending(p: Pending, waitMs: number): Promise<Binding> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AgentError('AGENT_TIMEOUT', `Docker network ${p.dockerNetworkId.slice(0, 12)} (${p.pool}) is still being registered in Contiv; try again`)),
        Math.max(0, waitMs),
      );
    });
    try {
      return await Promise.race([p.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async unregister(id: string, scope?: string): Promise<void> {
    const dockerScope = scope ?? (await this.o.engineKind.resolve(2_000)).kind.docknetScope;
    try {
      await this.o.control.UnregisterDockerNetwork({ dockerNetworkId: id, dockerScope });
      this.unregisterRetry.delete(id);
      this.o.log.info('Unregistered a Docker network from Contiv', { id: id.slice(0, 12) });
    } catch (err) {
      if (isRpcError(err, 'NOT_FOUND')) {
        this.unregisterRetry.delete(id);
        return;
      }
      this.o.log.warn('Cannot unregister a Docker network yet; will retry', { id: id.slice(0, 12), err: errorMessage(err) });
      this.unregisterRetry.set(id, scope);
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          for (const [x, sc] of [...this.unregisterRetry]) void this.unregister(x, sc);
        }, 5_000);
      }
    }
  }

  private notify(): void {
    for (const w of this.changeWaiters.splice(0)) w();
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.changeWaiters.push(done);
    });
  }
}
