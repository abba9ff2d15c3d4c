// Original file: proto/netspan/v1/ipam.proto

import type { LeaseState__Input as _netspan_v1_LeaseState__Input, LeaseState as _netspan_v1_LeaseState } from '../../netspan/v1/LeaseState.js';
import type { Location__Input as _netspan_v1_Location__Input, Location as _netspan_v1_Location } from '../../netspan/v1/Location.js';
import type { Long } from '@grpc/proto-loader';

export interface Lease__Input {
  'network'?: (string);
  /**
   * dotted quad
   */
  'address'?: (string);
  /**
   * client identity: API-chosen string, or for DHCP "01:aa:.." /
   * "mac:aa:bb:cc:dd:ee:ff" (see the DHCP docs)
   */
  'clientId'?: (string);
  /**
   * lower-case aa:bb:cc:dd:ee:ff, empty when unknown
   */
  'mac'?: (string);
  /**
   * sanitised RFC 1123 label, empty when none
   */
  'hostname'?: (string);
  'state'?: (_netspan_v1_LeaseState__Input);
  'location'?: (_netspan_v1_Location__Input | null);
  /**
   * Unix ms
   */
  'createdAtMs'?: (number | string | Long);
  /**
   * Unix ms of the last renew/move
   */
  'updatedAtMs'?: (number | string | Long);
  /**
   * Unix ms; 0 = never (static API allocation)
   */
  'expiresAtMs'?: (number | string | Long);
  /**
   * name of the pool the address came from, empty when outside pools
   */
  'pool'?: (string);
  /**
   * output only: etcd mod revision
   */
  'revision'?: (number | string | Long);
}

export interface Lease {
  'network': (string);
  /**
   * dotted quad
   */
  'address': (string);
  /**
   * client identity: API-chosen string, or for DHCP "01:aa:.." /
   * "mac:aa:bb:cc:dd:ee:ff" (see the DHCP docs)
   */
  'clientId': (string);
  /**
   * lower-case aa:bb:cc:dd:ee:ff, empty when unknown
   */
  'mac': (string);
  /**
   * sanitised RFC 1123 label, empty when none
   */
  'hostname': (string);
  'state': (_netspan_v1_LeaseState);
  'location': (_netspan_v1_Location | null);
  /**
   * Unix ms
   */
  'createdAtMs': (number);
  /**
   * Unix ms of the last renew/move
   */
  'updatedAtMs': (number);
  /**
   * Unix ms; 0 = never (static API allocation)
   */
  'expiresAtMs': (number);
  /**
   * name of the pool the address came from, empty when outside pools
   */
  'pool': (string);
  /**
   * output only: etcd mod revision
   */
  'revision': (number);
}
