/**
 * FakeSwitch: an in-process OpenFlow 1.3 switch on a unix socket, for unit
 * tests of the client and bridge. It answers HELLO, FEATURES, ECHO, BARRIER,
 * bundle OPEN/COMMIT/DISCARD and flow-stats requests; keeps the FLOW_MODs it
 * applied; and can be told to fail a message (`failWhen`), stay silent, or
 * drop its connections.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OFPET_EXPERIMENTER, ONF_VENDOR_ID, OFP13_VERSION } from '../codec/constants';
import type { FlowStats } from '../codec/flow-mod';
import type { OfMessage } from '../codec/message';
import { decodeMessage, encodeMessage } from '../codec/message';
import { MessageFramer } from '../conn/framer';

export interface FakeError {
  readonly errType: number;
  readonly code: number;
  readonly experimenter?: number;
}

/** OFPBFC_MSG_FAILED, as OVS sends it for a failed COMMIT on OpenFlow 1.3. */
export const BUNDLE_MSG_FAILED: FakeError = { errType: OFPET_EXPERIMENTER, code: 2313, experimenter: ONF_VENDOR_ID };

export interface FakeSwitchOptions {
  /** Versions in our HELLO bitmap (default [1, 4]: OpenFlow 1.0 and 1.3). */
  readonly versions?: readonly number[];
  readonly datapathId?: bigint;
  /** Listen on 127.0.0.1 (a free port) instead of a unix socket. */
  readonly tcp?: boolean;
}

export class FakeSwitch {
  /** Every message received, in order, over all connections. */
  readonly received: OfMessage[] = [];
  /** FLOW_MODs applied (directly or by a committed bundle). */
  readonly applied: OfMessage[] = [];
  /** Entries returned for flow-stats requests. */
  flows: FlowStats[] = [];
  /** Return an error to reject a message (or a bundled one at COMMIT when `atCommit`). */
  failWhen: ((m: OfMessage) => (FakeError & { readonly atCommit?: boolean }) | undefined) | undefined;
  /** While true, nothing is answered (not even ECHO or BARRIER). */
  silent = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly bundles = new Map<number, OfMessage[]>();

  private constructor(
    private readonly server: net.Server,
    /** The unix socket path ('' when listening on TCP). */
    readonly socketPath: string,
    /** `unix:PATH` or `tcp:127.0.0.1:PORT`. */
    readonly endpoint: string,
    private readonly opts: FakeSwitchOptions,
  ) {
    server.on('connection', (s) => this.accept(s));
  }

  static async start(opts: FakeSwitchOptions = {}): Promise<FakeSwitch> {
    const server = net.createServer();
    if (opts.tcp === true) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      return new FakeSwitch(server, '', `tcp:127.0.0.1:${port}`, opts);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'of-fake-'));
    const socketPath = path.join(dir, 'br.mgmt');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    return new FakeSwitch(server, socketPath, `unix:${socketPath}`, opts);
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Sends a message to every connected client (an ECHO_REQUEST, a PACKET_IN...). */
  broadcast(msg: OfMessage): void {
    for (const s of this.sockets) s.write(encodeMessage(msg));
  }

  /** Closes every connection (the listener stays), like a vswitchd restart. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.socketPath !== '') fs.rmSync(path.dirname(this.socketPath), { recursive: true, force: true });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const framer = new MessageFramer();
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(encodeMessage({ type: 'hello', xid: 1, versions: this.opts.versions ?? [1, OFP13_VERSION] }));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        const msg = decodeMessage(frame);
        this.received.push(msg);
        if (this.silent) continue;
        for (const reply of this.handle(msg)) socket.write(encodeMessage(reply));
      }
    });
  }

  private error(xid: number, e: FakeError, offending: OfMessage): OfMessage {
    const data = encodeMessage(offending).subarray(0, 64);
    return e.experimenter === undefined ? { type: 'error', xid, errType: e.errType, code: e.code, data } : { type: 'error', xid, errType: e.errType, code: e.code, experimenter: e.experimenter, data };
  }

  private handle(msg: OfMessage): OfMessage[] {
    const xid = msg.xid;
    switch (msg.type) {
      case 'hello':
        return [];
      case 'echo_request':
        return [{ type: 'echo_reply', xid, data: msg.data }];
      case 'features_request':
        return [{ type: 'features_reply', xid, datapathId: this.opts.datapathId ?? 0x1234n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f }];
      case 'barrier_request':
        return [{ type: 'barrier_reply', xid }];
      case 'multipart_request':
        if (msg.body.mpType === 'flow') return [{ type: 'multipart_reply', xid, flags: 0, body: { mpType: 'flow', flows: this.flows } }];
        return [{ type: 'multipart_reply', xid, flags: 0, body: { mpType: 'other', code: 0, body: Buffer.alloc(0) } }];
      case 'bundle_control': {
        const reply = (control: 'open_reply' | 'commit_reply' | 'discard_reply' | 'close_reply'): OfMessage => ({ type: 'bundle_control', xid, bundleId: msg.bundleId, control, flags: msg.flags });
        if (msg.control === 'open_request') {
          this.bundles.set(msg.bundleId, []);
          return [reply('open_reply')];
        }
        if (msg.control === 'discard_request') {
          this.bundles.delete(msg.bundleId);
          return [reply('discard_reply')];
        }
        if (msg.control === 'commit_request') {
          const adds = this.bundles.get(msg.bundleId) ?? [];
          this.bundles.delete(msg.bundleId);
          for (const add of adds) {
            if (add.type !== 'bundle_add') continue;
            const e = this.failWhen?.(add.message);
            if (e?.atCommit === true) return [this.error(add.xid, e, add), this.error(xid, BUNDLE_MSG_FAILED, msg)];
          }
          for (const add of adds) if (add.type === 'bundle_add') this.applied.push(add.message);
          return [reply('commit_reply')];
        }
        return [reply('close_reply')];
      }
      case 'bundle_add': {
        const e = this.failWhen?.(msg.message);
        if (e !== undefined && e.atCommit !== true) return [this.error(xid, e, msg)];
        this.bundles.get(msg.bundleId)?.push(msg);
        return [];
      }
      case 'flow_mod':
      case 'group_mod':
      case 'packet_out':
      case 'set_config': {
        const e = this.failWhen?.(msg);
        if (e !== undefined) return [this.error(xid, e, msg)];
        this.applied.push(msg);
        return [];
      }
      default:
        return [];
    }
  }
}
