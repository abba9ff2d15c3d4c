// Original file: proto/netspan/v1/dns.proto

import type { Record__Input as _netspan_v1_Record__Input, Record as _netspan_v1_Record } from '../../netspan/v1/Record.js';

export interface CreateRecordResponse__Input {
  'record'?: (_netspan_v1_Record__Input | null);
}

export interface CreateRecordResponse {
  'record': (_netspan_v1_Record | null);
}
