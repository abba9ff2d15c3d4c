// Original file: proto/netspan/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One DHCP packet from a guest, as received on the host's bridge.
 */
export interface RelayRequest__Input {
  /**
   * agent-chosen, echoed in the reply
   */
  'id'?: (number | string | Long);
  /**
   * the bridge's network (checked against the agent's identity)
   */
  'network'?: (string);
  /**
   * the BOOTP/DHCP payload, unmodified
   */
  'packet'?: (Buffer | Uint8Array | string);
  /**
   * IP source of the datagram (0.0.0.0 while the guest has none)
   */
  'srcAddress'?: (string);
  /**
   * bridge/port the packet arrived on, for logs
   */
  'ingress'?: (string);
}

/**
 * One DHCP packet from a guest, as received on the host's bridge.
 */
export interface RelayRequest {
  /**
   * agent-chosen, echoed in the reply
   */
  'id': (number);
  /**
   * the bridge's network (checked against the agent's identity)
   */
  'network': (string);
  /**
   * the BOOTP/DHCP payload, unmodified
   */
  'packet': (Buffer);
  /**
   * IP source of the datagram (0.0.0.0 while the guest has none)
   */
  'srcAddress': (string);
  /**
   * bridge/port the packet arrived on, for logs
   */
  'ingress': (string);
}
