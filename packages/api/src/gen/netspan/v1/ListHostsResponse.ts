// Original file: proto/netspan/v1/admin.proto

import type { Host__Input as _netspan_v1_Host__Input, Host as _netspan_v1_Host } from '../../netspan/v1/Host.js';

export interface ListHostsResponse__Input {
  'hosts'?: (_netspan_v1_Host__Input)[];
}

export interface ListHostsResponse {
  'hosts': (_netspan_v1_Host)[];
}
