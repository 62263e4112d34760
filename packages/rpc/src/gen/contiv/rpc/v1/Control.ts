// Original file: ../../proto/contiv/rpc/v1/control.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AllocateAddressRequest as _contiv_rpc_v1_AllocateAddressRequest, AllocateAddressRequest__Output as _contiv_rpc_v1_AllocateAddressRequest__Output } from '../../../contiv/rpc/v1/AllocateAddressRequest';
import type { AllocateAddressResponse as _contiv_rpc_v1_AllocateAddressResponse, AllocateAddressResponse__Output as _contiv_rpc_v1_AllocateAddressResponse__Output } from '../../../contiv/rpc/v1/AllocateAddressResponse';
import type { DeleteEndpointRequest as _contiv_rpc_v1_DeleteEndpointRequest, DeleteEndpointRequest__Output as _contiv_rpc_v1_DeleteEndpointRequest__Output } from '../../../contiv/rpc/v1/DeleteEndpointRequest';
import type { Empty as _contiv_rpc_v1_Empty, Empty__Output as _contiv_rpc_v1_Empty__Output } from '../../../contiv/rpc/v1/Empty';
import type { EndpointRecord as _contiv_rpc_v1_EndpointRecord, EndpointRecord__Output as _contiv_rpc_v1_EndpointRecord__Output } from '../../../contiv/rpc/v1/EndpointRecord';
import type { RecordEndpointRequest as _contiv_rpc_v1_RecordEndpointRequest, RecordEndpointRequest__Output as _contiv_rpc_v1_RecordEndpointRequest__Output } from '../../../contiv/rpc/v1/RecordEndpointRequest';
import type { RegisterDockerNetworkRequest as _contiv_rpc_v1_RegisterDockerNetworkRequest, RegisterDockerNetworkRequest__Output as _contiv_rpc_v1_RegisterDockerNetworkRequest__Output } from '../../../contiv/rpc/v1/RegisterDockerNetworkRequest';
import type { RegisterDockerNetworkResponse as _contiv_rpc_v1_RegisterDockerNetworkResponse, RegisterDockerNetworkResponse__Output as _contiv_rpc_v1_RegisterDockerNetworkResponse__Output } from '../../../contiv/rpc/v1/RegisterDockerNetworkResponse';
import type { ReleaseNetworkAddressRequest as _contiv_rpc_v1_ReleaseNetworkAddressRequest, ReleaseNetworkAddressRequest__Output as _contiv_rpc_v1_ReleaseNetworkAddressRequest__Output } from '../../../contiv/rpc/v1/ReleaseNetworkAddressRequest';
import type { UnregisterDockerNetworkRequest as _contiv_rpc_v1_UnregisterDockerNetworkRequest, UnregisterDockerNetworkRequest__Output as _contiv_rpc_v1_UnregisterDockerNetworkRequest__Output } from '../../../contiv/rpc/v1/UnregisterDockerNetworkRequest';

export interface ControlClient extends grpc.Client {
  AllocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  AllocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  AllocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  AllocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  allocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  allocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  allocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  allocateAddress(argument: _contiv_rpc_v1_AllocateAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateAddressResponse__Output>): grpc.ClientUnaryCall;
  
  CreateEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_RecordEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointRecord__Output>): grpc.ClientUnaryCall;
  
  DeleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_DeleteEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RegisterDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  RegisterDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  RegisterDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  RegisterDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  registerDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  registerDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  registerDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  registerDockerNetwork(argument: _contiv_rpc_v1_RegisterDockerNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_RegisterDockerNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  releaseAddress(argument: _contiv_rpc_v1_ReleaseNetworkAddressRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  UnregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  UnregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  UnregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  UnregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  unregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  unregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  unregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  unregisterDockerNetwork(argument: _contiv_rpc_v1_UnregisterDockerNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface ControlHandlers extends grpc.UntypedServiceImplementation {
  AllocateAddress: grpc.handleUnaryCall<_contiv_rpc_v1_AllocateAddressRequest__Output, _contiv_rpc_v1_AllocateAddressResponse>;
  
  CreateEndpoint: grpc.handleUnaryCall<_contiv_rpc_v1_RecordEndpointRequest__Output, _contiv_rpc_v1_EndpointRecord>;
  
  DeleteEndpoint: grpc.handleUnaryCall<_contiv_rpc_v1_DeleteEndpointRequest__Output, _contiv_rpc_v1_Empty>;
  
  RegisterDockerNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_RegisterDockerNetworkRequest__Output, _contiv_rpc_v1_RegisterDockerNetworkResponse>;
  
  ReleaseAddress: grpc.handleUnaryCall<_contiv_rpc_v1_ReleaseNetworkAddressRequest__Output, _contiv_rpc_v1_Empty>;
  
  UnregisterDockerNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_UnregisterDockerNetworkRequest__Output, _contiv_rpc_v1_Empty>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  AllocateAddress: MethodDefinition<_contiv_rpc_v1_AllocateAddressRequest, _contiv_rpc_v1_AllocateAddressResponse, _contiv_rpc_v1_AllocateAddressRequest__Output, _contiv_rpc_v1_AllocateAddressResponse__Output>
  CreateEndpoint: MethodDefinition<_contiv_rpc_v1_RecordEndpointRequest, _contiv_rpc_v1_EndpointRecord, _contiv_rpc_v1_RecordEndpointRequest__Output, _contiv_rpc_v1_EndpointRecord__Output>
  DeleteEndpoint: MethodDefinition<_contiv_rpc_v1_DeleteEndpointRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_DeleteEndpointRequest__Output, _contiv_rpc_v1_Empty__Output>
  RegisterDockerNetwork: MethodDefinition<_contiv_rpc_v1_RegisterDockerNetworkRequest, _contiv_rpc_v1_RegisterDockerNetworkResponse, _contiv_rpc_v1_RegisterDockerNetworkRequest__Output, _contiv_rpc_v1_RegisterDockerNetworkResponse__Output>
  ReleaseAddress: MethodDefinition<_contiv_rpc_v1_ReleaseNetworkAddressRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_ReleaseNetworkAddressRequest__Output, _contiv_rpc_v1_Empty__Output>
  UnregisterDockerNetwork: MethodDefinition<_contiv_rpc_v1_UnregisterDockerNetworkRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_UnregisterDockerNetworkRequest__Output, _contiv_rpc_v1_Empty__Output>
}
