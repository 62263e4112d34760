/**
 * Puts the container's id, name and labels into an endpoint record, so that
 * every host's DNS responder can answer the name (docs/dns.md) and serviceLB
 * selectors can match the labels (docs/service-lb.md). Docker tells a
 * network driver neither: after Join the agent asks its own engine (the
 * network's Containers map shows the endpoint once the sandbox is attached)
 * and sends the record again through netmaster's CreateEndpoint, which takes
 * a repeat with the same tenant, network and address as an update of
 * containerId, containerName and labels. The labels come from the container's
 * inspect (Config.Labels), checked here: Docker's answer is input like any other.
 *
 * Best effort, off Docker's path: nothing here throws or delays Join; a name
 * that cannot be learnt is logged at debug and the endpoint simply has no
 * name (fillMissing retries after the next agent start).
 */
import { endpointKey, endpointPrefix, endpointStateCodec, type EndpointState } from '@contiv/model';
import type { msg } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import type { ControlApi } from '../control/control-api';
import { errorMessage } from '../errors';
import type { DockerEngineClient, DockerNetwork } from './engine-client';

export interface ContainerNameRecorderOptions {
  readonly engine: Pick<DockerEngineClient, 'inspectNetwork' | 'listNetworks'> & Partial<Pick<DockerEngineClient, 'inspectContainer'>>;
  readonly store: Pick<Store, 'get' | 'list'>;
  readonly control: Pick<ControlApi, 'CreateEndpoint'>;
  /** This agent's node name: fillMissing only touches endpoints homed here. */
  readonly hostName: string;
  /** Docker driver name of our networks (fillMissing inspects those). */
  readonly driverName: string;
  readonly log: Logger;
  /** Endpoints being deleted right now: never recorded (a late CreateEndpoint would bring the record back). */
  readonly busy?: (endpointId: string) => boolean;
  /** Polling after Join: first delay, doubling up to maxDelayMs, until giveUpAfterMs. */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly giveUpAfterMs?: number;
  /** Seams for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface AttachedContainer {
  readonly containerId: string;
  readonly containerName: string;
  /** The container's labels (absent: not known). */
  readonly labels?: Record<string, string>;
}

export interface FillReport {
  /** Records that got a container name. */
  readonly filled: number;
  /** Local records without a name that Docker did not show (or that could not be updated). */
  readonly missing: number;
}

/** Which container holds `endpointId` in an inspected network, if any. */
export function attachedContainer(net: DockerNetwork, endpointId: string): AttachedContainer | undefined {
  for (const [containerId, ep] of Object.entries(net.Containers ?? {})) {
    if (ep.EndpointID === endpointId) return { containerId, containerName: (ep.Name ?? '').replace(/^\//, '') };
  }
  return undefined;
}

/** Labels as netmaster records them (bounded like netmaster checks them): string keys and values only. */
export const MAX_RECORDED_LABELS = 256;

/** A container inspect's Config.Labels, when it is a map of strings (anything else: undefined). */
export function containerLabels(container: unknown): Record<string, string> | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const config = (container as { Config?: unknown }).Config;
  if (typeof config !== 'object' || config === null) return undefined;
  const labels = (config as { Labels?: unknown }).Labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return undefined;
  const out: Record<string, string> = {};
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > MAX_RECORDED_LABELS) return undefined;
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || k === '' || k.length > 1024 || v.length > 4096) return undefined;
    out[k] = v;
  }
  return out;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const x = Object.entries(a ?? {}).sort(([p], [q]) => p.localeCompare(q));
  const y = Object.entries(b ?? {}).sort(([p], [q]) => p.localeCompare(q));
  return JSON.stringify(x) === JSON.stringify(y);
};

/** The gRPC form of a stored record, with the container filled in. */
function endpointRecord(ep: EndpointState, c: AttachedContainer): msg.EndpointRecord {
  return {
    endpointId: ep.endpointId,
    tenantName: ep.tenantName,
    networkName: ep.networkName,
    groupName: ep.groupName,
    ipAddress: ep.ipAddress,
    ipv6Address: ep.ipv6Address,
    macAddress: ep.macAddress,
    homingHost: ep.homingHost,
    intfName: ep.intfName,
    vtepIp: ep.vtepIp,
    containerId: c.containerId,
    containerName: c.containerName,
    labels: c.labels ?? {},
  };
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms).unref();
  });

export class ContainerNameRecorder {
  /** Endpoints being polled for, so a repeated Join does not start a second poll. */
  private readonly polling = new Set<string>();
  private stopped = false;

  constructor(private readonly o: ContainerNameRecorderOptions) {}

  /**
   * After a successful Join: polls the engine until the network shows the
   * endpoint, then records its container. Resolves true once recorded (or
   * already there), false otherwise; never rejects.
   */
  async afterJoin(endpointId: string, dockerNetworkId: string): Promise<boolean> {
    if (this.polling.has(endpointId)) return false;
    this.polling.add(endpointId);
    try {
      const container = await this.waitForContainer(endpointId, dockerNetworkId);
      return container !== undefined && (await this.record(endpointId, container));
    } catch (err) {
      this.o.log.debug('Could not record the container of an endpoint', { endpointId: endpointId.slice(0, 12), err: errorMessage(err) });
      return false;
    } finally {
      this.polling.delete(endpointId);
    }
  }

  /**
   * Records the container of every endpoint of this host that has none yet
   * (endpoints joined while the agent was down or before it recorded names).
   * One pass over the engine's networks; never rejects.
   */
  async fillMissing(): Promise<FillReport> {
    let filled = 0;
    let missing = 0;
    try {
      const listing = await this.o.store.list(endpointPrefix());
      const unnamed: EndpointState[] = [];
      for (const e of listing.entries) {
        try {
          const ep = endpointStateCodec.decode(e.value, e.key);
          if (ep.homingHost === this.o.hostName && ep.containerName === '') unnamed.push(ep);
        } catch {
          // Invalid records are the endpoint reconciler's to report.
        }
      }
      if (unnamed.length === 0) return { filled, missing };
      const attached = new Map<string, AttachedContainer>();
      for (const summary of await this.o.engine.listNetworks({ driver: this.o.driverName })) {
        const net = await this.o.engine.inspectNetwork(summary.Id);
        for (const [containerId, ep] of Object.entries(net?.Containers ?? {})) {
          if (ep.EndpointID) attached.set(ep.EndpointID, { containerId, containerName: (ep.Name ?? '').replace(/^\//, '') });
        }
      }
      for (const ep of unnamed) {
        const c = attached.get(ep.endpointId);
        if (c !== undefined && !this.polling.has(ep.endpointId) && (await this.record(ep.endpointId, c))) filled++;
        else missing++;
      }
      this.o.log.debug('Filled in missing container names', { filled, missing });
    } catch (err) {
      this.o.log.warn('Could not fill in missing container names', { filled, err: errorMessage(err) });
    }
    return { filled, missing };
  }

  /** Ends polls in progress at their next step. */
  stop(): void {
    this.stopped = true;
  }

  private async waitForContainer(endpointId: string, dockerNetworkId: string): Promise<AttachedContainer | undefined> {
    const now = this.o.now ?? Date.now;
    const sleep = this.o.sleep ?? realSleep;
    const maxDelay = this.o.maxDelayMs ?? 1_000;
    const deadline = now() + (this.o.giveUpAfterMs ?? 30_000);
    let delay = this.o.firstDelayMs ?? 50;
    let last = 'not attached yet';
    // The first look waits too: Docker attaches the container only after Join has been answered.
    for (;;) {
      if (now() + delay > deadline) {
        this.o.log.debug('Gave up learning the container of an endpoint', { endpointId: endpointId.slice(0, 12), dockerNetworkId, last });
        return undefined;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelay);
      if (this.stopped) return undefined;
      try {
        const net = await this.o.engine.inspectNetwork(dockerNetworkId);
        if (net === undefined) {
          this.o.log.debug('Docker network of a joined endpoint is gone', { endpointId: endpointId.slice(0, 12), dockerNetworkId });
          return undefined;
        }
        const c = attachedContainer(net, endpointId);
        if (c !== undefined) return c;
      } catch (err) {
        last = errorMessage(err);
      }
    }
  }

  /** The container's labels from the engine; undefined when it cannot tell (no such call, container gone, an error). */
  private async labelsOf(containerId: string): Promise<Record<string, string> | undefined> {
    if (this.o.engine.inspectContainer === undefined || containerId === '') return undefined;
    try {
      return containerLabels(await this.o.engine.inspectContainer(containerId));
    } catch (err) {
      this.o.log.debug('Could not read the labels of a container', { containerId: containerId.slice(0, 12), err: errorMessage(err) });
      return undefined;
    }
  }

  /** Sends the stored record again with the container; true when the record has it afterwards. */
  private async record(endpointId: string, c: AttachedContainer): Promise<boolean> {
    const id = endpointId.slice(0, 12);
    if (this.stopped || this.o.busy?.(endpointId)) return false;
    try {
      const key = endpointKey(endpointId);
      const entry = await this.o.store.get(key);
      if (entry === undefined) {
        this.o.log.debug('Endpoint record is gone; not recording its container', { endpointId: id });
        return false;
      }
      const ep = endpointStateCodec.decode(entry.value, key);
      const labels = await this.labelsOf(c.containerId);
      if (labels !== undefined) c = { ...c, labels };
      if (ep.containerId === c.containerId && ep.containerName === c.containerName && (labels === undefined || sameLabels(ep.labels, labels))) return true;
      // Checked again: a delete may have started while the store answered.
      if (this.o.busy?.(endpointId)) return false;
      await this.o.control.CreateEndpoint({ endpoint: endpointRecord(ep, c) });
      this.o.log.debug('Recorded the container of an endpoint', { endpointId: id, containerId: c.containerId.slice(0, 12), containerName: c.containerName });
      return true;
    } catch (err) {
      this.o.log.debug('Could not record the container of an endpoint', { endpointId: id, err: errorMessage(err) });
      return false;
    }
  }
}
