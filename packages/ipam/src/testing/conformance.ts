import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newLease, type StoredLease } from '../lease.js';
import { type Network, normalizeNetwork } from '../network.js';
import type { ClaimRequest, IpamStore, Snapshot, StoreObserver } from '../store.js';

/**
 * The behaviour every IpamStore must have, run against each backend (memory, etcd)
 * like Kea's generic lease-manager tests. `open` returns a fresh, empty store.
 */
export function ipamStoreConformance(
  backend: string,
  open: () => Promise<{ store: IpamStore; close(): Promise<void> }>,
): void {
  const net = (name: string, vni: number, cidr = '10.1.0.0/24'): Network =>
    normalizeNetwork({ name, cidr, vni, gateway: cidr.replace(/0\/\d+$/, '1') });
  const lease = newLease;
  const with_ = async (fn: (s: IpamStore) => Promise<void>) => {
    const { store, close } = await open();
    try {
      await fn(store);
    } finally {
      await close();
    }
  };
  const claimOne = async (s: IpamStore, req: ClaimRequest) => {
    const [out] = await s.claim([req]);
    assert.ok(out);
    return out;
  };

  describe(`IpamStore conformance: ${backend}`, () => {
    it('creates, reads, lists networks; names and VNIs are unique', () =>
      with_(async (s) => {
        const created = await s.createNetwork(net('blue', 10));
        assert.ok(created.ok);
        assert.ok(created.stored.revision > 0);
        assert.equal(created.stored.createRevision, created.stored.revision);
        assert.deepEqual(await s.createNetwork(net('blue', 11)), { ok: false, reason: 'name-taken' });
        assert.deepEqual(await s.createNetwork(net('red', 10)), { ok: false, reason: 'vni-taken' });
        assert.ok((await s.createNetwork(net('red', 11, '10.2.0.0/24'))).ok);
        const got = await s.getNetwork('blue');
        assert.equal(got?.network.cidr, '10.1.0.0/24');
        assert.equal(got?.network.vni, 10);
        assert.equal(await s.getNetwork('nope'), undefined);
        assert.deepEqual((await s.listNetworks()).map((n) => n.network.name).sort(), ['blue', 'red']);
      }));

    it('replaces a network only at the expected revision', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const next = { ...c.stored.network, description: 'changed' };
        const r = await s.replaceNetwork(next, c.stored.revision);
        assert.ok(r !== 'conflict');
        assert.ok(r.revision > c.stored.revision);
        assert.equal(r.createRevision, c.stored.createRevision);
        assert.equal(await s.replaceNetwork(next, c.stored.revision), 'conflict');
        assert.equal((await s.getNetwork('blue'))?.network.description, 'changed');
      }));

    it('refuses a network replace when a lease was created after the given revision', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        await s.claim([{ lease: lease('blue', '10.1.0.5', 'a'), networkRevision: c.stored.revision }]);
        const read = await s.listLeases('blue');
        assert.deepEqual(
          read.leases.map((l) => l.address),
          ['10.1.0.5'],
        );
        assert.ok(read.revision >= c.stored.revision);
        await s.claim([{ lease: lease('blue', '10.1.0.6', 'b'), networkRevision: c.stored.revision }]);
        const next = { ...c.stored.network, description: 'x' };
        assert.equal(await s.replaceNetwork(next, c.stored.revision, read.revision), 'conflict');
        const fresh = await s.listLeases('blue');
        assert.equal(fresh.leases.length, 2);
        const ok = await s.replaceNetwork(next, c.stored.revision, fresh.revision);
        assert.ok(ok !== 'conflict');
      }));

    it('claims an address with its client index, once', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const rev = c.stored.revision;
        const out = await claimOne(s, { lease: lease('blue', '10.1.0.5', 'a'), networkRevision: rev });
        assert.equal(out.kind, 'claimed');
        assert.equal((await s.getLease('blue', '10.1.0.5'))?.clientId, 'a');
        assert.equal(await s.getClientAddress('blue', 'a'), '10.1.0.5');
        const taken = await claimOne(s, { lease: lease('blue', '10.1.0.5', 'b'), networkRevision: rev });
        assert.equal(taken.kind, 'address-taken');
        assert.equal(taken.kind === 'address-taken' && taken.holder?.clientId, 'a');
        const again = await claimOne(s, { lease: lease('blue', '10.1.0.6', 'a'), networkRevision: rev });
        assert.equal(again.kind, 'client-has-lease');
        assert.equal(again.kind === 'client-has-lease' && again.address, '10.1.0.5');
        assert.equal(await s.getLease('blue', '10.1.0.6'), undefined, 'a failed claim writes nothing');
        assert.equal(await s.countLeases('blue'), 1);
      }));

    it('decides each claim of a batch independently', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const rev = c.stored.revision;
        await claimOne(s, { lease: lease('blue', '10.1.0.7', 'x'), networkRevision: rev });
        const outs = await s.claim([
          { lease: lease('blue', '10.1.0.10', 'a'), networkRevision: rev },
          { lease: lease('blue', '10.1.0.7', 'b'), networkRevision: rev },
          { lease: lease('blue', '10.1.0.11', 'c'), networkRevision: rev },
          { lease: lease('blue', '10.1.0.12', 'd'), networkRevision: rev - 1 },
        ]);
        assert.deepEqual(
          outs.map((o) => o.kind),
          ['claimed', 'address-taken', 'claimed', 'network-changed'],
        );
        assert.equal(await s.countLeases('blue'), 3);
      }));

    it('lets exactly one of many concurrent claimants win an address', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const rev = c.stored.revision;
        const outs = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            claimOne(s, { lease: lease('blue', '10.1.0.9', `c${i}`), networkRevision: rev }),
          ),
        );
        assert.equal(outs.filter((o) => o.kind === 'claimed').length, 1);
        assert.equal(outs.filter((o) => o.kind === 'address-taken').length, 19);
      }));

    it('refuses claims after the network changed or was deleted', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const r = await s.replaceNetwork({ ...c.stored.network, description: 'x' }, c.stored.revision);
        assert.ok(r !== 'conflict');
        const stale = await claimOne(s, {
          lease: lease('blue', '10.1.0.5', 'a'),
          networkRevision: c.stored.revision,
        });
        assert.equal(stale.kind, 'network-changed');
        assert.deepEqual(await s.deleteNetwork('blue', r.revision, false), { ok: true, leasesDeleted: 0 });
        const gone = await claimOne(s, {
          lease: lease('blue', '10.1.0.5', 'a'),
          networkRevision: r.revision,
        });
        assert.equal(gone.kind, 'network-changed');
      }));

    it('updates and deletes leases only at the revision read', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const out = await claimOne(s, {
          lease: lease('blue', '10.1.0.5', 'a'),
          networkRevision: c.stored.revision,
        });
        assert.equal(out.kind, 'claimed');
        const first = (out as { lease: StoredLease }).lease;
        const renewed = await s.updateLease({ ...first, expiresAtMs: 99 }, first.revision);
        assert.ok(renewed !== 'conflict');
        assert.equal(renewed.expiresAtMs, 99);
        assert.equal(await s.updateLease({ ...first, expiresAtMs: 5 }, first.revision), 'conflict');
        assert.equal(await s.deleteLease(first), false, 'a stale revision never frees the address');
        assert.equal((await s.getLease('blue', '10.1.0.5'))?.expiresAtMs, 99);
        assert.equal(await s.deleteLease(renewed), true);
        assert.equal(await s.getLease('blue', '10.1.0.5'), undefined);
        assert.equal(await s.getClientAddress('blue', 'a'), undefined);
      }));

    it('reassigns a lease to another client id at the revision read, moving the index', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const out = await claimOne(s, {
          lease: lease('blue', '10.1.0.5', 'a'),
          networkRevision: c.stored.revision,
        });
        assert.equal(out.kind, 'claimed');
        const first = (out as { lease: StoredLease }).lease;
        const moved = await s.reassignLease(first, {
          ...first,
          clientId: 'declined:10.1.0.5',
          state: 'declined',
        });
        assert.ok(moved !== 'conflict');
        assert.equal(await s.getClientAddress('blue', 'a'), undefined);
        assert.equal(await s.getClientAddress('blue', 'declined:10.1.0.5'), '10.1.0.5');
        assert.equal((await s.getLease('blue', '10.1.0.5'))?.state, 'declined');
        assert.equal(await s.reassignLease(first, { ...first, clientId: 'z' }), 'conflict', 'stale revision');
        // The original client can now claim another address.
        const again = await claimOne(s, {
          lease: lease('blue', '10.1.0.6', 'a'),
          networkRevision: c.stored.revision,
        });
        assert.equal(again.kind, 'claimed');
      }));

    it('applies a batch of lease updates, each at its own revision', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const outs = await s.claim(
          ['10.1.0.5', '10.1.0.6', '10.1.0.7'].map((a, i) => ({
            lease: lease('blue', a, `k${i}`),
            networkRevision: c.stored.revision,
          })),
        );
        const held = outs.map((o) => (o as { lease: StoredLease }).lease);
        const [a, b, d] = held as [StoredLease, StoredLease, StoredLease];
        const res = await s.updateLeases([
          { lease: { ...a, expiresAtMs: 10 }, expectedRevision: a.revision },
          { lease: { ...b, expiresAtMs: 20 }, expectedRevision: b.revision - 1 },
          { lease: { ...d, expiresAtMs: 30 }, expectedRevision: d.revision },
          { lease: { ...a, expiresAtMs: 40 }, expectedRevision: a.revision },
        ]);
        assert.notEqual(res[0], 'conflict');
        assert.equal(res[1], 'conflict', 'stale revision');
        assert.notEqual(res[2], 'conflict');
        assert.equal(res[3], 'conflict', 'the same lease again at the old revision');
        assert.equal((await s.getLease('blue', '10.1.0.5'))?.expiresAtMs, 10);
        assert.equal((await s.getLease('blue', '10.1.0.6'))?.expiresAtMs, 0);
        assert.equal((await s.getLease('blue', '10.1.0.7'))?.expiresAtMs, 30);
      }));

    it('deletes a network with leases only with force', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        await s.claim([
          { lease: lease('blue', '10.1.0.5', 'a'), networkRevision: c.stored.revision },
          { lease: lease('blue', '10.1.0.6', 'b'), networkRevision: c.stored.revision },
        ]);
        await s.addReservation({
          network: 'blue',
          mac: '02:00:00:00:00:01',
          address: '10.1.0.50',
          hostname: '',
          description: '',
        });
        const refused = await s.deleteNetwork('blue', c.stored.revision, false);
        assert.equal(refused.ok, false);
        assert.equal(!refused.ok && refused.reason, 'has-leases');
        assert.deepEqual(await s.deleteNetwork('blue', c.stored.revision - 1, true), {
          ok: false,
          reason: 'conflict',
        });
        assert.deepEqual(await s.deleteNetwork('blue', c.stored.revision, true), {
          ok: true,
          leasesDeleted: 2,
        });
        assert.equal(await s.getNetwork('blue'), undefined);
        assert.equal(await s.countLeases('blue'), 0);
        assert.equal(await s.getClientAddress('blue', 'a'), undefined);
        assert.deepEqual(await s.listReservations('blue'), []);
        assert.deepEqual(await s.deleteNetwork('blue', 1, true), { ok: false, reason: 'not-found' });
        // The name and the VNI are free again.
        assert.ok((await s.createNetwork(net('blue', 10))).ok);
      }));

    it('keeps reserved addresses for their MAC', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        const rev = c.stored.revision;
        const mac = '02:00:00:00:00:01';
        const add = await s.addReservation({
          network: 'blue',
          mac,
          address: '10.1.0.50',
          hostname: 'db',
          description: '',
        });
        assert.ok(add.ok);
        const again = await s.addReservation({
          network: 'blue',
          mac,
          address: '10.1.0.51',
          hostname: '',
          description: '',
        });
        assert.deepEqual(again, { ok: false, reason: 'mac-taken' });
        const dupAddr = await s.addReservation({
          network: 'blue',
          mac: '02:00:00:00:00:02',
          address: '10.1.0.50',
          hostname: '',
          description: '',
        });
        assert.deepEqual(dupAddr, { ok: false, reason: 'address-reserved' });
        const other = await claimOne(s, {
          lease: lease('blue', '10.1.0.50', 'stranger'),
          networkRevision: rev,
        });
        assert.deepEqual(other, { kind: 'reserved', mac });
        const owner = await claimOne(s, {
          lease: lease('blue', '10.1.0.50', 'owner', { mac }),
          networkRevision: rev,
          reservedFor: mac,
        });
        assert.equal(owner.kind, 'claimed');
        await claimOne(s, { lease: lease('blue', '10.1.0.60', 'z'), networkRevision: rev });
        const leased = await s.addReservation({
          network: 'blue',
          mac: '02:00:00:00:00:03',
          address: '10.1.0.60',
          hostname: '',
          description: '',
        });
        assert.equal(leased.ok, false);
        assert.equal(!leased.ok && leased.reason, 'address-leased');
        assert.equal((await s.getReservation('blue', mac))?.hostname, 'db');
        assert.equal((await s.listReservations('blue')).length, 1);
        assert.equal((await s.removeReservation('blue', mac))?.address, '10.1.0.50');
        assert.equal(await s.removeReservation('blue', mac), undefined);
      }));

    it('feeds an observer a snapshot, then every change', () =>
      with_(async (s) => {
        const c = await s.createNetwork(net('blue', 10));
        assert.ok(c.ok);
        await claimOne(s, { lease: lease('blue', '10.1.0.5', 'a'), networkRevision: c.stored.revision });
        const events: string[] = [];
        let snap: Snapshot | undefined;
        const obs: StoreObserver = {
          snapshot: (x) => {
            snap = x;
          },
          networkPut: (n) => events.push(`net+${n.network.name}`),
          networkDeleted: (n) => events.push(`net-${n}`),
          leasePut: (l) => events.push(`lease+${l.address}`),
          leaseDeleted: (_n, a) => events.push(`lease-${a}`),
          reservationPut: (r) => events.push(`res+${r.mac}`),
          reservationDeleted: (_n, m) => events.push(`res-${m}`),
        };
        const sub = await s.sync(obs);
        try {
          assert.equal(snap?.networks.length, 1);
          assert.deepEqual(
            snap?.leases.map((l) => l.address),
            ['10.1.0.5'],
          );
          const out = await claimOne(s, {
            lease: lease('blue', '10.1.0.6', 'b'),
            networkRevision: c.stored.revision,
          });
          assert.equal(out.kind, 'claimed');
          await s.deleteLease((out as { lease: StoredLease }).lease);
          await s.addReservation({
            network: 'blue',
            mac: '02:00:00:00:00:09',
            address: '10.1.0.70',
            hostname: '',
            description: '',
          });
          const deadline = Date.now() + 5000;
          while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          assert.deepEqual(events, ['lease+10.1.0.6', 'lease-10.1.0.6', 'res+02:00:00:00:00:09']);
        } finally {
          await sub.close();
        }
      }));
  });
}
