// Original file: proto/netspan/v1/agent.proto

import type { Welcome__Input as _netspan_v1_Welcome__Input, Welcome as _netspan_v1_Welcome } from '../../netspan/v1/Welcome.js';
import type { DesiredState__Input as _netspan_v1_DesiredState__Input, DesiredState as _netspan_v1_DesiredState } from '../../netspan/v1/DesiredState.js';
import type { Heartbeat__Input as _netspan_v1_Heartbeat__Input, Heartbeat as _netspan_v1_Heartbeat } from '../../netspan/v1/Heartbeat.js';

export interface ControlMessage__Input {
  'welcome'?: (_netspan_v1_Welcome__Input | null);
  'desiredState'?: (_netspan_v1_DesiredState__Input | null);
  /**
   * echo
   */
  'heartbeat'?: (_netspan_v1_Heartbeat__Input | null);
  'msg'?: "welcome"|"desiredState"|"heartbeat";
}

export interface ControlMessage {
  'welcome'?: (_netspan_v1_Welcome | null);
  'desiredState'?: (_netspan_v1_DesiredState | null);
  /**
   * echo
   */
  'heartbeat'?: (_netspan_v1_Heartbeat | null);
  'msg'?: "welcome"|"desiredState"|"heartbeat";
}
