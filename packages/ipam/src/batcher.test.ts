import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Batcher } from './batcher.js';

/** A downstream that records every call and answers each request with `req * 10` after `delayMs`. */
function recorder(delayMs: number, fail?: (reqs: number[]) => boolean) {
  const calls: number[][] = [];
  let inflight = 0;
  let maxInflight = 0;
  const run = async (reqs: number[]): Promise<number[]> => {
    calls.push([...reqs]);
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    try {
      await sleep(delayMs);
      if (fail?.(reqs)) throw new Error(`batch ${reqs.join(',')} failed`);
      return reqs.map((r) => r * 10);
    } finally {
      inflight--;
    }
  };
  return {
    run,
    calls,
    get maxInflight() {
      return maxInflight;
    },
  };
}

describe('Batcher', () => {
  it('sends a single request alone', async () => {
    const rec = recorder(1);
    const b = new Batcher(rec.run, { maxBatch: 16, maxInflight: 4 });
    const flushed: number[] = [];
    b.onFlush = (n) => flushed.push(n);
    assert.equal(await b.submit(7), 70);
    assert.deepEqual(rec.calls, [[7]]);
    assert.deepEqual(flushed, [1]);
    assert.equal(b.pending, 0);
  });

  it('sends requests that arrive one at a time on an idle batcher one at a time', async () => {
    const rec = recorder(0);
    const b = new Batcher(rec.run, { maxBatch: 16, maxInflight: 4 });
    for (let i = 1; i <= 3; i++) assert.equal(await b.submit(i), i * 10);
    assert.deepEqual(rec.calls, [[1], [2], [3]]);
  });

  it('groups requests under load and answers each with its own result', async () => {
    const rec = recorder(20);
    const b = new Batcher(rec.run, { maxBatch: 64, maxInflight: 1 });
    const reqs = Array.from({ length: 10 }, (_, i) => i + 1);
    const results = await Promise.all(reqs.map((r) => b.submit(r)));
    assert.deepEqual(
      results,
      reqs.map((r) => r * 10),
    );
    assert.ok(rec.calls.length >= 1);
    assert.ok((rec.calls[0]?.length ?? 0) >= 1);
    assert.ok(rec.calls.length < 10, `expected grouping, got ${rec.calls.length} calls`);
    assert.deepEqual(rec.calls.flat(), reqs, 'every request sent exactly once, in submission order');
    assert.equal(rec.maxInflight, 1);
  });

  it('queues while the only slot is busy and sends the backlog as one batch', async () => {
    const rec = recorder(30);
    const b = new Batcher(rec.run, { maxBatch: 64, maxInflight: 1 });
    const first = b.submit(1);
    await sleep(5); // first batch is now in flight
    const rest = [2, 3, 4, 5].map((r) => b.submit(r));
    assert.equal(b.pending, 4);
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
    assert.deepEqual(rec.calls, [[1], [2, 3, 4, 5]]);
  });

  it('respects maxBatch and maxInflight', async () => {
    const rec = recorder(5);
    const b = new Batcher(rec.run, { maxBatch: 3, maxInflight: 2 });
    const sizes: number[] = [];
    b.onFlush = (n) => sizes.push(n);
    const reqs = Array.from({ length: 20 }, (_, i) => i);
    const results = await Promise.all(reqs.map((r) => b.submit(r)));
    assert.deepEqual(
      results,
      reqs.map((r) => r * 10),
    );
    for (const c of rec.calls) assert.ok(c.length >= 1 && c.length <= 3, `batch of ${c.length}`);
    assert.ok(rec.maxInflight <= 2);
    assert.deepEqual(
      sizes,
      rec.calls.map((c) => c.length),
    );
    assert.deepEqual(
      rec.calls.flat().sort((x, y) => x - y),
      reqs,
    );
  });

  it('rejects every member of a failed batch, and only that batch', async () => {
    const rec = recorder(5, (reqs) => reqs.includes(1));
    const b = new Batcher(rec.run, { maxBatch: 2, maxInflight: 1 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((r) => b.submit(r)));
    assert.deepEqual(rec.calls, [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(settled[0]?.status, 'rejected');
    assert.equal(settled[1]?.status, 'rejected');
    assert.match(String((settled[0] as PromiseRejectedResult).reason), /batch 1,2 failed/);
    assert.equal((settled[0] as PromiseRejectedResult).reason, (settled[1] as PromiseRejectedResult).reason);
    assert.deepEqual(settled[2], { status: 'fulfilled', value: 30 });
    assert.deepEqual(settled[3], { status: 'fulfilled', value: 40 });
  });

  it('keeps working after a failed batch', async () => {
    let fail = true;
    const b = new Batcher<number, number>(
      async (reqs) => {
        if (fail) throw new Error('down');
        return reqs;
      },
      { maxBatch: 8, maxInflight: 1 },
    );
    await assert.rejects(b.submit(1), /down/);
    fail = false;
    assert.equal(await b.submit(2), 2);
  });

  it('rejects the requests a short answer leaves without a result', async () => {
    const b = new Batcher<number, number>(async (reqs) => reqs.slice(0, 1), { maxBatch: 8, maxInflight: 1 });
    const settled = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    assert.deepEqual(settled[0], { status: 'fulfilled', value: 1 });
    assert.equal(settled[1]?.status, 'rejected');
    assert.equal(settled[2]?.status, 'rejected');
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /fewer results/);
  });

  it('drains a large burst with bounded concurrency', async () => {
    const rec = recorder(1);
    const b = new Batcher(rec.run, { maxBatch: 16, maxInflight: 4 });
    const reqs = Array.from({ length: 500 }, (_, i) => i);
    const results = await Promise.all(reqs.map((r) => b.submit(r)));
    assert.deepEqual(
      results,
      reqs.map((r) => r * 10),
    );
    assert.ok(rec.maxInflight <= 4);
    assert.ok(rec.calls.length >= 500 / 16);
    assert.ok(rec.calls.length < 500);
    assert.equal(b.pending, 0);
  });

  describe('linger', () => {
    it('sends the first request of an idle batcher at once, linger or not', async () => {
      const rec = recorder(1);
      const b = new Batcher(rec.run, { maxBatch: 64, maxInflight: 4, lingerMs: 1000 });
      const t = performance.now();
      assert.equal(await b.submit(1), 10);
      assert.ok(performance.now() - t < 500, 'an idle batcher must not wait out the linger');
    });

    it('under steady load, groups what arrives within the linger into one call', async () => {
      const rec = recorder(2);
      const sizes: number[] = [];
      const b = new Batcher(rec.run, { maxBatch: 64, maxInflight: 8, lingerMs: 40 });
      b.onFlush = (n) => sizes.push(n);
      const pending: Promise<number>[] = [b.submit(0)]; // goes at once
      // One request every 2 ms for 60 ms: without the linger each would leave alone (a call
      // takes 2 ms, slots are free); with it they wait for company.
      for (let i = 1; i <= 30; i++) {
        await sleep(2);
        pending.push(b.submit(i));
      }
      const results = await Promise.all(pending);
      assert.deepEqual(
        results,
        Array.from({ length: 31 }, (_, i) => i * 10),
      );
      assert.equal(sizes[0], 1);
      assert.ok(sizes.length <= 6, `expected a few groups, got ${sizes.length}: ${sizes.join(',')}`);
      assert.deepEqual(
        rec.calls.flat(),
        Array.from({ length: 31 }, (_, i) => i),
      );
    });

    it('never holds a request much longer than the linger', async () => {
      const rec = recorder(1);
      const b = new Batcher(rec.run, { maxBatch: 64, maxInflight: 8, lingerMs: 30 });
      await b.submit(1); // a flush just happened: the batcher counts as loaded for 30 ms
      const t = performance.now();
      assert.equal(await b.submit(2), 20);
      const waited = performance.now() - t;
      assert.ok(waited < 30 + 200, `waited ${waited.toFixed(0)} ms`);
      assert.deepEqual(rec.calls, [[1], [2]]);
    });

    it('sends a full group at once without waiting out the linger', async () => {
      const rec = recorder(50);
      const b = new Batcher(rec.run, { maxBatch: 4, maxInflight: 2, lingerMs: 10_000 });
      const first = b.submit(0);
      await sleep(5); // in flight: the batcher is loaded
      const t = performance.now();
      const group = [1, 2, 3, 4].map((r) => b.submit(r));
      assert.deepEqual(await Promise.all(group), [10, 20, 30, 40]);
      assert.ok(performance.now() - t < 2000, 'a full group leaves without lingering');
      await first;
      assert.deepEqual(rec.calls, [[0], [1, 2, 3, 4]]);
    });

    it('rejects a negative linger', () => {
      assert.throws(
        () => new Batcher(async (r: number[]) => r, { maxBatch: 1, maxInflight: 1, lingerMs: -1 }),
        RangeError,
      );
    });
  });

  describe('regressions', () => {
    it('settles the batch and keeps working when run throws synchronously', async () => {
      // flush() calls run() without guarding a synchronous throw: the exception escapes the
      // setImmediate callback (uncaught), the batch's promises never settle and `inflight`
      // is never decremented, so with maxInflight 1 every later submit hangs too.
      let calls = 0;
      const b = new Batcher<number, number>(
        (reqs) => {
          calls++;
          if (calls === 1) throw new Error('sync boom');
          return Promise.resolve(reqs);
        },
        { maxBatch: 8, maxInflight: 1 },
      );
      const timeout = <T>(v: T) => sleep(200).then(() => v);
      const first = await Promise.race([
        b.submit(1).then(
          () => 'resolved',
          (e: unknown) => `rejected: ${(e as Error).message}`,
        ),
        timeout('still pending'),
      ]);
      assert.equal(first, 'rejected: sync boom');
      assert.equal(await Promise.race([b.submit(2), timeout(-1)]), 2);
    });
  });
});
