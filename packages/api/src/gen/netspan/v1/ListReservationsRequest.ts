// Original file: proto/netspan/v1/ipam.proto


export interface ListReservationsRequest__Input {
  /**
   * required
   */
  'network'?: (string);
}

export interface ListReservationsRequest {
  /**
   * required
   */
  'network': (string);
}
