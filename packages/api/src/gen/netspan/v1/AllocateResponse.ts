// Original file: proto/netspan/v1/ipam.proto

import type { Lease__Input as _netspan_v1_Lease__Input, Lease as _netspan_v1_Lease } from '../../netspan/v1/Lease.js';

export interface AllocateResponse__Input {
  'lease'?: (_netspan_v1_Lease__Input | null);
  /**
   * false when the client already held this lease (idempotent replay)
   */
  'created'?: (boolean);
}

export interface AllocateResponse {
  'lease': (_netspan_v1_Lease | null);
  /**
   * false when the client already held this lease (idempotent replay)
   */
  'created': (boolean);
}
