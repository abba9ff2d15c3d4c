// Original file: proto/netspan/v1/ipam.proto

import type { LeaseState__Input as _netspan_v1_LeaseState__Input, LeaseState as _netspan_v1_LeaseState } from '../../netspan/v1/LeaseState.js';

export interface ListLeasesRequest__Input {
  /**
   * empty = every network
   */
  'network'?: (string);
  /**
   * only leases whose location.host equals this
   */
  'host'?: (string);
  /**
   * UNSPECIFIED = any
   */
  'state'?: (_netspan_v1_LeaseState__Input);
  /**
   * default 100, at most 1000
   */
  'pageSize'?: (number);
  /**
   * next_page_token of the previous page
   */
  'pageToken'?: (string);
}

export interface ListLeasesRequest {
  /**
   * empty = every network
   */
  'network': (string);
  /**
   * only leases whose location.host equals this
   */
  'host': (string);
  /**
   * UNSPECIFIED = any
   */
  'state': (_netspan_v1_LeaseState);
  /**
   * default 100, at most 1000
   */
  'pageSize': (number);
  /**
   * next_page_token of the previous page
   */
  'pageToken': (string);
}
