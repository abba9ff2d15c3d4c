// Original file: proto/netspan/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage__Input as _netspan_v1_AgentMessage__Input, AgentMessage as _netspan_v1_AgentMessage } from '../../netspan/v1/AgentMessage.js';
import type { ControlMessage__Input as _netspan_v1_ControlMessage__Input, ControlMessage as _netspan_v1_ControlMessage } from '../../netspan/v1/ControlMessage.js';
import type { RelayReply__Input as _netspan_v1_RelayReply__Input, RelayReply as _netspan_v1_RelayReply } from '../../netspan/v1/RelayReply.js';
import type { RelayRequest__Input as _netspan_v1_RelayRequest__Input, RelayRequest as _netspan_v1_RelayRequest } from '../../netspan/v1/RelayRequest.js';

export interface AgentServiceClient extends grpc.Client {
  /**
   * DHCP relay: any number of packets in flight, replies matched by id. The stream's
   * host is the one authenticated on the Session.
   */
  Relay(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_RelayRequest__Input, _netspan_v1_RelayReply>;
  Relay(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_RelayRequest__Input, _netspan_v1_RelayReply>;
  /**
   * DHCP relay: any number of packets in flight, replies matched by id. The stream's
   * host is the one authenticated on the Session.
   */
  relay(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_RelayRequest__Input, _netspan_v1_RelayReply>;
  relay(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_RelayRequest__Input, _netspan_v1_RelayReply>;
  
  /**
   * Registration and desired state. The agent sends AgentHello first, then heartbeats
   * and reports; the server answers Welcome, then a DesiredState whenever it changes.
   */
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AgentMessage__Input, _netspan_v1_ControlMessage>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AgentMessage__Input, _netspan_v1_ControlMessage>;
  /**
   * Registration and desired state. The agent sends AgentHello first, then heartbeats
   * and reports; the server answers Welcome, then a DesiredState whenever it changes.
   */
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AgentMessage__Input, _netspan_v1_ControlMessage>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_netspan_v1_AgentMessage__Input, _netspan_v1_ControlMessage>;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * DHCP relay: any number of packets in flight, replies matched by id. The stream's
   * host is the one authenticated on the Session.
   */
  Relay: grpc.handleBidiStreamingCall<_netspan_v1_RelayRequest, _netspan_v1_RelayReply__Input>;
  
  /**
   * Registration and desired state. The agent sends AgentHello first, then heartbeats
   * and reports; the server answers Welcome, then a DesiredState whenever it changes.
   */
  Session: grpc.handleBidiStreamingCall<_netspan_v1_AgentMessage, _netspan_v1_ControlMessage__Input>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Relay: MethodDefinition<_netspan_v1_RelayRequest__Input, _netspan_v1_RelayReply__Input, _netspan_v1_RelayRequest, _netspan_v1_RelayReply>
  Session: MethodDefinition<_netspan_v1_AgentMessage__Input, _netspan_v1_ControlMessage__Input, _netspan_v1_AgentMessage, _netspan_v1_ControlMessage>
}
