/**
 * The worker thread behind `ThreadedKv`: its own `LeanKv` (one HTTP/2 session to etcd) runs
 * the grouped claim transactions and the state watch, so their building, protobuf encoding,
 * HTTP/2 and decoding use the machine's second core instead of ipamd's main thread.
 *
 * A watch opened with `skipOwnClaims` leaves out the puts of this thread's own successful
 * claims: the engine applies a claim's outcome when its transaction returns, so the event
 * would only be decoded to be ignored. A watch response holding such a put waits until the
 * claim's reply has been posted (the main thread then sees the claim before the watch's
 * revision); if the claim's transaction failed without an answer, its puts are forwarded
 * like anyone else's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { IKeyValue } from 'etcd3';
import { claimGroupFrame, readGroupResult, renewGroupFrame } from './claim-frame.js';
import { CLAIM_FIELDS } from './claim-txn.js';
import { Keys } from './keys.js';
import {
  type ClaimWire,
  type FromKvThread,
  type KvThreadData,
  type ToKvThread,
  type WireKv,
  wireError,
} from './kv-thread-protocol.js';
import { LeanKv, type LeanWatcher, type LeanWatchResponse } from './lean-kv.js';

const port = parentPort;
if (!port) throw new Error('kv-thread runs as a worker thread');
const data = workerData as KvThreadData;
const kv = new LeanKv(data.lean);
const keys = new Keys(data.prefix);

const post = (m: FromKvThread, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

/** A claim or renewal transaction: settled once its reply is posted; ok when etcd answered it. */
interface Claim {
  settled: boolean;
  ok: boolean;
  at: number;
}
/** Lease puts of claims and renewals this thread made whose watch event is not seen yet, by key. */
const own = new Map<string, { value: Buffer; claim: Claim }>();
let lastSweep = Date.now();
/** Watches that leave out own claims: while there are none, nothing is remembered for them. */
const skipOwnWatches = new Set<number>();

/** Entries whose event never comes (a watch re-listed past it) go after a minute. */
function sweep(now: number): void {
  if (now - lastSweep < 10_000) return;
  lastSweep = now;
  for (const [k, o] of own) if (o.claim.settled && now - o.claim.at > 60_000) own.delete(k);
}

/**
 * One grouped transaction of claims or renewals (a sub-transaction each); posts which held.
 * The lease puts are remembered until the watch shows them.
 */
async function group(kind: 'claim' | 'renew', id: number, flat: ClaimWire): Promise<void> {
  const n = flat.length / CLAIM_FIELDS;
  const now = Date.now();
  sweep(now);
  const c: Claim = { settled: false, ok: false, at: now };
  let written: string[] = [];
  try {
    // Straight from the flat array to the request's bytes, and from the reply's bytes to
    // which claims held (claim-frame.ts).
    const g = kind === 'claim' ? claimGroupFrame(keys, flat) : renewGroupFrame(keys, flat);
    written = g.leaseKeys;
    if (skipOwnWatches.size > 0)
      for (let i = 0; i < n; i++)
        own.set(g.leaseKeys[i] as string, { value: g.values[i] as Buffer, claim: c });
    const res = await kv.txnFrame(g.frame, (buf, start, end) => readGroupResult(buf, start, end, n));
    const ok = res.held;
    for (let i = 0; i < n; i++) {
      const k = written[i] as string;
      if (!ok[i] && own.get(k)?.claim === c) own.delete(k);
    }
    c.ok = true;
    c.settled = true;
    post({ t: 'result', id, revision: res.revision, ok }, [ok.buffer as ArrayBuffer]);
  } catch (err) {
    c.settled = true;
    for (const k of written) if (own.get(k)?.claim === c) own.delete(k);
    post({ t: 'result', id, error: wireError(err) });
  }
  flush();
}

// ---- watches

const watches = new Map<number, LeanWatcher>();
const cancelled = new Set<number>();
/** Watch responses in arrival order, each waiting for the claims whose puts it carries. */
const held: Array<{ wid: number; res: LeanWatchResponse; claims: Array<Claim | undefined> }> = [];

function onData(wid: number, res: LeanWatchResponse, skipOwn: boolean): void {
  const claims: Array<Claim | undefined> = new Array(res.events.length);
  if (skipOwn) {
    res.events.forEach((ev, i) => {
      if (ev.type !== 'Put') return;
      const key = (ev.kv.key as Buffer).toString();
      const o = own.get(key);
      if (o?.value.equals(ev.kv.value as Buffer)) {
        claims[i] = o.claim;
        own.delete(key);
      }
    });
  }
  held.push({ wid, res, claims });
  flush();
}

function flush(): void {
  while (held.length > 0) {
    const h = held[0] as (typeof held)[number];
    if (h.claims.some((c) => c !== undefined && !c.settled)) return;
    held.shift();
    if (cancelled.has(h.wid)) continue;
    const events: WireKv[] = [];
    h.res.events.forEach((ev, i) => {
      if (h.claims[i]?.ok) return;
      events.push(wireKv(ev.type, ev.kv));
    });
    post({ t: 'data', wid: h.wid, revision: String(h.res.header.revision), events });
  }
}

/** Exact-size copies: a pooled Buffer would drag its whole 8 KB slab through the clone. */
function wireKv(type: 'Put' | 'Delete', kv: IKeyValue): WireKv {
  return {
    type,
    key: new Uint8Array(kv.key as Buffer),
    value: new Uint8Array(kv.value as Buffer),
    create_revision: String(kv.create_revision),
    mod_revision: String(kv.mod_revision),
    version: String(kv.version),
    lease: String(kv.lease),
  };
}

async function watch(
  wid: number,
  key: Uint8Array,
  end: Uint8Array | undefined,
  rev: number,
  skipOwn: boolean,
) {
  try {
    const w = await kv.watch(Buffer.from(key), end ? Buffer.from(end) : undefined, rev);
    if (cancelled.has(wid)) {
      await w.cancel();
      return;
    }
    watches.set(wid, w);
    w.on('data', (res: LeanWatchResponse) => onData(wid, res, skipOwn));
    w.on('connected', () => post({ t: 'state', wid, state: 'connected' }));
    w.on('disconnected', () => post({ t: 'state', wid, state: 'disconnected' }));
    w.on('error', (err: Error) => {
      watches.delete(wid);
      skipOwnWatches.delete(wid);
      post({ t: 'watch-error', wid, error: wireError(err) });
    });
    post({ t: 'watching', wid });
  } catch (err) {
    skipOwnWatches.delete(wid);
    post({ t: 'watching', wid, error: wireError(err) });
  }
}

port.on('message', (m: ToKvThread) => {
  switch (m.t) {
    case 'claim':
    case 'renew':
      void group(m.t, m.id, m.flat);
      return;
    case 'watch':
      if (m.skipOwnClaims) skipOwnWatches.add(m.wid);
      void watch(m.wid, m.key, m.end, m.revision, m.skipOwnClaims);
      return;
    case 'cancel': {
      cancelled.add(m.wid);
      skipOwnWatches.delete(m.wid);
      const w = watches.get(m.wid);
      watches.delete(m.wid);
      void (w ? w.cancel() : Promise.resolve()).finally(() => post({ t: 'cancelled', wid: m.wid }));
      return;
    }
    case 'close':
      kv.close();
      port.close();
      return;
  }
});
