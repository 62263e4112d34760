/** In-memory doubles of the agent's seams (OVS, host links, netmaster, Docker) for unit tests. */
import type { PortSpec, PortView } from '@contiv/ovsdb-client';
import { RpcError, type msg, type RpcErrorCode } from '@contiv/rpc';
import type { ControlApi } from '../control/control-api';
import { DockerApiError, type CreateNetworkSpec, type DockerInfo, type DockerNetwork } from '../docker/engine-client';
import { AgentError } from '../errors';
import type { LinkOps, VethSpec } from '../endpoint/link-ops';
import type { VswitchPorts } from '../ovs/vswitch';

/** Every fake appends "<what> <detail>" here, so tests can assert the order across fakes. */
export type Journal = string[];

export class FakeVswitch implements VswitchPorts {
  readonly ports = new Map<string, PortView>();
  failAddPort: Error | undefined;
  failOfport: Error | undefined;
  private nextOfport = 1;

  constructor(private readonly journal: Journal = []) {}

  addPort(bridge: string, spec: PortSpec): Promise<PortView> {
    this.journal.push(`ovs add ${spec.name}`);
    if (this.failAddPort) return Promise.reject(this.failAddPort);
    const view: PortView = {
      uuid: `u-${spec.name}`,
      name: spec.name,
      bridge,
      tag: spec.tag,
      externalIds: { ...(spec.externalIds ?? {}) },
      interfaces: [{ uuid: `i-${spec.name}`, name: spec.name, type: '', ofport: this.nextOfport++, options: {}, externalIds: {}, error: undefined, mtu: undefined }],
    };
    this.ports.set(spec.name, view);
    return Promise.resolve(view);
  }
  deletePort(_bridge: string, name: string): Promise<boolean> {
    this.journal.push(`ovs del ${name}`);
    return Promise.resolve(this.ports.delete(name));
  }
  getPort(name: string): PortView | undefined {
    return this.ports.get(name);
  }
  listPorts(bridge?: string): PortView[] {
    return [...this.ports.values()].filter((p) => bridge === undefined || p.bridge === bridge);
  }
  findPorts(externalIds: Record<string, string>): PortView[] {
    return this.listPorts().filter((p) => Object.entries(externalIds).every(([k, v]) => p.externalIds[k] === v));
  }
  waitForOfport(name: string): Promise<number> {
    this.journal.push(`ovs ofport ${name}`);
    if (this.failOfport) return Promise.reject(this.failOfport);
    const p = this.ports.get(name);
    return p?.interfaces[0]?.ofport ? Promise.resolve(p.interfaces[0].ofport) : Promise.reject(new Error(`no port ${name}`));
  }
}

export class FakeLinks implements LinkOps {
  readonly links = new Map<string, { mtu: number; peer?: string; mac?: string }>();
  readonly txOff = new Set<string>();
  failCreate: Error | undefined;
  failEthtool: Error | undefined;
  defaultDev: string | undefined = 'eth0';

  constructor(private readonly journal: Journal = []) {
    this.links.set('eth0', { mtu: 1500 });
  }

  createVeth(spec: VethSpec): Promise<void> {
    this.journal.push(`veth add ${spec.hostName}`);
    if (this.failCreate) return Promise.reject(this.failCreate);
    if (this.links.has(spec.hostName)) return Promise.reject(new AgentError('AGENT_COMMAND_FAILED', 'RTNETLINK answers: File exists'));
    this.links.set(spec.hostName, { mtu: spec.mtu, peer: spec.peerName });
    this.links.set(spec.peerName, { mtu: spec.mtu, peer: spec.hostName, mac: spec.peerMac });
    return Promise.resolve();
  }
  disableTxChecksumOffload(ifname: string): Promise<void> {
    this.journal.push(`ethtool tx off ${ifname}`);
    if (this.failEthtool) return Promise.reject(this.failEthtool);
    this.txOff.add(ifname);
    return Promise.resolve();
  }
  deleteLink(name: string): Promise<boolean> {
    const l = this.links.get(name);
    if (!l) return Promise.resolve(false);
    this.journal.push(`veth del ${name}`);
    this.links.delete(name);
    if (l.peer) this.links.delete(l.peer);
    return Promise.resolve(true);
  }
  linkExists(name: string): Promise<boolean> {
    return Promise.resolve(this.links.has(name));
  }
  listLinks(): Promise<string[]> {
    return Promise.resolve([...this.links.keys()]);
  }
  linkMtu(name: string): Promise<number | undefined> {
    return Promise.resolve(this.links.get(name)?.mtu);
  }
  defaultRouteDevice(): Promise<string | undefined> {
    return Promise.resolve(this.defaultDev);
  }
}

export class FakeControl implements ControlApi {
  readonly calls: Array<{ method: string; req: unknown }> = [];
  readonly failures = new Map<string, RpcError>();
  readonly records = new Map<string, msg.EndpointRecord>();
  readonly registered = new Map<string, msg.RegisterDockerNetworkRequest>();
  nextAddress = 2;

  constructor(private readonly journal: Journal = []) {}

  fail(method: string, code: RpcErrorCode, message: string): void {
    this.failures.set(method, new RpcError(code, message));
  }

  private enter(method: string, req: unknown): void {
    this.calls.push({ method, req });
    this.journal.push(`control ${method}`);
    const f = this.failures.get(method);
    if (f) throw f;
  }

  AllocateAddress(req: msg.AllocateAddressRequest): Promise<msg.AllocateAddressResponse__Output> {
    try {
      this.enter('AllocateAddress', req);
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve({ address: req.preferredAddress || `10.9.0.${this.nextAddress++}`, prefixLength: 24, gateway: '10.9.0.1' });
  }
  ReleaseAddress(req: msg.ReleaseNetworkAddressRequest): Promise<void> {
    return this.run('ReleaseAddress', req);
  }
  CreateEndpoint(req: msg.RecordEndpointRequest): Promise<msg.EndpointRecord__Output> {
    return this.run('CreateEndpoint', req).then(() => {
      const ep = req.endpoint as msg.EndpointRecord;
      this.records.set(ep.endpointId ?? '', ep);
      return ep as msg.EndpointRecord__Output;
    });
  }
  DeleteEndpoint(req: msg.DeleteEndpointRequest): Promise<void> {
    return this.run('DeleteEndpoint', req).then(() => {
      this.records.delete(req.endpointId ?? '');
    });
  }
  RegisterDockerNetwork(req: msg.RegisterDockerNetworkRequest): Promise<msg.RegisterDockerNetworkResponse__Output> {
    return this.run('RegisterDockerNetwork', req).then(() => {
      this.registered.set(req.dockerNetworkId ?? '', req);
      return { tenantName: req.tenantName || 'default', networkName: req.dockerName ?? '' };
    });
  }
  UnregisterDockerNetwork(req: msg.UnregisterDockerNetworkRequest): Promise<void> {
    return this.run('UnregisterDockerNetwork', req).then(() => {
      this.registered.delete(req.dockerNetworkId ?? '');
    });
  }
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
  private run(method: string, req: unknown): Promise<void> {
    try {
      this.enter(method, req);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

export class FakeEngine {
  readonly networks = new Map<string, DockerNetwork>();
  infoReply: DockerInfo = { Name: 'h1', ServerVersion: '20.10.24' };
  readonly calls: string[] = [];
  private nextId = 1;

  info(): Promise<DockerInfo> {
    return Promise.resolve(this.infoReply);
  }
  listNetworks(filter: { driver?: string } = {}): Promise<DockerNetwork[]> {
    this.calls.push('list');
    return Promise.resolve([...this.networks.values()].filter((n) => !filter.driver || n.Driver === filter.driver).map((n) => ({ ...n, Containers: undefined })));
  }
  inspectNetwork(id: string): Promise<DockerNetwork | undefined> {
    this.calls.push(`inspect ${id}`);
    return Promise.resolve(this.networks.get(id) ?? [...this.networks.values()].find((n) => n.Name === id));
  }
  createNetwork(spec: CreateNetworkSpec): Promise<{ Id: string }> {
    this.calls.push(`create ${spec.Name}`);
    if ([...this.networks.values()].some((n) => n.Name === spec.Name)) return Promise.reject(new DockerApiError(409, 'network create', `network with name ${spec.Name} already exists`));
    const id = `${String(this.nextId++).padStart(4, '0')}${'e'.repeat(60)}`;
    this.networks.set(id, { Id: id, Name: spec.Name, Driver: spec.Driver, Options: spec.Options, Labels: spec.Labels ?? {}, IPAM: spec.IPAM, Containers: {} });
    return Promise.resolve({ Id: id });
  }
  removeNetwork(id: string): Promise<boolean> {
    this.calls.push(`remove ${this.networks.get(id)?.Name ?? id}`);
    const n = this.networks.get(id);
    if (n && Object.keys(n.Containers ?? {}).length > 0) return Promise.reject(new DockerApiError(403, 'network rm', `error while removing network: network ${n.Name} has active endpoints`));
    return Promise.resolve(this.networks.delete(id));
  }
  /** Adds a network as `docker network create` would. */
  add(n: Partial<DockerNetwork> & { Id: string; Name: string }): DockerNetwork {
    const full: DockerNetwork = { Driver: 'netplugin', Options: {}, Containers: {}, ...n };
    this.networks.set(n.Id, full);
    return full;
  }
}

export const EP1 = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
export const EP2 = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
