/**
 * The gRPC Control service on a follower: each call is made again on the
 * leader and its answer (or error, code included) returned. Agents normally
 * dial the leader themselves (control_url without a host follows the leader
 * lock); this covers agents given a fixed control_url that names a follower.
 * Every Control call is idempotent (AllocateAddress through its request id),
 * so a call that fails in transit is safe for the agent to retry, as it does
 * on NETMASTER_UNAVAILABLE. While nobody leads, or the lock still names this
 * netmaster, the local service answers (the gate refuses: NETMASTER_UNAVAILABLE).
 */
import { contracts, createControlClient, type CallContext, type ControlClient, type ControlService } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Gate } from '../gate';

export interface ControlForwardingOptions {
  readonly gate: Gate;
  readonly log: Logger;
  /** How to dial the leader (default plaintext; with mutual TLS, a client with this netmaster's credentials). */
  readonly createClient?: (target: string) => ControlClient;
  /** Deadline of one relayed call. */
  readonly timeoutMs?: number;
}

type Handler = (request: object, ctx: CallContext) => Promise<object>;
type ClientMethod = (request: object, opts: { timeoutMs: number; requestId?: string }) => Promise<object>;

export interface ForwardingControl {
  readonly service: ControlService;
  /** Closes the channel to the leader. */
  close(): void;
}

export function forwardingControlService(local: ControlService, opts: ControlForwardingOptions): ForwardingControl {
  const { gate, log } = opts;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const createClient = opts.createClient ?? createControlClient;
  let channel: { target: string; client: ControlClient } | undefined;

  const clientFor = (target: string): ControlClient => {
    if (channel?.target !== target) {
      channel?.client.close();
      channel = { target, client: createClient(target) };
    }
    return channel.client;
  };

  const own = local as unknown as Record<string, Handler>;
  const service: Record<string, Handler> = {};
  for (const name of Object.keys(contracts().Control.service)) {
    const handler = own[name];
    if (!handler) throw new Error(`the Control service lacks ${name}`);
    service[name] = async (request, ctx) => {
      const leader = gate.leaderAddress;
      if (gate.canWrite || !gate.canRead || !leader || leader === gate.selfAddress) return handler.call(local, request, ctx);
      const client = clientFor(leader) as unknown as Record<string, ClientMethod>;
      const method = client[name];
      if (!method) throw new Error(`the Control client lacks ${name}`);
      const started = performance.now();
      try {
        return await method.call(client, request, { timeoutMs, ...(ctx.requestId ? { requestId: ctx.requestId } : {}) });
      } finally {
        log.debug('Forwarded control call to the leader', { method: name, requestId: ctx.requestId, peer: ctx.peer, leader, ms: Math.round(performance.now() - started) });
      }
    };
  }
  return {
    service: service as unknown as ControlService,
    close() {
      channel?.client.close();
      channel = undefined;
    },
  };
}
