import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runChaos } from '../chaos/chaos.js';

// The short version of `npm run chaos`: fewer clients and seconds, the same faults.
it('keeps every ACK unique and stored while replicas are killed and etcd stops for 5 s', async () => {
  const r = await runChaos({
    clients: 600,
    durationMs: 24_000,
    killEveryMs: 3000,
    etcdStopAtMs: 9000,
    etcdStopForMs: 5000,
    concurrency: 24,
  });
  console.log(
    JSON.stringify({ ...r, duplicates: r.duplicates.length, lost: r.lost.length, orphans: r.orphans.length }),
  );
  assert.deepEqual(r.duplicates, [], 'no address ACKed to two clients at once');
  assert.deepEqual(r.lost, [], 'every ACKed lease is in etcd');
  assert.deepEqual(r.orphans, [], 'index and leases agree');
  assert.ok(r.kills >= 4, `kills: ${r.kills}`);
  assert.ok(r.acks > 600, `acks: ${r.acks}`);
  assert.equal(r.acksWhileEtcdDown, 0, 'nothing is ACKed while etcd is down');
  assert.equal(r.grpcStatusWhileEtcdDown, 'UNAVAILABLE');
  assert.ok(r.grpcFailFastMs < 5000, `gRPC failed after ${r.grpcFailFastMs} ms`);
  assert.ok(r.recoveryMs >= 0 && r.recoveryMs < 15_000, `recovered ${r.recoveryMs} ms after etcd returned`);
});
