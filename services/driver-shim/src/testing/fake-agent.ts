/**
 * A real gRPC server on a unix socket that plays the agent in the shim's tests:
 * it records every request and answers from `replies` (or throws what `fail` holds).
 */
import { addDockerPluginServices, listenUnix, RpcError, type IpamDriverService, type NetworkDriverService, type RpcErrorCode, type RpcServer } from '@contiv/rpc';

type NetworkImpl = NetworkDriverService;
type IpamImpl = IpamDriverService;

export interface RecordedCall {
  readonly method: string;
  readonly request: unknown;
  readonly requestId?: string;
}

export class FakeAgent {
  readonly calls: RecordedCall[] = [];
  /** method -> reply object. */
  readonly replies = new Map<string, object>();
  /** method -> error the handler throws. */
  readonly failures = new Map<string, { code: RpcErrorCode; message: string }>();
  private server: RpcServer | undefined;

  constructor(readonly socketPath: string) {}

  fail(method: string, code: RpcErrorCode, message: string): void {
    this.failures.set(method, { code, message });
  }

  private handler<R extends object>(method: string, fallback: R): (req: unknown, ctx: { requestId?: string }) => Promise<R> {
    return (request, ctx) => {
      this.calls.push({ method, request, requestId: ctx.requestId });
      const f = this.failures.get(method);
      if (f) return Promise.reject(new RpcError(f.code, f.message));
      return Promise.resolve((this.replies.get(method) as R | undefined) ?? fallback);
    };
  }

  async start(): Promise<void> {
    const h = this.handler.bind(this);
    const network: NetworkImpl = {
      GetCapabilities: h('GetCapabilities', { scope: 'local', connectivityScope: 'local' }),
      CreateNetwork: h('CreateNetwork', {}),
      DeleteNetwork: h('DeleteNetwork', {}),
      AllocateNetwork: h('AllocateNetwork', { options: {} }),
      FreeNetwork: h('FreeNetwork', {}),
      CreateEndpoint: h('CreateEndpoint', {}),
      DeleteEndpoint: h('DeleteEndpoint', {}),
      EndpointOperInfo: h('EndpointOperInfo', { value: {} }),
      Join: h('Join', { srcName: 'cp000000000000', dstPrefix: 'eth', gateway: '' }),
      Leave: h('Leave', {}),
      DiscoverNew: h('DiscoverNew', {}),
      DiscoverDelete: h('DiscoverDelete', {}),
      ProgramExternalConnectivity: h('ProgramExternalConnectivity', {}),
      RevokeExternalConnectivity: h('RevokeExternalConnectivity', {}),
    };
    const ipam: IpamImpl = {
      GetCapabilities: h('Ipam.GetCapabilities', { requiresMacAddress: false, requiresRequestReplay: false }),
      GetDefaultAddressSpaces: h('GetDefaultAddressSpaces', { localDefaultAddressSpace: 'contiv-local', globalDefaultAddressSpace: 'contiv-global' }),
      RequestPool: h('RequestPool', { poolId: 'p', pool: '10.0.0.0/24', data: {} }),
      ReleasePool: h('ReleasePool', {}),
      RequestAddress: h('RequestAddress', { address: '10.0.0.2/24', data: {} }),
      ReleaseAddress: h('ReleaseAddress', {}),
    };
    this.server = await listenUnix(this.socketPath, (server) => addDockerPluginServices(server, network, ipam));
  }

  lastRequest(method: string): unknown {
    const c = [...this.calls].reverse().find((x) => x.method === method);
    return c?.request;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await s.close();
  }
}
