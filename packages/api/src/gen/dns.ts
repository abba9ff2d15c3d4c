import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { DnsServiceClient as _netspan_v1_DnsServiceClient, DnsServiceDefinition as _netspan_v1_DnsServiceDefinition } from './netspan/v1/DnsService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  netspan: {
    v1: {
      CreateRecordRequest: MessageTypeDefinition
      CreateRecordResponse: MessageTypeDefinition
      DeleteRecordRequest: MessageTypeDefinition
      DeleteRecordResponse: MessageTypeDefinition
      DnsService: SubtypeConstructor<typeof grpc.Client, _netspan_v1_DnsServiceClient> & { service: _netspan_v1_DnsServiceDefinition }
      ListRecordsRequest: MessageTypeDefinition
      ListRecordsResponse: MessageTypeDefinition
      Record: MessageTypeDefinition
      RecordType: EnumTypeDefinition
    }
  }
}

