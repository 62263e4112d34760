// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AllocateNetworkRequest as _contiv_rpc_v1_AllocateNetworkRequest, AllocateNetworkRequest__Output as _contiv_rpc_v1_AllocateNetworkRequest__Output } from '../../../contiv/rpc/v1/AllocateNetworkRequest';
import type { AllocateNetworkResponse as _contiv_rpc_v1_AllocateNetworkResponse, AllocateNetworkResponse__Output as _contiv_rpc_v1_AllocateNetworkResponse__Output } from '../../../contiv/rpc/v1/AllocateNetworkResponse';
import type { Capabilities as _contiv_rpc_v1_Capabilities, Capabilities__Output as _contiv_rpc_v1_Capabilities__Output } from '../../../contiv/rpc/v1/Capabilities';
import type { CreateEndpointRequest as _contiv_rpc_v1_CreateEndpointRequest, CreateEndpointRequest__Output as _contiv_rpc_v1_CreateEndpointRequest__Output } from '../../../contiv/rpc/v1/CreateEndpointRequest';
import type { CreateEndpointResponse as _contiv_rpc_v1_CreateEndpointResponse, CreateEndpointResponse__Output as _contiv_rpc_v1_CreateEndpointResponse__Output } from '../../../contiv/rpc/v1/CreateEndpointResponse';
import type { CreateNetworkRequest as _contiv_rpc_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _contiv_rpc_v1_CreateNetworkRequest__Output } from '../../../contiv/rpc/v1/CreateNetworkRequest';
import type { DiscoveryNotification as _contiv_rpc_v1_DiscoveryNotification, DiscoveryNotification__Output as _contiv_rpc_v1_DiscoveryNotification__Output } from '../../../contiv/rpc/v1/DiscoveryNotification';
import type { Empty as _contiv_rpc_v1_Empty, Empty__Output as _contiv_rpc_v1_Empty__Output } from '../../../contiv/rpc/v1/Empty';
import type { EndpointOperInfoResponse as _contiv_rpc_v1_EndpointOperInfoResponse, EndpointOperInfoResponse__Output as _contiv_rpc_v1_EndpointOperInfoResponse__Output } from '../../../contiv/rpc/v1/EndpointOperInfoResponse';
import type { EndpointRef as _contiv_rpc_v1_EndpointRef, EndpointRef__Output as _contiv_rpc_v1_EndpointRef__Output } from '../../../contiv/rpc/v1/EndpointRef';
import type { ExternalConnectivityRequest as _contiv_rpc_v1_ExternalConnectivityRequest, ExternalConnectivityRequest__Output as _contiv_rpc_v1_ExternalConnectivityRequest__Output } from '../../../contiv/rpc/v1/ExternalConnectivityRequest';
import type { JoinRequest as _contiv_rpc_v1_JoinRequest, JoinRequest__Output as _contiv_rpc_v1_JoinRequest__Output } from '../../../contiv/rpc/v1/JoinRequest';
import type { JoinResponse as _contiv_rpc_v1_JoinResponse, JoinResponse__Output as _contiv_rpc_v1_JoinResponse__Output } from '../../../contiv/rpc/v1/JoinResponse';
import type { NetworkRef as _contiv_rpc_v1_NetworkRef, NetworkRef__Output as _contiv_rpc_v1_NetworkRef__Output } from '../../../contiv/rpc/v1/NetworkRef';

export interface NetworkDriverClient extends grpc.Client {
  AllocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  AllocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  AllocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  AllocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  allocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  allocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  allocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  allocateNetwork(argument: _contiv_rpc_v1_AllocateNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_AllocateNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  CreateEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _contiv_rpc_v1_CreateEndpointRequest, callback: grpc.requestCallback<_contiv_rpc_v1_CreateEndpointResponse__Output>): grpc.ClientUnaryCall;
  
  CreateNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _contiv_rpc_v1_CreateNetworkRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _contiv_rpc_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _contiv_rpc_v1_NetworkRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _contiv_rpc_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _contiv_rpc_v1_NetworkRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DiscoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverDelete(argument: _contiv_rpc_v1_DiscoveryNotification, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DiscoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  DiscoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  discoverNew(argument: _contiv_rpc_v1_DiscoveryNotification, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  EndpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  EndpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  EndpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  EndpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  endpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  endpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  endpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  endpointOperInfo(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_EndpointOperInfoResponse__Output>): grpc.ClientUnaryCall;
  
  FreeNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  FreeNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  FreeNetwork(argument: _contiv_rpc_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  FreeNetwork(argument: _contiv_rpc_v1_NetworkRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  freeNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  freeNetwork(argument: _contiv_rpc_v1_NetworkRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  freeNetwork(argument: _contiv_rpc_v1_NetworkRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  freeNetwork(argument: _contiv_rpc_v1_NetworkRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  GetCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  GetCapabilities(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  getCapabilities(argument: _contiv_rpc_v1_Empty, callback: grpc.requestCallback<_contiv_rpc_v1_Capabilities__Output>): grpc.ClientUnaryCall;
  
  Join(argument: _contiv_rpc_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _contiv_rpc_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _contiv_rpc_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _contiv_rpc_v1_JoinRequest, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _contiv_rpc_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _contiv_rpc_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _contiv_rpc_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _contiv_rpc_v1_JoinRequest, callback: grpc.requestCallback<_contiv_rpc_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  Leave(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  Leave(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  Leave(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  Leave(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  leave(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  leave(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  leave(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  leave(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  ProgramExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ProgramExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ProgramExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  ProgramExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  programExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  programExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  programExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  programExternalConnectivity(argument: _contiv_rpc_v1_ExternalConnectivityRequest, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RevokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  RevokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  RevokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  RevokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  revokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  revokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  revokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, options: grpc.CallOptions, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  revokeExternalConnectivity(argument: _contiv_rpc_v1_EndpointRef, callback: grpc.requestCallback<_contiv_rpc_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface NetworkDriverHandlers extends grpc.UntypedServiceImplementation {
  AllocateNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_AllocateNetworkRequest__Output, _contiv_rpc_v1_AllocateNetworkResponse>;
  
  CreateEndpoint: grpc.handleUnaryCall<_contiv_rpc_v1_CreateEndpointRequest__Output, _contiv_rpc_v1_CreateEndpointResponse>;
  
  CreateNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_CreateNetworkRequest__Output, _contiv_rpc_v1_Empty>;
  
  DeleteEndpoint: grpc.handleUnaryCall<_contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty>;
  
  DeleteNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_NetworkRef__Output, _contiv_rpc_v1_Empty>;
  
  DiscoverDelete: grpc.handleUnaryCall<_contiv_rpc_v1_DiscoveryNotification__Output, _contiv_rpc_v1_Empty>;
  
  DiscoverNew: grpc.handleUnaryCall<_contiv_rpc_v1_DiscoveryNotification__Output, _contiv_rpc_v1_Empty>;
  
  EndpointOperInfo: grpc.handleUnaryCall<_contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_EndpointOperInfoResponse>;
  
  FreeNetwork: grpc.handleUnaryCall<_contiv_rpc_v1_NetworkRef__Output, _contiv_rpc_v1_Empty>;
  
  GetCapabilities: grpc.handleUnaryCall<_contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_Capabilities>;
  
  Join: grpc.handleUnaryCall<_contiv_rpc_v1_JoinRequest__Output, _contiv_rpc_v1_JoinResponse>;
  
  Leave: grpc.handleUnaryCall<_contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty>;
  
  ProgramExternalConnectivity: grpc.handleUnaryCall<_contiv_rpc_v1_ExternalConnectivityRequest__Output, _contiv_rpc_v1_Empty>;
  
  RevokeExternalConnectivity: grpc.handleUnaryCall<_contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty>;
  
}

export interface NetworkDriverDefinition extends grpc.ServiceDefinition {
  AllocateNetwork: MethodDefinition<_contiv_rpc_v1_AllocateNetworkRequest, _contiv_rpc_v1_AllocateNetworkResponse, _contiv_rpc_v1_AllocateNetworkRequest__Output, _contiv_rpc_v1_AllocateNetworkResponse__Output>
  CreateEndpoint: MethodDefinition<_contiv_rpc_v1_CreateEndpointRequest, _contiv_rpc_v1_CreateEndpointResponse, _contiv_rpc_v1_CreateEndpointRequest__Output, _contiv_rpc_v1_CreateEndpointResponse__Output>
  CreateNetwork: MethodDefinition<_contiv_rpc_v1_CreateNetworkRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_CreateNetworkRequest__Output, _contiv_rpc_v1_Empty__Output>
  DeleteEndpoint: MethodDefinition<_contiv_rpc_v1_EndpointRef, _contiv_rpc_v1_Empty, _contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty__Output>
  DeleteNetwork: MethodDefinition<_contiv_rpc_v1_NetworkRef, _contiv_rpc_v1_Empty, _contiv_rpc_v1_NetworkRef__Output, _contiv_rpc_v1_Empty__Output>
  DiscoverDelete: MethodDefinition<_contiv_rpc_v1_DiscoveryNotification, _contiv_rpc_v1_Empty, _contiv_rpc_v1_DiscoveryNotification__Output, _contiv_rpc_v1_Empty__Output>
  DiscoverNew: MethodDefinition<_contiv_rpc_v1_DiscoveryNotification, _contiv_rpc_v1_Empty, _contiv_rpc_v1_DiscoveryNotification__Output, _contiv_rpc_v1_Empty__Output>
  EndpointOperInfo: MethodDefinition<_contiv_rpc_v1_EndpointRef, _contiv_rpc_v1_EndpointOperInfoResponse, _contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_EndpointOperInfoResponse__Output>
  FreeNetwork: MethodDefinition<_contiv_rpc_v1_NetworkRef, _contiv_rpc_v1_Empty, _contiv_rpc_v1_NetworkRef__Output, _contiv_rpc_v1_Empty__Output>
  GetCapabilities: MethodDefinition<_contiv_rpc_v1_Empty, _contiv_rpc_v1_Capabilities, _contiv_rpc_v1_Empty__Output, _contiv_rpc_v1_Capabilities__Output>
  Join: MethodDefinition<_contiv_rpc_v1_JoinRequest, _contiv_rpc_v1_JoinResponse, _contiv_rpc_v1_JoinRequest__Output, _contiv_rpc_v1_JoinResponse__Output>
  Leave: MethodDefinition<_contiv_rpc_v1_EndpointRef, _contiv_rpc_v1_Empty, _contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty__Output>
  ProgramExternalConnectivity: MethodDefinition<_contiv_rpc_v1_ExternalConnectivityRequest, _contiv_rpc_v1_Empty, _contiv_rpc_v1_ExternalConnectivityRequest__Output, _contiv_rpc_v1_Empty__Output>
  RevokeExternalConnectivity: MethodDefinition<_contiv_rpc_v1_EndpointRef, _contiv_rpc_v1_Empty, _contiv_rpc_v1_EndpointRef__Output, _contiv_rpc_v1_Empty__Output>
}
