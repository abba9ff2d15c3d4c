// Original file: proto/netspan/v1/ipam.proto


export interface GetLeaseRequest__Input {
  'network'?: (string);
  /**
   * one of address or client_id
   */
  'address'?: (string);
  'clientId'?: (string);
}

export interface GetLeaseRequest {
  'network': (string);
  /**
   * one of address or client_id
   */
  'address': (string);
  'clientId': (string);
}
