// Original file: proto/netspan/v1/agent.proto


/**
 * One network's plumbing as the agent read it back from the kernel.
 */
export interface ObservedNetwork__Input {
  /**
   * the bridge's alias (empty when only the VXLAN device is left)
   */
  'network'?: (string);
  'vni'?: (number);
  /**
   * the bridge exists and is up
   */
  'bridge'?: (boolean);
  /**
   * the VXLAN device (or VLAN sub-interface) is up and a port of the bridge
   */
  'tunnel'?: (boolean);
  /**
   * remote VTEPs with a flood (all-zeros MAC) entry
   */
  'floodVteps'?: (string)[];
}

/**
 * One network's plumbing as the agent read it back from the kernel.
 */
export interface ObservedNetwork {
  /**
   * the bridge's alias (empty when only the VXLAN device is left)
   */
  'network': (string);
  'vni': (number);
  /**
   * the bridge exists and is up
   */
  'bridge': (boolean);
  /**
   * the VXLAN device (or VLAN sub-interface) is up and a port of the bridge
   */
  'tunnel': (boolean);
  /**
   * remote VTEPs with a flood (all-zeros MAC) entry
   */
  'floodVteps': (string)[];
}
