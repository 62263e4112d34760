/**
 * Startup order: listen at once (so clients get "starting" instead of
 * "connection refused"), load the store copy (retrying while the store is
 * down), then run the leader election: the leader catches up with the store,
 * bootstraps the defaults and serves writes; a follower forwards to it
 * (docs/architecture.md, "Several netmasters").
 */
import * as grpc from '@grpc/grpc-js';
import { netmasterLeaderLock } from '@contiv/model';
import { addControlService } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { createCore, type Core } from './core/context';
import { createServices, type Services } from './core/services';
import { Gate } from './gate';
import { StoreOutage } from './store-outage';
import { createControlService } from './grpc/control-service';
import { forwardingControlService } from './leader/control-forward';
import { LeaderElection } from './leader/election';
import { FencedStore } from './leader/fenced-store';
import { installRestForwarding } from './leader/rest-forward';
import { countStoreErrors, instrumentControl } from './metrics';
import type { NetmasterConfig } from './options';
import { buildRestApp } from './rest/app';
import { forwardingTransport, type NetmasterSecurity } from './security';
import { startSharedServer, type SharedServer } from './server';

export interface NetmasterHandle {
  readonly port: number;
  readonly services: Services;
  readonly gate: Gate;
  /** Resolves once this netmaster serves writes. */
  readonly leading: Promise<void>;
  stop(): Promise<void>;
}

type RuntimeConfig = Pick<NetmasterConfig, 'listenHost' | 'listenPort' | 'advertiseAddress' | 'pluginMode' | 'leaderTtlSeconds'> & {
  /** TLS and token settings (security.ts); absent: all off. */
  readonly security?: NetmasterSecurity;
};

export async function startNetmaster(config: RuntimeConfig, storeClient: Store, log: Logger): Promise<NetmasterHandle> {
  const store = countStoreErrors(storeClient);
  const lockName = netmasterLeaderLock();
  const gate = new Gate(store.url, config.advertiseAddress);
  // Made once listening (it advertises the bound port); every core write is fenced by the lock it holds.
  const leadership: { election?: LeaderElection } = {};
  // Writes refused as a store outage from a lost lock until the store answers (store-outage.ts).
  const outage = new StoreOutage({ store, gate, probeKey: lockName, log });
  const fenced = new FencedStore(store, {
    fence: () => {
      const fence = leadership.election?.fence;
      if (fence === undefined) {
        // Lost while the gate still says leading (the election demotes once it has tried to
        // release the lock): only a store this netmaster cannot reach loses the lock so.
        if (gate.canWrite) outage.demoted('its lease expired');
        outage.throwIfDown();
      }
      return fence;
    },
    onFenceBroken: (detail) => {
      if (gate.canWrite) log.error('A write was refused: this netmaster no longer holds the leader lock', { detail });
      gate.setLeader(false);
      leadership.election?.lost(detail);
    },
  });
  const core: Core = createCore(fenced, log);
  const services = createServices(core, config.pluginMode);
  // Who leads: the lock key's value, as the store copy's watch delivers it.
  const lockWaiters = new Set<() => void>();
  core.mirror.subscribe(lockName, {
    onChange: (key, entry) => {
      if (key !== lockName) return;
      outage.available();
      gate.setLeaderAddress(entry?.value ?? '');
      for (const wake of lockWaiters) wake();
    },
    onReset: () => {
      gate.setLeaderAddress(core.mirror.get(lockName)?.value ?? '');
      for (const wake of lockWaiters) wake();
    },
  });

  const sec = config.security;
  const peers = forwardingTransport(sec);
  const rest = await buildRestApp({ services, gate, log: log.child({ component: 'rest' }), advertiseAddress: config.advertiseAddress, ...(sec?.authToken ? { authToken: sec.authToken } : {}) });
  installRestForwarding(rest, { gate, log: log.child({ component: 'forward' }), ...peers.rest });
  const grpcServer = new grpc.Server();
  const control = forwardingControlService(createControlService(services, gate, log.child({ component: 'grpc' })), { gate, log: log.child({ component: 'forward' }), ...peers.grpc });
  addControlService(grpcServer, instrumentControl(control.service));
  const server: SharedServer = await startSharedServer({
    host: config.listenHost,
    port: config.listenPort,
    rest,
    grpc: grpcServer,
    log,
    ...(sec?.restTls ? { restTls: sec.restTls } : {}),
    ...(sec?.grpcTls ? { grpcCredentials: sec.grpcTls.serverCredentials() } : {}),
  });
  // Port 0 (tests): others reach us on the port we got.
  const advertiseAddress = /:0$/.test(config.advertiseAddress) ? config.advertiseAddress.replace(/:0$/, `:${server.port}`) : config.advertiseAddress;
  gate.setSelfAddress(advertiseAddress);

  let stopping = false;
  let resolveLeading: () => void = () => undefined;
  const leading = new Promise<void>((resolve) => (resolveLeading = resolve));

  /**
   * The new leader's store copy must hold every write the old leader made
   * before it lost the lock; those all precede the lock key we created, so
   * seeing our own lock in the copy (the watch delivers in revision order)
   * means the copy, and every allocator index fed from it, is complete.
   */
  const catchUp = async (lockRevision: number): Promise<void> => {
    const caughtUp = (): boolean => (core.mirror.get(lockName)?.modRevision ?? 0) >= lockRevision;
    const deadline = Date.now() + 30_000;
    while (!caughtUp()) {
      if (stopping) throw new Error('stopping');
      if (Date.now() > deadline) throw new Error(`the store copy did not reach revision ${lockRevision} (the leader lock) within 30 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1000);
        function done(): void {
          clearTimeout(timer);
          lockWaiters.delete(done);
          resolve();
        }
        lockWaiters.add(done);
      });
    }
  };

  const election = new LeaderElection({
    store,
    lockName,
    advertiseAddress,
    ttlSeconds: config.leaderTtlSeconds,
    log: log.child({ component: 'leader' }),
    onElected: async (lockRevision) => {
      const t0 = performance.now();
      await catchUp(lockRevision);
      await services.globals.bootstrap();
      outage.available();
      gate.setLeader(true);
      log.info('Serving writes as the leader', { lockRevision, takeoverMs: Math.round(performance.now() - t0) });
      resolveLeading();
    },
    onDemoted: (reason) => {
      gate.setLeader(false);
      outage.demoted(reason);
    },
  });
  leadership.election = election;

  const load = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await core.mirror.start();
        gate.setLoaded(true);
        election.start();
        return;
      } catch (err) {
        if (stopping) return;
        log.warn('Cannot load the cluster store yet, retrying', { store: store.url, attempt, err });
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)).unref());
      }
    }
  };
  const loading = load();

  return {
    port: server.port,
    services,
    gate,
    leading,
    async stop() {
      stopping = true;
      outage.stop();
      await loading;
      gate.setLeader(false);
      await election.stop();
      control.close();
      await server.close();
      await core.mirror.close();
    },
  };
}
