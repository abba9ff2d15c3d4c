// Original file: proto/netspan/v1/ipam.proto

import type { Lease__Input as _netspan_v1_Lease__Input, Lease as _netspan_v1_Lease } from '../../netspan/v1/Lease.js';

export interface GetLeaseResponse__Input {
  'lease'?: (_netspan_v1_Lease__Input | null);
}

export interface GetLeaseResponse {
  'lease': (_netspan_v1_Lease | null);
}
