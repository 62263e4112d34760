/**
 * Answers the DNS queries the dns-interceptor flow punts to the agent: each
 * PACKET_IN with the Dns cookie category is answered (responder.ts) from the
 * names of the tenant of the port it came in on, and the reply is sent back
 * out of that port with a PACKET_OUT. A name the tenant does not have goes
 * to the host's resolvers (forwarder.ts) and their answer is relayed the same
 * way, or SERVFAIL when none answers. Nothing here throws into the OpenFlow
 * client: every failure is counted and logged at debug.
 */
import type { Action, OfMessage } from '@contiv/openflow';
import { OFPP } from '@contiv/openflow';
import type { Logger } from '@contiv/runtime';
import { errorMessage } from '../errors';
import type { NetworkKey } from '../pipeline/desired-state';
import { COOKIE_CATEGORY_MASK, COOKIE_CATEGORY_SHIFT, CookieCategory } from '../pipeline/framework';
import type { DnsQuery } from './dns-message';
import { buildDnsReply, MAX_RELAYED_MESSAGE, RCODE, truncatedReply } from './dns-message';
import type { ForwardOutcome } from './forwarder';
import type { NameTable } from './name-table';
import type { DnsForward } from './responder';
import { replyFrame, respond } from './responder';
import { upstreamText } from './upstreams';

type PacketIn = Extract<OfMessage, { type: 'packet_in' }>;

/** What DnsService needs of an OpenFlowBridge (which satisfies it as is). */
export interface DnsBridge {
  readonly client: { onMessage(listener: (m: OfMessage) => void): () => void };
  packetOut(opts: { inPort: number; actions: readonly Action[]; data: Buffer }): Promise<void>;
}

export interface DnsServiceOptions {
  /** Its client must have been connected with a non-zero `missSendLen` (a management-socket connection gets no PACKET_IN otherwise). */
  readonly bridge: DnsBridge;
  /** The network of a local endpoint's port, or undefined for a port the agent does not know. */
  readonly networkOfPort: (ofport: number) => NetworkKey | undefined;
  /** The current name table (the caller keeps it up to date from the store). */
  readonly names: () => NameTable;
  /** Where unknown names go (a DnsForwarder); absent: they get NXDOMAIN. */
  readonly forwarder?: { forward(message: Buffer, query: DnsQuery): Promise<ForwardOutcome>; isOwnQuery(srcPort: number, id: number): boolean };
  readonly log: Logger;
}

export interface DnsCounters {
  /** PACKET_INs from the dns-interceptor flow. */
  readonly queries: number;
  /** Replies with NOERROR (with or without answers). */
  readonly answered: number;
  readonly nxdomain: number;
  /** Punted packets that were no well-formed DNS query (no reply). */
  readonly malformed: number;
  /** Queries from a port with no known network (no reply). */
  readonly unknownPort: number;
  /** Replies the switch did not take. */
  readonly sendFailures: number;
  /** Queries sent to the host's resolvers. */
  readonly forwarded: number;
  /** Their answers relayed to the container (whatever their RCODE). */
  readonly relayed: number;
  /** Of those, answers too large to relay, sent with TC set and no records. */
  readonly truncated: number;
  /** Forwards no upstream answered in time, or with none to ask, or too many at once: SERVFAIL. */
  readonly servfail: number;
  /** The agent's own forwarded queries punted back to it (dropped, never forwarded again). */
  readonly loops: number;
}

const QTYPE_NAMES: Readonly<Record<number, string>> = { 1: 'A', 28: 'AAAA', 255: 'ANY', 12: 'PTR', 5: 'CNAME', 15: 'MX', 16: 'TXT', 33: 'SRV', 6: 'SOA', 2: 'NS' };

/** Whether a PACKET_IN came from a flow with the Dns cookie category. */
export function isDnsPacketIn(m: PacketIn): boolean {
  return (m.cookie & COOKIE_CATEGORY_MASK) >> COOKIE_CATEGORY_SHIFT === BigInt(CookieCategory.Dns);
}

export class DnsService {
  private readonly counts = { queries: 0, answered: 0, nxdomain: 0, malformed: 0, unknownPort: 0, sendFailures: 0, forwarded: 0, relayed: 0, truncated: 0, servfail: 0, loops: 0 };
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: DnsServiceOptions) {}

  get counters(): DnsCounters {
    return { ...this.counts };
  }

  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.o.bridge.client.onMessage((m) => {
      if (m.type !== 'packet_in' || !isDnsPacketIn(m)) return;
      try {
        this.handle(m);
      } catch (err) {
        // A bug here must not take the OpenFlow client's message loop down.
        this.counts.malformed++;
        this.o.log.debug('DNS query handling failed', { err: errorMessage(err) });
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.o.log.info('DNS responder stopped', { ...this.counts });
  }

  private handle(m: PacketIn): void {
    this.counts.queries++;
    const inPort = m.match.find((f) => f.field === 'in_port')?.value;
    if (inPort === undefined) {
      this.counts.malformed++;
      this.o.log.debug('DNS query without in_port', { cookie: m.cookie.toString(16) });
      return;
    }
    const ofport = Number(inPort);
    if (m.data.length < m.totalLen) {
      this.counts.malformed++;
      this.o.log.debug('DNS query truncated by the switch', { ofport, bytes: m.data.length, totalLen: m.totalLen });
      return;
    }
    const network = this.o.networkOfPort(ofport);
    if (network === undefined) {
      this.counts.unknownPort++;
      this.o.log.debug('DNS query from a port of no known network', { ofport });
      return;
    }
    const out = respond(m.data, network, this.o.names(), this.o.forwarder !== undefined);
    if (out.kind === 'ignored') {
      this.counts.malformed++;
      this.o.log.debug('Ignored a punted packet', { ofport, network, reason: out.reason });
      return;
    }
    if (out.kind === 'forward') {
      this.forward(ofport, network, out);
      return;
    }
    if (out.rcode === RCODE.NXDOMAIN) this.counts.nxdomain++;
    else this.counts.answered++;
    this.o.log.debug('DNS query', { ofport, network, name: out.name, qtype: QTYPE_NAMES[out.qtype] ?? out.qtype, rcode: out.rcode === RCODE.NXDOMAIN ? 'NXDOMAIN' : 'NOERROR', kind: out.nameKind, answers: out.answers });
    this.send(ofport, out.name, out.frame);
  }

  private forward(ofport: number, network: string, f: DnsForward): void {
    const forwarder = this.o.forwarder;
    if (forwarder === undefined) return;
    const q = f.query;
    if (forwarder.isOwnQuery(f.udp.srcPort, q.id)) {
      this.counts.loops++;
      this.o.log.debug('Dropped a forwarded DNS query that came back to the agent', { ofport, network, name: q.name });
      return;
    }
    this.counts.forwarded++;
    void forwarder.forward(f.udp.payload, q).then((outcome) => {
      let payload: Buffer;
      if (outcome.kind === 'answer') {
        this.counts.relayed++;
        payload = outcome.message;
        if (payload.length > MAX_RELAYED_MESSAGE) {
          this.counts.truncated++;
          payload = truncatedReply(payload, q.question.length);
        }
        this.o.log.debug('DNS query forwarded', { ofport, network, name: q.name, qtype: QTYPE_NAMES[q.qtype] ?? q.qtype, upstream: upstreamText(outcome.upstream), rcode: payload.readUInt16BE(2) & 0x0f, bytes: outcome.message.length });
      } else {
        this.counts.servfail++;
        payload = buildDnsReply(q, RCODE.SERVFAIL, [], false);
        this.o.log.debug('DNS query forwarded, no answer: SERVFAIL', { ofport, network, name: q.name, reason: outcome.reason });
      }
      this.send(ofport, q.name, replyFrame(f.udp, payload));
    }).catch((err: unknown) => {
      // A bug here must not become an unhandled rejection in the agent.
      this.counts.sendFailures++;
      this.o.log.debug('Relaying a forwarded DNS answer failed', { ofport, name: q.name, err: errorMessage(err) });
    });
  }

  private send(ofport: number, name: string, frame: Buffer): void {
    this.o.bridge.packetOut({ inPort: OFPP.CONTROLLER, actions: [{ type: 'output', port: ofport }], data: frame }).catch((err: unknown) => {
      this.counts.sendFailures++;
      this.o.log.debug('Sending a DNS reply failed', { ofport, name, err: errorMessage(err) });
    });
  }
}
