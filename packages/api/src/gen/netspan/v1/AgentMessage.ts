// Original file: proto/netspan/v1/agent.proto

import type { AgentHello__Input as _netspan_v1_AgentHello__Input, AgentHello as _netspan_v1_AgentHello } from '../../netspan/v1/AgentHello.js';
import type { PlumbingReport__Input as _netspan_v1_PlumbingReport__Input, PlumbingReport as _netspan_v1_PlumbingReport } from '../../netspan/v1/PlumbingReport.js';
import type { Heartbeat__Input as _netspan_v1_Heartbeat__Input, Heartbeat as _netspan_v1_Heartbeat } from '../../netspan/v1/Heartbeat.js';

export interface AgentMessage__Input {
  'hello'?: (_netspan_v1_AgentHello__Input | null);
  'report'?: (_netspan_v1_PlumbingReport__Input | null);
  'heartbeat'?: (_netspan_v1_Heartbeat__Input | null);
  'msg'?: "hello"|"report"|"heartbeat";
}

export interface AgentMessage {
  'hello'?: (_netspan_v1_AgentHello | null);
  'report'?: (_netspan_v1_PlumbingReport | null);
  'heartbeat'?: (_netspan_v1_Heartbeat | null);
  'msg'?: "hello"|"report"|"heartbeat";
}
