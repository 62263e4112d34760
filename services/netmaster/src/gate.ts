/**
 * Whether this netmaster may answer reads (its store copy is loaded) and
 * writes (it holds the leader lock and has bootstrapped), and who leads when
 * it does not. Both the REST routes and the gRPC service ask before doing
 * anything; the forwarders (leader/) ask where to send what it may not serve.
 */
import { NetmasterError } from './errors';
import { setLeading } from './metrics';

export class Gate {
  private loaded = false;
  private leading = false;
  private leader = '';
  private storeError: Error | undefined;

  constructor(
    private readonly storeUrl: string,
    /** This netmaster's advertised address (to tell "the lock is ours from a previous run" apart). */
    private self = '',
  ) {}

  get selfAddress(): string {
    return this.self;
  }

  /** Set once listening, when the advertised port was 0 (tests). */
  setSelfAddress(address: string): void {
    this.self = address;
  }

  get canRead(): boolean {
    return this.loaded;
  }

  get canWrite(): boolean {
    return this.loaded && this.leading;
  }

  /** The advertised address of the current leader ("" while nobody holds the lock). */
  get leaderAddress(): string {
    return this.leading ? this.selfAddress || this.leader : this.leader;
  }

  setLoaded(loaded: boolean): void {
    this.loaded = loaded;
  }

  /** This netmaster starts or stops leading; `leaderAddress` also updates who leads. */
  setLeader(leading: boolean, leaderAddress?: string): void {
    this.leading = leading;
    setLeading(leading);
    if (leaderAddress !== undefined) this.leader = leaderAddress;
  }

  /** The leader lock's value changed (from the store watch): who leads now, "" for nobody. */
  setLeaderAddress(address: string): void {
    this.leader = address;
  }

  assertReadable(): void {
    if (!this.loaded) throw new NetmasterError('NOT_LEADER', `netmaster is starting: waiting for the cluster store ${this.storeUrl}`);
  }

  assertWritable(): void {
    this.assertReadable();
    if (this.leading) return;
    // Nobody can lead while the store is away: its error (STORE_UNAVAILABLE) is the true answer (store-outage.ts).
    if (this.storeError) throw this.storeError;
    throw new NetmasterError('NOT_LEADER', this.notLeaderMessage());
  }

  /** Set while not leading because the cluster store does not answer (store-outage.ts); undefined again once it does. */
  setStoreError(err: Error | undefined): void {
    this.storeError = err;
  }

  /** Why this netmaster does not write, for a 503 / NETMASTER_UNAVAILABLE. */
  notLeaderMessage(): string {
    if (!this.leader) return 'no netmaster leads right now (a leader election is in progress): retry in a moment';
    if (this.selfAddress && this.leader === this.selfAddress) {
      return `netmaster is starting: the leader lock still names this netmaster (${this.leader}) from a previous run and expires shortly`;
    }
    return `this netmaster is not the leader; the leader is ${this.leader}`;
  }
}
