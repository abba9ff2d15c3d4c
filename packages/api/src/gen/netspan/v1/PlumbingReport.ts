// Original file: proto/netspan/v1/agent.proto

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
}
