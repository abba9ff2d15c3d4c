// Original file: proto/netspan/v1/network.proto

import type { Network__Input as _netspan_v1_Network__Input, Network as _netspan_v1_Network } from '../../netspan/v1/Network.js';
import type { Long } from '@grpc/proto-loader';

export interface UpdateNetworkRequest__Input {
  /**
   * The full new definition. name, cidr and vni (when 0 here: keep) cannot change.
   */
  'network'?: (_netspan_v1_Network__Input | null);
  /**
   * Paths of fields to take from `network` (e.g. "pools", "dhcp_options.mtu",
   * "lease_time_seconds"); empty = every mutable field.
   */
  'updateMask'?: (string)[];
  /**
   * When non-zero, the update applies only if the stored revision still equals it.
   */
  'expectedRevision'?: (number | string | Long);
}

export interface UpdateNetworkRequest {
  /**
   * The full new definition. name, cidr and vni (when 0 here: keep) cannot change.
   */
  'network': (_netspan_v1_Network | null);
  /**
   * Paths of fields to take from `network` (e.g. "pools", "dhcp_options.mtu",
   * "lease_time_seconds"); empty = every mutable field.
   */
  'updateMask': (string)[];
  /**
   * When non-zero, the update applies only if the stored revision still equals it.
   */
  'expectedRevision': (number);
}
