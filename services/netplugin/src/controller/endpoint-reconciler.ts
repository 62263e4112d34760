/**
 * After a restart the agent leaves working endpoints alone (their veths and
 * ports stay) and cleans up what no longer belongs to anything:
 *
 *  - an OVS port of ours whose endpoint is neither in the store nor attached
 *    in Docker: port and veth removed;
 *  - an endpoint record of this host whose port is gone and that Docker no
 *    longer has: record deleted at netmaster (with its address);
 *  - an endpoint Docker still has whose port vanished (OVS database reset)
 *    but whose veth is still here: the port is added back.
 *
 * Endpoints being created or deleted right now, or created by this process,
 * are never touched.
 */
import { endpointPrefix, endpointStateCodec, type EndpointState } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import type { ControlApi } from '../control/control-api';
import type { DockerEngineClient } from '../docker/engine-client';
import type { EndpointManager } from '../endpoint/endpoint-manager';
import type { LinkOps } from '../endpoint/link-ops';
import { vethNames } from '../endpoint/naming';
import { errorMessage } from '../errors';
import type { StateCache } from '../network/state-cache';
import { endpointIdOf, endpointPortSpec } from '../ovs/endpoint-ports';
import type { VswitchPorts } from '../ovs/vswitch';

export interface EndpointReconcilerOptions {
  readonly store: Pick<Store, 'list'>;
  readonly engine: Pick<DockerEngineClient, 'listNetworks' | 'inspectNetwork'>;
  readonly vswitch: VswitchPorts;
  readonly links: Pick<LinkOps, 'linkExists'>;
  readonly endpoints: Pick<EndpointManager, 'inFlight' | 'createdHere' | 'removeLocal'>;
  readonly control: Pick<ControlApi, 'DeleteEndpoint'>;
  readonly cache: Pick<StateCache, 'network'>;
  readonly bridge: string;
  readonly driverName: string;
  readonly hostName: string;
  readonly log: Logger;
}

export interface ReconcileReport {
  readonly kept: number;
  readonly removedPorts: string[];
  readonly deletedRecords: string[];
  readonly restoredPorts: string[];
}

export async function reconcileEndpoints(o: EndpointReconcilerOptions): Promise<ReconcileReport> {
  const busy = (id: string): boolean => o.endpoints.inFlight.has(id) || o.endpoints.createdHere.has(id);
  const listing = await o.store.list(endpointPrefix());
  const records = new Map<string, EndpointState>();
  for (const e of listing.entries) {
    try {
      const ep = endpointStateCodec.decode(e.value, e.key);
      if (ep.homingHost === o.hostName) records.set(ep.endpointId, ep);
    } catch (err) {
      o.log.warn('Ignoring an invalid endpoint record', { key: e.key, err: errorMessage(err) });
    }
  }
  const inDocker = new Set<string>();
  for (const n of await o.engine.listNetworks({ driver: o.driverName })) {
    const full = await o.engine.inspectNetwork(n.Id);
    for (const c of Object.values(full?.Containers ?? {})) if (c.EndpointID) inDocker.add(c.EndpointID);
  }

  const report = { kept: 0, removedPorts: [] as string[], deletedRecords: [] as string[], restoredPorts: [] as string[] };
  const withPort = new Set<string>();
  for (const port of o.vswitch.listPorts(o.bridge)) {
    const id = endpointIdOf(port);
    if (!id) continue;
    withPort.add(id);
    if (records.has(id) || inDocker.has(id) || busy(id)) {
      report.kept++;
      continue;
    }
    await o.endpoints.removeLocal(id);
    report.removedPorts.push(port.name);
    o.log.info('Removed an endpoint port nothing refers to', { port: port.name, endpointId: id.slice(0, 12) });
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
    await o.control.DeleteEndpoint({ endpointId: id, releaseAddress: true });
    report.deletedRecords.push(id);
    o.log.info('Deleted an endpoint record of a container that is gone', { endpointId: id.slice(0, 12), ip: ep.ipAddress });
  }
  return report;
}
