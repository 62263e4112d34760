/**
 * Docker networks of our driver. `docker network create -d netplugin --subnet
 * S NAME` makes a full Contiv network `<tenant>:<NAME>` (origin docker);
 * a Docker network that names an existing Contiv network or group (option
 * `contiv-tag`, options `network`/`group`/`tenant`, or the docker name
 * `<net>[/<tenant>]` Contiv used) is only mapped to it (origin contiv).
 * Either way the docknet key records which Contiv object the Docker id is.
 */
import {
  DEFAULT_TENANT,
  dockerNetworkKey,
  dockerNetworkMappingCodec,
  formatIPv4,
  hostSpan,
  intersectSpans,
  parseCidr,
  validateNetwork,
  type DockerNetworkMapping,
  type NetworkConfig,
} from '@contiv/model';
import { NetmasterError } from '../errors';
import type { Core } from './context';
import type { NetworkService } from './networks';
import { absent, del, put } from './store-writer';

export interface RegisterDockerNetworkInput {
  readonly dockerNetworkId: string;
  readonly dockerName: string;
  readonly dockerScope: string;
  readonly tenantName: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly ipRange: string;
  readonly ipv6Subnet: string;
  readonly ipv6Gateway: string;
  readonly encap: string;
  readonly options: Readonly<Record<string, string>>;
}

const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Docker sends the gateway in CIDR form sometimes; we store bare IPs. */
const bareIp = (s: string): string => s.split('/')[0] ?? '';

export class DockerNetworkService {
  constructor(
    private readonly core: Core,
    private readonly networks: NetworkService,
  ) {}

  async register(req: RegisterDockerNetworkInput, requestId?: string): Promise<{ tenantName: string; networkName: string }> {
    if (!SEGMENT_RE.test(req.dockerNetworkId)) throw new NetmasterError('INVALID_ARGUMENT', `docker network id ${JSON.stringify(req.dockerNetworkId)} is not valid`);
    if (!SEGMENT_RE.test(req.dockerScope)) throw new NetmasterError('INVALID_ARGUMENT', `docker scope ${JSON.stringify(req.dockerScope)} is not valid`);
    const mapKey = dockerNetworkKey(req.dockerScope, req.dockerNetworkId);
    const known = this.core.catalog.dockerMapping(req.dockerScope, req.dockerNetworkId);
    if (known) return { tenantName: known.value.tenantName, networkName: known.value.networkName };

    const ref = this.reference(req);
    if (ref) return this.mapExisting(req, ref, mapKey, requestId);

    const tenant = req.tenantName || req.options.tenant || DEFAULT_TENANT;
    const name = req.dockerName;
    const existing = this.core.catalog.networkState(tenant, name);
    if (existing) {
      if (existing.value.origin === 'docker' && existing.value.dockerNetworkId === req.dockerNetworkId) {
        await this.writeMapping(mapKey, { dockerNetworkId: req.dockerNetworkId, tenantName: tenant, networkName: name, groupName: '', dockerName: name, origin: 'docker' });
        return { tenantName: tenant, networkName: name };
      }
      throw new NetmasterError('ALREADY_EXISTS', `network ${tenant}:${name} already exists; to use it from Docker, create the Docker network with -o contiv-tag=${existing.value.networkTag}`);
    }
    if (!req.subnet) throw new NetmasterError('INVALID_ARGUMENT', `docker network ${name}: a --subnet is required (or -o contiv-tag=<tag> to use an existing Contiv network)`);
    const cfg = this.networkConfig(req, tenant, name);
    const mapping: DockerNetworkMapping = { dockerNetworkId: req.dockerNetworkId, tenantName: tenant, networkName: name, groupName: '', dockerName: name, origin: 'docker' };
    const result = await this.networks.create(cfg, {
      origin: 'docker',
      dockerNetworkId: req.dockerNetworkId,
      dockerScope: req.dockerScope,
      extra: { conditions: [absent(mapKey)], ops: [put(mapKey, dockerNetworkMappingCodec.encode(mapping))] },
      requestId,
    });
    if (!result.created) {
      // A concurrent registration of the same Docker network won; anything else is someone else's network.
      const st = this.core.catalog.networkState(tenant, name);
      if (st?.value.dockerNetworkId === req.dockerNetworkId) return { tenantName: tenant, networkName: name };
      throw new NetmasterError('ALREADY_EXISTS', `network ${tenant}:${name} already exists`);
    }
    return { tenantName: tenant, networkName: name };
  }

  /** The Contiv network config a Docker network stands for (errors name Docker's flags). */
  private networkConfig(req: RegisterDockerNetworkInput, tenant: string, name: string): NetworkConfig {
    const cidr = parseCidr(req.subnet);
    if (!cidr.ok) throw new NetmasterError('INVALID_ARGUMENT', `docker network ${name}: --subnet ${req.subnet} ${cidr.reason}`);
    let subnet = req.subnet;
    if (req.ipRange) {
      const range = parseCidr(req.ipRange);
      if (!range.ok) throw new NetmasterError('INVALID_ARGUMENT', `docker network ${name}: --ip-range ${req.ipRange} ${range.reason}`);
      const hosts = hostSpan(cidr.value);
      const usable = hosts && intersectSpans({ start: range.value.network, end: range.value.broadcast }, hosts);
      if (!usable || range.value.network < cidr.value.network || range.value.broadcast > cidr.value.broadcast) {
        throw new NetmasterError('INVALID_ARGUMENT', `docker network ${name}: --ip-range ${req.ipRange} is not inside --subnet ${cidr.value.cidr}`);
      }
      subnet = `${formatIPv4(usable.start)}-${formatIPv4(usable.end)}/${cidr.value.prefixLength}`;
    }
    const tag = req.options['pkt-tag'] ?? req.options['pkt_tag'];
    const body = {
      tenantName: tenant,
      networkName: name,
      nwType: 'data',
      encap: req.encap || req.options.encap || 'vxlan',
      subnet,
      gateway: bareIp(req.gateway),
      ipv6Subnet: req.ipv6Subnet,
      ipv6Gateway: bareIp(req.ipv6Gateway),
      ...(tag ? { pktTag: Number(tag) } : {}),
    };
    try {
      return validateNetwork(body, `${tenant}:${name}`);
    } catch (err) {
      throw new NetmasterError('INVALID_ARGUMENT', `docker network ${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** An explicit reference to an existing Contiv network or group, if the request makes one. */
  private reference(req: RegisterDockerNetworkInput): { tenant: string; network: string; group: string } | undefined {
    const c = this.core.catalog;
    const tag = req.options['contiv-tag'];
    if (tag) {
      for (const n of c.networks()) {
        const st = c.networkState(n.value.tenantName, n.value.networkName);
        if (st?.value.networkTag === tag) return { tenant: n.value.tenantName, network: n.value.networkName, group: '' };
      }
      for (const g of c.groups()) {
        const st = c.groupState(g.value.tenantName, g.value.groupName);
        if (st?.value.groupTag === tag) return { tenant: g.value.tenantName, network: g.value.networkName, group: g.value.groupName };
      }
      throw new NetmasterError('NOT_FOUND', `no Contiv network or group has the tag ${tag}`);
    }
    const tenant = req.tenantName || req.options.tenant || DEFAULT_TENANT;
    if (req.options.group) {
      const g = c.group(tenant, req.options.group);
      if (!g) throw new NetmasterError('NOT_FOUND', `endpointGroup ${tenant}:${req.options.group} not found`);
      return { tenant, network: g.value.networkName, group: g.value.groupName };
    }
    if (req.options.network) {
      if (!c.network(tenant, req.options.network)) throw new NetmasterError('NOT_FOUND', `network ${tenant}:${req.options.network} not found`);
      return { tenant, network: req.options.network, group: '' };
    }
    // Contiv named the Docker networks it made `<net>` (default tenant) or `<net>/<tenant>`, same for groups.
    const [base, sub] = req.dockerName.split('/');
    if (sub !== undefined && base) {
      if (c.network(sub, base)) return { tenant: sub, network: base, group: '' };
      const g = c.group(sub, base);
      if (g) return { tenant: sub, network: g.value.networkName, group: base };
    }
    return undefined;
  }

  private async mapExisting(
    req: RegisterDockerNetworkInput,
    ref: { tenant: string; network: string; group: string },
    mapKey: string,
    requestId?: string,
  ): Promise<{ tenantName: string; networkName: string }> {
    const st = this.core.catalog.networkState(ref.tenant, ref.network);
    if (!st) throw new NetmasterError('NOT_FOUND', `network ${ref.tenant}:${ref.network} not found`);
    if (req.subnet) {
      const given = parseCidr(req.subnet);
      if (!given.ok || given.value.cidr !== st.value.subnet) {
        throw new NetmasterError('INVALID_ARGUMENT', `docker network ${req.dockerName}: --subnet ${req.subnet} does not match network ${ref.tenant}:${ref.network} (${st.value.subnet})`);
      }
    }
    await this.writeMapping(mapKey, {
      dockerNetworkId: req.dockerNetworkId,
      tenantName: ref.tenant,
      networkName: ref.network,
      groupName: ref.group,
      dockerName: req.dockerName,
      origin: 'contiv',
    });
    this.core.log.info('Mapped a Docker network to a Contiv network', { dockerNetworkId: req.dockerNetworkId, network: `${ref.tenant}:${ref.network}`, group: ref.group, requestId });
    return { tenantName: ref.tenant, networkName: ref.network };
  }

  private async writeMapping(mapKey: string, m: DockerNetworkMapping): Promise<void> {
    if (!(await this.core.writer.txn([absent(mapKey)], [put(mapKey, dockerNetworkMappingCodec.encode(m))]))) await this.core.writer.refresh([mapKey]);
  }

  /** Origin docker: deletes the network and everything it held. Origin contiv: only the mapping. */
  async unregister(dockerScope: string, dockerNetworkId: string, requestId?: string): Promise<void> {
    const mapKey = dockerNetworkKey(dockerScope, dockerNetworkId);
    let m = this.core.catalog.dockerMapping(dockerScope, dockerNetworkId);
    if (!m) {
      await this.core.writer.refresh([mapKey]);
      m = this.core.catalog.dockerMapping(dockerScope, dockerNetworkId);
      if (!m) return;
    }
    const { tenantName: t, networkName: n, origin } = m.value;
    const st = this.core.catalog.networkState(t, n);
    if (origin === 'docker' && st?.value.origin === 'docker' && st.value.dockerNetworkId === dockerNetworkId) {
      await this.networks.delete(t, n, { fromDocker: true, requestId });
      return;
    }
    await this.core.writer.txn([], [del(mapKey)]);
    this.core.log.info('Removed a Docker network mapping', { dockerNetworkId, network: `${t}:${n}`, requestId });
  }
}
