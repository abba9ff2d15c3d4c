// Original file: proto/netspan/v1/ipam.proto


export interface ReleaseRequest__Input {
  'network'?: (string);
  /**
   * the address to release; empty = whatever client_id holds
   */
  'address'?: (string);
  /**
   * must be the holder (required unless force)
   */
  'clientId'?: (string);
  /**
   * operator override: release whoever holds it
   */
  'force'?: (boolean);
}

export interface ReleaseRequest {
  'network': (string);
  /**
   * the address to release; empty = whatever client_id holds
   */
  'address': (string);
  /**
   * must be the holder (required unless force)
   */
  'clientId': (string);
  /**
   * operator override: release whoever holds it
   */
  'force': (boolean);
}
