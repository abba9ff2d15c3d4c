// Original file: proto/netspan/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Welcome__Input {
  'hostId'?: (string);
  /**
   * registration TTL
   */
  'leaseTtlSeconds'?: (number | string | Long);
  /**
   * replica that holds the session
   */
  'serverId'?: (string);
}

export interface Welcome {
  'hostId': (string);
  /**
   * registration TTL
   */
  'leaseTtlSeconds': (number);
  /**
   * replica that holds the session
   */
  'serverId': (string);
}
