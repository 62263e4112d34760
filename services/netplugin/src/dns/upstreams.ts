/**
 * Where the agent forwards the names it does not know: the servers given
 * with --dns-upstream, or else the host's /etc/resolv.conf `nameserver`
 * lines, read again when the file changes. Some addresses are never used,
 * since a query sent there could not reach a real resolver from the agent's
 * namespace or would come back to the agent (docs/dns.md "Forwarding").
 */
import fs from 'node:fs';
import net from 'node:net';

export interface Upstream {
  /** IPv4 or IPv6 address, without brackets or zone. */
  readonly address: string;
  readonly port: number;
}

export const DNS_DEFAULT_PORT = 53;
/** glibc reads at most three nameservers (MAXNS); so do we. */
export const MAX_UPSTREAMS = 3;
export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';

export const upstreamText = (u: Upstream): string => (net.isIPv6(u.address) ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`);

/**
 * Why an upstream is never used, or undefined when it may be:
 *   127.0.0.11   Docker's embedded DNS: only inside a container's namespace,
 *                and it forwards unknown names through the container's
 *                route, which is the punt to this agent
 *   0.0.0.0, ::  unspecified
 */
export function unusableUpstream(u: Upstream): string | undefined {
  if (u.address === '127.0.0.11') return "Docker's embedded DNS (it would send the query back to the agent)";
  if (u.address === '0.0.0.0' || u.address === '::') return 'an unspecified address';
  return undefined;
}

/** `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address. */
export function parseUpstream(text: string): Upstream | undefined {
  const s = text.trim();
  let address = s;
  let port = DNS_DEFAULT_PORT;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  const v4port = /^([0-9.]+):(\d{1,5})$/.exec(s);
  if (bracketed) {
    address = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (v4port) {
    address = v4port[1] ?? '';
    port = Number(v4port[2]);
  }
  if (net.isIP(address) === 0 || port < 1 || port > 65535) return undefined;
  return { address, port };
}

export type UpstreamSetting = { readonly kind: 'resolv.conf' } | { readonly kind: 'none' } | { readonly kind: 'list'; readonly upstreams: readonly Upstream[] };

/** The --dns-upstream value: absent or "" = the host's resolv.conf, `none` = no forwarding, else a comma list. */
export function parseUpstreamSetting(text: string | undefined): { ok: true; value: UpstreamSetting } | { ok: false; reason: string } {
  if (text === undefined || text.trim() === '') return { ok: true, value: { kind: 'resolv.conf' } };
  if (text.trim() === 'none') return { ok: true, value: { kind: 'none' } };
  const upstreams: Upstream[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const u = parseUpstream(part);
    if (u === undefined) return { ok: false, reason: `"${part}" is not IP, IP:PORT or [IPv6]:PORT` };
    const why = unusableUpstream(u);
    if (why !== undefined) return { ok: false, reason: `${upstreamText(u)} cannot be an upstream: ${why}` };
    upstreams.push(u);
  }
  if (upstreams.length === 0) return { ok: false, reason: 'no server given' };
  return { ok: true, value: { kind: 'list', upstreams } };
}

/** The nameserver lines of a resolv.conf, at most MAX_UPSTREAMS usable ones, port 53 (zones dropped). */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m?.[1]) continue;
    const address = m[1].replace(/%.*$/, '');
    if (net.isIP(address) === 0) continue;
    const u = { address, port: DNS_DEFAULT_PORT };
    if (unusableUpstream(u) === undefined && !out.some((o) => o.address === address)) out.push(u);
    if (out.length === MAX_UPSTREAMS) break;
  }
  return out;
}

/** The upstreams of a resolv.conf file, read again when its modification time or size changes (checked at most every `recheckMs`). */
export class ResolvConfUpstreams {
  private cached: Upstream[] = [];
  private stamp = '';
  private checkedAt = -Infinity;

  constructor(
    private readonly file: string = DEFAULT_RESOLV_CONF,
    private readonly recheckMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  current(): readonly Upstream[] {
    const t = this.now();
    if (t - this.checkedAt < this.recheckMs) return this.cached;
    this.checkedAt = t;
    try {
      const st = fs.statSync(this.file);
      const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (stamp !== this.stamp) {
        this.cached = parseResolvConf(fs.readFileSync(this.file, 'utf8'));
        this.stamp = stamp;
      }
    } catch {
      this.cached = [];
      this.stamp = '';
    }
    return this.cached;
  }
}
