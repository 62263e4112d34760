/**
 * The agent's calls to netmaster (proto/contiv/rpc/v1/control.proto), behind a
 * seam for tests. The real implementation rebuilds its channel after a
 * transport failure (so a restarted netmaster is used at once, not after
 * grpc-js' reconnect backoff) and retries within a budget: every Control call
 * is idempotent (AllocateAddress through its request id).
 *
 * A netmaster that cannot serve (down, or not leading: no netmaster leads while
 * the cluster store is away) is retried only while the store answers the
 * agent: during a store outage the call fails as soon as a read of the store
 * has failed too, with a message naming the store, instead of after the whole
 * budget with one about netmaster (docs/store.md "Failures and timeouts").
 */
import { netmasterLeaderLock } from '@contiv/model';
import { createControlClient, isRpcError, RpcError, type ControlClient, type msg } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';

export interface ControlApi {
  AllocateAddress(req: msg.AllocateAddressRequest, requestId?: string): Promise<msg.AllocateAddressResponse__Output>;
  ReleaseAddress(req: msg.ReleaseNetworkAddressRequest, requestId?: string): Promise<void>;
  CreateEndpoint(req: msg.RecordEndpointRequest, requestId?: string): Promise<msg.EndpointRecord__Output>;
  DeleteEndpoint(req: msg.DeleteEndpointRequest, requestId?: string): Promise<void>;
  RegisterDockerNetwork(req: msg.RegisterDockerNetworkRequest, requestId?: string): Promise<msg.RegisterDockerNetworkResponse__Output>;
  UnregisterDockerNetwork(req: msg.UnregisterDockerNetworkRequest, requestId?: string): Promise<void>;
}

/** `:9999` -> `127.0.0.1:9999`; `http://h:p/` -> `h:p`. */
export function controlTarget(url: string): string {
  let t = url.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (t.startsWith(':')) t = `127.0.0.1${t}`;
  return t;
}

/** Where the agent finds netmaster: a fixed address, or one looked up again on every (re)connect. */
export type ControlTarget = string | (() => Promise<string>);

/**
 * control_url with a host is that address. Without one (":9999", the
 * v2plugin's default, which workers keep when installed as the guide shows),
 * the agent follows the leading netmaster: its advertised address is the
 * value of the leader lock in the store. Until there is one, this host's port.
 */
export function controlTargetFor(url: string, store: Pick<Store, 'get'>, log: Logger): ControlTarget {
  const fixed = controlTarget(url);
  if (!url.trim().replace(/^[a-z]+:\/\//i, '').startsWith(':')) return fixed;
  let last = '';
  return async () => {
    const leader = await store.get(netmasterLeaderLock()).catch(() => undefined);
    const target = leader?.value.trim() || fixed;
    if (target !== last) log.info('Following the leading netmaster', { target, from: leader ? 'store' : 'control_url' });
    last = target;
    return target;
  };
}

const NEVER = new Promise<never>(() => undefined);

export interface ReconnectingControlOptions {
  readonly target: ControlTarget;
  readonly log: Logger;
  /** Deadline of one attempt. */
  readonly callTimeoutMs?: number;
  /** Total time a call may take across retries. */
  readonly budgetMs?: number;
  /** Seam for tests. */
  readonly createClient?: (target: string) => ControlClient;
  /** The agent's store: read once when netmaster cannot serve, to tell a store outage apart. */
  readonly store?: Pick<Store, 'get' | 'url'>;
}

export class ReconnectingControl implements ControlApi {
  private client: ControlClient | undefined;
  private readonly callTimeoutMs: number;
  private readonly budgetMs: number;

  constructor(private readonly opts: ReconnectingControlOptions) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 8_000;
    this.budgetMs = opts.budgetMs ?? 15_000;
  }

  AllocateAddress(req: msg.AllocateAddressRequest, requestId?: string): Promise<msg.AllocateAddressResponse__Output> {
    return this.call('AllocateAddress', (c, o) => c.AllocateAddress(req, o), requestId);
  }
  async ReleaseAddress(req: msg.ReleaseNetworkAddressRequest, requestId?: string): Promise<void> {
    await this.call('ReleaseAddress', (c, o) => c.ReleaseAddress(req, o), requestId);
  }
  CreateEndpoint(req: msg.RecordEndpointRequest, requestId?: string): Promise<msg.EndpointRecord__Output> {
    return this.call('CreateEndpoint', (c, o) => c.CreateEndpoint(req, o), requestId);
  }
  async DeleteEndpoint(req: msg.DeleteEndpointRequest, requestId?: string): Promise<void> {
    await this.call('DeleteEndpoint', (c, o) => c.DeleteEndpoint(req, o), requestId);
  }
  RegisterDockerNetwork(req: msg.RegisterDockerNetworkRequest, requestId?: string): Promise<msg.RegisterDockerNetworkResponse__Output> {
    return this.call('RegisterDockerNetwork', (c, o) => c.RegisterDockerNetwork(req, o), requestId);
  }
  async UnregisterDockerNetwork(req: msg.UnregisterDockerNetworkRequest, requestId?: string): Promise<void> {
    await this.call('UnregisterDockerNetwork', (c, o) => c.UnregisterDockerNetwork(req, o), requestId);
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async current(): Promise<ControlClient> {
    if (!this.client) {
      const t = this.opts.target;
      this.client = (this.opts.createClient ?? createControlClient)(typeof t === 'string' ? t : await t());
    }
    return this.client;
  }

  private async call<R>(method: string, invoke: (c: ControlClient, o: { timeoutMs: number; requestId?: string }) => Promise<R>, requestId?: string): Promise<R> {
    const deadline = Date.now() + this.budgetMs;
    let storeCheck: Promise<string | undefined> | undefined;
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      try {
        return await invoke(await this.current(), { timeoutMs: Math.max(500, Math.min(this.callTimeoutMs, left)), ...(requestId ? { requestId } : {}) });
      } catch (err) {
        if (!isRpcError(err, 'NETMASTER_UNAVAILABLE')) throw err;
        // A fresh channel connects at once; the old one may sit in reconnect backoff.
        this.close();
        storeCheck ??= this.storeProblem();
        const wait = Math.max(0, Math.min(250 * 2 ** (attempt - 1), 2_000, deadline - Date.now()));
        // The backoff, cut short only by a store read that failed.
        const problem = await Promise.race([storeCheck.then((p) => p ?? NEVER), new Promise<undefined>((r) => setTimeout(() => r(undefined), wait))]);
        if (problem !== undefined) {
          throw new RpcError('STORE_UNAVAILABLE', `the cluster store is unreachable, so netmaster cannot serve ${method} (${problem}; netmaster: ${err.message})`, { cause: err });
        }
        if (Date.now() >= deadline) throw err;
        this.opts.log.debug('Netmaster unavailable, retrying', { method, attempt, err: err.message });
      }
    }
  }

  /** Undefined when the store answers a read (or there is no store to ask); else what failed. */
  private async storeProblem(): Promise<string | undefined> {
    const store = this.opts.store;
    if (store === undefined) return undefined;
    try {
      await store.get(netmasterLeaderLock());
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
}
