// Original file: proto/netspan/v1/admin.proto


export interface CreateTokenRequest__Input {
  /**
   * 0 = never expires
   */
  'ttlSeconds'?: (number);
  'hostId'?: (string);
  'description'?: (string);
}

export interface CreateTokenRequest {
  /**
   * 0 = never expires
   */
  'ttlSeconds': (number);
  'hostId': (string);
  'description': (string);
}
