// Original file: proto/netspan/v1/network.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateNetworkRequest__Input as _netspan_v1_CreateNetworkRequest__Input, CreateNetworkRequest as _netspan_v1_CreateNetworkRequest } from '../../netspan/v1/CreateNetworkRequest.js';
import type { CreateNetworkResponse__Input as _netspan_v1_CreateNetworkResponse__Input, CreateNetworkResponse as _netspan_v1_CreateNetworkResponse } from '../../netspan/v1/CreateNetworkResponse.js';
import type { DeleteNetworkRequest__Input as _netspan_v1_DeleteNetworkRequest__Input, DeleteNetworkRequest as _netspan_v1_DeleteNetworkRequest } from '../../netspan/v1/DeleteNetworkRequest.js';
import type { DeleteNetworkResponse__Input as _netspan_v1_DeleteNetworkResponse__Input, DeleteNetworkResponse as _netspan_v1_DeleteNetworkResponse } from '../../netspan/v1/DeleteNetworkResponse.js';
import type { GetNetworkRequest__Input as _netspan_v1_GetNetworkRequest__Input, GetNetworkRequest as _netspan_v1_GetNetworkRequest } from '../../netspan/v1/GetNetworkRequest.js';
import type { GetNetworkResponse__Input as _netspan_v1_GetNetworkResponse__Input, GetNetworkResponse as _netspan_v1_GetNetworkResponse } from '../../netspan/v1/GetNetworkResponse.js';
import type { GetNetworkUsageRequest__Input as _netspan_v1_GetNetworkUsageRequest__Input, GetNetworkUsageRequest as _netspan_v1_GetNetworkUsageRequest } from '../../netspan/v1/GetNetworkUsageRequest.js';
import type { GetNetworkUsageResponse__Input as _netspan_v1_GetNetworkUsageResponse__Input, GetNetworkUsageResponse as _netspan_v1_GetNetworkUsageResponse } from '../../netspan/v1/GetNetworkUsageResponse.js';
import type { ListNetworksRequest__Input as _netspan_v1_ListNetworksRequest__Input, ListNetworksRequest as _netspan_v1_ListNetworksRequest } from '../../netspan/v1/ListNetworksRequest.js';
import type { ListNetworksResponse__Input as _netspan_v1_ListNetworksResponse__Input, ListNetworksResponse as _netspan_v1_ListNetworksResponse } from '../../netspan/v1/ListNetworksResponse.js';
import type { UpdateNetworkRequest__Input as _netspan_v1_UpdateNetworkRequest__Input, UpdateNetworkRequest as _netspan_v1_UpdateNetworkRequest } from '../../netspan/v1/UpdateNetworkRequest.js';
import type { UpdateNetworkResponse__Input as _netspan_v1_UpdateNetworkResponse__Input, UpdateNetworkResponse as _netspan_v1_UpdateNetworkResponse } from '../../netspan/v1/UpdateNetworkResponse.js';

/**
 * Networks: create, read, update, delete, usage.
 */
export interface NetworkServiceClient extends grpc.Client {
  CreateNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  createNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  createNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  createNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  createNetwork(argument: _netspan_v1_CreateNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateNetworkResponse>): grpc.ClientUnaryCall;
  
  DeleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _netspan_v1_DeleteNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_DeleteNetworkResponse>): grpc.ClientUnaryCall;
  
  GetNetwork(argument: _netspan_v1_GetNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  GetNetwork(argument: _netspan_v1_GetNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  GetNetwork(argument: _netspan_v1_GetNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  GetNetwork(argument: _netspan_v1_GetNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  getNetwork(argument: _netspan_v1_GetNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  getNetwork(argument: _netspan_v1_GetNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  getNetwork(argument: _netspan_v1_GetNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  getNetwork(argument: _netspan_v1_GetNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetNetworkResponse>): grpc.ClientUnaryCall;
  
  GetNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  GetNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  GetNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  GetNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  getNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  getNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  getNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  getNetworkUsage(argument: _netspan_v1_GetNetworkUsageRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetNetworkUsageResponse>): grpc.ClientUnaryCall;
  
  ListNetworks(argument: _netspan_v1_ListNetworksRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  ListNetworks(argument: _netspan_v1_ListNetworksRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  ListNetworks(argument: _netspan_v1_ListNetworksRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  ListNetworks(argument: _netspan_v1_ListNetworksRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  listNetworks(argument: _netspan_v1_ListNetworksRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  listNetworks(argument: _netspan_v1_ListNetworksRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  listNetworks(argument: _netspan_v1_ListNetworksRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  listNetworks(argument: _netspan_v1_ListNetworksRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListNetworksResponse>): grpc.ClientUnaryCall;
  
  UpdateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  UpdateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  UpdateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  UpdateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  updateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  updateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  updateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  updateNetwork(argument: _netspan_v1_UpdateNetworkRequest__Input, callback: grpc.requestCallback<_netspan_v1_UpdateNetworkResponse>): grpc.ClientUnaryCall;
  
}

/**
 * Networks: create, read, update, delete, usage.
 */
export interface NetworkServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateNetwork: grpc.handleUnaryCall<_netspan_v1_CreateNetworkRequest, _netspan_v1_CreateNetworkResponse__Input>;
  
  DeleteNetwork: grpc.handleUnaryCall<_netspan_v1_DeleteNetworkRequest, _netspan_v1_DeleteNetworkResponse__Input>;
  
  GetNetwork: grpc.handleUnaryCall<_netspan_v1_GetNetworkRequest, _netspan_v1_GetNetworkResponse__Input>;
  
  GetNetworkUsage: grpc.handleUnaryCall<_netspan_v1_GetNetworkUsageRequest, _netspan_v1_GetNetworkUsageResponse__Input>;
  
  ListNetworks: grpc.handleUnaryCall<_netspan_v1_ListNetworksRequest, _netspan_v1_ListNetworksResponse__Input>;
  
  UpdateNetwork: grpc.handleUnaryCall<_netspan_v1_UpdateNetworkRequest, _netspan_v1_UpdateNetworkResponse__Input>;
  
}

export interface NetworkServiceDefinition extends grpc.ServiceDefinition {
  CreateNetwork: MethodDefinition<_netspan_v1_CreateNetworkRequest__Input, _netspan_v1_CreateNetworkResponse__Input, _netspan_v1_CreateNetworkRequest, _netspan_v1_CreateNetworkResponse>
  DeleteNetwork: MethodDefinition<_netspan_v1_DeleteNetworkRequest__Input, _netspan_v1_DeleteNetworkResponse__Input, _netspan_v1_DeleteNetworkRequest, _netspan_v1_DeleteNetworkResponse>
  GetNetwork: MethodDefinition<_netspan_v1_GetNetworkRequest__Input, _netspan_v1_GetNetworkResponse__Input, _netspan_v1_GetNetworkRequest, _netspan_v1_GetNetworkResponse>
  GetNetworkUsage: MethodDefinition<_netspan_v1_GetNetworkUsageRequest__Input, _netspan_v1_GetNetworkUsageResponse__Input, _netspan_v1_GetNetworkUsageRequest, _netspan_v1_GetNetworkUsageResponse>
  ListNetworks: MethodDefinition<_netspan_v1_ListNetworksRequest__Input, _netspan_v1_ListNetworksResponse__Input, _netspan_v1_ListNetworksRequest, _netspan_v1_ListNetworksResponse>
  UpdateNetwork: MethodDefinition<_netspan_v1_UpdateNetworkRequest__Input, _netspan_v1_UpdateNetworkResponse__Input, _netspan_v1_UpdateNetworkRequest, _netspan_v1_UpdateNetworkResponse>
}
