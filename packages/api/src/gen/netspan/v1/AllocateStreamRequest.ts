// Original file: proto/netspan/v1/ipam.proto

import type { AllocateRequest__Input as _netspan_v1_AllocateRequest__Input, AllocateRequest as _netspan_v1_AllocateRequest } from '../../netspan/v1/AllocateRequest.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One allocation on an AllocateStream.
 */
export interface AllocateStreamRequest__Input {
  /**
   * Chosen by the client, echoed in the response (responses may come back out of order).
   */
  'id'?: (number | string | Long);
  'request'?: (_netspan_v1_AllocateRequest__Input | null);
}

/**
 * One allocation on an AllocateStream.
 */
export interface AllocateStreamRequest {
  /**
   * Chosen by the client, echoed in the response (responses may come back out of order).
   */
  'id': (number);
  'request': (_netspan_v1_AllocateRequest | null);
}
