// Original file: proto/netspan/v1/ipam.proto

import type { Reservation__Input as _netspan_v1_Reservation__Input, Reservation as _netspan_v1_Reservation } from '../../netspan/v1/Reservation.js';

export interface ListReservationsResponse__Input {
  /**
   * in address order
   */
  'reservations'?: (_netspan_v1_Reservation__Input)[];
}

export interface ListReservationsResponse {
  /**
   * in address order
   */
  'reservations': (_netspan_v1_Reservation)[];
}
