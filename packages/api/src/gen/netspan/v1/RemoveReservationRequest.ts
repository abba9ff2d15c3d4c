// Original file: proto/netspan/v1/ipam.proto


export interface RemoveReservationRequest__Input {
  'network'?: (string);
  'mac'?: (string);
}

export interface RemoveReservationRequest {
  'network': (string);
  'mac': (string);
}
