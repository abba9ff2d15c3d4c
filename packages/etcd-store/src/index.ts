export {
  type AgentRecord,
  type AgentWatchHandlers,
  EtcdAgentRegistry,
  type RegisterResult,
  type StoredAgent,
} from './agents.js';
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
export { EtcdRecordStore, type EtcdRecordStoreOptions } from './records.js';
export { type ReplicaRegistration, registerReplica } from './replica.js';
export { EtcdIpamStore, type EtcdStoreOptions } from './store.js';
export { EtcdTokenStore, type StoredToken } from './tokens.js';
