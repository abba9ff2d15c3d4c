import type { CreateRecordResult, NewRecord, RecordObserver, RecordStore, StoredRecord } from '@netspan/dns';
import { normalizeRecord, recordId } from '@netspan/dns';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { etcdFailure } from './errors.js';
import { Keys, prefixEnd } from './keys.js';

const b = (s: string) => Buffer.from(s);

export interface EtcdRecordStoreOptions {
  prefix?: string;
  /** Called for values that cannot be decoded (they are skipped, never fatal). */
  onCorrupt?: (key: string) => void;
  /** Called when the watch had to be re-established from a fresh snapshot. */
  onResync?: (reason: string) => void;
  pageSize?: number;
}

/**
 * API-managed DNS records in etcd under `records/<zone>/<name>/<type>/<id>`. The id is a digest
 * of (name, type, data), so "already exists" and the CNAME rule are decided by one transaction's
 * compares, whichever replica takes the call.
 */
export class EtcdRecordStore implements RecordStore {
  readonly keys: Keys;
  readonly stats = { corrupt: 0, resyncs: 0 };
  private readonly onCorrupt: (key: string) => void;
  private readonly onResync: (reason: string) => void;
  private readonly pageSize: number;

  constructor(
    readonly client: Etcd3,
    opts: EtcdRecordStoreOptions = {},
  ) {
    this.keys = new Keys(opts.prefix);
    this.onCorrupt = opts.onCorrupt ?? (() => {});
    this.onResync = opts.onResync ?? (() => {});
    this.pageSize = opts.pageSize ?? 5000;
  }

  async create(r: NewRecord): Promise<CreateRecordResult> {
    const key = this.keys.record(r.zone, r.name, r.type, r.id);
    // A CNAME needs the name to itself; anything else needs the name free of a CNAME.
    const exclusive =
      r.type === 'CNAME' ? this.keys.records(r.zone, r.name) : this.keys.records(r.zone, r.name, 'CNAME');
    const value = JSON.stringify({ zone: r.zone, name: r.name, type: r.type, ttl: r.ttl, data: r.data });
    try {
      const res = await this.client.kv.txn({
        compare: [
          { key: b(key), target: 'Create', result: 'Equal', create_revision: 0 },
          {
            key: b(exclusive),
            range_end: prefixEnd(exclusive),
            target: 'Version',
            result: 'Equal',
            version: 0,
          },
        ],
        success: [{ request_put: { key: b(key), value: b(value) } }],
        failure: [{ request_range: { key: b(key) } }],
      });
      if (res.succeeded) return { ok: true, stored: { ...r, revision: Number(res.header.revision) } };
      const found = res.responses[0]?.response_range?.kvs?.length ?? 0;
      return { ok: false, reason: found > 0 ? 'exists' : 'cname-conflict' };
    } catch (err) {
      throw etcdFailure(err, 'create record');
    }
  }

  async remove(zone: string, id: string): Promise<StoredRecord | undefined> {
    const prefix = this.keys.records(zone);
    for (let attempt = 0; attempt < 8; attempt++) {
      let found: { kv: IKeyValue; record: StoredRecord } | undefined;
      try {
        const res = await this.client.kv.range({ key: b(prefix), range_end: prefixEnd(prefix) });
        for (const kv of res.kvs) {
          if (!kv.key.toString().endsWith(`/${id}`)) continue;
          const record = this.decode(kv);
          if (record?.id === id) found = { kv, record };
        }
      } catch (err) {
        throw etcdFailure(err, 'find record');
      }
      if (!found) return undefined;
      try {
        const res = await this.client.kv.txn({
          compare: [
            { key: found.kv.key, target: 'Mod', result: 'Equal', mod_revision: found.kv.mod_revision },
          ],
          success: [{ request_delete_range: { key: found.kv.key } }],
          failure: [],
        });
        if (res.succeeded) return found.record;
      } catch (err) {
        throw etcdFailure(err, 'delete record');
      }
    }
    throw etcdFailure(new Error('record keeps changing'), 'delete record');
  }

  /** The record a key and value hold, or undefined (counted) when the value is not a valid record. */
  private decode(kv: IKeyValue): StoredRecord | undefined {
    const key = kv.key.toString();
    const parsed = this.keys.parse(key);
    if (parsed?.kind !== 'record') return undefined;
    try {
      const v = JSON.parse(kv.value.toString()) as Record<string, unknown>;
      const r = normalizeRecord({
        zone: parsed.zone,
        name: parsed.name,
        type: parsed.type,
        ttl: typeof v.ttl === 'number' ? v.ttl : 0,
        data: typeof v.data === 'string' ? v.data : '',
      });
      const id = recordId(r);
      // The key must be the one this record would be stored under: a value copied elsewhere is corrupt.
      if (id !== parsed.id || r.name !== parsed.name || r.type !== parsed.type)
        throw new Error('key mismatch');
      return { ...r, id, revision: Number(kv.mod_revision) };
    } catch {
      this.stats.corrupt++;
      this.onCorrupt(key);
      return undefined;
    }
  }

  /** List `records/` at one revision R (paged), hand it over, watch from R+1; again after a gap. */
  async sync(observer: RecordObserver): Promise<{ close(): Promise<void> }> {
    let closed = false;
    let watcher: Watcher | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    const prefix = this.keys.records();

    const start = async (reason: string | undefined): Promise<void> => {
      const records: StoredRecord[] = [];
      let revision = 0;
      let from = b(prefix);
      for (;;) {
        const res = await this.client.kv.range({
          key: from,
          range_end: prefixEnd(prefix),
          limit: this.pageSize,
          ...(revision ? { revision } : {}),
        });
        if (!revision) revision = Number(res.header.revision);
        for (const kv of res.kvs) {
          const r = this.decode(kv);
          if (r) records.push(r);
        }
        const last = res.kvs[res.kvs.length - 1];
        if (!res.more || !last) break;
        from = Buffer.concat([last.key, Buffer.from([0])]);
      }
      if (closed) return;
      if (reason) {
        this.stats.resyncs++;
        this.onResync(reason);
      }
      observer.snapshot(records, revision);
      const w = await this.client
        .watch()
        .prefix(prefix)
        .startRevision(String(revision + 1))
        .create();
      if (closed) {
        await w.cancel();
        return;
      }
      watcher = w;
      w.on('data', (res) => {
        for (const ev of res.events) {
          if (ev.type === 'Delete') {
            const parsed = this.keys.parse(ev.kv.key.toString());
            if (parsed?.kind === 'record')
              observer.deleted(parsed.zone, parsed.id, Number(ev.kv.mod_revision));
          } else {
            const r = this.decode(ev.kv);
            if (r) observer.put(r);
          }
        }
      });
      w.on('error', (err) => {
        if (closed || watcher !== w) return;
        watcher = undefined;
        void w.cancel().catch(() => {});
        restart(`record watch failed: ${err.message}`);
      });
    };

    const restart = (reason: string, delay = 0) => {
      if (closed) return;
      retryTimer = setTimeout(() => {
        start(reason).catch((err: unknown) =>
          restart(
            `record resync failed: ${err instanceof Error ? err.message : String(err)}`,
            Math.min(5000, delay * 2 || 200),
          ),
        );
      }, delay);
    };

    try {
      await start(undefined);
    } catch (err) {
      throw etcdFailure(err, 'list records');
    }
    return {
      close: async () => {
        closed = true;
        if (retryTimer) clearTimeout(retryTimer);
        await watcher?.cancel().catch(() => {});
      },
    };
  }
}
