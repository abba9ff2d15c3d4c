// Original file: proto/netspan/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface JoinToken__Input {
  /**
   * public identifier (the secret is never stored, only its hash)
   */
  'id'?: (string);
  /**
   * only in CreateTokenResponse: "<id>.<secret>" to hand to agents
   */
  'secret'?: (string);
  /**
   * when set, the token may only register this host
   */
  'hostId'?: (string);
  /**
   * Unix ms; 0 = never
   */
  'expiresAtMs'?: (number | string | Long);
  'description'?: (string);
  'createdAtMs'?: (number | string | Long);
}

export interface JoinToken {
  /**
   * public identifier (the secret is never stored, only its hash)
   */
  'id': (string);
  /**
   * only in CreateTokenResponse: "<id>.<secret>" to hand to agents
   */
  'secret': (string);
  /**
   * when set, the token may only register this host
   */
  'hostId': (string);
  /**
   * Unix ms; 0 = never
   */
  'expiresAtMs': (number);
  'description': (string);
  'createdAtMs': (number);
}
