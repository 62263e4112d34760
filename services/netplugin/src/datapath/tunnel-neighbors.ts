/**
 * With the userspace datapath, OVS resolves a tunnel's next hop in its own
 * neighbor cache, which it fills only by snooping ARP replies on the bridge
 * that holds the VTEP address, and whose entries expire after 15 idle
 * minutes. Until an entry exists, every packet into that tunnel is dropped
 * while OVS asks, so the first packets between two containers on different
 * hosts were lost. So when a tunnel appears, and every few minutes after, the
 * agent makes the host kernel ARP for the peer's next hop (it drops the
 * kernel's entry, which may still be valid and would send no ARP, then pings
 * the peer): the ARP reply passes the bridge and OVS snoops it. A peer that
 * stops answering is worth a warning anyway.
 */
import type { Logger } from '@contiv/runtime';
import { errorMessage } from '../errors';
import type { CommandRunner } from '../endpoint/command-runner';

export const NEIGHBOR_REFRESH_MS = 5 * 60_000;

export class TunnelNeighborWarmer {
  private peers = new Set<string>();
  private readonly unreachable = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: { readonly runner: CommandRunner; readonly log: Logger; readonly refreshMs?: number },
  ) {}

  /** The current peer VTEPs: new ones are pinged now, all of them every NEIGHBOR_REFRESH_MS. */
  async update(peers: ReadonlySet<string>): Promise<void> {
    const added = [...peers].filter((p) => !this.peers.has(p));
    this.peers = new Set(peers);
    for (const p of this.unreachable) if (!peers.has(p)) this.unreachable.delete(p);
    if (this.timer === undefined && peers.size > 0) {
      this.timer = setInterval(() => void this.pingAll([...this.peers]), this.o.refreshMs ?? NEIGHBOR_REFRESH_MS);
      this.timer.unref();
    }
    await this.pingAll(added);
  }

  /** Pings every current peer now (a restarted ovs-vswitchd starts with an empty neighbor cache). */
  async refresh(): Promise<void> {
    await this.pingAll([...this.peers]);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pingAll(ips: readonly string[]): Promise<void> {
    await Promise.all(ips.map((ip) => this.ping(ip)));
  }

  private async ping(ip: string): Promise<void> {
    try {
      await this.forgetNextHop(ip);
      await this.o.runner.run('ping', ['-c', '1', '-W', '1', '-q', ip], { timeoutMs: 3_000 });
      if (this.unreachable.delete(ip)) this.o.log.info('Peer VTEP answers again', { vtep: ip });
    } catch (err) {
      if (!this.unreachable.has(ip)) this.o.log.warn('Peer VTEP does not answer ping: traffic to its containers may be lost', { vtep: ip, err: errorMessage(err) });
      this.unreachable.add(ip);
    }
  }

  /** Drops the kernel's neighbor entry for the next hop towards `ip`, so the next packet ARPs. */
  private async forgetNextHop(ip: string): Promise<void> {
    const { stdout } = await this.o.runner.run('ip', ['-j', 'route', 'get', ip]);
    const [route] = JSON.parse(stdout) as Array<{ gateway?: string; dev?: string }>;
    if (route?.dev === undefined) return;
    await this.o.runner.run('ip', ['neigh', 'flush', 'to', route.gateway ?? ip, 'dev', route.dev]);
  }
}
