import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentServiceClient as _netspan_v1_AgentServiceClient, AgentServiceDefinition as _netspan_v1_AgentServiceDefinition } from './netspan/v1/AgentService.js';
import type { NetworkServiceClient as _netspan_v1_NetworkServiceClient, NetworkServiceDefinition as _netspan_v1_NetworkServiceDefinition } from './netspan/v1/NetworkService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  netspan: {
    v1: {
      AddressRange: MessageTypeDefinition
      AgentHello: MessageTypeDefinition
      AgentMessage: MessageTypeDefinition
      AgentService: SubtypeConstructor<typeof grpc.Client, _netspan_v1_AgentServiceClient> & { service: _netspan_v1_AgentServiceDefinition }
      ControlMessage: MessageTypeDefinition
      CreateNetworkRequest: MessageTypeDefinition
      CreateNetworkResponse: MessageTypeDefinition
      DeleteNetworkRequest: MessageTypeDefinition
      DeleteNetworkResponse: MessageTypeDefinition
      Delivery: EnumTypeDefinition
      DesiredState: MessageTypeDefinition
      DhcpOptions: MessageTypeDefinition
      Encapsulation: EnumTypeDefinition
      ForwardMode: EnumTypeDefinition
      GetNetworkRequest: MessageTypeDefinition
      GetNetworkResponse: MessageTypeDefinition
      GetNetworkUsageRequest: MessageTypeDefinition
      GetNetworkUsageResponse: MessageTypeDefinition
      GuestLocation: MessageTypeDefinition
      Heartbeat: MessageTypeDefinition
      ListNetworksRequest: MessageTypeDefinition
      ListNetworksResponse: MessageTypeDefinition
      Network: MessageTypeDefinition
      /**
       * Networks: create, read, update, delete, usage.
       */
      NetworkService: SubtypeConstructor<typeof grpc.Client, _netspan_v1_NetworkServiceClient> & { service: _netspan_v1_NetworkServiceDefinition }
      NetworkUsage: MessageTypeDefinition
      ObservedNetwork: MessageTypeDefinition
      Peer: MessageTypeDefinition
      PlumbingReport: MessageTypeDefinition
      Pool: MessageTypeDefinition
      PoolUsage: MessageTypeDefinition
      RelayReply: MessageTypeDefinition
      RelayRequest: MessageTypeDefinition
      StaticRoute: MessageTypeDefinition
      UpdateNetworkRequest: MessageTypeDefinition
      UpdateNetworkResponse: MessageTypeDefinition
      Welcome: MessageTypeDefinition
    }
  }
}

