// Original file: proto/netspan/v1/dns.proto


export interface DeleteRecordRequest__Input {
  'zone'?: (string);
  'id'?: (string);
}

export interface DeleteRecordRequest {
  'zone': (string);
  'id': (string);
}
