import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AddressViews,
  newLease,
  normalizeNetwork,
  type StoredLease,
  type StoredNetwork,
  type StoreObserver,
} from '@netspan/ipam';
import { followViews } from './views-feed.js';

const net = (name: string, cidr: string, revision: number, domain?: string): StoredNetwork => ({
  network: normalizeNetwork({ name, cidr, ...(domain ? { domain } : {}) }),
  revision,
  createRevision: revision,
});
const lease = (network: string, address: string, clientId: string, revision: number): StoredLease => ({
  ...newLease(network, address, clientId, { pool: '' }),
  revision,
});

/** Every call the observer got, as short strings. */
function recorder(): { obs: StoreObserver; log: string[] } {
  const log: string[] = [];
  return {
    log,
    obs: {
      snapshot: (s) =>
        log.push(
          `snapshot@${s.revision} ${s.networks.map((n) => n.network.name).join(',')} ${s.leases.map((l) => l.address).join(',')}`,
        ),
      networkPut: (n) => log.push(`network ${n.network.name}@${n.revision} ${n.network.domain}`),
      networkDeleted: (name) => log.push(`network-deleted ${name}`),
      leasePut: (l) => log.push(`lease ${l.address}@${l.revision}`),
      leaseDeleted: (_n, a, rev) => log.push(`lease-deleted ${a}@${rev}`),
      reservationPut: () => {},
      reservationDeleted: () => {},
    },
  };
}

describe('followViews (the DNS index fed from the engine views)', () => {
  it('starts from the views as they are, then follows leases, networks and re-lists', async () => {
    const views = new AddressViews(0.5);
    views.snapshot({
      networks: [net('blue', '10.1.0.0/24', 5)],
      leases: [lease('blue', '10.1.0.10', 'a', 6)],
      reservations: [],
      revision: 7,
    });
    const { obs, log } = recorder();
    const sub = followViews(views, obs);
    assert.deepEqual(log, ['snapshot@7 blue 10.1.0.10']);
    // A lease taken, then the same lease again at the same revision (own write and its echo): once.
    views.leasePut(lease('blue', '10.1.0.11', 'b', 8));
    views.leasePut(lease('blue', '10.1.0.11', 'b', 8));
    views.leaseDeleted('blue', '10.1.0.10', 9);
    // A new network, a redefined one (new domain), a deleted one.
    views.networkPut(net('green', '10.2.0.0/24', 10));
    views.networkPut({ ...net('blue', '10.1.0.0/24', 11, 'blue.example'), createRevision: 5 });
    views.networkDeleted('green');
    // The views re-list (a watch that fell behind compaction): a fresh snapshot.
    views.snapshot({
      networks: [net('blue', '10.1.0.0/24', 11)],
      leases: [],
      reservations: [],
      revision: 20,
    });
    assert.deepEqual(log, [
      'snapshot@7 blue 10.1.0.10',
      'lease 10.1.0.11@8',
      'lease-deleted 10.1.0.10@9',
      'network green@10 green.netspan.internal',
      'network blue@11 blue.example',
      'network-deleted green',
      'snapshot@20 blue ',
    ]);
    await sub.close();
    views.leasePut(lease('blue', '10.1.0.12', 'c', 21));
    assert.equal(log.length, 7, 'nothing after close');
  });
});
