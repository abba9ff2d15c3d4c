// Original file: proto/netspan/v1/admin.proto


export interface AuditFinding__Input {
  /**
   * e.g. "lease-outside-cidr", "orphan-client-index", "lease-without-index",
   * "reservation-conflict", "agent-drift"
   */
  'kind'?: (string);
  /**
   * etcd key concerned (relative to the prefix)
   */
  'key'?: (string);
  'detail'?: (string);
  'fixed'?: (boolean);
}

export interface AuditFinding {
  /**
   * e.g. "lease-outside-cidr", "orphan-client-index", "lease-without-index",
   * "reservation-conflict", "agent-drift"
   */
  'kind': (string);
  /**
   * etcd key concerned (relative to the prefix)
   */
  'key': (string);
  'detail': (string);
  'fixed': (boolean);
}
