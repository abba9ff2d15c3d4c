// Original file: proto/netspan/v1/network.proto


/**
 * A classless static route (DHCP option 121).
 */
export interface StaticRoute__Input {
  /**
   * CIDR, e.g. "10.20.0.0/16"
   */
  'destination'?: (string);
  /**
   * next hop, dotted quad, inside the network's CIDR
   */
  'gateway'?: (string);
}

/**
 * A classless static route (DHCP option 121).
 */
export interface StaticRoute {
  /**
   * CIDR, e.g. "10.20.0.0/16"
   */
  'destination': (string);
  /**
   * next hop, dotted quad, inside the network's CIDR
   */
  'gateway': (string);
}
