// Original file: proto/netspan/v1/agent.proto


/**
 * A live peer agent (for VXLAN flood entries).
 */
export interface Peer__Input {
  'hostId'?: (string);
  'vtepAddress'?: (string);
  /**
   * networks the peer carries (flood entries only where both carry the network)
   */
  'networks'?: (string)[];
}

/**
 * A live peer agent (for VXLAN flood entries).
 */
export interface Peer {
  'hostId': (string);
  'vtepAddress': (string);
  /**
   * networks the peer carries (flood entries only where both carry the network)
   */
  'networks': (string)[];
}
