// Original file: proto/netspan/v1/ipam.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A fixed address for a MAC. The address is never given to any other client.
 */
export interface Reservation__Input {
  'network'?: (string);
  /**
   * aa:bb:cc:dd:ee:ff (any case, '-' or ':' accepted on input)
   */
  'mac'?: (string);
  /**
   * inside the CIDR; may lie outside the pools
   */
  'address'?: (string);
  /**
   * optional DNS name for the guest
   */
  'hostname'?: (string);
  'description'?: (string);
  /**
   * output only
   */
  'revision'?: (number | string | Long);
}

/**
 * A fixed address for a MAC. The address is never given to any other client.
 */
export interface Reservation {
  'network': (string);
  /**
   * aa:bb:cc:dd:ee:ff (any case, '-' or ':' accepted on input)
   */
  'mac': (string);
  /**
   * inside the CIDR; may lie outside the pools
   */
  'address': (string);
  /**
   * optional DNS name for the guest
   */
  'hostname': (string);
  'description': (string);
  /**
   * output only
   */
  'revision': (number);
}
