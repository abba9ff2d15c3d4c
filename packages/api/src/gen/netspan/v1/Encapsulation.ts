// Original file: proto/netspan/v1/network.proto

/**
 * How the segment is carried between hosts.
 */
export const Encapsulation = {
  /**
   * treated as VXLAN
   */
  ENCAPSULATION_UNSPECIFIED: 'ENCAPSULATION_UNSPECIFIED',
  /**
   * VXLAN with head-end replication to every live agent
   */
  ENCAPSULATION_VXLAN: 'ENCAPSULATION_VXLAN',
  /**
   * 802.1Q sub-interface `<uplink>.<vlan_id>` on each host
   */
  ENCAPSULATION_VLAN: 'ENCAPSULATION_VLAN',
} as const;

/**
 * How the segment is carried between hosts.
 */
export type Encapsulation__Input =
  /**
   * treated as VXLAN
   */
  | 'ENCAPSULATION_UNSPECIFIED'
  | 0
  /**
   * VXLAN with head-end replication to every live agent
   */
  | 'ENCAPSULATION_VXLAN'
  | 1
  /**
   * 802.1Q sub-interface `<uplink>.<vlan_id>` on each host
   */
  | 'ENCAPSULATION_VLAN'
  | 2

/**
 * How the segment is carried between hosts.
 */
export type Encapsulation = typeof Encapsulation[keyof typeof Encapsulation]
