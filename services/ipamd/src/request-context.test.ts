import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestContextActive, requestLogFields, withRequest } from './request-context.js';

describe('request context', () => {
  it('follows a call through its awaits, keeps overlapping calls apart, and switches off after', async () => {
    const seen: Record<string, unknown[]> = { a: [], b: [] };
    // Each call waits on a gate the test opens, so the overlap does not depend on timers.
    const gates: Record<string, () => void> = {};
    const call = (id: string) =>
      withRequest({ method: 'S/M', requestId: id }, async () => {
        seen[id]?.push(requestLogFields());
        await new Promise<void>((open) => {
          gates[id] = open;
        });
        seen[id]?.push(requestLogFields());
        await sleep(1);
        seen[id]?.push(requestLogFields());
      });
    const a = call('a');
    const b = call('b');
    assert.equal(requestContextActive(), 2);
    gates.a?.();
    await a;
    await sleep(0);
    // A ended while B runs: B must still see its own context.
    assert.equal(requestContextActive(), 1);
    gates.b?.();
    await b;
    await sleep(0);
    assert.equal(requestContextActive(), 0);
    for (const id of ['a', 'b']) {
      assert.deepEqual(seen[id], Array(3).fill({ method: 'S/M', requestId: id }));
    }
    // Outside any call there is no context.
    assert.deepEqual(requestLogFields(), {});
  });

  it('ends a call that throws synchronously or rejects, and then works again', async () => {
    assert.throws(() =>
      withRequest({ method: 'S/M', requestId: 'x' }, () => {
        throw new Error('boom');
      }),
    );
    assert.equal(requestContextActive(), 0);
    await assert.rejects(
      withRequest({ method: 'S/M', requestId: 'y' }, async () => Promise.reject(new Error('no'))),
    );
    await sleep(0);
    assert.equal(requestContextActive(), 0);
    const v = await withRequest({ method: 'S/M', requestId: 'z' }, async () => {
      await sleep(1);
      return requestLogFields();
    });
    assert.deepEqual(v, { method: 'S/M', requestId: 'z' });
  });
});
