import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ClaimRequest, LeaseUpdate } from '@netspan/ipam';
import type { IKeyValue } from 'etcd3';
import { flattenClaims, flattenUpdates } from './claim-txn.js';
import {
  errorFromWire,
  type FromKvThread,
  type KvThreadData,
  type ToKvThread,
  type WireKv,
} from './kv-thread-protocol.js';
import type { LeanKvOptions } from './lean-kv.js';

/** What a grouped claim (or renewal) transaction answered: its revision and which held. */
export interface ClaimTxnResult {
  revision: number;
  /** 1 where the claim's sub-transaction succeeded, 0 where its compares failed. */
  succeeded: Uint8Array;
}

export interface ThreadedKvOptions extends LeanKvOptions {
  /** The store's key prefix (default `/netspan/v1/`). */
  prefix?: string;
}

/**
 * The store's claim transactions and state watch, run by a `LeanKv` in a worker thread
 * (kv-thread.ts). On a 2-core machine serving DHCP, ipamd's main thread is the limit, and
 * building, encoding, sending and decoding a claim transaction was a fifth of its work; here
 * it costs the main thread one structured clone of a flat array per transaction.
 *
 * If the thread dies, calls in flight fail as etcd unavailability would (the DHCP client
 * retries), watches report an error (the store re-lists), and a new thread takes over.
 */
export class ThreadedKv {
  private worker: Worker;
  private closed = false;
  private nextId = 1;
  private readonly calls = new Map<
    number,
    { resolve: (r: ClaimTxnResult) => void; reject: (e: Error) => void }
  >();
  private readonly watchers = new Map<number, ThreadedWatcher>();
  private exited: Promise<void> = Promise.resolve();
  /** Threads started, the first included (a restart after a crash adds one). */
  threadsStarted = 0;

  constructor(private readonly opts: ThreadedKvOptions) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const data: KvThreadData = {
      lean: {
        endpoints: this.opts.endpoints,
        ...(this.opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.opts.requestTimeoutMs } : {}),
        ...(this.opts.tls ? { tls: this.opts.tls } : {}),
      },
      prefix: this.opts.prefix ?? '/netspan/v1/',
    };
    const w = new Worker(new URL('./kv-thread.js', import.meta.url), { workerData: data });
    this.threadsStarted++;
    w.on('message', (m: FromKvThread) => this.onMessage(m));
    w.on('error', (err) => this.lost(w, err));
    this.exited = new Promise<void>((resolve) =>
      w.once('exit', (code) => {
        this.lost(w, new Error(`etcd client thread exited (code ${code})`));
        resolve();
      }),
    );
    return w;
  }

  /** The thread is gone: fail what waited on it and, unless closing, start another. */
  private lost(w: Worker, err: Error): void {
    if (w !== this.worker) return;
    const unavailable = Object.assign(new Error(`14 UNAVAILABLE: ${err.message}`), { code: 14 });
    for (const c of this.calls.values()) c.reject(unavailable);
    this.calls.clear();
    for (const watcher of this.watchers.values()) watcher.fail(unavailable);
    this.watchers.clear();
    if (!this.closed) this.worker = this.spawn();
  }

  private send(m: ToKvThread): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromKvThread): void {
    switch (m.t) {
      case 'result': {
        const c = this.calls.get(m.id);
        if (!c) return;
        this.calls.delete(m.id);
        if ('error' in m) c.reject(errorFromWire(m.error));
        else c.resolve({ revision: m.revision, succeeded: m.ok });
        return;
      }
      case 'watching':
      case 'data':
      case 'state':
      case 'watch-error':
      case 'cancelled':
        this.watchers.get(m.wid)?.onMessage(m);
        if (m.t === 'cancelled' || m.t === 'watch-error' || (m.t === 'watching' && m.error))
          this.watchers.delete(m.wid);
        return;
    }
  }

  /** One transaction with a sub-transaction per claim (as the store builds them on its own). */
  claim(reqs: ClaimRequest[]): Promise<ClaimTxnResult> {
    return this.group('claim', flattenClaims(reqs));
  }

  /** One transaction with a sub-transaction per renewal. */
  renew(updates: LeaseUpdate[]): Promise<ClaimTxnResult> {
    return this.group('renew', flattenUpdates(updates));
  }

  private group(t: 'claim' | 'renew', flat: Array<string | number>): Promise<ClaimTxnResult> {
    if (this.closed) return Promise.reject(new Error('etcd client thread closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.send({ t, id, flat });
    });
  }

  /**
   * Watches [key, rangeEnd) from `startRevision`, as `LeanKv.watch` does. With
   * `skipOwnClaims`, successful claims and renewals made through this client are left out: for
   * an observer that applies their outcome when the transaction returns.
   */
  watch(
    key: Buffer,
    rangeEnd: Buffer | undefined,
    startRevision: number,
    opts: { skipOwnClaims?: boolean } = {},
  ): Promise<ThreadedWatcher> {
    if (this.closed) return Promise.reject(new Error('etcd client thread closed'));
    const wid = this.nextId++;
    const w = new ThreadedWatcher(wid, (m) => this.send(m));
    this.watchers.set(wid, w);
    this.send({
      t: 'watch',
      wid,
      key: new Uint8Array(key),
      end: rangeEnd ? new Uint8Array(rangeEnd) : undefined,
      revision: startRevision,
      skipOwnClaims: opts.skipOwnClaims ?? false,
    });
    return w.started;
  }

  /** Cancels the watches, closes the thread's etcd session and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedErr = new Error('etcd client thread closed');
    for (const c of this.calls.values()) c.reject(closedErr);
    this.calls.clear();
    this.send({ t: 'close' });
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A watch in the thread, shaped like `LeanWatcher` as the store uses it. */
export class ThreadedWatcher extends EventEmitter {
  readonly started: Promise<ThreadedWatcher>;
  private settleStart!: { resolve: (w: ThreadedWatcher) => void; reject: (e: Error) => void };
  private cancelledWait: (() => void) | undefined;
  private done = false;

  constructor(
    private readonly wid: number,
    private readonly send: (m: ToKvThread) => void,
  ) {
    super();
    // An 'error' nobody listens to must not throw.
    this.on('error', () => {});
    this.started = new Promise((resolve, reject) => {
      this.settleStart = { resolve, reject };
    });
  }

  /** @internal */
  onMessage(m: FromKvThread): void {
    switch (m.t) {
      case 'watching':
        if (m.error) this.settleStart.reject(errorFromWire(m.error));
        else this.settleStart.resolve(this);
        return;
      case 'data':
        this.emit('data', { header: { revision: m.revision }, events: m.events.map(eventOf) });
        return;
      case 'state':
        this.emit(m.state);
        return;
      case 'watch-error':
        this.fail(errorFromWire(m.error));
        return;
      case 'cancelled':
        this.done = true;
        this.cancelledWait?.();
        return;
    }
  }

  /** @internal The watch cannot go on. */
  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.settleStart.reject(err);
    this.emit('error', err);
    this.cancelledWait?.();
  }

  cancel(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.cancelledWait = resolve;
      this.send({ t: 'cancel', wid: this.wid });
    });
  }
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function eventOf(e: WireKv): { type: string; kv: IKeyValue } {
  return {
    type: e.type,
    kv: {
      key: asBuffer(e.key),
      value: asBuffer(e.value),
      create_revision: e.create_revision,
      mod_revision: e.mod_revision,
      version: e.version,
      lease: e.lease,
    },
  };
}
