// Original file: proto/netspan/v1/network.proto


/**
 * An inclusive range of IPv4 addresses handed out by DHCP and by Allocate.
 */
export interface Pool__Input {
  /**
   * optional label, unique in the network; defaults to "pool<index>"
   */
  'name'?: (string);
  /**
   * first address, dotted quad, inside the CIDR
   */
  'start'?: (string);
  /**
   * last address, dotted quad, inside the CIDR, >= start
   */
  'end'?: (string);
}

/**
 * An inclusive range of IPv4 addresses handed out by DHCP and by Allocate.
 */
export interface Pool {
  /**
   * optional label, unique in the network; defaults to "pool<index>"
   */
  'name': (string);
  /**
   * first address, dotted quad, inside the CIDR
   */
  'start': (string);
  /**
   * last address, dotted quad, inside the CIDR, >= start
   */
  'end': (string);
}
