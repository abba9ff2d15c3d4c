import type { DnsRecord, StoredRecord } from './records.js';

/** A record to create: a normalised record and its id (`recordId`). */
export type NewRecord = DnsRecord & { id: string };

export type CreateRecordResult =
  | { ok: true; stored: StoredRecord }
  /** The same record (name, type, data) exists. */
  | { ok: false; reason: 'exists' }
  /** A CNAME would share its name with other data, or other data a CNAME's name (RFC 1034 §3.6.2). */
  | { ok: false; reason: 'cname-conflict' };

/** Feeds a record index: a full snapshot, then every change; a fresh snapshot after a gap. */
export interface RecordObserver {
  snapshot(records: StoredRecord[], revision: number): void;
  put(record: StoredRecord): void;
  deleted(zone: string, id: string, revision: number): void;
}

/**
 * Persistence for API-managed records (owned here, implemented by `@netspan/etcd-store`).
 * "Exists" and "not found" are return values; thrown errors are real failures.
 */
export interface RecordStore {
  /** Creates atomically: fails (as a value) when it exists or breaks the CNAME rule. */
  create(record: NewRecord): Promise<CreateRecordResult>;
  /** Deletes by id; undefined when there is no such record. */
  remove(zone: string, id: string): Promise<StoredRecord | undefined>;
  sync(observer: RecordObserver): Promise<{ close(): Promise<void> }>;
}
