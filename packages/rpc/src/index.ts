/**
 * @module @contiv/rpc
 * Typed gRPC contracts between driver-shim -> netplugin (NetworkDriver, IpamDriver)
 * and netplugin -> netmaster (Control). See proto/ and docs/grpc.md.
 *
 *   const { network, ipam } = createDockerPluginClients('unix:/run/contiv/netplugin-rpc.sock');
 *   const caps = await network.GetCapabilities({});
 */
export { RpcError, isRpcError } from './errors';
export type { RpcErrorCode, TransportFailure } from './errors';
export { ERROR_CODE_METADATA_KEY } from './status-map';
export { MAX_ERROR_MESSAGE, capErrorMessage, shortenMessage } from './error-message';
export { contracts, protoDir } from './contracts';
export type { RpcServer } from './unix-server';
export type { TlsSettingNames } from './tls';
export { MutualTls, TlsKeyPair } from './tls';
export { listenUnix } from './unix-server';
export type { AsyncClient, AsyncService, CallContext, CallOptions } from './typed';
export { DEFAULT_CALL_TIMEOUT_MS, REQUEST_ID_METADATA_KEY } from './typed';
export {
  addControlService,
  addDockerPluginServices,
  createControlClient,
  createDockerPluginClients,
} from './services';
export type {
  ControlClient,
  ControlService,
  IpamDriverClient,
  IpamDriverService,
  NetworkDriverClient,
  NetworkDriverService,
} from './services';
import type * as msg from './messages';
export type { msg };
