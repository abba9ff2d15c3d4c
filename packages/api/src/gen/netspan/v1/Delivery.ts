// Original file: proto/netspan/v1/agent.proto

/**
 * How a reply must leave the bridge.
 */
export const Delivery = {
  DELIVERY_UNSPECIFIED: 'DELIVERY_UNSPECIFIED',
  /**
   * to 255.255.255.255:68, ethernet broadcast
   */
  DELIVERY_BROADCAST: 'DELIVERY_BROADCAST',
  /**
   * to dst_address:68 (client has the address)
   */
  DELIVERY_UNICAST: 'DELIVERY_UNICAST',
  /**
   * no reply (RFC 2131 silence); counted
   */
  DELIVERY_DROP: 'DELIVERY_DROP',
} as const;

/**
 * How a reply must leave the bridge.
 */
export type Delivery__Input =
  | 'DELIVERY_UNSPECIFIED'
  | 0
  /**
   * to 255.255.255.255:68, ethernet broadcast
   */
  | 'DELIVERY_BROADCAST'
  | 1
  /**
   * to dst_address:68 (client has the address)
   */
  | 'DELIVERY_UNICAST'
  | 2
  /**
   * no reply (RFC 2131 silence); counted
   */
  | 'DELIVERY_DROP'
  | 3

/**
 * How a reply must leave the bridge.
 */
export type Delivery = typeof Delivery[keyof typeof Delivery]
