// Original file: proto/netspan/v1/ipam.proto

import type { Reservation__Input as _netspan_v1_Reservation__Input, Reservation as _netspan_v1_Reservation } from '../../netspan/v1/Reservation.js';

export interface RemoveReservationResponse__Input {
  'reservation'?: (_netspan_v1_Reservation__Input | null);
}

export interface RemoveReservationResponse {
  'reservation': (_netspan_v1_Reservation | null);
}
