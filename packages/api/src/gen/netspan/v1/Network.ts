// Original file: proto/netspan/v1/network.proto

import type { Pool__Input as _netspan_v1_Pool__Input, Pool as _netspan_v1_Pool } from '../../netspan/v1/Pool.js';
import type { AddressRange__Input as _netspan_v1_AddressRange__Input, AddressRange as _netspan_v1_AddressRange } from '../../netspan/v1/AddressRange.js';
import type { DhcpOptions__Input as _netspan_v1_DhcpOptions__Input, DhcpOptions as _netspan_v1_DhcpOptions } from '../../netspan/v1/DhcpOptions.js';
import type { ForwardMode__Input as _netspan_v1_ForwardMode__Input, ForwardMode as _netspan_v1_ForwardMode } from '../../netspan/v1/ForwardMode.js';
import type { Encapsulation__Input as _netspan_v1_Encapsulation__Input, Encapsulation as _netspan_v1_Encapsulation } from '../../netspan/v1/Encapsulation.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Desired-state definition of a network, as stored and served.
 */
export interface Network__Input {
  /**
   * DNS label: [a-z0-9-], 1..63, no leading/trailing '-'; immutable
   */
  'name'?: (string);
  /**
   * IPv4 prefix, e.g. "10.0.0.0/24", prefix length 8..30; immutable
   */
  'cidr'?: (string);
  /**
   * inside the CIDR, not network/broadcast; empty = none
   */
  'gateway'?: (string);
  /**
   * non-overlapping ranges inside the CIDR; empty = whole CIDR minus
   * network, broadcast and gateway
   */
  'pools'?: (_netspan_v1_Pool__Input)[];
  /**
   * never handed out from pools
   */
  'exclusions'?: (_netspan_v1_AddressRange__Input)[];
  /**
   * DHCP lease time; default 3600; 60..31536000
   */
  'leaseTimeSeconds'?: (number);
  /**
   * DNS zone for guests; default "<name>.netspan.internal"
   */
  'domain'?: (string);
  'dhcpOptions'?: (_netspan_v1_DhcpOptions__Input | null);
  /**
   * VXLAN network identifier 1..16777215, unique; 0 = allocate
   */
  'vni'?: (number);
  'mode'?: (_netspan_v1_ForwardMode__Input);
  'encapsulation'?: (_netspan_v1_Encapsulation__Input);
  /**
   * 1..4094, required when encapsulation is VLAN
   */
  'vlanId'?: (number);
  /**
   * free text, at most 256 characters
   */
  'description'?: (string);
  /**
   * Addresses of DHCP relay agents (giaddr) that serve this network although they lie
   * outside its CIDR (as Kea's subnet "relay" setting). A relay whose giaddr is inside
   * the CIDR needs no entry.
   */
  'relayAddresses'?: (string)[];
  /**
   * The address every host's bridge holds for this network, behind the same MAC on every
   * host (derived from the VNI): guests see it as the DHCP server identifier and reach it
   * for unicast renewals from any host, and ARP for it is answered locally, never across
   * the tunnel. Never handed out. Default: the gateway when set, else the last usable
   * address of the CIDR.
   */
  'serviceAddress'?: (string);
  /**
   * Output only.
   * etcd mod revision of the stored definition
   */
  'revision'?: (number | string | Long);
  /**
   * creation time, Unix milliseconds
   */
  'createdAtMs'?: (number | string | Long);
}

/**
 * Desired-state definition of a network, as stored and served.
 */
export interface Network {
  /**
   * DNS label: [a-z0-9-], 1..63, no leading/trailing '-'; immutable
   */
  'name': (string);
  /**
   * IPv4 prefix, e.g. "10.0.0.0/24", prefix length 8..30; immutable
   */
  'cidr': (string);
  /**
   * inside the CIDR, not network/broadcast; empty = none
   */
  'gateway': (string);
  /**
   * non-overlapping ranges inside the CIDR; empty = whole CIDR minus
   * network, broadcast and gateway
   */
  'pools': (_netspan_v1_Pool)[];
  /**
   * never handed out from pools
   */
  'exclusions': (_netspan_v1_AddressRange)[];
  /**
   * DHCP lease time; default 3600; 60..31536000
   */
  'leaseTimeSeconds': (number);
  /**
   * DNS zone for guests; default "<name>.netspan.internal"
   */
  'domain': (string);
  'dhcpOptions': (_netspan_v1_DhcpOptions | null);
  /**
   * VXLAN network identifier 1..16777215, unique; 0 = allocate
   */
  'vni': (number);
  'mode': (_netspan_v1_ForwardMode);
  'encapsulation': (_netspan_v1_Encapsulation);
  /**
   * 1..4094, required when encapsulation is VLAN
   */
  'vlanId': (number);
  /**
   * free text, at most 256 characters
   */
  'description': (string);
  /**
   * Addresses of DHCP relay agents (giaddr) that serve this network although they lie
   * outside its CIDR (as Kea's subnet "relay" setting). A relay whose giaddr is inside
   * the CIDR needs no entry.
   */
  'relayAddresses': (string)[];
  /**
   * The address every host's bridge holds for this network, behind the same MAC on every
   * host (derived from the VNI): guests see it as the DHCP server identifier and reach it
   * for unicast renewals from any host, and ARP for it is answered locally, never across
   * the tunnel. Never handed out. Default: the gateway when set, else the last usable
   * address of the CIDR.
   */
  'serviceAddress': (string);
  /**
   * Output only.
   * etcd mod revision of the stored definition
   */
  'revision': (number);
  /**
   * creation time, Unix milliseconds
   */
  'createdAtMs': (number);
}
