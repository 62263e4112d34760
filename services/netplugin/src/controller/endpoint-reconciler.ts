/**
 * At startup, and then periodically (netplugin --reconcile-interval), the
 * agent compares the store's view, Docker's and OVS's, leaves working
 * endpoints alone (their veths and ports stay) and cleans up what no longer
 * belongs to anything:
 *
 *  - an OVS port of ours whose endpoint is neither in the store nor attached
 *    in Docker: port and veth removed (and its address freed below);
 *  - an endpoint record of this host whose port is gone and that Docker no
 *    longer has: record deleted at netmaster (with its address);
 *  - an endpoint with record and port that Docker no longer has (the
 *    container went while the agent was down): port, veth and record removed,
 *    its address freed;
 *  - an endpoint Docker still has whose port vanished (OVS database reset)
 *    but whose veth is still here: the port is added back;
 *  - a host-side veth of ours (cvh<12 hex>) without a port whose endpoint
 *    nothing refers to (the agent stopped before its background delete):
 *    deleted;
 *  - an address allocated for this host that nothing holds any more: its
 *    endpoint has no record, no port and is not in Docker (Docker released it
 *    and the agent stopped before netmaster freed it, see
 *    endpoint/teardown-queue.ts), or it is still pending (no endpoint took it
 *    over) from an earlier run of the agent or for longer than the pending
 *    timeout (ipam/ipam-service.ts), and on no port: freed at netmaster, with
 *    a guard (this host, the owner seen here) so that an address that changed
 *    hands since it was read is kept.
 *
 * Endpoints and addresses being created or deleted right now, or created by
 * this process since the pass began, are never touched. On an engine in swarm, addresses belong to
 * the swarm manager's allocator, which releases them itself (ipam/swarm-
 * addresses.ts): records are deleted without their address, and addresses
 * whose endpoint is gone are left for the manager's release.
 */
import { endpointPrefix, endpointStateCodec, ipamPrefix, ipAllocationCodec, type EndpointState } from '@contiv/model';
import { isRpcError } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import type { ControlApi } from '../control/control-api';
import type { DockerEngineClient } from '../docker/engine-client';
import { classifyEngine } from '../docker/engine-kind';
import type { EndpointManager } from '../endpoint/endpoint-manager';
import { addressKey, type NetworkAddress, type TeardownQueue } from '../endpoint/teardown-queue';
import type { LinkOps } from '../endpoint/link-ops';
import { isHostVethName, vethNames } from '../endpoint/naming';
import { errorMessage } from '../errors';
import type { StateCache } from '../network/state-cache';
import { endpointIdOf, endpointPortSpec, EXT_IP, EXT_NETWORK, EXT_TENANT } from '../ovs/endpoint-ports';
import type { VswitchPorts } from '../ovs/vswitch';

export interface EndpointReconcilerOptions {
  readonly store: Pick<Store, 'list'>;
  readonly engine: Pick<DockerEngineClient, 'listNetworks' | 'inspectNetwork' | 'info'>;
  readonly vswitch: VswitchPorts;
  readonly links: Pick<LinkOps, 'linkExists' | 'listLinks' | 'deleteLink'>;
  readonly endpoints: Pick<EndpointManager, 'inFlight' | 'createdHere' | 'removeLocal' | 'deletingVeth'>;
  readonly control: Pick<ControlApi, 'DeleteEndpoint' | 'ReleaseAddress'>;
  /** Netmaster work still queued by this process. */
  readonly teardown: Pick<TeardownQueue, 'hasEndpoint' | 'hasAddress'>;
  /** Whether an AllocateAddress request id came from this process (its pending addresses are in use). */
  readonly issuedHere: (requestId: string) => boolean;
  readonly cache: Pick<StateCache, 'network'>;
  readonly bridge: string;
  readonly driverName: string;
  readonly hostName: string;
  readonly log: Logger;
  /**
   * For the periodic passes: something is removed or freed only if the pass
   * before found it orphaned too (keys in `previous`); this pass records what
   * it found in `current`. A moment where Docker's or the store's view is
   * incomplete (an engine restoring its containers) then removes nothing.
   * Without it (the startup pass), orphans go at once.
   */
  readonly twoPass?: { readonly previous: ReadonlySet<string>; readonly current: Set<string> };
}

export interface ReconcileReport {
  readonly kept: number;
  readonly removedPorts: string[];
  readonly deletedRecords: string[];
  readonly restoredPorts: string[];
  readonly removedVeths: string[];
  /** `tenant/network/ip` */
  readonly releasedAddresses: string[];
  /** Orphans seen for the first time (twoPass): removed by the next pass if still orphaned. */
  readonly deferred: number;
}

export async function reconcileEndpoints(o: EndpointReconcilerOptions): Promise<ReconcileReport> {
  // Endpoints created before a periodic pass began are in the listings below (they are read after), so the
  // pass may judge them; ones created since, or being created or deleted now, it leaves alone.
  const createdBefore = new Set(o.endpoints.createdHere);
  // The startup pass keeps its old caution: every endpoint this run created is left alone.
  const recent = (id: string): boolean => o.endpoints.createdHere.has(id) && (!o.twoPass || !createdBefore.has(id));
  const busy = (id: string): boolean => o.endpoints.inFlight.has(id) || recent(id) || o.teardown.hasEndpoint(id);
  const listing = await o.store.list(endpointPrefix());
  const records = new Map<string, EndpointState>();
  const anyHost = new Set<string>();
  for (const e of listing.entries) {
    try {
      const ep = endpointStateCodec.decode(e.value, e.key);
      anyHost.add(ep.endpointId);
      if (ep.homingHost === o.hostName) records.set(ep.endpointId, ep);
    } catch (err) {
      o.log.warn('Ignoring an invalid endpoint record', { key: e.key, err: errorMessage(err) });
    }
  }
  const swarm = classifyEngine(await o.engine.info(), o.hostName).flavor === 'swarm';
  const inDocker = new Set<string>();
  const dockerNetworks = await o.engine.listNetworks({ driver: o.driverName });
  for (const n of dockerNetworks) {
    const full = await o.engine.inspectNetwork(n.Id);
    for (const c of Object.values(full?.Containers ?? {})) if (c.EndpointID) inDocker.add(c.EndpointID);
  }

  const report = { kept: 0, removedPorts: [] as string[], deletedRecords: [] as string[], restoredPorts: [] as string[], removedVeths: [] as string[], releasedAddresses: [] as string[], deferred: 0 };
  const confirmed = (key: string): boolean => {
    if (!o.twoPass) return true;
    o.twoPass.current.add(key);
    if (o.twoPass.previous.has(key)) return true;
    report.deferred++;
    return false;
  };
  const withPort = new Set<string>();
  const onPorts = new Set<string>();
  /** Endpoint ids and addressKeys of the ports removed in this pass: found orphaned already, their addresses go too. */
  const removedHere = new Set<string>();
  for (const port of o.vswitch.listPorts(o.bridge)) {
    const id = endpointIdOf(port);
    if (!id) continue;
    const [t, n, ip] = [port.externalIds[EXT_TENANT], port.externalIds[EXT_NETWORK], port.externalIds[EXT_IP]];
    // Gone from Docker: the container went while this agent was not there to see it (Docker deletes its
    // endpoint even when the plugin does not answer). A port whose record exists is only judged when Docker
    // lists networks of this driver at all (a wrong --driver-name must not look like every container gone).
    const gone = !inDocker.has(id) && !busy(id) && (!records.has(id) || dockerNetworks.length > 0);
    if (!gone || !confirmed(`port:${port.name}:${id}`)) {
      // Only ports that stay hold their endpoint and address: a port removed here frees both in this pass.
      withPort.add(id);
      if (t && n && ip) onPorts.add(addressKey({ tenantName: t, networkName: n, ip }));
      report.kept++;
      continue;
    }
    await o.endpoints.removeLocal(id);
    removedHere.add(id);
    if (t && n && ip) removedHere.add(addressKey({ tenantName: t, networkName: n, ip }));
    report.removedPorts.push(port.name);
    o.log.info(records.has(id) ? 'Removed the port of an endpoint Docker no longer has' : 'Removed an endpoint port nothing refers to', { port: port.name, endpointId: id.slice(0, 12) });
  }
  for (const [id, ep] of records) {
    if (withPort.has(id) || busy(id)) continue;
    if (inDocker.has(id)) {
      const names = vethNames(id);
      const net = o.cache.network(ep.tenantName, ep.networkName);
      if (net && (await o.links.linkExists(names.host))) {
        await o.vswitch.addPort(
          o.bridge,
          endpointPortSpec({
            name: names.host,
            tag: net.pktTag,
            endpointId: id,
            tenantName: ep.tenantName,
            networkName: ep.networkName,
            groupName: ep.groupName,
            dockerNetworkId: '',
            mac: ep.macAddress,
            ip: ep.ipAddress,
          }),
        );
        report.restoredPorts.push(names.host);
        o.log.info('Restored a missing endpoint port', { port: names.host, endpointId: id.slice(0, 12) });
      }
      continue;
    }
    if (!removedHere.has(id) && !confirmed(`record:${id}`)) continue;
    await o.control.DeleteEndpoint({ endpointId: id, releaseAddress: !swarm });
    report.deletedRecords.push(id);
    o.log.info('Deleted an endpoint record of a container that is gone', { endpointId: id.slice(0, 12), ip: ep.ipAddress });
  }
  const live = [...records.keys()].filter((id) => !report.deletedRecords.includes(id));
  const recentIds = (): string[] => [...o.endpoints.inFlight, ...[...o.endpoints.createdHere].filter(recent)];
  await removeStrayVeths(o, [...live, ...inDocker, ...recentIds()], recentIds, report.removedVeths, confirmed);
  await releaseUnheld(o, { anyHost, inDocker, withPort, onPorts, deletedRecords: new Set(report.deletedRecords), removedHere, busy, swarm }, report.releasedAddresses, confirmed);
  return report;
}

/** Host-side veths of ours that no port uses and no known endpoint owns. */
async function removeStrayVeths(
  o: EndpointReconcilerOptions,
  known: readonly string[],
  recentIds: () => string[],
  removed: string[],
  confirmed: (key: string) => boolean,
): Promise<void> {
  const hostVeth = (id: string): string | undefined => (/^[0-9a-f]{12,64}$/i.test(id) ? vethNames(id).host : undefined);
  const owned = new Set(known.map(hostVeth));
  for (const name of await o.links.listLinks()) {
    if (!isHostVethName(name) || owned.has(name) || o.vswitch.getPort(name) || o.endpoints.deletingVeth(name)) continue;
    // Endpoints created or deleted meanwhile have changed the picture: look again right before deleting.
    if (recentIds().some((id) => hostVeth(id) === name)) continue;
    if (!confirmed(`veth:${name}`)) continue;
    await o.links.deleteLink(name);
    removed.push(name);
    o.log.info('Removed a veth nothing refers to', { link: name });
  }
}

interface Held {
  /** Endpoint ids with a record, on any host. */
  readonly anyHost: ReadonlySet<string>;
  readonly inDocker: ReadonlySet<string>;
  readonly withPort: ReadonlySet<string>;
  /** addressKey() of the addresses our ports carry. */
  readonly onPorts: ReadonlySet<string>;
  /** Freed with their record just now. */
  readonly deletedRecords: ReadonlySet<string>;
  /** Endpoint ids and addressKeys of the ports removed just now. */
  readonly removedHere: ReadonlySet<string>;
  readonly busy: (id: string) => boolean;
  /** The engine is in swarm: an address an endpoint took over stays until the swarm manager releases it. */
  readonly swarm: boolean;
}

/** Frees the addresses of this host that nothing holds (see the header). */
async function releaseUnheld(o: EndpointReconcilerOptions, held: Held, released: string[], confirmed: (key: string) => boolean): Promise<void> {
  const pendingPrefix = `pending:${o.hostName}:`;
  const listing = await o.store.list(ipamPrefix());
  for (const e of listing.entries) {
    const parts = e.key.slice(ipamPrefix().length).split('/');
    if (parts.length !== 3) continue;
    const [tenantName, networkName, ip] = parts as [string, string, string];
    let owner: string;
    try {
      const alloc = ipAllocationCodec.decode(e.value, e.key);
      if (alloc.host !== o.hostName) continue;
      owner = alloc.owner;
    } catch (err) {
      o.log.warn('Ignoring an invalid address allocation', { key: e.key, err: errorMessage(err) });
      continue;
    }
    const address: NetworkAddress = { tenantName, networkName, ip };
    if (held.onPorts.has(addressKey(address)) || o.teardown.hasAddress(address)) continue;
    if (owner.startsWith('pending:')) {
      // Asked for by this run (Docker may be about to create its endpoint), or by another host: leave it.
      if (!owner.startsWith(pendingPrefix) || o.issuedHere(owner.slice(pendingPrefix.length))) continue;
    } else if (held.swarm || held.anyHost.has(owner) || held.inDocker.has(owner) || held.withPort.has(owner) || held.deletedRecords.has(owner) || held.busy(owner)) {
      continue;
    }
    const onRemovedPort = held.removedHere.has(owner) || held.removedHere.has(addressKey(address));
    if (!onRemovedPort && !confirmed(`address:${addressKey(address)}:${owner}`)) continue;
    try {
      // Guarded: netmaster frees it only if the holder is still the one seen here (or, for an endpoint, its record is still gone).
      await o.control.ReleaseAddress({ tenantName, networkName, address: ip, host: o.hostName, owner });
    } catch (err) {
      if (!isRpcError(err, 'NOT_FOUND')) throw err; // the network is gone, and its addresses with it
    }
    released.push(addressKey(address));
    o.log.info('Released an address nothing holds', { network: `${tenantName}:${networkName}`, ip, owner: owner.slice(0, 40) });
  }
}
