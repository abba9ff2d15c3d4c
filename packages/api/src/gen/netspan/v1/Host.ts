// Original file: proto/netspan/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Host__Input {
  'hostId'?: (string);
  'vtepAddress'?: (string);
  'registeredAtMs'?: (number | string | Long);
  'lastHeartbeatMs'?: (number | string | Long);
  'networks'?: (string)[];
  'agentVersion'?: (string);
  /**
   * ipamd replica holding its session
   */
  'serverId'?: (string);
}

export interface Host {
  'hostId': (string);
  'vtepAddress': (string);
  'registeredAtMs': (number);
  'lastHeartbeatMs': (number);
  'networks': (string)[];
  'agentVersion': (string);
  /**
   * ipamd replica holding its session
   */
  'serverId': (string);
}
