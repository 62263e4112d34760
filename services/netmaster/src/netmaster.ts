/**
 * Startup order: listen at once (so clients get "starting" instead of
 * "connection refused"), load the store copy (retrying while the store is
 * down), then take the leader lock, bootstrap the defaults and serve writes.
 */
import * as grpc from '@grpc/grpc-js';
import { netmasterLeaderLock } from '@contiv/model';
import { addControlService } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { createCore, type Core } from './core/context';
import { createServices, type Services } from './core/services';
import { Gate } from './gate';
import { createControlService } from './grpc/control-service';
import { LeaderElection } from './leader/election';
import type { NetmasterConfig } from './options';
import { buildRestApp } from './rest/app';
import { startSharedServer, type SharedServer } from './server';

export interface NetmasterHandle {
  readonly port: number;
  readonly services: Services;
  readonly gate: Gate;
  /** Resolves once this netmaster serves writes. */
  readonly leading: Promise<void>;
  stop(): Promise<void>;
}

type RuntimeConfig = Pick<NetmasterConfig, 'listenHost' | 'listenPort' | 'advertiseAddress' | 'pluginMode' | 'leaderTtlSeconds'>;

export async function startNetmaster(config: RuntimeConfig, store: Store, log: Logger): Promise<NetmasterHandle> {
  const core: Core = createCore(store, log);
  const services = createServices(core, config.pluginMode);
  const gate = new Gate(store.url);

  const rest = buildRestApp({ services, gate, log: log.child({ component: 'rest' }), advertiseAddress: config.advertiseAddress });
  const grpcServer = new grpc.Server();
  addControlService(grpcServer, createControlService(services, gate, log.child({ component: 'grpc' })));
  const server: SharedServer = await startSharedServer({ host: config.listenHost, port: config.listenPort, rest, grpc: grpcServer, log });

  let stopping = false;
  let resolveLeading: () => void = () => undefined;
  const leading = new Promise<void>((resolve) => (resolveLeading = resolve));

  const election = new LeaderElection({
    store,
    lockName: netmasterLeaderLock(),
    advertiseAddress: config.advertiseAddress,
    ttlSeconds: config.leaderTtlSeconds,
    log: log.child({ component: 'leader' }),
    onElected: async () => {
      await services.globals.bootstrap();
      gate.setLeader(true, config.advertiseAddress);
      resolveLeading();
    },
    onDemoted: () => gate.setLeader(false, ''),
  });

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
      await loading;
      gate.setLeader(false);
      await election.stop();
      await server.close();
      await core.mirror.close();
    },
  };
}
