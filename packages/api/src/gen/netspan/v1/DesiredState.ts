// Original file: proto/netspan/v1/agent.proto

import type { Network__Input as _netspan_v1_Network__Input, Network as _netspan_v1_Network } from '../../netspan/v1/Network.js';
import type { Peer__Input as _netspan_v1_Peer__Input, Peer as _netspan_v1_Peer } from '../../netspan/v1/Peer.js';
import type { GuestLocation__Input as _netspan_v1_GuestLocation__Input, GuestLocation as _netspan_v1_GuestLocation } from '../../netspan/v1/GuestLocation.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The whole desired state for one agent; level-triggered: each message replaces the last.
 */
export interface DesiredState__Input {
  /**
   * etcd revision this state was computed at
   */
  'revision'?: (number | string | Long);
  /**
   * networks the host must carry
   */
  'networks'?: (_netspan_v1_Network__Input)[];
  /**
   * every other live agent
   */
  'peers'?: (_netspan_v1_Peer__Input)[];
  /**
   * remote guests' locations (only when asked for)
   */
  'guests'?: (_netspan_v1_GuestLocation__Input)[];
}

/**
 * The whole desired state for one agent; level-triggered: each message replaces the last.
 */
export interface DesiredState {
  /**
   * etcd revision this state was computed at
   */
  'revision': (number);
  /**
   * networks the host must carry
   */
  'networks': (_netspan_v1_Network)[];
  /**
   * every other live agent
   */
  'peers': (_netspan_v1_Peer)[];
  /**
   * remote guests' locations (only when asked for)
   */
  'guests': (_netspan_v1_GuestLocation)[];
}
