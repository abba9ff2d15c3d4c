// Original file: proto/netspan/v1/network.proto


export interface GetNetworkRequest__Input {
  'name'?: (string);
}

export interface GetNetworkRequest {
  'name': (string);
}
