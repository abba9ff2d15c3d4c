// Original file: proto/netspan/v1/ipam.proto

import type { AllocateResponse__Input as _netspan_v1_AllocateResponse__Input, AllocateResponse as _netspan_v1_AllocateResponse } from '../../netspan/v1/AllocateResponse.js';
import type { AllocateError__Input as _netspan_v1_AllocateError__Input, AllocateError as _netspan_v1_AllocateError } from '../../netspan/v1/AllocateError.js';
import type { Long } from '@grpc/proto-loader';

export interface AllocateStreamResponse__Input {
  'id'?: (number | string | Long);
  /**
   * Set on success.
   */
  'response'?: (_netspan_v1_AllocateResponse__Input | null);
  /**
   * Set on failure.
   */
  'error'?: (_netspan_v1_AllocateError__Input | null);
}

export interface AllocateStreamResponse {
  'id': (number);
  /**
   * Set on success.
   */
  'response': (_netspan_v1_AllocateResponse | null);
  /**
   * Set on failure.
   */
  'error': (_netspan_v1_AllocateError | null);
}
