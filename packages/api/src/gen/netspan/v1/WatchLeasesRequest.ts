// Original file: proto/netspan/v1/ipam.proto


export interface WatchLeasesRequest__Input {
  /**
   * empty = every network
   */
  'network'?: (string);
  /**
   * first send every current lease as PUT events
   */
  'initial'?: (boolean);
}

export interface WatchLeasesRequest {
  /**
   * empty = every network
   */
  'network': (string);
  /**
   * first send every current lease as PUT events
   */
  'initial': (boolean);
}
