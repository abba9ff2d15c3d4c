// Original file: proto/netspan/v1/network.proto

import type { Network__Input as _netspan_v1_Network__Input, Network as _netspan_v1_Network } from '../../netspan/v1/Network.js';

export interface CreateNetworkResponse__Input {
  /**
   * as stored, with defaults and the allocated VNI filled in
   */
  'network'?: (_netspan_v1_Network__Input | null);
}

export interface CreateNetworkResponse {
  /**
   * as stored, with defaults and the allocated VNI filled in
   */
  'network': (_netspan_v1_Network | null);
}
