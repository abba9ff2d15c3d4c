/**
 * Groups concurrent requests into batches for one downstream call, adaptively: when
 * nothing is in flight a request goes out at once (batch of 1, no added latency); while
 * `maxInflight` batches are outstanding, new requests queue and leave together as soon
 * as one slot frees, up to `maxBatch` per call. Under load batches grow by themselves.
 */
export class Batcher<Req, Res> {
  private queue: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private inflight = 0;
  private scheduled = false;
  /** Sizes of flushed batches, for metrics. */
  onFlush?: (size: number) => void;

  constructor(
    private readonly run: (reqs: Req[]) => Promise<Res[]>,
    private readonly opts: { maxBatch: number; maxInflight: number },
  ) {
    if (!(opts.maxBatch >= 1) || !(opts.maxInflight >= 1))
      throw new RangeError('maxBatch and maxInflight must be >= 1');
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inflight >= this.opts.maxInflight || this.queue.length === 0) return;
    this.scheduled = true;
    // Let the current turn of the event loop enqueue whatever else arrived with it.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inflight < this.opts.maxInflight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
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
