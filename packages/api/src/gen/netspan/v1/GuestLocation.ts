// Original file: proto/netspan/v1/agent.proto


/**
 * Where a guest currently sits (per-MAC forwarding, mobility).
 */
export interface GuestLocation__Input {
  'network'?: (string);
  'mac'?: (string);
  'address'?: (string);
  'hostId'?: (string);
}

/**
 * Where a guest currently sits (per-MAC forwarding, mobility).
 */
export interface GuestLocation {
  'network': (string);
  'mac': (string);
  'address': (string);
  'hostId': (string);
}
