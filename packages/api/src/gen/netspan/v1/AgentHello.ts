// Original file: proto/netspan/v1/agent.proto


/**
 * First message on a Session stream.
 */
export interface AgentHello__Input {
  /**
   * DNS label, unique among live agents; default the hostname
   */
  'hostId'?: (string);
  /**
   * underlay IPv4 address other hosts send VXLAN to
   */
  'vtepAddress'?: (string);
  /**
   * from `netspanctl token create`; empty when mTLS identifies the host
   */
  'joinToken'?: (string);
  'agentVersion'?: (string);
  /**
   * MTU of the underlay interface (guests get underlay - 50 on VXLAN)
   */
  'underlayMtu'?: (number);
  /**
   * uplink interface for VLAN encapsulation
   */
  'uplink'?: (string);
  /**
   * networks this host should carry; empty = every network
   */
  'networks'?: (string)[];
  /**
   * random per agent process: a reconnecting agent (same instance) takes over its own
   * registration at once; another instance claiming a live host id is ALREADY_EXISTS
   */
  'instanceId'?: (string);
  /**
   * ask for remote guests' locations in DesiredState (per-MAC forwarding entries)
   */
  'wantGuestLocations'?: (boolean);
}

/**
 * First message on a Session stream.
 */
export interface AgentHello {
  /**
   * DNS label, unique among live agents; default the hostname
   */
  'hostId': (string);
  /**
   * underlay IPv4 address other hosts send VXLAN to
   */
  'vtepAddress': (string);
  /**
   * from `netspanctl token create`; empty when mTLS identifies the host
   */
  'joinToken': (string);
  'agentVersion': (string);
  /**
   * MTU of the underlay interface (guests get underlay - 50 on VXLAN)
   */
  'underlayMtu': (number);
  /**
   * uplink interface for VLAN encapsulation
   */
  'uplink': (string);
  /**
   * networks this host should carry; empty = every network
   */
  'networks': (string)[];
  /**
   * random per agent process: a reconnecting agent (same instance) takes over its own
   * registration at once; another instance claiming a live host id is ALREADY_EXISTS
   */
  'instanceId': (string);
  /**
   * ask for remote guests' locations in DesiredState (per-MAC forwarding entries)
   */
  'wantGuestLocations': (boolean);
}
