import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connectEtcd, EtcdIpamStore } from '@netspan/etcd-store';
import { type ClaimRequest, newLease, normalizeNetwork, type StoreObserver } from '@netspan/ipam';
import { ipamStoreConformance } from '@netspan/ipam/testing';
import type { Etcd3 } from 'etcd3';
import { type EtcdHandle, startEtcd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
const clients: Etcd3[] = [];

before(async () => {
  etcd = await startEtcd({ name: 'store-test' });
});
after(async () => {
  for (const c of clients) c.close();
  await etcd?.stop();
});

/** Each store gets its own prefix on the shared etcd, so cases never see each other's keys. */
function openStore(): { store: EtcdIpamStore; client: Etcd3; close(): Promise<void> } {
  const client = connectEtcd({ endpoints: etcd.endpoints });
  clients.push(client);
  const store = new EtcdIpamStore(client, { prefix: `/t/${randomUUID()}/` });
  return { store, client, close: async () => client.close() };
}

ipamStoreConformance('etcd', async () => openStore());

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

  it('keeps following changes after etcd is killed and restarted', async () => {
    const { store, close } = openStore();
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
});
