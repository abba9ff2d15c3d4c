// Original file: proto/netspan/v1/agent.proto

import type { ObservedNetwork__Input as _netspan_v1_ObservedNetwork__Input, ObservedNetwork as _netspan_v1_ObservedNetwork } from '../../netspan/v1/ObservedNetwork.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What the agent found when it reconciled (for audits and metrics).
 */
export interface PlumbingReport__Input {
  'desiredRevision'?: (number | string | Long);
  /**
   * entries added/removed to match desired state
   */
  'driftRepaired'?: (number);
  /**
   * human-readable disagreements it could not repair
   */
  'problems'?: (string)[];
  /**
   * the host's netspan plumbing as read back after the pass (when `observed`); ipamd compares
   * it with the desired state it sent, and `netspanctl audit` reports what disagrees
   */
  'networks'?: (_netspan_v1_ObservedNetwork__Input)[];
  /**
   * false when the agent could not read its plumbing (or predates this field)
   */
  'observed'?: (boolean);
}

/**
 * What the agent found when it reconciled (for audits and metrics).
 */
export interface PlumbingReport {
  'desiredRevision': (number);
  /**
   * entries added/removed to match desired state
   */
  'driftRepaired': (number);
  /**
   * human-readable disagreements it could not repair
   */
  'problems': (string)[];
  /**
   * the host's netspan plumbing as read back after the pass (when `observed`); ipamd compares
   * it with the desired state it sent, and `netspanctl audit` reports what disagrees
   */
  'networks': (_netspan_v1_ObservedNetwork)[];
  /**
   * false when the agent could not read its plumbing (or predates this field)
   */
  'observed': (boolean);
}
