// Original file: proto/netspan/v1/network.proto

import type { StaticRoute__Input as _netspan_v1_StaticRoute__Input, StaticRoute as _netspan_v1_StaticRoute } from '../../netspan/v1/StaticRoute.js';

/**
 * DHCP options served to guests of the network.
 */
export interface DhcpOptions__Input {
  /**
   * option 3; defaults to [gateway] when empty and a gateway is set
   */
  'routers'?: (string)[];
  /**
   * option 6
   */
  'dnsServers'?: (string)[];
  /**
   * option 26; 0 = derived from the encapsulation (1450 for VXLAN)
   */
  'mtu'?: (number);
  /**
   * option 119, DNS names
   */
  'domainSearch'?: (string)[];
  /**
   * option 121
   */
  'staticRoutes'?: (_netspan_v1_StaticRoute__Input)[];
  /**
   * option 42
   */
  'ntpServers'?: (string)[];
}

/**
 * DHCP options served to guests of the network.
 */
export interface DhcpOptions {
  /**
   * option 3; defaults to [gateway] when empty and a gateway is set
   */
  'routers': (string)[];
  /**
   * option 6
   */
  'dnsServers': (string)[];
  /**
   * option 26; 0 = derived from the encapsulation (1450 for VXLAN)
   */
  'mtu': (number);
  /**
   * option 119, DNS names
   */
  'domainSearch': (string)[];
  /**
   * option 121
   */
  'staticRoutes': (_netspan_v1_StaticRoute)[];
  /**
   * option 42
   */
  'ntpServers': (string)[];
}
