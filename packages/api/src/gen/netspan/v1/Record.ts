// Original file: proto/netspan/v1/dns.proto

import type { RecordType__Input as _netspan_v1_RecordType__Input, RecordType as _netspan_v1_RecordType } from '../../netspan/v1/RecordType.js';
import type { Long } from '@grpc/proto-loader';

export interface Record__Input {
  /**
   * output only: server-assigned, stable
   */
  'id'?: (string);
  /**
   * a network's domain or its reverse zone, e.g. "blue.netspan.internal"
   */
  'zone'?: (string);
  /**
   * relative to the zone ("www", "@" for the apex, "*.dev" wildcard)
   */
  'name'?: (string);
  'type'?: (_netspan_v1_RecordType__Input);
  /**
   * seconds; 0 = 300
   */
  'ttl'?: (number);
  /**
   * Type-specific data, in presentation form:
   * A "10.0.0.5"; AAAA "fd00::5"; CNAME/PTR "target.example."; TXT the text;
   * MX "<preference> <exchange>"; SRV "<priority> <weight> <port> <target>".
   */
  'data'?: (string);
  /**
   * output only
   */
  'revision'?: (number | string | Long);
}

export interface Record {
  /**
   * output only: server-assigned, stable
   */
  'id': (string);
  /**
   * a network's domain or its reverse zone, e.g. "blue.netspan.internal"
   */
  'zone': (string);
  /**
   * relative to the zone ("www", "@" for the apex, "*.dev" wildcard)
   */
  'name': (string);
  'type': (_netspan_v1_RecordType);
  /**
   * seconds; 0 = 300
   */
  'ttl': (number);
  /**
   * Type-specific data, in presentation form:
   * A "10.0.0.5"; AAAA "fd00::5"; CNAME/PTR "target.example."; TXT the text;
   * MX "<preference> <exchange>"; SRV "<priority> <weight> <port> <target>".
   */
  'data': (string);
  /**
   * output only
   */
  'revision': (number);
}
