export { ClientAcl } from './acl.js';
export { DnsWireError, WireAction } from './errors.js';
export {
  canonicalIPv4,
  classlessName,
  formatIPv6,
  parseIPv6,
  reverseName,
  reverseZones,
} from './names.js';
export type { CreateRecordResult, NewRecord, RecordObserver, RecordStore } from './record-store.js';
export {
  DEFAULT_RECORD_TTL,
  type DnsRecord,
  encodeRdata,
  normalizeRecord,
  ownerName,
  RECORD_TYPES,
  type RecordType,
  recordId,
  type StoredRecord,
  TYPE_CODES,
} from './records.js';
export {
  addDnsStats,
  type DnsLog,
  DnsServer,
  type DnsServerOptions,
  type DnsStats,
  type Endpoint,
  emptyDnsStats,
  type ForwardTarget,
  RCODE_LABELS,
  type Reply,
} from './server.js';
export {
  type Answer,
  CLASS_IN,
  encodeAnswer,
  encodeName,
  errorAnswer,
  MAX_UDP_PAYLOAD,
  type ParsedQuery,
  parseQuery,
  RCode,
  RRType,
  type WireRecord,
} from './wire.js';
export {
  LEASE_RECORD_TTL,
  type LeaseInfo,
  type ListedRecord,
  type NetworkInfo,
  type ZoneEvent,
  ZoneIndex,
  type ZoneIndexOptions,
} from './zone-index.js';
