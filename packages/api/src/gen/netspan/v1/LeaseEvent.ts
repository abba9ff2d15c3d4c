// Original file: proto/netspan/v1/ipam.proto

import type { Lease__Input as _netspan_v1_Lease__Input, Lease as _netspan_v1_Lease } from '../../netspan/v1/Lease.js';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/netspan/v1/ipam.proto

export const _netspan_v1_LeaseEvent_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  /**
   * created or updated
   */
  TYPE_PUT: 'TYPE_PUT',
  /**
   * released, reclaimed or deleted with its network
   */
  TYPE_DELETE: 'TYPE_DELETE',
} as const;

export type _netspan_v1_LeaseEvent_Type__Input =
  | 'TYPE_UNSPECIFIED'
  | 0
  /**
   * created or updated
   */
  | 'TYPE_PUT'
  | 1
  /**
   * released, reclaimed or deleted with its network
   */
  | 'TYPE_DELETE'
  | 2

export type _netspan_v1_LeaseEvent_Type = typeof _netspan_v1_LeaseEvent_Type[keyof typeof _netspan_v1_LeaseEvent_Type]

/**
 * A change seen on the lease keyspace.
 */
export interface LeaseEvent__Input {
  'type'?: (_netspan_v1_LeaseEvent_Type__Input);
  /**
   * for DELETE only network and address are set
   */
  'lease'?: (_netspan_v1_Lease__Input | null);
  'revision'?: (number | string | Long);
}

/**
 * A change seen on the lease keyspace.
 */
export interface LeaseEvent {
  'type': (_netspan_v1_LeaseEvent_Type);
  /**
   * for DELETE only network and address are set
   */
  'lease': (_netspan_v1_Lease | null);
  'revision': (number);
}
