// Original file: proto/netspan/v1/admin.proto


export interface RevokeTokenRequest__Input {
  'id'?: (string);
}

export interface RevokeTokenRequest {
  'id': (string);
}
