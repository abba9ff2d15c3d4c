// Original file: proto/netspan/v1/dns.proto

import type { RecordType__Input as _netspan_v1_RecordType__Input, RecordType as _netspan_v1_RecordType } from '../../netspan/v1/RecordType.js';

export interface ListRecordsRequest__Input {
  /**
   * required
   */
  'zone'?: (string);
  /**
   * optional filter
   */
  'name'?: (string);
  /**
   * optional filter
   */
  'type'?: (_netspan_v1_RecordType__Input);
  /**
   * also list the lease-derived A/PTR records
   */
  'includeLeases'?: (boolean);
}

export interface ListRecordsRequest {
  /**
   * required
   */
  'zone': (string);
  /**
   * optional filter
   */
  'name': (string);
  /**
   * optional filter
   */
  'type': (_netspan_v1_RecordType);
  /**
   * also list the lease-derived A/PTR records
   */
  'includeLeases': (boolean);
}
