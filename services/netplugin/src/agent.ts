/**
 * The agent's startup order (Antrea's agent.go in spirit): everything it
 * cannot work without is set up before the shim's socket is served; everything
 * that depends on the store, netmaster or the Docker engine runs in the
 * background with retries, so the agent (and the data path of existing
 * containers) keeps working while they are away.
 *
 *   1. OVS: connect (retrying), pick the datapath, ensure the bridge, connect
 *      to it over OpenFlow (retrying)
 *   2. the agent socket (NetworkDriver + IpamDriver for the shim)
 *   3. background: engine kind, store mirrors (which start the datapath
 *      programming once read), node lease, legacy Docker networks,
 *      reconcile (Docker-first networks, stale endpoints)
 */
import path from 'node:path';
import { VswitchClient } from '@contiv/ovsdb-client';
import { createControlClient } from '@contiv/rpc';
import { buildInfo, type Logger } from '@contiv/runtime';
import { serveMetrics, type MetricsServer } from '@contiv/runtime/metrics';
import { createStore, type Store } from '@contiv/store';
import { controlTargetFor, ReconnectingControl } from './control/control-api';
import { DockerNetworkController } from './controller/docker-network-controller';
import { reconcileEndpoints } from './controller/endpoint-reconciler';
import { DockerEngineClient } from './docker/engine-client';
import { EngineKindFile } from './docker/engine-kind';
import { EngineKindTracker } from './docker/engine-kind-tracker';
import { EndpointManager } from './endpoint/endpoint-manager';
import { IpLinkOps } from './endpoint/link-ops';
import { TeardownQueue } from './endpoint/teardown-queue';
import { detectUplinkMtu } from './endpoint/mtu';
import { errorMessage } from './errors';
import { IpamService } from './ipam/ipam-service';
import { DockerNetworks } from './network/docker-networks';
import { StateCache } from './network/state-cache';
import { NodeRegistration } from './node/node-registration';
import type { NetpluginConfig } from './options';
import { detectDatapath, setupBridge } from './ovs/bridge-setup';
import { AgentServer } from './rpc/agent-server';
import { createDriverServices } from './rpc/driver-services';
import { ClusterView } from './datapath/cluster-view';
import { DatapathController } from './datapath/datapath-controller';
import { TunnelNeighborWarmer } from './datapath/tunnel-neighbors';
import { DnsForwarder, DnsNames, DnsService, ResolvConfUpstreams, upstreamText, type Upstream } from './dns';
import { ContainerNameRecorder } from './docker/container-names';
import { execRunner } from './endpoint/command-runner';
import { countOvsErrors, countStoreErrors, instrumentRpc, registry as metricsRegistry } from './metrics';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long a new endpoint waits for its flows before Docker is answered anyway (they follow). */
const ENDPOINT_FLOWS_WAIT_MS = 5_000;

export class Agent {
  private vswitch: VswitchClient | undefined;
  private server: AgentServer | undefined;
  private store: Store | undefined;
  private control: ReconnectingControl | undefined;
  private cache: StateCache | undefined;
  private engineKind: EngineKindTracker | undefined;
  private node: NodeRegistration | undefined;
  private dockerNetworks: DockerNetworks | undefined;
  private legacy: DockerNetworkController | undefined;
  private endpoints: EndpointManager | undefined;
  private teardown: TeardownQueue | undefined;
  private ipam: IpamService | undefined;
  private cluster: ClusterView | undefined;
  private datapath: DatapathController | undefined;
  private dns: DnsService | undefined;
  private dnsNames: DnsNames | undefined;
  private dnsForwarder: DnsForwarder | undefined;
  private containerNames: ContainerNameRecorder | undefined;
  private metricsServer: MetricsServer | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly config: NetpluginConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const c = this.config;
    const log = this.log;
    log.info('Starting netplugin', { ...buildInfo(), host: c.hostName, pluginMode: c.pluginMode, bridge: c.bridge, ovsdb: c.ovsdb, clusterStore: c.clusterStore, grpc: c.grpcTls ? 'mutual-tls' : 'plaintext' });
    for (const warning of c.grpcTls?.warnings ?? []) log.warn('Security setting', { warning });
    // First: metrics are readable while the agent still waits for OVS or the store.
    await this.startMetrics();

    // 1. OVS
    const vswitch = await this.connectOvs();
    const datapath = detectDatapath(c.datapath);
    await setupBridge(vswitch, c.bridge, datapath, log);

    // The Docker engine, the store and netmaster: clients only, nothing connects yet.
    const engine = new DockerEngineClient({ host: c.dockerHost });
    this.engineKind = new EngineKindTracker({
      engine,
      hostName: c.hostName,
      file: new EngineKindFile(path.join(c.stateDir, 'engine-kind.json'), log),
      assumeSwarm: c.pluginMode === 'swarm-mode',
      log,
    });
    this.engineKind.start();
    const store = countStoreErrors(createStore(c.clusterStore, { logger: log.child({ component: 'store' }) }));
    this.store = store;
    const grpcTls = c.grpcTls;
    const control = new ReconnectingControl({
      target: controlTargetFor(c.controlUrl, store, log.child({ component: 'control' })),
      log: log.child({ component: 'control' }),
      // Netmaster unavailable and the store unreadable: fail at once, naming the store.
      store,
      // Mutual TLS to netmaster when configured (docs/security.md); every call counted (metrics.ts).
      createClient: (t: string) => instrumentRpc(grpcTls ? createControlClient(t, grpcTls.channelCredentials()) : createControlClient(t), 'Control', 'client'),
    });
    this.control = control;
    const cache = new StateCache(store, log);
    this.cache = cache;
    const cluster = new ClusterView(store, log);
    this.cluster = cluster;
    const datapathController = new DatapathController({
      vswitch,
      cache,
      cluster,
      bridge: c.bridge,
      openflowEndpoint: c.openflow,
      hostName: c.hostName,
      vtepIp: c.vtepIp,
      iflist: c.iflist,
      vxlanPort: c.vxlanPort,
      ...(datapath === 'netdev' ? { neighbors: new TunnelNeighborWarmer({ runner: execRunner, log: log.child({ component: 'tunnels' }) }) } : {}),
      log: log.child({ component: 'datapath' }),
    });
    this.datapath = datapathController;
    await datapathController.start();
    // Names of the whole cluster for the DNS responder (endpoints, groups, serviceLBs), per tenant; unknown names go to the host's resolvers.
    const openflow = datapathController.openflow;
    if (openflow) {
      const dnsLog = log.child({ component: 'dns' });
      this.dnsNames = new DnsNames({ store, endpoints: () => cluster.endpoints(), onEndpointsChange: (l) => cluster.onChange(l), log: dnsLog });
      this.dnsNames.start();
      this.dnsForwarder = this.createDnsForwarder(dnsLog);
      const names = this.dnsNames;
      this.dns = new DnsService({
        bridge: openflow,
        networkOfPort: (p) => datapathController.networkOfPort(p),
        names: () => names.current(),
        ...(this.dnsForwarder ? { forwarder: this.dnsForwarder } : {}),
        log: dnsLog,
      });
      this.dns.start();
    }

    const links = new IpLinkOps();
    const teardown = new TeardownQueue({ control, log: log.child({ component: 'teardown' }) });
    this.teardown = teardown;
    let uplinkMtu: Promise<number> | undefined;
    const endpoints = new EndpointManager({
      vswitch,
      links,
      control,
      teardown,
      bridge: c.bridge,
      disableTxOffload: datapath === 'netdev',
      hostName: c.hostName,
      vtepIp: c.vtepIp,
      uplinkMtu: () => (uplinkMtu ??= detectUplinkMtu(links, c.iflist).then((m) => {
        log.info('Uplink MTU', { mtu: m, iflist: c.iflist });
        return m;
      })),
      programDatapath: () => withTimeout(datapathController.sync(), ENDPOINT_FLOWS_WAIT_MS),
      log: log.child({ component: 'endpoint' }),
    });
    this.endpoints = endpoints;
    const networks = new DockerNetworks({ cache, store, engine, control, engineKind: this.engineKind, driverName: c.driverName, log: log.child({ component: 'docknet' }) });
    this.dockerNetworks = networks;
    const ipam = new IpamService({ cache, networks, control, teardown, hostName: c.hostName, log: log.child({ component: 'ipam' }) });
    this.ipam = ipam;

    // 2. the shim's socket
    // Docker tells the driver nothing about containers: their names (for DNS and `netctl endpoint inspect`) come from the engine after Join.
    this.containerNames = new ContainerNameRecorder({
      engine,
      store,
      control,
      hostName: c.hostName,
      driverName: c.driverName,
      busy: (id) => endpoints.inFlight.has(id) || teardown.hasEndpoint(id),
      log: log.child({ component: 'container-names' }),
    });
    const services = createDriverServices({
      networks,
      endpoints,
      ipam,
      cache,
      store,
      engineKind: this.engineKind,
      vswitch: () => this.vswitch,
      containerNames: this.containerNames,
      log: log.child({ component: 'driver' }),
    });
    this.server = await AgentServer.listen(c.agentSocket, instrumentRpc(services.network, 'NetworkDriver', 'server'), instrumentRpc(services.ipam, 'IpamDriver', 'server'));
    log.info('Serving the driver API for the shim', { socket: c.agentSocket, datapath });

    // 3. background work
    cache.start();
    cluster.start();
    this.node = new NodeRegistration({
      store,
      record: { hostname: c.hostName, ctrlIp: c.ctrlIp, vtepIp: c.vtepIp, uplinks: [...c.iflist], agentVersion: buildInfo().version, startedAt: new Date().toISOString() },
      log: log.child({ component: 'node' }),
    });
    this.node.start();
    if (c.pluginMode === 'docker') {
      this.legacy = new DockerNetworkController({
        cache,
        engine,
        coordination: { store, engineKind: this.engineKind, hostName: c.hostName },
        announce: (net) => networks.announce(net),
        driverName: c.driverName,
        log: log.child({ component: 'docker-networks' }),
      });
      this.legacy.start();
    }
    void this.startupReconcile(engine, vswitch, links);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.legacy?.stop();
    this.dockerNetworks?.stop();
    this.engineKind?.stop();
    await this.server?.close().catch((err: unknown) => this.log.warn('Closing the agent socket failed', { err: errorMessage(err) }));
    // Teardowns Docker was already told are done: give netmaster and the kernel a moment for them (the next start reconciles the rest).
    await Promise.all([this.teardown?.drain(3_000), this.endpoints?.settle(3_000)]);
    await this.node?.stop();
    this.containerNames?.stop();
    this.dns?.stop();
    await this.dnsForwarder?.close();
    await this.dnsNames?.stop();
    await this.datapath?.stop();
    await this.cluster?.stop();
    await this.cache?.stop();
    this.control?.close();
    await this.store?.close().catch(() => undefined);
    await this.vswitch?.close().catch(() => undefined);
    await this.metricsServer?.close();
  }

  /**
   * `GET /metrics` on --metrics-listen. A listener that cannot bind is logged
   * and left out: the agent's data path matters more than its metrics.
   */
  private async startMetrics(): Promise<void> {
    const at = this.config.metricsListen;
    if (!at) return;
    const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
    try {
      this.metricsServer = await serveMetrics(at, metricsRegistry);
      this.log.info('Serving Prometheus metrics', { url: `http://${where}/metrics` });
    } catch (err) {
      this.log.error('Cannot serve metrics; running without them', { listen: where, err: errorMessage(err) });
    }
  }

  /** The forwarder of unknown DNS names (--dns-upstream), or none when forwarding is off. */
  private createDnsForwarder(log: Logger): DnsForwarder | undefined {
    const setting = this.config.dnsUpstream;
    if (setting.kind === 'none') {
      log.info('DNS forwarding off: unknown names get NXDOMAIN');
      return undefined;
    }
    let upstreams: () => readonly Upstream[];
    if (setting.kind === 'list') {
      const list = setting.upstreams;
      upstreams = () => list;
      log.info('DNS forwarding to the servers given', { upstreams: list.map(upstreamText) });
    } else {
      const resolvConf = new ResolvConfUpstreams();
      upstreams = () => resolvConf.current();
      const now = resolvConf.current();
      if (now.length === 0) log.warn('DNS forwarding: /etc/resolv.conf names no usable nameserver; unknown names get SERVFAIL until it does');
      else log.info("DNS forwarding to the host's resolvers (/etc/resolv.conf)", { upstreams: now.map(upstreamText) });
    }
    return new DnsForwarder({ upstreams, log });
  }

  private async connectOvs(): Promise<VswitchClient> {
    let backoff = 500;
    for (;;) {
      try {
        const vs = countOvsErrors(await VswitchClient.connect({ endpoint: this.config.ovsdb, logger: this.log.child({ component: 'ovsdb' }), timeoutMs: 10_000 }), 'ovsdb');
        this.vswitch = vs;
        this.log.info('Connected to OVSDB', { endpoint: this.config.ovsdb, ovsVersion: vs.ovsVersion() });
        return vs;
      } catch (err) {
        if (this.stopped) throw err;
        this.log.warn('Cannot connect to OVSDB; retrying', { endpoint: this.config.ovsdb, retryInMs: backoff, err: errorMessage(err) });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /**
   * Once the store has been read and the engine has answered: register Docker
   * networks Contiv does not know (created while the agent was down), then
   * clean up endpoints nothing refers to. Retried until it succeeds once; both
   * then repeat every --reconcile-interval.
   */
  private async startupReconcile(engine: DockerEngineClient, vswitch: VswitchClient, links: IpLinkOps): Promise<void> {
    const { cache, engineKind, dockerNetworks, endpoints, store, control, teardown, ipam } = this;
    if (!cache || !engineKind || !dockerNetworks || !endpoints || !store || !control || !teardown || !ipam) return;
    const endpointPass = (twoPass?: { previous: ReadonlySet<string>; current: Set<string> }): ReturnType<typeof reconcileEndpoints> =>
      reconcileEndpoints({
        store,
        engine,
        vswitch,
        links,
        endpoints,
        control,
        teardown,
        issuedHere: (requestId) => ipam.issuedHere(requestId),
        cache,
        bridge: this.config.bridge,
        driverName: this.config.driverName,
        hostName: this.config.hostName,
        log: this.log.child({ component: 'reconcile' }),
        ...(twoPass ? { twoPass } : {}),
      });
    for (let backoff = 1_000; !this.stopped; backoff = Math.min(backoff * 2, 30_000)) {
      try {
        if (!(await cache.waitSynced(30_000))) continue;
        if (!(await engineKind.wait(30_000))) continue;
        await dockerNetworks.reconcile();
        const report = await endpointPass();
        this.log.info('Startup reconcile done', { ...report });
        void this.containerNames?.fillMissing();
        break;
      } catch (err) {
        this.log.warn('Startup reconcile failed; retrying', { retryInMs: backoff, err: errorMessage(err) });
        await sleep(backoff);
      }
    }
    // Then now and then: Docker networks, and what a crash of the agent, the engine or a container left (twice seen, then freed).
    let suspects: ReadonlySet<string> = new Set();
    let passRunning = false;
    const again = (): void => {
      if (this.stopped) return;
      void dockerNetworks.reconcile().catch((err: unknown) => this.log.debug('Docker network reconcile failed', { err: errorMessage(err) }));
      if (!passRunning) {
        passRunning = true;
        const current = new Set<string>();
        endpointPass({ previous: suspects, current })
          .then((r) => {
            suspects = current;
            if (r.removedPorts.length + r.deletedRecords.length + r.restoredPorts.length + r.removedVeths.length + r.releasedAddresses.length > 0) this.log.info('Reconcile repaired', { ...r });
          })
          .catch((err: unknown) => {
            suspects = new Set();
            this.log.debug('Endpoint reconcile failed', { err: errorMessage(err) });
          })
          .finally(() => (passRunning = false));
      }
      const t = setTimeout(again, this.config.reconcileIntervalMs);
      t.unref();
      this.timers.push(t);
    };
    const t = setTimeout(again, this.config.reconcileIntervalMs);
    t.unref();
    this.timers.push(t);
  }
}

/** Resolves when `p` does or after `ms`, whichever comes first. */
function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
