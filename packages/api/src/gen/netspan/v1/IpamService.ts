// Original file: proto/netspan/v1/ipam.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddReservationRequest__Input as _netspan_v1_AddReservationRequest__Input, AddReservationRequest as _netspan_v1_AddReservationRequest } from '../../netspan/v1/AddReservationRequest.js';
import type { AddReservationResponse__Input as _netspan_v1_AddReservationResponse__Input, AddReservationResponse as _netspan_v1_AddReservationResponse } from '../../netspan/v1/AddReservationResponse.js';
import type { AllocateRequest__Input as _netspan_v1_AllocateRequest__Input, AllocateRequest as _netspan_v1_AllocateRequest } from '../../netspan/v1/AllocateRequest.js';
import type { AllocateResponse__Input as _netspan_v1_AllocateResponse__Input, AllocateResponse as _netspan_v1_AllocateResponse } from '../../netspan/v1/AllocateResponse.js';
import type { AllocateStreamRequest__Input as _netspan_v1_AllocateStreamRequest__Input, AllocateStreamRequest as _netspan_v1_AllocateStreamRequest } from '../../netspan/v1/AllocateStreamRequest.js';
import type { AllocateStreamResponse__Input as _netspan_v1_AllocateStreamResponse__Input, AllocateStreamResponse as _netspan_v1_AllocateStreamResponse } from '../../netspan/v1/AllocateStreamResponse.js';
import type { GetLeaseRequest__Input as _netspan_v1_GetLeaseRequest__Input, GetLeaseRequest as _netspan_v1_GetLeaseRequest } from '../../netspan/v1/GetLeaseRequest.js';
import type { GetLeaseResponse__Input as _netspan_v1_GetLeaseResponse__Input, GetLeaseResponse as _netspan_v1_GetLeaseResponse } from '../../netspan/v1/GetLeaseResponse.js';
import type { LeaseEvent__Input as _netspan_v1_LeaseEvent__Input, LeaseEvent as _netspan_v1_LeaseEvent } from '../../netspan/v1/LeaseEvent.js';
import type { ListLeasesRequest__Input as _netspan_v1_ListLeasesRequest__Input, ListLeasesRequest as _netspan_v1_ListLeasesRequest } from '../../netspan/v1/ListLeasesRequest.js';
import type { ListLeasesResponse__Input as _netspan_v1_ListLeasesResponse__Input, ListLeasesResponse as _netspan_v1_ListLeasesResponse } from '../../netspan/v1/ListLeasesResponse.js';
import type { ListReservationsRequest__Input as _netspan_v1_ListReservationsRequest__Input, ListReservationsRequest as _netspan_v1_ListReservationsRequest } from '../../netspan/v1/ListReservationsRequest.js';
import type { ListReservationsResponse__Input as _netspan_v1_ListReservationsResponse__Input, ListReservationsResponse as _netspan_v1_ListReservationsResponse } from '../../netspan/v1/ListReservationsResponse.js';
import type { ReleaseRequest__Input as _netspan_v1_ReleaseRequest__Input, ReleaseRequest as _netspan_v1_ReleaseRequest } from '../../netspan/v1/ReleaseRequest.js';
import type { ReleaseResponse__Input as _netspan_v1_ReleaseResponse__Input, ReleaseResponse as _netspan_v1_ReleaseResponse } from '../../netspan/v1/ReleaseResponse.js';
import type { RemoveReservationRequest__Input as _netspan_v1_RemoveReservationRequest__Input, RemoveReservationRequest as _netspan_v1_RemoveReservationRequest } from '../../netspan/v1/RemoveReservationRequest.js';
import type { RemoveReservationResponse__Input as _netspan_v1_RemoveReservationResponse__Input, RemoveReservationResponse as _netspan_v1_RemoveReservationResponse } from '../../netspan/v1/RemoveReservationResponse.js';
import type { WatchLeasesRequest__Input as _netspan_v1_WatchLeasesRequest__Input, WatchLeasesRequest as _netspan_v1_WatchLeasesRequest } from '../../netspan/v1/WatchLeasesRequest.js';

export interface IpamServiceClient extends grpc.Client {
  AddReservation(argument: _netspan_v1_AddReservationRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  AddReservation(argument: _netspan_v1_AddReservationRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  AddReservation(argument: _netspan_v1_AddReservationRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  AddReservation(argument: _netspan_v1_AddReservationRequest__Input, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  addReservation(argument: _netspan_v1_AddReservationRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  addReservation(argument: _netspan_v1_AddReservationRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  addReservation(argument: _netspan_v1_AddReservationRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  addReservation(argument: _netspan_v1_AddReservationRequest__Input, callback: grpc.requestCallback<_netspan_v1_AddReservationResponse>): grpc.ClientUnaryCall;
  
  Allocate(argument: _netspan_v1_AllocateRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  Allocate(argument: _netspan_v1_AllocateRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  Allocate(argument: _netspan_v1_AllocateRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  Allocate(argument: _netspan_v1_AllocateRequest__Input, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  allocate(argument: _netspan_v1_AllocateRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  allocate(argument: _netspan_v1_AllocateRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  allocate(argument: _netspan_v1_AllocateRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  allocate(argument: _netspan_v1_AllocateRequest__Input, callback: grpc.requestCallback<_netspan_v1_AllocateResponse>): grpc.ClientUnaryCall;
  
  /**
   * Many allocations over one stream, any number in flight, answered by id: for clients that
   * allocate at high rates (agents, orchestrators), it saves the per-call cost of unary RPCs.
   * Each allocation has exactly the semantics of Allocate.
   */
  AllocateStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AllocateStreamRequest__Input, _netspan_v1_AllocateStreamResponse>;
  AllocateStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AllocateStreamRequest__Input, _netspan_v1_AllocateStreamResponse>;
  /**
   * Many allocations over one stream, any number in flight, answered by id: for clients that
   * allocate at high rates (agents, orchestrators), it saves the per-call cost of unary RPCs.
   * Each allocation has exactly the semantics of Allocate.
   */
  allocateStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AllocateStreamRequest__Input, _netspan_v1_AllocateStreamResponse>;
  allocateStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AllocateStreamRequest__Input, _netspan_v1_AllocateStreamResponse>;
  
  GetLease(argument: _netspan_v1_GetLeaseRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  GetLease(argument: _netspan_v1_GetLeaseRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  GetLease(argument: _netspan_v1_GetLeaseRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  GetLease(argument: _netspan_v1_GetLeaseRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  getLease(argument: _netspan_v1_GetLeaseRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  getLease(argument: _netspan_v1_GetLeaseRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  getLease(argument: _netspan_v1_GetLeaseRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  getLease(argument: _netspan_v1_GetLeaseRequest__Input, callback: grpc.requestCallback<_netspan_v1_GetLeaseResponse>): grpc.ClientUnaryCall;
  
  ListLeases(argument: _netspan_v1_ListLeasesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  ListLeases(argument: _netspan_v1_ListLeasesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  ListLeases(argument: _netspan_v1_ListLeasesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  ListLeases(argument: _netspan_v1_ListLeasesRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  listLeases(argument: _netspan_v1_ListLeasesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  listLeases(argument: _netspan_v1_ListLeasesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  listLeases(argument: _netspan_v1_ListLeasesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  listLeases(argument: _netspan_v1_ListLeasesRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListLeasesResponse>): grpc.ClientUnaryCall;
  
  ListReservations(argument: _netspan_v1_ListReservationsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  ListReservations(argument: _netspan_v1_ListReservationsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  ListReservations(argument: _netspan_v1_ListReservationsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  ListReservations(argument: _netspan_v1_ListReservationsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  listReservations(argument: _netspan_v1_ListReservationsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  listReservations(argument: _netspan_v1_ListReservationsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  listReservations(argument: _netspan_v1_ListReservationsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  listReservations(argument: _netspan_v1_ListReservationsRequest__Input, callback: grpc.requestCallback<_netspan_v1_ListReservationsResponse>): grpc.ClientUnaryCall;
  
  Release(argument: _netspan_v1_ReleaseRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  Release(argument: _netspan_v1_ReleaseRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  Release(argument: _netspan_v1_ReleaseRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  Release(argument: _netspan_v1_ReleaseRequest__Input, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  release(argument: _netspan_v1_ReleaseRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  release(argument: _netspan_v1_ReleaseRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  release(argument: _netspan_v1_ReleaseRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  release(argument: _netspan_v1_ReleaseRequest__Input, callback: grpc.requestCallback<_netspan_v1_ReleaseResponse>): grpc.ClientUnaryCall;
  
  RemoveReservation(argument: _netspan_v1_RemoveReservationRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  RemoveReservation(argument: _netspan_v1_RemoveReservationRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  RemoveReservation(argument: _netspan_v1_RemoveReservationRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  RemoveReservation(argument: _netspan_v1_RemoveReservationRequest__Input, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  removeReservation(argument: _netspan_v1_RemoveReservationRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  removeReservation(argument: _netspan_v1_RemoveReservationRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  removeReservation(argument: _netspan_v1_RemoveReservationRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  removeReservation(argument: _netspan_v1_RemoveReservationRequest__Input, callback: grpc.requestCallback<_netspan_v1_RemoveReservationResponse>): grpc.ClientUnaryCall;
  
  /**
   * Live stream of lease changes (used by `netspanctl lease watch`).
   */
  WatchLeases(argument: _netspan_v1_WatchLeasesRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_netspan_v1_LeaseEvent>;
  WatchLeases(argument: _netspan_v1_WatchLeasesRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_netspan_v1_LeaseEvent>;
  /**
   * Live stream of lease changes (used by `netspanctl lease watch`).
   */
  watchLeases(argument: _netspan_v1_WatchLeasesRequest__Input, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_netspan_v1_LeaseEvent>;
  watchLeases(argument: _netspan_v1_WatchLeasesRequest__Input, options?: grpc.CallOptions): grpc.ClientReadableStream<_netspan_v1_LeaseEvent>;
  
}

export interface IpamServiceHandlers extends grpc.UntypedServiceImplementation {
  AddReservation: grpc.handleUnaryCall<_netspan_v1_AddReservationRequest, _netspan_v1_AddReservationResponse__Input>;
  
  Allocate: grpc.handleUnaryCall<_netspan_v1_AllocateRequest, _netspan_v1_AllocateResponse__Input>;
  
  /**
   * Many allocations over one stream, any number in flight, answered by id: for clients that
   * allocate at high rates (agents, orchestrators), it saves the per-call cost of unary RPCs.
   * Each allocation has exactly the semantics of Allocate.
   */
  AllocateStream: grpc.handleBidiStreamingCall<_netspan_v1_AllocateStreamRequest, _netspan_v1_AllocateStreamResponse__Input>;
  
  GetLease: grpc.handleUnaryCall<_netspan_v1_GetLeaseRequest, _netspan_v1_GetLeaseResponse__Input>;
  
  ListLeases: grpc.handleUnaryCall<_netspan_v1_ListLeasesRequest, _netspan_v1_ListLeasesResponse__Input>;
  
  ListReservations: grpc.handleUnaryCall<_netspan_v1_ListReservationsRequest, _netspan_v1_ListReservationsResponse__Input>;
  
  Release: grpc.handleUnaryCall<_netspan_v1_ReleaseRequest, _netspan_v1_ReleaseResponse__Input>;
  
  RemoveReservation: grpc.handleUnaryCall<_netspan_v1_RemoveReservationRequest, _netspan_v1_RemoveReservationResponse__Input>;
  
  /**
   * Live stream of lease changes (used by `netspanctl lease watch`).
   */
  WatchLeases: grpc.handleServerStreamingCall<_netspan_v1_WatchLeasesRequest, _netspan_v1_LeaseEvent__Input>;
  
}

export interface IpamServiceDefinition extends grpc.ServiceDefinition {
  AddReservation: MethodDefinition<_netspan_v1_AddReservationRequest__Input, _netspan_v1_AddReservationResponse__Input, _netspan_v1_AddReservationRequest, _netspan_v1_AddReservationResponse>
  Allocate: MethodDefinition<_netspan_v1_AllocateRequest__Input, _netspan_v1_AllocateResponse__Input, _netspan_v1_AllocateRequest, _netspan_v1_AllocateResponse>
  AllocateStream: MethodDefinition<_netspan_v1_AllocateStreamRequest__Input, _netspan_v1_AllocateStreamResponse__Input, _netspan_v1_AllocateStreamRequest, _netspan_v1_AllocateStreamResponse>
  GetLease: MethodDefinition<_netspan_v1_GetLeaseRequest__Input, _netspan_v1_GetLeaseResponse__Input, _netspan_v1_GetLeaseRequest, _netspan_v1_GetLeaseResponse>
  ListLeases: MethodDefinition<_netspan_v1_ListLeasesRequest__Input, _netspan_v1_ListLeasesResponse__Input, _netspan_v1_ListLeasesRequest, _netspan_v1_ListLeasesResponse>
  ListReservations: MethodDefinition<_netspan_v1_ListReservationsRequest__Input, _netspan_v1_ListReservationsResponse__Input, _netspan_v1_ListReservationsRequest, _netspan_v1_ListReservationsResponse>
  Release: MethodDefinition<_netspan_v1_ReleaseRequest__Input, _netspan_v1_ReleaseResponse__Input, _netspan_v1_ReleaseRequest, _netspan_v1_ReleaseResponse>
  RemoveReservation: MethodDefinition<_netspan_v1_RemoveReservationRequest__Input, _netspan_v1_RemoveReservationResponse__Input, _netspan_v1_RemoveReservationRequest, _netspan_v1_RemoveReservationResponse>
  WatchLeases: MethodDefinition<_netspan_v1_WatchLeasesRequest__Input, _netspan_v1_LeaseEvent__Input, _netspan_v1_WatchLeasesRequest, _netspan_v1_LeaseEvent>
}
