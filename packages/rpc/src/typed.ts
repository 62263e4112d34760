/**
 * Promise-based views of the generated callback APIs: a service is implemented
 * as `async (request, ctx) => response` (throw RpcError to fail) and called as
 * `await client.method(request)`.
 */
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { fromServiceError, toServiceError } from './status-map';

/** What a handler may know about its call. */
export interface CallContext {
  /** x-request-id from the caller, to follow one request through every log. */
  readonly requestId?: string;
  readonly peer: string;
}

type AnyDefinition = grpc.ServiceDefinition;

/** `async (req, ctx) => res` for every method of a service definition. */
export type AsyncService<Def extends AnyDefinition> = {
  // grpc-js definitions carry a string index signature: map only the named methods.
  [K in keyof Def as string extends K ? never : K]: Def[K] extends MethodDefinition<infer _Req, infer Res, infer ReqOut, infer _ResOut>
    ? (request: ReqOut, ctx: CallContext) => Promise<Res>
    : never;
};

export interface CallOptions {
  /** Per-call deadline; default 30 s (Docker's own plugin timeout). */
  readonly timeoutMs?: number;
  readonly requestId?: string;
}

/** `await client.method(req)` for every method of a service definition. */
export type AsyncClient<Def extends AnyDefinition> = {
  [K in keyof Def as string extends K ? never : K]: Def[K] extends MethodDefinition<infer Req, infer _Res, infer _ReqOut, infer ResOut>
    ? (request: Req, opts?: CallOptions) => Promise<ResOut>
    : never;
} & { close(): void; waitForReady(timeoutMs: number): Promise<void> };

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
export const REQUEST_ID_METADATA_KEY = 'x-request-id';

/** Registers `impl` on `server` for `definition`, mapping thrown errors to gRPC statuses. */
export function addAsyncService<Def extends AnyDefinition>(
  server: grpc.Server,
  definition: Def,
  impl: AsyncService<Def>,
): void {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(definition)) {
    const fn = (impl as Record<string, (req: object, ctx: CallContext) => Promise<object>>)[name];
    if (!fn) throw new Error(`service implementation lacks ${name}`);
    handlers[name] = (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      const rid = call.metadata.get(REQUEST_ID_METADATA_KEY)[0];
      const ctx: CallContext = { requestId: typeof rid === 'string' ? rid : undefined, peer: call.getPeer() };
      fn.call(impl, call.request, ctx).then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err), null),
      );
    };
  }
  server.addService(definition as unknown as grpc.ServiceDefinition, handlers);
}

/** A promise-based client for `definition` at `target` (`unix:/path` or `host:port`). */
export function createAsyncClient<Def extends AnyDefinition>(
  ctor: typeof grpc.Client,
  definition: Def,
  target: string,
  what: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): AsyncClient<Def> {
  const client = new ctor(target, credentials, { 'grpc.enable_retries': 1 }) as grpc.Client &
    Record<string, (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<object>) => void>;
  const out: Record<string, unknown> = {
    close: () => client.close(),
    waitForReady: (timeoutMs: number) =>
      new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(fromServiceError(err as grpc.ServiceError, what)) : resolve())),
      ),
  };
  for (const name of Object.keys(definition)) {
    out[name] = (req: object, opts: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        if (opts.requestId) md.set(REQUEST_ID_METADATA_KEY, opts.requestId);
        const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
        client[name]!(req, md, { deadline }, (err, res) => (err ? reject(fromServiceError(err, what)) : resolve(res)));
      });
  }
  return out as AsyncClient<Def>;
}
