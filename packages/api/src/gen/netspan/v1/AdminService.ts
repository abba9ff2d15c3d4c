// Original file: proto/netspan/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AuditRequest__Input as _netspan_v1_AuditRequest__Input, AuditRequest as _netspan_v1_AuditRequest } from '../../netspan/v1/AuditRequest.js';
import type { AuditResponse__Input as _netspan_v1_AuditResponse__Input, AuditResponse as _netspan_v1_AuditResponse } from '../../netspan/v1/AuditResponse.js';
import type { CreateTokenRequest__Input as _netspan_v1_CreateTokenRequest__Input, CreateTokenRequest as _netspan_v1_CreateTokenRequest } from '../../netspan/v1/CreateTokenRequest.js';
import type { CreateTokenResponse__Input as _netspan_v1_CreateTokenResponse__Input, CreateTokenResponse as _netspan_v1_CreateTokenResponse } from '../../netspan/v1/CreateTokenResponse.js';
import type { ListHostsRequest__Input as _netspan_v1_ListHostsRequest__Input, ListHostsRequest as _netspan_v1_ListHostsRequest } from '../../netspan/v1/ListHostsRequest.js';
import type { ListHostsResponse__Input as _netspan_v1_ListHostsResponse__Input, ListHostsResponse as _netspan_v1_ListHostsResponse } from '../../netspan/v1/ListHostsResponse.js';
import type { ListTokensRequest__Input as _netspan_v1_ListTokensRequest__Input, ListTokensRequest as _netspan_v1_ListTokensRequest } from '../../netspan/v1/ListTokensRequest.js';
import type { ListTokensResponse__Input as _netspan_v1_ListTokensResponse__Input, ListTokensResponse as _netspan_v1_ListTokensResponse } from '../../netspan/v1/ListTokensResponse.js';
import type { RevokeTokenRequest__Input as _netspan_v1_RevokeTokenRequest__Input, RevokeTokenRequest as _netspan_v1_RevokeTokenRequest } from '../../netspan/v1/RevokeTokenRequest.js';
import type { RevokeTokenResponse__Input as _netspan_v1_RevokeTokenResponse__Input, RevokeTokenResponse as _netspan_v1_RevokeTokenResponse } from '../../netspan/v1/RevokeTokenResponse.js';

export interface AdminServiceClient extends grpc.Client {
  Audit(argument: _netspan_v1_AuditRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  Audit(argument: _netspan_v1_AuditRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  Audit(argument: _netspan_v1_AuditRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  Audit(argument: _netspan_v1_AuditRequest__Input, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  audit(argument: _netspan_v1_AuditRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  audit(argument: _netspan_v1_AuditRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  audit(argument: _netspan_v1_AuditRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  audit(argument: _netspan_v1_AuditRequest__Input, callback: grpc.requestCallback<_netspan_v1_AuditResponse>): grpc.ClientUnaryCall;
  
  CreateToken(argument: _netspan_v1_CreateTokenRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  CreateToken(argument: _netspan_v1_CreateTokenRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  CreateToken(argument: _netspan_v1_CreateTokenRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  CreateToken(argument: _netspan_v1_CreateTokenRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  createToken(argument: _netspan_v1_CreateTokenRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  createToken(argument: _netspan_v1_CreateTokenRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  createToken(argument: _netspan_v1_CreateTokenRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  createToken(argument: _netspan_v1_CreateTokenRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateTokenResponse>): grpc.ClientUnaryCall;
  
  ListHosts(argument: _netspan_v1_ListHostsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  ListHosts(argument: _netspan_v1_ListHostsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  ListHosts(argument: _netspan_v1_ListHostsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  ListHosts(argument: _netspan_v1_ListHostsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  listHosts(argument: _netspan_v1_ListHostsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  listHosts(argument: _netspan_v1_ListHostsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  listHosts(argument: _netspan_v1_ListHostsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  listHosts(argument: _netspan_v1_ListHostsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListHostsResponse>): grpc.ClientUnaryCall;
  
  ListTokens(argument: _netspan_v1_ListTokensRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  ListTokens(argument: _netspan_v1_ListTokensRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  ListTokens(argument: _netspan_v1_ListTokensRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  ListTokens(argument: _netspan_v1_ListTokensRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  listTokens(argument: _netspan_v1_ListTokensRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  listTokens(argument: _netspan_v1_ListTokensRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  listTokens(argument: _netspan_v1_ListTokensRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  listTokens(argument: _netspan_v1_ListTokensRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListTokensResponse>): grpc.ClientUnaryCall;
  
  RevokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  RevokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  RevokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  RevokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  revokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  revokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  revokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  revokeToken(argument: _netspan_v1_RevokeTokenRequest__Input, callback: grpc.requestCallback<_netspan_v1_RevokeTokenResponse>): grpc.ClientUnaryCall;
  
}

export interface AdminServiceHandlers extends grpc.UntypedServiceImplementation {
  Audit: grpc.handleUnaryCall<_netspan_v1_AuditRequest, _netspan_v1_AuditResponse__Input>;
  
  CreateToken: grpc.handleUnaryCall<_netspan_v1_CreateTokenRequest, _netspan_v1_CreateTokenResponse__Input>;
  
  ListHosts: grpc.handleUnaryCall<_netspan_v1_ListHostsRequest, _netspan_v1_ListHostsResponse__Input>;
  
  ListTokens: grpc.handleUnaryCall<_netspan_v1_ListTokensRequest, _netspan_v1_ListTokensResponse__Input>;
  
  RevokeToken: grpc.handleUnaryCall<_netspan_v1_RevokeTokenRequest, _netspan_v1_RevokeTokenResponse__Input>;
  
}

export interface AdminServiceDefinition extends grpc.ServiceDefinition {
  Audit: MethodDefinition<_netspan_v1_AuditRequest__Input, _netspan_v1_AuditResponse__Input, _netspan_v1_AuditRequest, _netspan_v1_AuditResponse>
  CreateToken: MethodDefinition<_netspan_v1_CreateTokenRequest__Input, _netspan_v1_CreateTokenResponse__Input, _netspan_v1_CreateTokenRequest, _netspan_v1_CreateTokenResponse>
  ListHosts: MethodDefinition<_netspan_v1_ListHostsRequest__Input, _netspan_v1_ListHostsResponse__Input, _netspan_v1_ListHostsRequest, _netspan_v1_ListHostsResponse>
  ListTokens: MethodDefinition<_netspan_v1_ListTokensRequest__Input, _netspan_v1_ListTokensResponse__Input, _netspan_v1_ListTokensRequest, _netspan_v1_ListTokensResponse>
  RevokeToken: MethodDefinition<_netspan_v1_RevokeTokenRequest__Input, _netspan_v1_RevokeTokenResponse__Input, _netspan_v1_RevokeTokenRequest, _netspan_v1_RevokeTokenResponse>
}
