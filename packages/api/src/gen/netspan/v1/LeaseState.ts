// Original file: proto/netspan/v1/ipam.proto

export const LeaseState = {
  LEASE_STATE_UNSPECIFIED: 'LEASE_STATE_UNSPECIFIED',
  /**
   * DHCP OFFER made, held briefly until REQUEST
   */
  LEASE_STATE_OFFERED: 'LEASE_STATE_OFFERED',
  /**
   * ACKed by DHCP or allocated through the API
   */
  LEASE_STATE_BOUND: 'LEASE_STATE_BOUND',
  /**
   * client reported a conflict (DHCPDECLINE); quarantined
   */
  LEASE_STATE_DECLINED: 'LEASE_STATE_DECLINED',
  /**
   * past its expiry, awaiting reclamation
   */
  LEASE_STATE_EXPIRED: 'LEASE_STATE_EXPIRED',
} as const;

export type LeaseState__Input =
  | 'LEASE_STATE_UNSPECIFIED'
  | 0
  /**
   * DHCP OFFER made, held briefly until REQUEST
   */
  | 'LEASE_STATE_OFFERED'
  | 1
  /**
   * ACKed by DHCP or allocated through the API
   */
  | 'LEASE_STATE_BOUND'
  | 2
  /**
   * client reported a conflict (DHCPDECLINE); quarantined
   */
  | 'LEASE_STATE_DECLINED'
  | 3
  /**
   * past its expiry, awaiting reclamation
   */
  | 'LEASE_STATE_EXPIRED'
  | 4

export type LeaseState = typeof LeaseState[keyof typeof LeaseState]
