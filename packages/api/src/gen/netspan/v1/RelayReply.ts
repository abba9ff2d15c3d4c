// Original file: proto/netspan/v1/agent.proto

import type { Delivery__Input as _netspan_v1_Delivery__Input, Delivery as _netspan_v1_Delivery } from '../../netspan/v1/Delivery.js';
import type { Long } from '@grpc/proto-loader';

export interface RelayReply__Input {
  'id'?: (number | string | Long);
  /**
   * empty when delivery is DROP
   */
  'packet'?: (Buffer | Uint8Array | string);
  'delivery'?: (_netspan_v1_Delivery__Input);
  /**
   * for UNICAST
   */
  'dstAddress'?: (string);
  /**
   * client hardware address for the ethernet header
   */
  'dstMac'?: (string);
}

export interface RelayReply {
  'id': (number);
  /**
   * empty when delivery is DROP
   */
  'packet': (Buffer);
  'delivery': (_netspan_v1_Delivery);
  /**
   * for UNICAST
   */
  'dstAddress': (string);
  /**
   * client hardware address for the ethernet header
   */
  'dstMac': (string);
}
