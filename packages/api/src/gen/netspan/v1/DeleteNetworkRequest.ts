// Original file: proto/netspan/v1/network.proto


export interface DeleteNetworkRequest__Input {
  'name'?: (string);
  /**
   * Also delete the network's leases, client index and reservations. Without it, a
   * network with live leases is FAILED_PRECONDITION.
   */
  'force'?: (boolean);
}

export interface DeleteNetworkRequest {
  'name': (string);
  /**
   * Also delete the network's leases, client index and reservations. Without it, a
   * network with live leases is FAILED_PRECONDITION.
   */
  'force': (boolean);
}
