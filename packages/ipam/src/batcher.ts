/**
 * Groups concurrent requests into batches for one downstream call, adaptively: when
 * nothing is in flight a request goes out at once (batch of 1, no added latency); while
 * `maxInflight` batches are outstanding, new requests queue and leave together as soon
 * as one slot frees, up to `maxBatch` per call. Under load batches grow by themselves.
 *
 * With `lingerMs`, a batch that would leave small while another is still in flight waits
 * up to that long for company (it leaves at once when it reaches `maxBatch`). Each call has
 * a fixed cost far above its per-request cost (an etcd transaction: ~1.4 ms of ipamd CPU
 * and ~1.2 ms of etcd's, against ~0.15 ms per claim), so under steady load a few
 * milliseconds of waiting buys several times the throughput. An idle batcher never waits.
 */
export class Batcher<Req, Res> {
  private queue: Array<{ req: Req; at: number; resolve: (r: Res) => void; reject: (e: unknown) => void }> =
    [];
  private inflight = 0;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  /** Sizes of flushed batches, for metrics. */
  onFlush?: (size: number) => void;

  constructor(
    private readonly run: (reqs: Req[]) => Promise<Res[]>,
    private readonly opts: { maxBatch: number; maxInflight: number; lingerMs?: number },
  ) {
    if (!(opts.maxBatch >= 1) || !(opts.maxInflight >= 1))
      throw new RangeError('maxBatch and maxInflight must be >= 1');
    if (opts.lingerMs !== undefined && !(opts.lingerMs >= 0)) throw new RangeError('lingerMs must be >= 0');
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, at: this.opts.lingerMs ? performance.now() : 0, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Whether the queue should wait for more: a linger is set, the batcher is under load
   * (another batch is in flight, or one left less than a linger ago), the batch is not
   * full, and its oldest member has waited less than the linger. Arms a timer for the
   * moment the linger runs out.
   */
  private lingering(): boolean {
    const linger = this.opts.lingerMs ?? 0;
    if (linger <= 0 || this.queue.length >= this.opts.maxBatch) return false;
    const now = performance.now();
    if (this.inflight === 0 && now - this.lastFlushAt >= linger) return false;
    const left = (this.queue[0]?.at ?? 0) + linger - now;
    if (left <= 0) return false;
    if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.schedule();
      }, Math.ceil(left));
    }
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.inflight >= this.opts.maxInflight || this.queue.length === 0) return;
    if (this.lingering()) return;
    this.scheduled = true;
    // Let the current turn of the event loop enqueue whatever else arrived with it.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    while (this.inflight < this.opts.maxInflight && this.queue.length > 0) {
      if (this.lingering()) break;
      const batch = this.queue.splice(0, this.opts.maxBatch);
      if (this.opts.lingerMs) this.lastFlushAt = performance.now();
      this.inflight++;
      this.onFlush?.(batch.length);
      // A run() that throws synchronously must fail its batch, not the process.
      Promise.resolve()
        .then(() => this.run(batch.map((b) => b.req)))
        .then(
          (results) => {
            batch.forEach((b, i) => {
              const r = results[i];
              if (r === undefined) b.reject(new Error('batch returned fewer results than requests'));
              else b.resolve(r);
            });
          },
          (err: unknown) => {
            for (const b of batch) b.reject(err);
          },
        )
        .finally(() => {
          this.inflight--;
          this.schedule();
        });
      // A small remainder waits for the next submit's tick or a completion, so it
      // joins a larger group instead of costing a transaction of its own.
      if (this.queue.length < this.opts.maxBatch / 4) break;
    }
  }
}
