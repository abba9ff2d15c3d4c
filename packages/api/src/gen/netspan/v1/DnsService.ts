// Original file: proto/netspan/v1/dns.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateRecordRequest__Input as _netspan_v1_CreateRecordRequest__Input, CreateRecordRequest as _netspan_v1_CreateRecordRequest } from '../../netspan/v1/CreateRecordRequest.js';
import type { CreateRecordResponse__Input as _netspan_v1_CreateRecordResponse__Input, CreateRecordResponse as _netspan_v1_CreateRecordResponse } from '../../netspan/v1/CreateRecordResponse.js';
import type { DeleteRecordRequest__Input as _netspan_v1_DeleteRecordRequest__Input, DeleteRecordRequest as _netspan_v1_DeleteRecordRequest } from '../../netspan/v1/DeleteRecordRequest.js';
import type { DeleteRecordResponse__Input as _netspan_v1_DeleteRecordResponse__Input, DeleteRecordResponse as _netspan_v1_DeleteRecordResponse } from '../../netspan/v1/DeleteRecordResponse.js';
import type { ListRecordsRequest__Input as _netspan_v1_ListRecordsRequest__Input, ListRecordsRequest as _netspan_v1_ListRecordsRequest } from '../../netspan/v1/ListRecordsRequest.js';
import type { ListRecordsResponse__Input as _netspan_v1_ListRecordsResponse__Input, ListRecordsResponse as _netspan_v1_ListRecordsResponse } from '../../netspan/v1/ListRecordsResponse.js';

export interface DnsServiceClient extends grpc.Client {
  CreateRecord(argument: _netspan_v1_CreateRecordRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  CreateRecord(argument: _netspan_v1_CreateRecordRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  CreateRecord(argument: _netspan_v1_CreateRecordRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  CreateRecord(argument: _netspan_v1_CreateRecordRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  createRecord(argument: _netspan_v1_CreateRecordRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  createRecord(argument: _netspan_v1_CreateRecordRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  createRecord(argument: _netspan_v1_CreateRecordRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  createRecord(argument: _netspan_v1_CreateRecordRequest__Input, callback: grpc.requestCallback<_netspan_v1_CreateRecordResponse>): grpc.ClientUnaryCall;
  
  DeleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  DeleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  DeleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  DeleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  deleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  deleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  deleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  deleteRecord(argument: _netspan_v1_DeleteRecordRequest__Input, callback: grpc.requestCallback<_netspan_v1_DeleteRecordResponse>): grpc.ClientUnaryCall;
  
  ListRecords(argument: _netspan_v1_ListRecordsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  ListRecords(argument: _netspan_v1_ListRecordsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  ListRecords(argument: _netspan_v1_ListRecordsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  ListRecords(argument: _netspan_v1_ListRecordsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  listRecords(argument: _netspan_v1_ListRecordsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  listRecords(argument: _netspan_v1_ListRecordsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  listRecords(argument: _netspan_v1_ListRecordsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  listRecords(argument: _netspan_v1_ListRecordsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListRecordsResponse>): grpc.ClientUnaryCall;
  
}

export interface DnsServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateRecord: grpc.handleUnaryCall<_netspan_v1_CreateRecordRequest, _netspan_v1_CreateRecordResponse__Input>;
  
  DeleteRecord: grpc.handleUnaryCall<_netspan_v1_DeleteRecordRequest, _netspan_v1_DeleteRecordResponse__Input>;
  
  ListRecords: grpc.handleUnaryCall<_netspan_v1_ListRecordsRequest, _netspan_v1_ListRecordsResponse__Input>;
  
}

export interface DnsServiceDefinition extends grpc.ServiceDefinition {
  CreateRecord: MethodDefinition<_netspan_v1_CreateRecordRequest__Input, _netspan_v1_CreateRecordResponse__Input, _netspan_v1_CreateRecordRequest, _netspan_v1_CreateRecordResponse>
  DeleteRecord: MethodDefinition<_netspan_v1_DeleteRecordRequest__Input, _netspan_v1_DeleteRecordResponse__Input, _netspan_v1_DeleteRecordRequest, _netspan_v1_DeleteRecordResponse>
  ListRecords: MethodDefinition<_netspan_v1_ListRecordsRequest__Input, _netspan_v1_ListRecordsResponse__Input, _netspan_v1_ListRecordsRequest, _netspan_v1_ListRecordsResponse>
}
