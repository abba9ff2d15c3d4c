// Original file: proto/netspan/v1/network.proto

/**
 * How the network reaches outside its own L2 segment (libvirt's forward modes).
 */
export const ForwardMode = {
  /**
   * treated as ISOLATED
   */
  FORWARD_MODE_UNSPECIFIED: 'FORWARD_MODE_UNSPECIFIED',
  /**
   * pure L2: guests reach only each other
   */
  FORWARD_MODE_ISOLATED: 'FORWARD_MODE_ISOLATED',
  /**
   * distributed gateway on every host, routed to the host's uplink
   */
  FORWARD_MODE_ROUTE: 'FORWARD_MODE_ROUTE',
  /**
   * distributed gateway plus source NAT on every host
   */
  FORWARD_MODE_NAT: 'FORWARD_MODE_NAT',
} as const;

/**
 * How the network reaches outside its own L2 segment (libvirt's forward modes).
 */
export type ForwardMode__Input =
  /**
   * treated as ISOLATED
   */
  | 'FORWARD_MODE_UNSPECIFIED'
  | 0
  /**
   * pure L2: guests reach only each other
   */
  | 'FORWARD_MODE_ISOLATED'
  | 1
  /**
   * distributed gateway on every host, routed to the host's uplink
   */
  | 'FORWARD_MODE_ROUTE'
  | 2
  /**
   * distributed gateway plus source NAT on every host
   */
  | 'FORWARD_MODE_NAT'
  | 3

/**
 * How the network reaches outside its own L2 segment (libvirt's forward modes).
 */
export type ForwardMode = typeof ForwardMode[keyof typeof ForwardMode]
