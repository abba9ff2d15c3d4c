// Original file: proto/netspan/v1/admin.proto

import type { JoinToken__Input as _netspan_v1_JoinToken__Input, JoinToken as _netspan_v1_JoinToken } from '../../netspan/v1/JoinToken.js';

export interface ListTokensResponse__Input {
  'tokens'?: (_netspan_v1_JoinToken__Input)[];
}

export interface ListTokensResponse {
  'tokens': (_netspan_v1_JoinToken)[];
}
