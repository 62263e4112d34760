/**
 * Endpoint lifecycle on this host (NetworkDriver.CreateEndpoint / DeleteEndpoint):
 *
 *   create: the endpoint record at netmaster, and at the same time: veth pair
 *           (MTU, container-side MAC) -> TX checksum offload off on the
 *           container side (netdev datapath) and the OVS access port with the
 *           network's local VLAN tag and external_ids -> its ofport.
 *   delete: OVS port; then Docker is answered. The veth (the kernel takes
 *           an RCU grace period, ~25 ms, to delete one) and the record at
 *           netmaster (with the address, once Docker releases it,
 *           teardown-queue.ts) go in the background.
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
import { endpointIdOf, endpointPortSpec, EXT_ENDPOINT_ID, EXT_IP, EXT_NETWORK, EXT_TENANT } from '../ovs/endpoint-ports';
import type { VswitchPorts } from '../ovs/vswitch';
import type { LinkOps, VethSpec } from './link-ops';
import { endpointMtu } from './mtu';
import { vethNames } from './naming';
import type { NetworkAddress, TeardownQueue } from './teardown-queue';

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
  /** `swarm`: the address is the swarm manager's allocation (marked on the port, see ovs/endpoint-ports.ts). */
  readonly addressLease?: 'swarm';
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
  /** Netmaster's part of DeleteEndpoint/ReleaseAddress, off Docker's critical path. */
  readonly teardown: TeardownQueue;
  readonly bridge: string;
  /** Switch TX checksum offload off on the container side (netdev datapath: TCP fails without it). */
  readonly disableTxOffload: boolean;
  readonly hostName: string;
  readonly vtepIp: string;
  readonly uplinkMtu: () => Promise<number>;
  /**
   * Programs the datapath for the bridge's ports as they are now. Awaited once
   * a new port has its ofport, so the container's flows exist before Docker
   * starts it; resolves even when programming fails (it is retried).
   */
  readonly programDatapath?: () => Promise<void>;
  readonly log: Logger;
  readonly ofportTimeoutMs?: number;
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

type Undo = { readonly what: string; readonly run: () => Promise<unknown> };

export class EndpointManager {
  /** Endpoints being created or deleted right now (the reconciler leaves them alone). */
  readonly inFlight = new Set<string>();
  /** Endpoints created by this process (the reconciler never removes them). */
  readonly createdHere = new Set<string>();
  /** Host-side veths being deleted in the background. */
  private readonly vethDeletes = new Map<string, Promise<void>>();

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
    let mtu = 0;
    try {
      // The record needs nothing from the local steps: netmaster writes it while the veth and port are made here.
      const recordUndo: Undo = {
        what: 'delete endpoint record',
        run: () => this.o.control.DeleteEndpoint({ endpointId, releaseAddress: false }, input.requestId),
      };
      undo.push(recordUndo);
      // A failed record stops the local steps at their next checkpoint (they are undone anyway).
      let refused: unknown;
      const checkpoint = (): void => {
        if (refused !== undefined) throw refused;
      };
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
        .then(
          () => {
            ms.record = Date.now() - t0;
          },
          (err: unknown) => {
            refused = err;
            // netmaster unreachable: do not spend the caller's time waiting for it twice.
            if (isRpcError(err, 'NETMASTER_UNAVAILABLE')) {
              undo[undo.indexOf(recordUndo)] = {
                what: recordUndo.what,
                run: () => Promise.resolve(this.o.teardown.deleteEndpoint(endpointId, undefined, input.requestId)),
              };
            }
            throw err;
          },
        );

      const local = async (): Promise<number> => {
        mtu = endpointMtu(await this.o.uplinkMtu(), target.encap);
        checkpoint();
        undo.push({ what: 'delete veth', run: () => this.o.links.deleteLink(names.host) });
        await this.createVeth({ hostName: names.host, peerName: names.peer, mtu, peerMac: mac });
        ms.veth = Date.now() - t0;
        checkpoint();
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
              ...(input.addressLease ? { addressLease: input.addressLease } : {}),
            }),
          ),
        ]);
        ms.port = Date.now() - t0;
        checkpoint();
        const port = await this.o.vswitch.waitForOfport(names.host, this.o.ofportTimeoutMs ?? 10_000);
        ms.ofport = Date.now() - t0;
        return port;
      };
      const [, ofport] = await settleAll([record, local()]);
      await this.o.programDatapath?.();
      ms.flows = Date.now() - t0;
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

  /**
   * Takes the endpoint off the bridge and answers; its veth and its record
   * at netmaster (merged with Docker's ReleaseAddress of its address) go in
   * the background. A crash before they are done is repaired by the startup
   * reconcile. Safe to repeat.
   */
  async delete(endpointId: string, requestId?: string): Promise<void> {
    const names = vethNames(endpointId);
    const log = this.o.log.child({ endpointId: endpointId.slice(0, 12), requestId });
    this.inFlight.add(endpointId);
    const t0 = Date.now();
    try {
      const address = this.addressOf(endpointId);
      await this.removePorts(endpointId);
      void this.o.programDatapath?.();
      this.createdHere.delete(endpointId);
      this.o.teardown.deleteEndpoint(endpointId, address, requestId);
      this.deleteVethLater(names.host, log);
      log.info('Deleted endpoint', { port: names.host, ip: address?.ip, ms: Date.now() - t0 });
    } finally {
      this.inFlight.delete(endpointId);
    }
  }

  /** Host-side veth names being deleted in the background (the reconciler leaves them alone). */
  deletingVeth(name: string): boolean {
    return this.vethDeletes.has(name);
  }

  /** Waits (up to timeoutMs) for the background veth deletions. */
  async settle(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.vethDeletes.values()), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }

  private deleteVethLater(name: string, log: Logger): void {
    if (this.vethDeletes.has(name)) return;
    const done = this.o.links.deleteLink(name).then(
      () => undefined,
      (err: unknown) => log.warn('Cannot delete the veth of a deleted endpoint; the next start removes it', { link: name, err: errorMessage(err) }),
    );
    this.vethDeletes.set(name, done);
    void done.finally(() => this.vethDeletes.delete(name));
  }

  /** The address an endpoint's port says it has (its external_ids), if the port is there. */
  private addressOf(endpointId: string): NetworkAddress | undefined {
    const names = vethNames(endpointId);
    const port = this.o.vswitch.getPort(names.host) ?? this.o.vswitch.findPorts({ [EXT_ENDPOINT_ID]: endpointId })[0];
    const ids = port?.externalIds ?? {};
    const [tenantName, networkName, ip] = [ids[EXT_TENANT], ids[EXT_NETWORK], ids[EXT_IP]];
    return tenantName && networkName && ip ? { tenantName, networkName, ip } : undefined;
  }

  /** The OVS port(s) and veth of an endpoint, gone. */
  async removeLocal(endpointId: string): Promise<void> {
    await this.removePorts(endpointId);
    await this.o.links.deleteLink(vethNames(endpointId).host);
  }

  private async removePorts(endpointId: string): Promise<void> {
    const names = vethNames(endpointId);
    const ports = new Set([names.host, ...this.o.vswitch.findPorts({ [EXT_ENDPOINT_ID]: endpointId }).map((p) => p.name)]);
    for (const name of ports) {
      const p = this.o.vswitch.getPort(name);
      if (p && (endpointIdOf(p) === endpointId || name === names.host)) await this.o.vswitch.deletePort(p.bridge ?? this.o.bridge, name);
    }
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
      await u.run().then(
        () => log.debug('Rolled back', { step: u.what }),
        (err: unknown) => log.error('Rollback step failed; something may be left behind', { step: u.what, err: errorMessage(err) }),
      );
    }
  }
}
