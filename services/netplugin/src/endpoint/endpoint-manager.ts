/**
 * Endpoint lifecycle on this host (NetworkDriver.CreateEndpoint / DeleteEndpoint):
 *
 *   create: veth pair (MTU, container-side MAC) -> TX checksum offload off on the
 *           container side (netdev datapath) -> OVS access port with the
 *           network's local VLAN tag and external_ids -> its ofport -> the
 *           endpoint record at netmaster.
 *   delete: OVS port -> veth -> endpoint record (retried in the background when
 *           netmaster is away; the IP is released by Docker's ReleaseAddress).
 *
 * A failed create undoes every step already done, newest first, so nothing
 * leaks (no veth, no port, no record). Each undo is registered *before* its
 * step runs, because a step can take effect and still report failure (a
 * timeout after commit).
 */
import { macFromIPv4, isIPv4, type Encap } from '@contiv/model';
import { isRpcError } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { ControlApi } from '../control/control-api';
import { AgentError, errorMessage } from '../errors';
import { endpointIdOf, endpointPortSpec, EXT_ENDPOINT_ID } from '../ovs/endpoint-ports';
import type { VswitchPorts } from '../ovs/vswitch';
import type { LinkOps, VethSpec } from './link-ops';
import { endpointMtu } from './mtu';
import { vethNames } from './naming';

/** The Contiv network (or group) an endpoint joins, as resolved from Docker's network id. */
export interface NetworkTarget {
  readonly tenantName: string;
  readonly networkName: string;
  /** "" for the plain network. */
  readonly groupName: string;
  readonly encap: Encap;
  /** Local VLAN tag of the network on the bridge. */
  readonly pktTag: number;
  /** Bare IP or "". */
  readonly gateway: string;
  readonly dockerNetworkId: string;
}

export interface CreateEndpointInput {
  readonly endpointId: string;
  readonly target: NetworkTarget;
  /** Docker's Interface.Address (CIDR). */
  readonly address: string;
  /** Docker's Interface.MacAddress ("" when it has none). */
  readonly macAddress: string;
  readonly requestId?: string;
}

export interface CreateEndpointResult {
  /** The MAC to report to Docker: only when Docker sent none. */
  readonly macAddress: string;
  readonly hostInterface: string;
  readonly containerInterface: string;
  readonly ofport: number;
}

export interface EndpointManagerOptions {
  readonly vswitch: VswitchPorts;
  readonly links: LinkOps;
  readonly control: ControlApi;
  readonly bridge: string;
  /** Switch TX checksum offload off on the container side (netdev datapath: TCP fails without it). */
  readonly disableTxOffload: boolean;
  readonly hostName: string;
  readonly vtepIp: string;
  readonly uplinkMtu: () => Promise<number>;
  readonly log: Logger;
  readonly ofportTimeoutMs?: number;
  /** How long DeleteEndpoint waits for netmaster before finishing the record deletion in the background. */
  readonly recordWaitMs?: number;
  /** Retry interval for endpoint records netmaster could not delete at once. */
  readonly recordRetryMs?: number;
}

/**
 * Waits for every promise to settle (a rollback must not race a step still in
 * flight), then returns the values or throws the first failure.
 */
async function settleAll<T extends readonly unknown[]>(ps: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(ps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

type Undo = { readonly what: string; readonly run: () => Promise<unknown>; readonly background?: boolean };

export class EndpointManager {
  /** Endpoints being created or deleted right now (the reconciler leaves them alone). */
  readonly inFlight = new Set<string>();
  /** Endpoints created by this process (the reconciler never removes them). */
  readonly createdHere = new Set<string>();
  private readonly pendingRecordDeletes = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: EndpointManagerOptions) {}

  async create(input: CreateEndpointInput): Promise<CreateEndpointResult> {
    const { endpointId, target } = input;
    const names = vethNames(endpointId);
    const ip = input.address.split('/')[0] ?? '';
    if (!isIPv4(ip)) {
      throw new AgentError(
        'AGENT_INVALID_ARGUMENT',
        `endpoint ${endpointId.slice(0, 12)} has no IPv4 address (got "${input.address}"): create the network with this plugin as its --ipam-driver too`,
      );
    }
    const mac = input.macAddress || macFromIPv4(ip);
    const log = this.o.log.child({ endpointId: endpointId.slice(0, 12), requestId: input.requestId });
    const undo: Undo[] = [];
    this.inFlight.add(endpointId);
    const t0 = Date.now();
    const ms: Record<string, number> = {};
    try {
      const mtu = endpointMtu(await this.o.uplinkMtu(), target.encap);

      undo.push({ what: 'delete veth', run: () => this.o.links.deleteLink(names.host) });
      await this.createVeth({ hostName: names.host, peerName: names.peer, mtu, peerMac: mac });
      ms.veth = Date.now() - t0;

      // The container side's offload and the host side's port are independent: do both at once.
      undo.push({ what: 'delete OVS port', run: () => this.o.vswitch.deletePort(this.o.bridge, names.host) });
      await settleAll([
        this.o.disableTxOffload ? this.o.links.disableTxChecksumOffload(names.peer) : Promise.resolve(),
        this.o.vswitch.addPort(
          this.o.bridge,
          endpointPortSpec({
            name: names.host,
            tag: target.pktTag,
            endpointId,
            tenantName: target.tenantName,
            networkName: target.networkName,
            groupName: target.groupName,
            dockerNetworkId: target.dockerNetworkId,
            mac,
            ip,
          }),
        ),
      ]);
      ms.port = Date.now() - t0;

      // ovs-vswitchd opening the device and netmaster writing the record overlap too.
      const recordUndo: Undo = {
        what: 'delete endpoint record',
        run: () => this.o.control.DeleteEndpoint({ endpointId, releaseAddress: false }, input.requestId),
      };
      undo.push(recordUndo);
      const record = this.o.control
        .CreateEndpoint(
          {
            endpoint: {
              endpointId,
              tenantName: target.tenantName,
              networkName: target.networkName,
              groupName: target.groupName,
              ipAddress: ip,
              ipv6Address: '',
              macAddress: mac,
              homingHost: this.o.hostName,
              intfName: names.host,
              vtepIp: this.o.vtepIp,
              containerId: '',
              containerName: '',
            },
          },
          input.requestId,
        )
        .catch((err: unknown) => {
          // netmaster unreachable: do not spend the caller's time waiting for it twice.
          if (isRpcError(err, 'NETMASTER_UNAVAILABLE')) undo[undo.indexOf(recordUndo)] = { ...recordUndo, background: true };
          throw err;
        });
      const [ofport] = await settleAll([
        this.o.vswitch.waitForOfport(names.host, this.o.ofportTimeoutMs ?? 10_000).finally(() => (ms.ofport = Date.now() - t0)),
        record.finally(() => (ms.record = Date.now() - t0)),
      ]);
      ms.total = Date.now() - t0;
      this.createdHere.add(endpointId);
      log.info('Created endpoint', { port: names.host, ofport, ip, mac, mtu, tag: target.pktTag, tenant: target.tenantName, network: target.networkName, group: target.groupName, ms });
      return { macAddress: input.macAddress ? '' : mac, hostInterface: names.host, containerInterface: names.peer, ofport };
    } catch (err) {
      log.warn('Endpoint creation failed; rolling back', { err: errorMessage(err), steps: undo.map((u) => u.what).reverse() });
      await this.rollback(undo, log);
      throw err;
    } finally {
      this.inFlight.delete(endpointId);
    }
  }

  /** Removes the endpoint's port and veth, then its record. Safe to repeat. */
  async delete(endpointId: string, requestId?: string): Promise<void> {
    const names = vethNames(endpointId);
    const log = this.o.log.child({ endpointId: endpointId.slice(0, 12), requestId });
    this.inFlight.add(endpointId);
    const t0 = Date.now();
    try {
      // The record goes at netmaster while the port and veth go here.
      const record = this.o.control.DeleteEndpoint({ endpointId, releaseAddress: false }, requestId).then(
        () => undefined,
        (err: unknown) => {
          if (isRpcError(err, 'NOT_FOUND')) return;
          log.warn('Cannot delete the endpoint record yet; will retry', { err: errorMessage(err) });
          this.retryRecordDelete(endpointId);
        },
      );
      await this.removeLocal(endpointId);
      this.createdHere.delete(endpointId);
      // Docker waits for this call; a netmaster that is away gets the rest in the background.
      await Promise.race([record, new Promise((r) => setTimeout(r, this.o.recordWaitMs ?? 2_000).unref())]);
      log.info('Deleted endpoint', { port: names.host, ms: Date.now() - t0 });
    } finally {
      this.inFlight.delete(endpointId);
    }
  }

  /** The OVS port(s) and veth of an endpoint, gone. */
  async removeLocal(endpointId: string): Promise<void> {
    const names = vethNames(endpointId);
    const ports = new Set([names.host, ...this.o.vswitch.findPorts({ [EXT_ENDPOINT_ID]: endpointId }).map((p) => p.name)]);
    for (const name of ports) {
      const p = this.o.vswitch.getPort(name);
      if (p && (endpointIdOf(p) === endpointId || name === names.host)) await this.o.vswitch.deletePort(p.bridge ?? this.o.bridge, name);
    }
    await this.o.links.deleteLink(names.host);
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Creates the pair; a leftover of an earlier attempt for this endpoint id (ids are unique) is replaced. */
  private async createVeth(spec: VethSpec): Promise<void> {
    try {
      await this.o.links.createVeth(spec);
    } catch (err) {
      if (!(err instanceof Error) || !/File exists/i.test(err.message)) throw err;
      await this.o.links.deleteLink(spec.hostName);
      await this.o.links.createVeth(spec);
    }
  }

  private async rollback(undo: Undo[], log: Logger): Promise<void> {
    for (const u of [...undo].reverse()) {
      const run = u.run().then(
        () => log.debug('Rolled back', { step: u.what }),
        (err: unknown) => log.error('Rollback step failed; something may be left behind', { step: u.what, err: errorMessage(err) }),
      );
      if (!u.background) await run;
    }
  }

  private retryRecordDelete(endpointId: string): void {
    this.pendingRecordDeletes.add(endpointId);
    if (this.retryTimer) return;
    const tick = async (): Promise<void> => {
      this.retryTimer = undefined;
      for (const id of [...this.pendingRecordDeletes]) {
        try {
          await this.o.control.DeleteEndpoint({ endpointId: id, releaseAddress: false });
          this.pendingRecordDeletes.delete(id);
          this.o.log.info('Deleted endpoint record after retry', { endpointId: id.slice(0, 12) });
        } catch (err) {
          if (isRpcError(err, 'NOT_FOUND')) this.pendingRecordDeletes.delete(id);
        }
      }
      if (this.pendingRecordDeletes.size > 0) this.retryTimer = setTimeout(() => void tick(), this.o.recordRetryMs ?? 5_000);
    };
    this.retryTimer = setTimeout(() => void tick(), this.o.recordRetryMs ?? 5_000);
  }
}
