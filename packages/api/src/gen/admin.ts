import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdminServiceClient as _netspan_v1_AdminServiceClient, AdminServiceDefinition as _netspan_v1_AdminServiceDefinition } from './netspan/v1/AdminService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  netspan: {
    v1: {
      AdminService: SubtypeConstructor<typeof grpc.Client, _netspan_v1_AdminServiceClient> & { service: _netspan_v1_AdminServiceDefinition }
      AuditFinding: MessageTypeDefinition
      AuditRequest: MessageTypeDefinition
      AuditResponse: MessageTypeDefinition
      CreateTokenRequest: MessageTypeDefinition
      CreateTokenResponse: MessageTypeDefinition
      Host: MessageTypeDefinition
      JoinToken: MessageTypeDefinition
      ListHostsRequest: MessageTypeDefinition
      ListHostsResponse: MessageTypeDefinition
      ListTokensRequest: MessageTypeDefinition
      ListTokensResponse: MessageTypeDefinition
      RevokeTokenRequest: MessageTypeDefinition
      RevokeTokenResponse: MessageTypeDefinition
    }
  }
}

