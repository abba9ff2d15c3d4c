// Original file: proto/netspan/v1/network.proto


/**
 * Address usage of one pool.
 */
export interface PoolUsage__Input {
  'name'?: (string);
  'start'?: (string);
  'end'?: (string);
  /**
   * addresses the pool can hand out (exclusions removed)
   */
  'size'?: (number);
  /**
   * leased addresses inside the pool
   */
  'used'?: (number);
  /**
   * reserved (MAC -> address) addresses inside the pool not yet leased
   */
  'reserved'?: (number);
  /**
   * (used + reserved) / size, 0..1
   */
  'utilization'?: (number | string);
}

/**
 * Address usage of one pool.
 */
export interface PoolUsage {
  'name': (string);
  'start': (string);
  'end': (string);
  /**
   * addresses the pool can hand out (exclusions removed)
   */
  'size': (number);
  /**
   * leased addresses inside the pool
   */
  'used': (number);
  /**
   * reserved (MAC -> address) addresses inside the pool not yet leased
   */
  'reserved': (number);
  /**
   * (used + reserved) / size, 0..1
   */
  'utilization': (number);
}
