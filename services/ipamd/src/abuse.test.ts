import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressViews, newLease, normalizeNetwork, type StoredLease } from '@netspan/ipam';
import { HostQuota, RateLimiter } from './abuse.js';

describe('RateLimiter', () => {
  it('lets a burst through, then the rate, per key', () => {
    let now = 0;
    const rl = new RateLimiter(10, 20, 100, () => now);
    let ok = 0;
    for (let i = 0; i < 50; i++) if (rl.allow('a')) ok++;
    assert.equal(ok, 20, 'the burst');
    assert.equal(rl.allow('b'), true, 'another key has its own bucket');
    now += 500; // half a second: 5 tokens
    ok = 0;
    for (let i = 0; i < 50; i++) if (rl.allow('a')) ok++;
    assert.equal(ok, 5);
    assert.equal(rl.dropped, 75);
  });

  it('remembers a bounded number of keys and is off at rate 0', () => {
    const rl = new RateLimiter(1, 1, 3, () => 0);
    for (const k of ['a', 'b', 'c', 'd']) rl.allow(k);
    assert.equal(rl.size, 3);
    assert.equal(rl.allow('a'), true, 'a was evicted: a fresh bucket');
    const off = new RateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) assert.equal(off.allow('x'), true);
  });
});

describe('HostQuota', () => {
  function views(): AddressViews {
    const v = new AddressViews(0);
    v.snapshot({
      revision: 1,
      networks: [
        { network: normalizeNetwork({ name: 'n', cidr: '10.0.0.0/24' }, 1), revision: 1, createRevision: 1 },
      ],
      leases: [],
      reservations: [],
    });
    return v;
  }
  const lease = (addr: string, client: string, host: string, rev: number): StoredLease => ({
    ...newLease('n', addr, client, { pool: 'pool0', location: { host, via: 'agent' } }),
    revision: rev,
  });

  it('counts leases by host and pending offers until bound or expired', () => {
    let now = 0;
    const v = views();
    const q = new HostQuota(v, 3, 1000, () => now);
    v.leasePut(lease('10.0.0.1', 'c1', 'a', 2));
    v.leasePut(lease('10.0.0.2', 'c2', 'a', 3));
    v.leasePut(lease('10.0.0.3', 'c3', 'b', 4));
    assert.equal(q.held('n', 'a'), 2);
    assert.equal(q.admit('n', 'a', 'c4'), true, 'two leases: room for one more');
    assert.equal(q.admit('n', 'a', 'c5'), false, 'two leases and a pending offer: at the cap');
    assert.equal(q.admit('n', 'a', 'c4'), true, 'a client already admitted comes back');
    assert.equal(q.admit('n', 'b', 'c6'), true);
    q.release('n', 'b', 'c6');
    v.leasePut(lease('10.0.0.4', 'c4', 'a', 5));
    assert.equal(q.held('n', 'a'), 3, 'the bound offer counts once');
    v.leaseDeleted('n', '10.0.0.1', 6);
    assert.equal(q.held('n', 'a'), 2);
    // A lease that moves to another host (migration) moves its count.
    v.leasePut(lease('10.0.0.2', 'c2', 'b', 7));
    assert.deepEqual([q.held('n', 'a'), q.held('n', 'b')], [1, 2]);
    assert.equal(q.admit('n', 'a', 'c9'), true);
    now = 2000;
    assert.equal(q.held('n', 'a'), 1, 'expired offers stop counting');
    assert.equal(q.refused, 1);
  });

  it('is off at cap 0', () => {
    const q = new HostQuota(views(), 0);
    for (let i = 0; i < 10; i++) assert.equal(q.admit('n', 'a', `x${i}`), true);
  });
});
