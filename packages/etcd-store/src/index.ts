export {
  type AgentRecord,
  type AgentsAt,
  type AgentWatchHandlers,
  EtcdAgentRegistry,
  type RegisterResult,
  type StoredAgent,
} from './agents.js';
export { type AuditFinding, type AuditKind, type PlannedFinding, planAudit } from './audit.js';
export { connectEtcd, type EtcdConnectOptions } from './client.js';
export {
  decodeLease,
  decodeNetwork,
  decodeReservation,
  encodeLease,
  encodeNetwork,
  encodeReservation,
} from './codec.js';
export { etcdFailure } from './errors.js';
export { Keys, type ParsedKey, prefixEnd } from './keys.js';
export {
  decodeTxnResponse,
  decodeWatchResponse,
  encodeTxnRequest,
  encodeWatchCreate,
  LeanKv,
  type LeanKvOptions,
  LeanWatchCompactedError,
  LeanWatcher,
  type TxnClient,
} from './lean-kv.js';
export { EtcdRecordStore, type EtcdRecordStoreOptions } from './records.js';
export { type ReplicaRegistration, registerReplica } from './replica.js';
export {
  type AuditReport,
  EtcdIpamStore,
  type EtcdStoreOptions,
  type StateWatch,
  type TxnOutcome,
  type WatchClient,
  type WatchState,
} from './store.js';
export { type ClaimTxnResult, ThreadedKv, type ThreadedKvOptions, ThreadedWatcher } from './threaded-kv.js';
export { EtcdTokenStore, type StoredToken } from './tokens.js';
