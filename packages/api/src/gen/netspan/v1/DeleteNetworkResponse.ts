// Original file: proto/netspan/v1/network.proto


export interface DeleteNetworkResponse__Input {
  'leasesDeleted'?: (number);
}

export interface DeleteNetworkResponse {
  'leasesDeleted': (number);
}
