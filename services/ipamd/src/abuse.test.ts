import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressViews, newLease, normalizeNetwork, type StoredLease } from '@netspan/ipam';
import { ClientRateLimiter, HostQuota, RateLimiter } from './abuse.js';

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

describe('ClientRateLimiter', () => {
  const mac = (n: number): Buffer => {
    const b = Buffer.alloc(16);
    b[0] = 0x02;
    b.writeUInt32BE(n >>> 0, 2);
    return b;
  };

  it('lets a burst through, then the rate, per network and address', () => {
    let now = 1_000_000;
    const rl = new ClientRateLimiter(10, 20, 16, () => now);
    const a = mac(1);
    let ok = 0;
    for (let i = 0; i < 50; i++) if (rl.allow('n', a, 6)) ok++;
    assert.equal(ok, 20, 'the burst');
    assert.equal(rl.allow('n', mac(2), 6), true, 'another address has its own bucket');
    assert.equal(rl.allow('m', a, 6), true, 'the same address on another network has its own bucket');
    now += 500; // half a second: 5 tokens
    ok = 0;
    for (let i = 0; i < 50; i++) if (rl.allow('n', a, 6)) ok++;
    assert.equal(ok, 5);
    assert.equal(rl.dropped, 75);
    now += 60_000;
    ok = 0;
    for (let i = 0; i < 50; i++) if (rl.allow('n', a, 6)) ok++;
    assert.equal(ok, 20, 'refilled to the burst, not beyond');
  });

  it('keys on hlen bytes of chaddr, at most 16', () => {
    const rl = new ClientRateLimiter(1, 1, 16, () => 0);
    const a = Buffer.alloc(16);
    const b = Buffer.alloc(16);
    b[7] = 1; // differs past the sixth byte
    assert.equal(rl.allow('n', a, 6), true);
    assert.equal(rl.allow('n', b, 6), false, 'the same first six bytes: one client');
    assert.equal(rl.allow('n', b, 8), true, 'hlen 8 tells them apart');
    assert.equal(rl.allow('n', b, 200), true, 'an hlen past 16 reads 16 bytes');
    assert.equal(rl.allow('n', b, 16), false, '... the same client as hlen 16');
  });

  it('a flood of new addresses never throttles a client under its rate', () => {
    let now = 0;
    // A small table (256 slots), so the flood passes over every slot many times.
    const rl = new ClientRateLimiter(10, 20, 8, () => now);
    const good = mac(0xabcdef);
    let refused = 0;
    for (let step = 0; step < 2000; step++) {
      now += 5;
      for (let i = 0; i < 50; i++) assert.equal(rl.allow('n', mac(1_000_000 + step * 50 + i), 6), true);
      // 10 per second: one packet every 20 steps of 5 ms.
      if (step % 20 === 0 && !rl.allow('n', good, 6)) refused++;
    }
    assert.equal(refused, 0);
  });

  it('a throttled client stays throttled while it is the only one on its slots', () => {
    let now = 0;
    const rl = new ClientRateLimiter(10, 20, 16, () => now);
    const bad = mac(7);
    let ok = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      now = ms;
      if (rl.allow('n', bad, 6)) ok++;
    }
    // 20 of burst + 10/s for 10 s (a token may be in flight at the end).
    assert.ok(ok >= 119 && ok <= 120, `${ok}`);
  });

  it('is off at rate 0 and checks its size', () => {
    const off = new ClientRateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) assert.equal(off.allow('n', mac(1), 6), true);
    assert.throws(() => new ClientRateLimiter(1, 1, 0), /bits/);
    assert.throws(() => new ClientRateLimiter(1, 1, 25), /bits/);
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
