import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, noop, type IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';

/** Tuning that makes the etcd3 client fail fast and reconnect quickly. */
export function createEtcdClient(endpoints: readonly string[]): Etcd3 {
  const options: IOptions = {
    hosts: [...endpoints],
    // Deadlines are set per operation by EtcdStore; streams (watch, keep-alive) have none.
    dialTimeout: 5000,
    grpcOptions: {
      // grpc-js backs off up to 120 s between reconnects by default; after a
      // store outage the watch and keep-alive streams must come back in seconds.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
      // Detect a hung server or a silently dropped connection on long-lived
      // streams. etcd rejects pings more frequent than every 5 s.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    },
    faultHandling: {
      // EtcdStore retries by itself, within each operation's deadline and only
      // where a retry is safe; etcd3's default global retry would re-send writes.
      global: noop,
      // Skips a dead endpoint of several for a second at a time.
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
      // etcd3 types this as a backoff but calls next() on it first, as on a factory.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) as unknown as IBackoff<unknown>,
    },
  };
  return new Etcd3(options);
}
