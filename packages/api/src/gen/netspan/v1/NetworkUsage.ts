// Original file: proto/netspan/v1/network.proto

import type { PoolUsage__Input as _netspan_v1_PoolUsage__Input, PoolUsage as _netspan_v1_PoolUsage } from '../../netspan/v1/PoolUsage.js';

export interface NetworkUsage__Input {
  'network'?: (string);
  'cidr'?: (string);
  /**
   * every lease, inside pools or not (static addresses)
   */
  'leases'?: (number);
  'reservations'?: (number);
  'pools'?: (_netspan_v1_PoolUsage__Input)[];
}

export interface NetworkUsage {
  'network': (string);
  'cidr': (string);
  /**
   * every lease, inside pools or not (static addresses)
   */
  'leases': (number);
  'reservations': (number);
  'pools': (_netspan_v1_PoolUsage)[];
}
