// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddressSpaces as _contiv_rpc_v1_AddressSpaces, AddressSpaces__Output as _contiv_rpc_v1_AddressSpaces__Output } from '../../../contiv/rpc/v1/AddressSpaces';
import type { Empty as _contiv_rpc_v1_Empty, Empty__Output as _contiv_rpc_v1_Empty__Output } from '../../../contiv/rpc/v1/Empty';
import type { IpamCapabilities as _contiv_rpc_v1_IpamCapabilities, IpamCapabilities__Output as _contiv_rpc_v1_IpamCapabilities__Output } from '../../../contiv/rpc/v1/IpamCapabilities';
import type { ReleaseAddressRequest as _contiv_rpc_v1_ReleaseAddressRequest, ReleaseAddressRequest__Output as _contiv_rpc_v1_ReleaseAddressRequest__Output } from '../../../contiv/rpc/v1/ReleaseAddressRequest';
import type { ReleasePoolRequest as _contiv_rpc_v1_ReleasePoolRequest, ReleasePoolRequest__Output as _contiv_rpc_v1_ReleasePoolRequest__Output } from '../../../contiv/rpc/v1/ReleasePoolRequest';
import type { RequestAddressRequest as _contiv_rpc_v1_RequestAddressRequest, RequestAddressRequest__Output as _contiv_rpc_v1_RequestAddressRequest__Output } from '../../../contiv/rpc/v1/RequestAddressRequest';
import type { RequestAddressResponse as _contiv_rpc_v1_RequestAddressResponse, RequestAddressResponse__Output as _contiv_rpc_v1_RequestAddressResponse__Output } from '../../../contiv/rpc/v1/RequestAddressResponse';
import type { RequestPoolRequest as _contiv_rpc_v1_RequestPoolRequest, RequestPoolRequest__Output as _contiv_rpc_v1_RequestPoolRequest__Output } from '../../../contiv/rpc/v1/RequestPoolRequest';
import type { RequestPoolResponse as _contiv_rpc_v1_RequestPoolResponse, RequestPoolResponse__Output as _contiv_rpc_v1_RequestPoolResponse__Output } from '../../../contiv/rpc/v1/RequestPoolResponse';

export interface IpamDriverClient extends grpc.Client {
  GetCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_IpamCapabilities__Output>): grpc.ClientUnaryCall;
  
  GetDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  GetDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  GetDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  GetDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  getDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  getDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  getDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  getDefaultAddressSpaces(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_AddressSpaces__Output>): grpc.ClientUnaryCall;
  
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  ReleasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releasePool(argument: _contiv_rpc_v1_ReleasePoolRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RequestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  RequestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  RequestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  RequestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  requestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  requestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  requestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  requestAddress(argument: _contiv_rpc_v1_RequestAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RequestAddressResponse__Output>): grpc.ClientUnaryCall;
  
  RequestPool(argument: _contiv_rpc_v1_RequestPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  RequestPool(argument: _contiv_rpc_v1_RequestPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  RequestPool(argument: _contiv_rpc_v1_RequestPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  RequestPool(argument: _contiv_rpc_v1_RequestPoolRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  requestPool(argument: _contiv_rpc_v1_RequestPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  requestPool(argument: _contiv_rpc_v1_RequestPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  requestPool(argument: _contiv_rpc_v1_RequestPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  requestPool(argument: _contiv_rpc_v1_RequestPoolRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RequestPoolResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface IpamDriverHandlers extends grpc.UntypedServiceImplementation {
  GetCapabilities: grpc.handleUnaryCall<_contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_IpamCapabilities>;
  
  GetDefaultAddressSpaces: grpc.handleUnaryCall<_contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_AddressSpaces>;
  
  ReleaseAddress: grpc.handleUnaryCall<_contiv_rpc_v1_ReleaseAddressRequest__Output, _contiv_rpc_v1_Empty>;
  
  ReleasePool: grpc.handleUnaryCall<_contiv_rpc_v1_ReleasePoolRequest__Output, _contiv_rpc_v1_Empty>;
  
  RequestAddress: grpc.handleUnaryCall<_contiv_rpc_v1_RequestAddressRequest__Output, _contiv_rpc_v1_RequestAddressResponse>;
  
  RequestPool: grpc.handleUnaryCall<_contiv_rpc_v1_RequestPoolRequest__Output, _contiv_rpc_v1_RequestPoolResponse>;
  
}

export interface IpamDriverDefinition extends grpc.ServiceDefinition {
  GetCapabilities: MethodDefinition<_contiv_rpc_v1_Empty, _contiv_rpc_v1_IpamCapabilities, _contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_IpamCapabilities__Output>
  GetDefaultAddressSpaces: MethodDefinition<_contiv_rpc_v1_Empty, _contiv_rpc_v1_AddressSpaces, _contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_AddressSpaces__Output>
  ReleaseAddress: MethodDefinition<_contiv_rpc_v1_ReleaseAddressRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_ReleaseAddressRequest__Output, _contiv_rpc_v1_Empty__Output>
  ReleasePool: MethodDefinition<_contiv_rpc_v1_ReleasePoolRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_ReleasePoolRequest__Output, _contiv_rpc_v1_Empty__Output>
  RequestAddress: MethodDefinition<_contiv_rpc_v1_RequestAddressRequest, _contiv_rpc_v1_RequestAddressResponse, _contiv_rpc_v1_RequestAddressRequest__Output, _contiv_rpc_v1_RequestAddressResponse__Output>
  RequestPool: MethodDefinition<_contiv_rpc_v1_RequestPoolRequest, _contiv_rpc_v1_RequestPoolResponse, _contiv_rpc_v1_RequestPoolRequest__Output, _contiv_rpc_v1_RequestPoolResponse__Output>
}
