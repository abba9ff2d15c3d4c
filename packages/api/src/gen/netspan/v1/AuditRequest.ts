// Original file: proto/netspan/v1/admin.proto


export interface AuditRequest__Input {
  /**
   * empty = every network
   */
  'network'?: (string);
  /**
   * repair with revision-conditional writes
   */
  'fix'?: (boolean);
}

export interface AuditRequest {
  /**
   * empty = every network
   */
  'network': (string);
  /**
   * repair with revision-conditional writes
   */
  'fix': (boolean);
}
