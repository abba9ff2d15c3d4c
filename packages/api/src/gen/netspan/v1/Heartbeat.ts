// Original file: proto/netspan/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat__Input {
  'sentAtMs'?: (number | string | Long);
}

export interface Heartbeat {
  'sentAtMs': (number);
}
