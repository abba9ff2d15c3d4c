// Original file: proto/netspan/v1/agent.proto


/**
 * A live peer agent (for VXLAN flood entries).
 */
export interface Peer__Input {
  'hostId'?: (string);
  'vtepAddress'?: (string);
}

/**
 * A live peer agent (for VXLAN flood entries).
 */
export interface Peer {
  'hostId': (string);
  'vtepAddress': (string);
}
