// Original file: proto/netspan/v1/admin.proto

import type { AuditFinding__Input as _netspan_v1_AuditFinding__Input, AuditFinding as _netspan_v1_AuditFinding } from '../../netspan/v1/AuditFinding.js';
import type { Long } from '@grpc/proto-loader';

export interface AuditResponse__Input {
  /**
   * every key was read at this revision
   */
  'revision'?: (number | string | Long);
  'findings'?: (_netspan_v1_AuditFinding__Input)[];
  'keysChecked'?: (number);
}

export interface AuditResponse {
  /**
   * every key was read at this revision
   */
  'revision': (number);
  'findings': (_netspan_v1_AuditFinding)[];
  'keysChecked': (number);
}
