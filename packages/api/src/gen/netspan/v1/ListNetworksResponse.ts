// Original file: proto/netspan/v1/network.proto

import type { Network__Input as _netspan_v1_Network__Input, Network as _netspan_v1_Network } from '../../netspan/v1/Network.js';

export interface ListNetworksResponse__Input {
  /**
   * sorted by name
   */
  'networks'?: (_netspan_v1_Network__Input)[];
}

export interface ListNetworksResponse {
  /**
   * sorted by name
   */
  'networks': (_netspan_v1_Network)[];
}
