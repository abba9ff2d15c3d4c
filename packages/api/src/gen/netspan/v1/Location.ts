// Original file: proto/netspan/v1/ipam.proto


/**
 * Where a lease was last seen: which host (agent) or relay it came through.
 */
export interface Location__Input {
  /**
   * agent host id, or empty for API allocations
   */
  'host'?: (string);
  /**
   * "api", "agent", or "relay:<giaddr>"
   */
  'via'?: (string);
}

/**
 * Where a lease was last seen: which host (agent) or relay it came through.
 */
export interface Location {
  /**
   * agent host id, or empty for API allocations
   */
  'host': (string);
  /**
   * "api", "agent", or "relay:<giaddr>"
   */
  'via': (string);
}
