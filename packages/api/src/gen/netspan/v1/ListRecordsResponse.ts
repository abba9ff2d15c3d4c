// Original file: proto/netspan/v1/dns.proto

import type { Record__Input as _netspan_v1_Record__Input, Record as _netspan_v1_Record } from '../../netspan/v1/Record.js';

export interface ListRecordsResponse__Input {
  'records'?: (_netspan_v1_Record__Input)[];
}

export interface ListRecordsResponse {
  'records': (_netspan_v1_Record)[];
}
