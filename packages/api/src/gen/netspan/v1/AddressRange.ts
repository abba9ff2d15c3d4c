// Original file: proto/netspan/v1/network.proto


/**
 * An inclusive range never handed out from a pool (a single address has start == end).
 */
export interface AddressRange__Input {
  'start'?: (string);
  /**
   * empty means the same as start
   */
  'end'?: (string);
}

/**
 * An inclusive range never handed out from a pool (a single address has start == end).
 */
export interface AddressRange {
  'start': (string);
  /**
   * empty means the same as start
   */
  'end': (string);
}
