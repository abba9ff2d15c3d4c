// Original file: /work/main/proto/netspan/v1/network.proto


export interface DeleteNetworkResponse__Input {
  'leasesDeleted'?: (number);
}

export interface DeleteNetworkResponse {
  'leasesDeleted': (number);
}
