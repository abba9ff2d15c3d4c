// Original file: proto/netspan/v1/network.proto

import type { Network__Input as _netspan_v1_Network__Input, Network as _netspan_v1_Network } from '../../netspan/v1/Network.js';

export interface UpdateNetworkResponse__Input {
  'network'?: (_netspan_v1_Network__Input | null);
}

export interface UpdateNetworkResponse {
  'network': (_netspan_v1_Network | null);
}
