import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddressSpaces as _contiv_rpc_v1_AddressSpaces, AddressSpaces__Output as _contiv_rpc_v1_AddressSpaces__Output } from './contiv/rpc/v1/AddressSpaces';
import type { AllocateNetworkRequest as _contiv_rpc_v1_AllocateNetworkRequest, AllocateNetworkRequest__Output as _contiv_rpc_v1_AllocateNetworkRequest__Output } from './contiv/rpc/v1/AllocateNetworkRequest';
import type { AllocateNetworkResponse as _contiv_rpc_v1_AllocateNetworkResponse, AllocateNetworkResponse__Output as _contiv_rpc_v1_AllocateNetworkResponse__Output } from './contiv/rpc/v1/AllocateNetworkResponse';
import type { Capabilities as _contiv_rpc_v1_Capabilities, Capabilities__Output as _contiv_rpc_v1_Capabilities__Output } from './contiv/rpc/v1/Capabilities';
import type { CreateEndpointRequest as _contiv_rpc_v1_CreateEndpointRequest, CreateEndpointRequest__Output as _contiv_rpc_v1_CreateEndpointRequest__Output } from './contiv/rpc/v1/CreateEndpointRequest';
import type { CreateEndpointResponse as _contiv_rpc_v1_CreateEndpointResponse, CreateEndpointResponse__Output as _contiv_rpc_v1_CreateEndpointResponse__Output } from './contiv/rpc/v1/CreateEndpointResponse';
import type { CreateNetworkRequest as _contiv_rpc_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _contiv_rpc_v1_CreateNetworkRequest__Output } from './contiv/rpc/v1/CreateNetworkRequest';
import type { DiscoveryNotification as _contiv_rpc_v1_DiscoveryNotification, DiscoveryNotification__Output as _contiv_rpc_v1_DiscoveryNotification__Output } from './contiv/rpc/v1/DiscoveryNotification';
import type { Empty as _contiv_rpc_v1_Empty, Empty__Output as _contiv_rpc_v1_Empty__Output } from './contiv/rpc/v1/Empty';
import type { EndpointInterface as _contiv_rpc_v1_EndpointInterface, EndpointInterface__Output as _contiv_rpc_v1_EndpointInterface__Output } from './contiv/rpc/v1/EndpointInterface';
import type { EndpointOperInfoResponse as _contiv_rpc_v1_EndpointOperInfoResponse, EndpointOperInfoResponse__Output as _contiv_rpc_v1_EndpointOperInfoResponse__Output } from './contiv/rpc/v1/EndpointOperInfoResponse';
import type { EndpointRef as _contiv_rpc_v1_EndpointRef, EndpointRef__Output as _contiv_rpc_v1_EndpointRef__Output } from './contiv/rpc/v1/EndpointRef';
import type { ExternalConnectivityRequest as _contiv_rpc_v1_ExternalConnectivityRequest, ExternalConnectivityRequest__Output as _contiv_rpc_v1_ExternalConnectivityRequest__Output } from './contiv/rpc/v1/ExternalConnectivityRequest';
import type { IpamCapabilities as _contiv_rpc_v1_IpamCapabilities, IpamCapabilities__Output as _contiv_rpc_v1_IpamCapabilities__Output } from './contiv/rpc/v1/IpamCapabilities';
import type { IpamData as _contiv_rpc_v1_IpamData, IpamData__Output as _contiv_rpc_v1_IpamData__Output } from './contiv/rpc/v1/IpamData';
import type { IpamDriverClient as _contiv_rpc_v1_IpamDriverClient, IpamDriverDefinition as _contiv_rpc_v1_IpamDriverDefinition } from './contiv/rpc/v1/IpamDriver';
import type { JoinRequest as _contiv_rpc_v1_JoinRequest, JoinRequest__Output as _contiv_rpc_v1_JoinRequest__Output } from './contiv/rpc/v1/JoinRequest';
import type { JoinResponse as _contiv_rpc_v1_JoinResponse, JoinResponse__Output as _contiv_rpc_v1_JoinResponse__Output } from './contiv/rpc/v1/JoinResponse';
import type { NetworkDriverClient as _contiv_rpc_v1_NetworkDriverClient, NetworkDriverDefinition as _contiv_rpc_v1_NetworkDriverDefinition } from './contiv/rpc/v1/NetworkDriver';
import type { NetworkRef as _contiv_rpc_v1_NetworkRef, NetworkRef__Output as _contiv_rpc_v1_NetworkRef__Output } from './contiv/rpc/v1/NetworkRef';
import type { ReleaseAddressRequest as _contiv_rpc_v1_ReleaseAddressRequest, ReleaseAddressRequest__Output as _contiv_rpc_v1_ReleaseAddressRequest__Output } from './contiv/rpc/v1/ReleaseAddressRequest';
import type { ReleasePoolRequest as _contiv_rpc_v1_ReleasePoolRequest, ReleasePoolRequest__Output as _contiv_rpc_v1_ReleasePoolRequest__Output } from './contiv/rpc/v1/ReleasePoolRequest';
import type { RequestAddressRequest as _contiv_rpc_v1_RequestAddressRequest, RequestAddressRequest__Output as _contiv_rpc_v1_RequestAddressRequest__Output } from './contiv/rpc/v1/RequestAddressRequest';
import type { RequestAddressResponse as _contiv_rpc_v1_RequestAddressResponse, RequestAddressResponse__Output as _contiv_rpc_v1_RequestAddressResponse__Output } from './contiv/rpc/v1/RequestAddressResponse';
import type { RequestPoolRequest as _contiv_rpc_v1_RequestPoolRequest, RequestPoolRequest__Output as _contiv_rpc_v1_RequestPoolRequest__Output } from './contiv/rpc/v1/RequestPoolRequest';
import type { RequestPoolResponse as _contiv_rpc_v1_RequestPoolResponse, RequestPoolResponse__Output as _contiv_rpc_v1_RequestPoolResponse__Output } from './contiv/rpc/v1/RequestPoolResponse';
import type { StaticRoute as _contiv_rpc_v1_StaticRoute, StaticRoute__Output as _contiv_rpc_v1_StaticRoute__Output } from './contiv/rpc/v1/StaticRoute';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  contiv: {
    rpc: {
      v1: {
        AddressSpaces: MessageTypeDefinition<_contiv_rpc_v1_AddressSpaces, _contiv_rpc_v1_AddressSpaces__Output>
        AllocateNetworkRequest: MessageTypeDefinition<_contiv_rpc_v1_AllocateNetworkRequest, _contiv_rpc_v1_AllocateNetworkRequest__Output>
        AllocateNetworkResponse: MessageTypeDefinition<_contiv_rpc_v1_AllocateNetworkResponse, _contiv_rpc_v1_AllocateNetworkResponse__Output>
        Capabilities: MessageTypeDefinition<_contiv_rpc_v1_Capabilities, _contiv_rpc_v1_Capabilities__Output>
        CreateEndpointRequest: MessageTypeDefinition<_contiv_rpc_v1_CreateEndpointRequest, _contiv_rpc_v1_CreateEndpointRequest__Output>
        CreateEndpointResponse: MessageTypeDefinition<_contiv_rpc_v1_CreateEndpointResponse, _contiv_rpc_v1_CreateEndpointResponse__Output>
        CreateNetworkRequest: MessageTypeDefinition<_contiv_rpc_v1_CreateNetworkRequest, _contiv_rpc_v1_CreateNetworkRequest__Output>
        DiscoveryNotification: MessageTypeDefinition<_contiv_rpc_v1_DiscoveryNotification, _contiv_rpc_v1_DiscoveryNotification__Output>
        Empty: MessageTypeDefinition<_contiv_rpc_v1_Empty, _contiv_rpc_v1_Empty__Output>
        EndpointInterface: MessageTypeDefinition<_contiv_rpc_v1_EndpointInterface, _contiv_rpc_v1_EndpointInterface__Output>
        EndpointOperInfoResponse: MessageTypeDefinition<_contiv_rpc_v1_EndpointOperInfoResponse, _contiv_rpc_v1_EndpointOperInfoResponse__Output>
        EndpointRef: MessageTypeDefinition<_contiv_rpc_v1_EndpointRef, _contiv_rpc_v1_EndpointRef__Output>
        ExternalConnectivityRequest: MessageTypeDefinition<_contiv_rpc_v1_ExternalConnectivityRequest, _contiv_rpc_v1_ExternalConnectivityRequest__Output>
        IpamCapabilities: MessageTypeDefinition<_contiv_rpc_v1_IpamCapabilities, _contiv_rpc_v1_IpamCapabilities__Output>
        IpamData: MessageTypeDefinition<_contiv_rpc_v1_IpamData, _contiv_rpc_v1_IpamData__Output>
        IpamDriver: SubtypeConstructor<typeof grpc.Client, _contiv_rpc_v1_IpamDriverClient> & { service: _contiv_rpc_v1_IpamDriverDefinition }
        JoinRequest: MessageTypeDefinition<_contiv_rpc_v1_JoinRequest, _contiv_rpc_v1_JoinRequest__Output>
        JoinResponse: MessageTypeDefinition<_contiv_rpc_v1_JoinResponse, _contiv_rpc_v1_JoinResponse__Output>
        NetworkDriver: SubtypeConstructor<typeof grpc.Client, _contiv_rpc_v1_NetworkDriverClient> & { service: _contiv_rpc_v1_NetworkDriverDefinition }
        NetworkRef: MessageTypeDefinition<_contiv_rpc_v1_NetworkRef, _contiv_rpc_v1_NetworkRef__Output>
        ReleaseAddressRequest: MessageTypeDefinition<_contiv_rpc_v1_ReleaseAddressRequest, _contiv_rpc_v1_ReleaseAddressRequest__Output>
        ReleasePoolRequest: MessageTypeDefinition<_contiv_rpc_v1_ReleasePoolRequest, _contiv_rpc_v1_ReleasePoolRequest__Output>
        RequestAddressRequest: MessageTypeDefinition<_contiv_rpc_v1_RequestAddressRequest, _contiv_rpc_v1_RequestAddressRequest__Output>
        RequestAddressResponse: MessageTypeDefinition<_contiv_rpc_v1_RequestAddressResponse, _contiv_rpc_v1_RequestAddressResponse__Output>
        RequestPoolRequest: MessageTypeDefinition<_contiv_rpc_v1_RequestPoolRequest, _contiv_rpc_v1_RequestPoolRequest__Output>
        RequestPoolResponse: MessageTypeDefinition<_contiv_rpc_v1_RequestPoolResponse, _contiv_rpc_v1_RequestPoolResponse__Output>
        StaticRoute: MessageTypeDefinition<_contiv_rpc_v1_StaticRoute, _contiv_rpc_v1_StaticRoute__Output>
      }
    }
  }
}

