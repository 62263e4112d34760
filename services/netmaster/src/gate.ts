/**
 * Whether this netmaster may answer reads (its store copy is loaded) and
 * writes (it holds the leader lock and has bootstrapped). Both the REST routes
 * and the gRPC service ask before doing anything.
 */
import { NetmasterError } from './errors';

export class Gate {
  private loaded = false;
  private leading = false;
  private leader = '';

  constructor(private readonly storeUrl: string) {}

  get canRead(): boolean {
    return this.loaded;
  }

  get canWrite(): boolean {
    return this.loaded && this.leading;
  }

  /** The advertised address of the current leader, if known. */
  get leaderAddress(): string {
    return this.leader;
  }

  setLoaded(loaded: boolean): void {
    this.loaded = loaded;
  }

  setLeader(leading: boolean, leaderAddress = ''): void {
    this.leading = leading;
    this.leader = leaderAddress;
  }

  assertReadable(): void {
    if (!this.loaded) throw new NetmasterError('NOT_LEADER', `netmaster is starting: waiting for the cluster store ${this.storeUrl}`);
  }

  assertWritable(): void {
    this.assertReadable();
    if (!this.leading) {
      throw new NetmasterError('NOT_LEADER', this.leader ? `this netmaster is not the leader; the leader is ${this.leader}` : 'netmaster is starting: waiting for the leader lock');
    }
  }
}
