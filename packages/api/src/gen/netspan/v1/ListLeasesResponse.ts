// Original file: proto/netspan/v1/ipam.proto

import type { Lease__Input as _netspan_v1_Lease__Input, Lease as _netspan_v1_Lease } from '../../netspan/v1/Lease.js';

export interface ListLeasesResponse__Input {
  /**
   * in (network, numeric address) order
   */
  'leases'?: (_netspan_v1_Lease__Input)[];
  /**
   * empty on the last page
   */
  'nextPageToken'?: (string);
}

export interface ListLeasesResponse {
  /**
   * in (network, numeric address) order
   */
  'leases': (_netspan_v1_Lease)[];
  /**
   * empty on the last page
   */
  'nextPageToken': (string);
}
