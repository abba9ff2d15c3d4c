// Original file: proto/netspan/v1/network.proto


export interface GetNetworkUsageRequest__Input {
  /**
   * empty = every network
   */
  'name'?: (string);
}

export interface GetNetworkUsageRequest {
  /**
   * empty = every network
   */
  'name': (string);
}
