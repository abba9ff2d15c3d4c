// Original file: proto/netspan/v1/ipam.proto

import type { Location__Input as _netspan_v1_Location__Input, Location as _netspan_v1_Location } from '../../netspan/v1/Location.js';

export interface AllocateRequest__Input {
  'network'?: (string);
  /**
   * Client identity: the same (network, client_id) always gets the same address back
   * while its lease lives. 1..255 printable ASCII characters. Empty = the server picks a
   * fresh identity (returned in the lease), so the call is not idempotent.
   */
  'clientId'?: (string);
  /**
   * a specific address to claim (inside the CIDR); empty = any free
   */
  'address'?: (string);
  /**
   * restrict to this pool (name); empty = any pool
   */
  'pool'?: (string);
  /**
   * optional; a reservation for this MAC wins over everything else
   */
  'mac'?: (string);
  /**
   * optional; sanitised to an RFC 1123 label
   */
  'hostname'?: (string);
  /**
   * 0 = no expiry
   */
  'ttlSeconds'?: (number);
  /**
   * optional; via defaults to "api"
   */
  'location'?: (_netspan_v1_Location__Input | null);
}

export interface AllocateRequest {
  'network': (string);
  /**
   * Client identity: the same (network, client_id) always gets the same address back
   * while its lease lives. 1..255 printable ASCII characters. Empty = the server picks a
   * fresh identity (returned in the lease), so the call is not idempotent.
   */
  'clientId': (string);
  /**
   * a specific address to claim (inside the CIDR); empty = any free
   */
  'address': (string);
  /**
   * restrict to this pool (name); empty = any pool
   */
  'pool': (string);
  /**
   * optional; a reservation for this MAC wins over everything else
   */
  'mac': (string);
  /**
   * optional; sanitised to an RFC 1123 label
   */
  'hostname': (string);
  /**
   * 0 = no expiry
   */
  'ttlSeconds': (number);
  /**
   * optional; via defaults to "api"
   */
  'location': (_netspan_v1_Location | null);
}
