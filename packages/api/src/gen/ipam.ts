import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { IpamServiceClient as _netspan_v1_IpamServiceClient, IpamServiceDefinition as _netspan_v1_IpamServiceDefinition } from './netspan/v1/IpamService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  netspan: {
    v1: {
      AddReservationRequest: MessageTypeDefinition
      AddReservationResponse: MessageTypeDefinition
      AllocateError: MessageTypeDefinition
      AllocateRequest: MessageTypeDefinition
      AllocateResponse: MessageTypeDefinition
      AllocateStreamRequest: MessageTypeDefinition
      AllocateStreamResponse: MessageTypeDefinition
      GetLeaseRequest: MessageTypeDefinition
      GetLeaseResponse: MessageTypeDefinition
      IpamService: SubtypeConstructor<typeof grpc.Client, _netspan_v1_IpamServiceClient> & { service: _netspan_v1_IpamServiceDefinition }
      Lease: MessageTypeDefinition
      LeaseEvent: MessageTypeDefinition
      LeaseState: EnumTypeDefinition
      ListLeasesRequest: MessageTypeDefinition
      ListLeasesResponse: MessageTypeDefinition
      ListReservationsRequest: MessageTypeDefinition
      ListReservationsResponse: MessageTypeDefinition
      Location: MessageTypeDefinition
      ReleaseRequest: MessageTypeDefinition
      ReleaseResponse: MessageTypeDefinition
      RemoveReservationRequest: MessageTypeDefinition
      RemoveReservationResponse: MessageTypeDefinition
      Reservation: MessageTypeDefinition
      WatchLeasesRequest: MessageTypeDefinition
    }
  }
}

