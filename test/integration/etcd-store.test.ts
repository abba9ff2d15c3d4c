import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  connectEtcd,
  EtcdIpamStore,
  etcdFailure,
  LeanKv,
  LeanWatchCompactedError,
  ThreadedKv,
} from '@netspan/etcd-store';
import { type ClaimRequest, ErrorCode, newLease, normalizeNetwork, type StoreObserver } from '@netspan/ipam';
import { ipamStoreConformance } from '@netspan/ipam/testing';
import type { Etcd3 } from 'etcd3';
import { type EtcdHandle, freePorts, startEtcd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
const clients: Etcd3[] = [];
const leans: LeanKv[] = [];
const threads: ThreadedKv[] = [];

before(async () => {
  etcd = await startEtcd({ name: 'store-test' });
});
after(async () => {
  for (const c of clients) c.close();
  for (const l of leans) l.close();
  await Promise.all(threads.map((t) => t.close()));
  await etcd?.stop();
});

/**
 * Each store gets its own prefix on the shared etcd, so cases never see each other's keys.
 * `lean`: transactions through the LeanKv client; `threaded`: claims and the watch through
 * ThreadedKv as well, as ipamd runs (etcd3's client otherwise).
 */
function openStore(mode: 'etcd3' | 'lean' | 'threaded' = 'etcd3'): {
  store: EtcdIpamStore;
  client: Etcd3;
  close(): Promise<void>;
} {
  const client = connectEtcd({ endpoints: etcd.endpoints });
  clients.push(client);
  const prefix = `/t/${randomUUID()}/`;
  const txnClient =
    mode !== 'etcd3' ? new LeanKv({ endpoints: etcd.endpoints, requestTimeoutMs: 2000 }) : undefined;
  if (txnClient) leans.push(txnClient);
  const threaded =
    mode === 'threaded'
      ? new ThreadedKv({ endpoints: etcd.endpoints, requestTimeoutMs: 2000, prefix })
      : undefined;
  if (threaded) threads.push(threaded);
  const store = new EtcdIpamStore(client, {
    prefix,
    ...(txnClient ? { txnClient, watchClient: threaded ?? txnClient } : {}),
    ...(threaded ? { claimClient: threaded } : {}),
  });
  return {
    store,
    client,
    close: async () => {
      await threaded?.close();
      txnClient?.close();
      client.close();
    },
  };
}

ipamStoreConformance('etcd', async () => openStore());
ipamStoreConformance('etcd, lean transaction client', async () => openStore('lean'));
ipamStoreConformance('etcd, claims and watch in a worker thread', async () => openStore('threaded'));

const lease = (network: string, address: string, clientId: string) => newLease(network, address, clientId);

describe('etcd store specifics', () => {
  it('splits a batch larger than one transaction allows, and repeated keys, into rounds', async () => {
    const { store, close } = openStore();
    try {
      const c = await store.createNetwork(normalizeNetwork({ name: 'big', cidr: '10.8.0.0/16', vni: 5 }));
      assert.ok(c.ok);
      const reqs: ClaimRequest[] = Array.from({ length: 300 }, (_, i) => ({
        lease: lease('big', `10.8.${i >> 8}.${(i & 255) + (i < 256 ? 1 : 0)}`, `c${i}`),
        networkRevision: c.stored.revision,
      }));
      // The same client twice and the same address twice in one batch.
      reqs.push({ lease: lease('big', '10.8.9.9', 'c0'), networkRevision: c.stored.revision });
      reqs.push({ lease: lease('big', '10.8.0.1', 'other'), networkRevision: c.stored.revision });
      const outs = await store.claim(reqs);
      assert.equal(outs.length, 302);
      assert.equal(outs.filter((o) => o.kind === 'claimed').length, 300);
      assert.equal(outs[300]?.kind, 'client-has-lease');
      assert.equal(outs[301]?.kind, 'address-taken');
      assert.equal(await store.countLeases('big'), 300);
    } finally {
      await close();
    }
  });

  it('skips and counts values it cannot decode instead of failing', async () => {
    const { store, client, close } = openStore();
    try {
      const c = await store.createNetwork(normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/24', vni: 5 }));
      assert.ok(c.ok);
      await client.put(store.keys.lease('blue', '10.9.0.7')).value('{not json');
      await client.put(store.keys.network('junk')).value('[]');
      assert.equal(await store.getLease('blue', '10.9.0.7'), undefined);
      const leases: string[] = [];
      let networks = 0;
      const obs: StoreObserver = {
        snapshot: (s) => {
          networks = s.networks.length;
          leases.push(...s.leases.map((l) => l.address));
        },
        networkPut: () => {},
        networkDeleted: () => {},
        leasePut: (l) => leases.push(l.address),
        leaseDeleted: () => {},
        reservationPut: () => {},
        reservationDeleted: () => {},
      };
      const sub = await store.sync(obs);
      assert.equal(networks, 1);
      assert.equal(leases.length, 0);
      assert.ok(store.stats.corrupt >= 3);
      // A corrupt value arriving through the watch is skipped too, and the watch goes on.
      await client.put(store.keys.lease('blue', '10.9.0.8')).value('"just a string"');
      const out = await store.claim([
        { lease: lease('blue', '10.9.0.9', 'ok'), networkRevision: c.stored.revision },
      ]);
      assert.equal(out[0]?.kind, 'claimed');
      await waitFor(() => leases.includes('10.9.0.9'), { what: 'watch to deliver the good lease' });
      assert.deepEqual(leases, ['10.9.0.9']);
      await sub.close();
    } finally {
      await close();
    }
  });

  for (const mode of ['lean', 'threaded'] as const)
    it(`keeps following changes after etcd is killed and restarted (${mode}, as ipamd runs)`, async () => {
      const { store, close } = openStore(mode);
      try {
        const c = await store.createNetwork(normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/24', vni: 5 }));
        assert.ok(c.ok);
        const seen = new Set<string>();
        const obs: StoreObserver = {
          snapshot: (s) => {
            seen.clear();
            for (const l of s.leases) seen.add(l.address);
          },
          networkPut: () => {},
          networkDeleted: () => {},
          leasePut: (l) => seen.add(l.address),
          leaseDeleted: (_n, a) => seen.delete(a),
          reservationPut: () => {},
          reservationDeleted: () => {},
        };
        const sub = await store.sync(obs);
        await store.claim([{ lease: lease('blue', '10.9.0.2', 'a'), networkRevision: c.stored.revision }]);
        await waitFor(() => seen.has('10.9.0.2'), { what: 'first lease' });
        await etcd.kill();
        // While etcd is down, claims fail promptly with UNAVAILABLE rather than hanging.
        await assert.rejects(
          store.claim([{ lease: lease('blue', '10.9.0.3', 'b'), networkRevision: c.stored.revision }]),
          (err: Error & { code?: string }) => err.code === 'UNAVAILABLE',
        );
        await etcd.restart();
        let claimed = false;
        await waitFor(
          async () => {
            const [o] = await store.claim([
              { lease: lease('blue', '10.9.0.3', 'b'), networkRevision: c.stored.revision },
            ]);
            claimed ||= o?.kind === 'claimed' || o?.kind === 'client-has-lease';
            return claimed;
          },
          { what: 'a claim to succeed after the restart', timeoutMs: 20_000, intervalMs: 200 },
        );
        await waitFor(() => seen.has('10.9.0.3'), {
          what: 'the watch to resume and deliver the new lease',
          timeoutMs: 20_000,
        });
        assert.ok(seen.has('10.9.0.2'), 'the lease ACKed before the restart survived');
        await sub.close();
      } finally {
        await close();
      }
    });

  /** An observer that records lease puts and deletes by address. */
  function recorder(): { obs: StoreObserver; seen: Map<string, string>; puts: string[] } {
    const seen = new Map<string, string>();
    const puts: string[] = [];
    return {
      seen,
      puts,
      obs: {
        snapshot: (snap) => {
          seen.clear();
          for (const l of snap.leases) seen.set(l.address, l.clientId);
        },
        networkPut: () => {},
        networkDeleted: () => {},
        leasePut: (l) => {
          seen.set(l.address, l.clientId);
          puts.push(l.address);
        },
        leaseDeleted: (_n, a) => seen.delete(a),
        reservationPut: () => {},
        reservationDeleted: () => {},
      },
    };
  }

  for (const mode of ['lean', 'threaded'] as const)
    it(`${mode}: one network compare per group; a changed network fails the whole group, the others are re-planned`, async () => {
      const { store, close } = openStore(mode);
      try {
        const blue = await store.createNetwork(
          normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/24', vni: 5 }),
        );
        const green = await store.createNetwork(
          normalizeNetwork({ name: 'green', cidr: '10.8.0.0/24', vni: 6 }),
        );
        assert.ok(blue.ok && green.ok);
        // Claims planned at two revisions of blue (per-claim compares) and one of green (one compare).
        const mixed = await store.claim([
          { lease: lease('blue', '10.9.0.2', 'a'), networkRevision: blue.stored.revision },
          { lease: lease('blue', '10.9.0.3', 'b'), networkRevision: blue.stored.revision - 1 },
          { lease: lease('green', '10.8.0.2', 'c'), networkRevision: green.stored.revision },
        ]);
        assert.deepEqual(
          mixed.map((o) => o.kind),
          ['claimed', 'network-changed', 'claimed'],
        );
        // blue changes; a group with claims on both networks, all at their old revisions.
        const changed = await store.replaceNetwork(
          normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/24', vni: 5, domain: 'blue.example' }),
          blue.stored.revision,
        );
        assert.ok(changed !== 'conflict');
        const group = await store.claim([
          { lease: lease('blue', '10.9.0.4', 'd'), networkRevision: blue.stored.revision },
          { lease: lease('green', '10.8.0.3', 'e'), networkRevision: green.stored.revision },
        ]);
        assert.deepEqual(
          group.map((o) => o.kind),
          ['network-changed', 'network-changed'],
          'green had nothing wrong but shared the failed transaction: re-planned, never half-applied',
        );
        assert.equal(await store.getLease('blue', '10.9.0.4'), undefined);
        assert.equal(await store.getLease('green', '10.8.0.3'), undefined);
        // Planned again at the current revisions, both succeed.
        const again = await store.claim([
          { lease: lease('blue', '10.9.0.4', 'd'), networkRevision: changed.revision },
          { lease: lease('green', '10.8.0.3', 'e'), networkRevision: green.stored.revision },
        ]);
        assert.deepEqual(
          again.map((o) => o.kind),
          ['claimed', 'claimed'],
        );
      } finally {
        await close();
      }
    });

  it("threaded: a feed whose owner applies its own claims and renewals gets only the others' writes; another feed gets all", async () => {
    const { store, close } = openStore('threaded');
    try {
      const c = await store.createNetwork(normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/24', vni: 5 }));
      assert.ok(c.ok);
      const applied = recorder();
      const all = recorder();
      const subApplied = await store.sync(applied.obs, { ownClaimsApplied: true });
      const subAll = await store.sync(all.obs);
      const rev = c.stored.revision;
      const out = await store.claim([
        { lease: lease('blue', '10.9.0.2', 'mine'), networkRevision: rev },
        { lease: lease('blue', '10.9.0.3', 'mine-too'), networkRevision: rev },
      ]);
      assert.deepEqual(
        out.map((o) => o.kind),
        ['claimed', 'claimed'],
      );
      // Another replica's claim (its own store and thread, same prefix) and a plain delete.
      const other = new EtcdIpamStore(connectEtcd({ endpoints: etcd.endpoints }), {
        prefix: store.keys.prefix,
      });
      try {
        const [o] = await other.claim([{ lease: lease('blue', '10.9.0.4', 'theirs'), networkRevision: rev }]);
        assert.equal(o?.kind, 'claimed');
      } finally {
        other.client.close();
      }
      await waitFor(() => all.seen.size === 3 && applied.seen.has('10.9.0.4'), {
        what: 'both feeds to catch up',
      });
      assert.deepEqual([...all.seen.keys()].sort(), ['10.9.0.2', '10.9.0.3', '10.9.0.4']);
      // Our two claims never came back to the feed that applies them itself.
      assert.deepEqual([...applied.seen.keys()], ['10.9.0.4']);
      // Nor does our renewal; a renewal that fails (stale revision) writes nothing.
      const [first, second] = out;
      assert.ok(first?.kind === 'claimed' && second?.kind === 'claimed');
      const renewed = await store.updateLeases([
        {
          lease: { ...second.lease, expiresAtMs: second.lease.expiresAtMs + 60_000 },
          expectedRevision: second.lease.revision,
        },
        { lease: first.lease, expectedRevision: first.lease.revision - 1 },
      ]);
      assert.equal(renewed[1], 'conflict');
      assert.ok(renewed[0] !== 'conflict' && renewed[0]?.revision);
      await waitFor(() => all.puts.filter((a) => a === '10.9.0.3').length === 2, {
        what: 'the renewal on the full feed',
      });
      // Deletes of our own leases are neither: both feeds get them.
      await store.deleteLease(first.lease);
      await waitFor(() => !all.seen.has('10.9.0.2') && !applied.seen.has('10.9.0.2'), {
        what: 'the delete on both feeds',
      });
      assert.deepEqual(applied.puts, ['10.9.0.4']);
      await subApplied.close();
      await subAll.close();
    } finally {
      await close();
    }
  });

  it('threaded: errors cross the thread as the classes etcd3 raises; a dead thread fails its calls as UNAVAILABLE and is replaced', async () => {
    const prefix = `/t/${randomUUID()}/`;
    const kv = new ThreadedKv({ endpoints: etcd.endpoints, requestTimeoutMs: 2000, prefix });
    const client = connectEtcd({ endpoints: etcd.endpoints });
    try {
      const net = await new EtcdIpamStore(client, { prefix }).createNetwork(
        normalizeNetwork({ name: 'blue', cidr: '10.9.0.0/16', vni: 6 }),
      );
      assert.ok(net.ok);
      const claims = (n: number, from: number): ClaimRequest[] =>
        Array.from({ length: n }, (_, i) => ({
          lease: lease('blue', `10.9.${(from + i) >> 8}.${(from + i) & 255}`, `c${from + i}`),
          networkRevision: net.stored.revision,
        }));
      const ok = await kv.claim(claims(3, 10));
      assert.deepEqual([...ok.succeeded], [1, 1, 1]);
      // More sub-transactions than etcd's --max-txn-ops: etcd refuses, and the error is etcd3's class.
      const tooMany = await kv.claim(claims(200, 100)).then(
        () => undefined,
        (e: Error) => e,
      );
      const etcd3Err = await client.kv
        .txn({
          success: Array.from({ length: 200 }, (_, i) => ({
            request_put: { key: Buffer.from(`${prefix}x${i}`), value: Buffer.from('x') },
          })),
        })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      assert.ok(tooMany && etcd3Err);
      assert.equal(tooMany.constructor, etcd3Err.constructor);
      assert.equal(etcdFailure(tooMany, 'claim').code, etcdFailure(etcd3Err, 'claim').code);
      // Kill the thread under a watch and a claim.
      const w = await kv.watch(Buffer.from(prefix), Buffer.from(`${prefix.slice(0, -1)}0`), 1);
      const watchErr = new Promise<Error>((resolve) => w.on('error', resolve));
      const inFlight = kv.claim(claims(1, 400));
      await (kv as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await assert.rejects(
        inFlight,
        (err: Error) => etcdFailure(err, 'claim').code === ErrorCode.Unavailable,
      );
      assert.match((await watchErr).message, /UNAVAILABLE/);
      // A new thread took over.
      const again = await kv.claim(claims(1, 500));
      assert.deepEqual([...again.succeeded], [1]);
      assert.equal(kv.threadsStarted, 2);
    } finally {
      await kv.close();
      client.close();
    }
  });

  it('lean client: answers like etcd3, fails over to the next endpoint, maps errors alike', async () => {
    const [deadPort] = await freePorts(1, '127.0.0.1');
    // The first endpoint refuses connections; the second is etcd.
    const lean = new LeanKv({
      endpoints: [`127.0.0.1:${deadPort}`, ...etcd.endpoints],
      requestTimeoutMs: 2000,
    });
    const client = connectEtcd({ endpoints: etcd.endpoints });
    try {
      const key = Buffer.from(`/t/${randomUUID()}/k`);
      await assert.rejects(lean.txn({ success: [{ request_range: { key } }] }), (err: Error) => {
        assert.equal(etcdFailure(err, 'read').code, ErrorCode.Unavailable);
        return true;
      });
      const put = await lean.txn({
        compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key, value: Buffer.from('v') } }, { request_range: { key } }],
        failure: [],
      });
      assert.equal(put.succeeded, true);
      const kv = put.responses[1]?.response_range.kvs[0];
      const viaEtcd3 = await client.kv.range({ key });
      assert.deepEqual(kv, viaEtcd3.kvs[0]);
      assert.equal(put.header.revision, kv?.mod_revision);
      // The same compare now fails, and the failure branch (empty) answers.
      const again = await lean.txn({
        compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key, value: Buffer.from('w') } }],
      });
      assert.equal(again.succeeded, false);
      // etcd's own refusal is cast to the same typed error etcd3 raises, so it maps alike.
      const tooMany = {
        success: Array.from({ length: 200 }, (_, i) => ({
          request_put: { key: Buffer.from(`${key}${i}`), value: Buffer.from('x') },
        })),
      };
      const leanErr = await lean.txn(tooMany).then(
        () => undefined,
        (e: Error) => e,
      );
      const etcd3Err = await client.kv.txn(tooMany).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(leanErr && etcd3Err);
      assert.equal(leanErr.constructor, etcd3Err.constructor);
      assert.equal(etcdFailure(leanErr, 'txn').code, etcdFailure(etcd3Err, 'txn').code);
    } finally {
      lean.close();
      client.close();
    }
  });

  it('lean client: a silent etcd is DEADLINE_EXCEEDED (UNAVAILABLE to callers) within the deadline', async () => {
    const lean = new LeanKv({ endpoints: etcd.endpoints, requestTimeoutMs: 500 });
    try {
      const key = Buffer.from(`/t/${randomUUID()}/k`);
      await lean.txn({ success: [{ request_range: { key } }] });
      etcd.pause();
      const t = performance.now();
      try {
        await assert.rejects(lean.txn({ success: [{ request_range: { key } }] }), (err: Error) => {
          assert.match(err.message, /DEADLINE_EXCEEDED/);
          assert.equal(etcdFailure(err, 'read').code, ErrorCode.Unavailable);
          return true;
        });
      } finally {
        etcd.resume();
      }
      const waited = performance.now() - t;
      assert.ok(waited >= 450 && waited < 3000, `gave up after ${waited.toFixed(0)} ms`);
      // And it works again once etcd answers.
      const ok = await lean.txn({ success: [{ request_range: { key } }] });
      assert.equal(ok.succeeded, true);
    } finally {
      lean.close();
    }
  });

  it('lean watch: follows puts and deletes in order, and a compacted start revision is an error to re-list on', async () => {
    const lean = new LeanKv({ endpoints: etcd.endpoints });
    const client = connectEtcd({ endpoints: etcd.endpoints });
    try {
      const prefix = `/t/${randomUUID()}/`;
      const start = Number((await client.put(`${prefix}a`).value('1').exec()).header.revision);
      const w = await lean.watch(Buffer.from(prefix), Buffer.from(`${prefix.slice(0, -1)}0`), start);
      const seen: string[] = [];
      w.on('data', (res) => {
        for (const e of res.events)
          seen.push(`${e.type} ${e.kv.key.toString().slice(prefix.length)}=${e.kv.value}`);
      });
      await client.put(`${prefix}b`).value('2').exec();
      await client.delete().key(`${prefix}a`).exec();
      await client.put('/elsewhere').value('x').exec();
      await waitFor(() => seen.length >= 3, { what: 'three events' });
      assert.deepEqual(seen, ['Put a=1', 'Put b=2', 'Delete a=']);
      await w.cancel();
      // Compact past `start`: a watch from there is refused, with the compaction revision.
      const head = Number((await client.put(`${prefix}c`).value('3').exec()).header.revision);
      await client.kv.compact({ revision: head, physical: true });
      // etcd creates the watch, then cancels it: the watcher reports it as its 'error'.
      const old = await lean.watch(Buffer.from(prefix), undefined, start);
      const err = await new Promise<Error>((resolve) => old.on('error', resolve));
      assert.ok(err instanceof LeanWatchCompactedError, String(err));
      assert.ok(err.compactRevision >= head);
    } finally {
      lean.close();
      client.close();
    }
  });
});
