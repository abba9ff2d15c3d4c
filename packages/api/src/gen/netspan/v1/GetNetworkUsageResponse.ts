// Original file: proto/netspan/v1/network.proto

import type { NetworkUsage__Input as _netspan_v1_NetworkUsage__Input, NetworkUsage as _netspan_v1_NetworkUsage } from '../../netspan/v1/NetworkUsage.js';

export interface GetNetworkUsageResponse__Input {
  'networks'?: (_netspan_v1_NetworkUsage__Input)[];
}

export interface GetNetworkUsageResponse {
  'networks': (_netspan_v1_NetworkUsage)[];
}
