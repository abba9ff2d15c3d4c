import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhcpLeases } from './dhcp-leases.js';
import { IpamEngine } from './engine.js';
import { MemoryStore } from './memory-store.js';

const loc = { host: 'h1', via: 'agent' };

async function setup(opts: { now?: () => number; cidr?: string } = {}) {
  const store = new MemoryStore();
  const engine = new IpamEngine(store, opts.now ? { now: opts.now } : {});
  await engine.start();
  await engine.createNetwork({ name: 'net', cidr: opts.cidr ?? '10.0.0.0/24', gateway: '10.0.0.1' });
  const dhcp = new DhcpLeases(engine, { offerHoldMs: 60_000, ...(opts.now ? { now: opts.now } : {}) });
  return { store, engine, dhcp };
}

const bind = (dhcp: DhcpLeases, clientId: string, address: string, mac = '') =>
  dhcp.bind({ network: 'net', clientId, mac, address, hostname: 'h', location: loc, leaseTimeSeconds: 60 });

describe('DhcpLeases', () => {
  it('offers distinct addresses to distinct clients and the same one to a repeated DISCOVER', async () => {
    const { dhcp } = await setup();
    const a = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    const b = await dhcp.offer({ network: 'net', clientId: 'b', mac: '' });
    const a2 = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(a && b && a2);
    assert.notEqual(a.address, b.address);
    assert.equal(a2.address, a.address);
  });

  it('honours a requested address when free, and the reservation over everything', async () => {
    const { dhcp, engine } = await setup();
    const r = await dhcp.offer({ network: 'net', clientId: 'a', mac: '', requested: '10.0.0.77' });
    assert.equal(r?.address, '10.0.0.77');
    await engine.addReservation({ network: 'net', mac: '02:00:00:00:00:01', address: '10.0.0.99' });
    const res = await dhcp.offer({
      network: 'net',
      clientId: 'x',
      mac: '02:00:00:00:00:01',
      requested: '10.0.0.50',
    });
    assert.equal(res?.address, '10.0.0.99');
    const other = await dhcp.offer({ network: 'net', clientId: 'y', mac: '', requested: '10.0.0.99' });
    assert.notEqual(other?.address, '10.0.0.99');
    assert.deepEqual(await bind(dhcp, 'y', '10.0.0.99'), { ok: false, reason: 'reserved' });
  });

  it('binds, renews the same lease, and refuses another client the address', async () => {
    const { dhcp } = await setup();
    const o = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(o);
    const first = await bind(dhcp, 'a', o.address);
    assert.ok(first.ok);
    const renewed = await bind(dhcp, 'a', o.address);
    assert.ok(renewed.ok);
    assert.ok(renewed.lease.revision > first.lease.revision);
    assert.equal(renewed.lease.createdAtMs, first.lease.createdAtMs);
    assert.deepEqual(await bind(dhcp, 'b', o.address), { ok: false, reason: 'taken' });
    // Any address but its own (the offer is random: it may itself have been .200).
    const elsewhere = o.address === '10.0.0.200' ? '10.0.0.201' : '10.0.0.200';
    assert.deepEqual(await bind(dhcp, 'a', elsewhere), { ok: false, reason: 'other-address' });
    assert.deepEqual(await bind(dhcp, 'c', '10.0.1.5'), { ok: false, reason: 'outside' });
    assert.deepEqual(await bind(dhcp, 'c', '10.0.0.1'), { ok: false, reason: 'outside' }, 'the gateway');
    const again = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.equal(again?.address, o.address);
    assert.equal(again?.existing?.clientId, 'a');
  });

  it('never ACKs one address to two clients across two replicas offering it', async () => {
    const store = new MemoryStore();
    const e1 = new IpamEngine(store);
    const e2 = new IpamEngine(store);
    await e1.start();
    await e2.start();
    await e1.createNetwork({ name: 'net', cidr: '10.0.0.0/28' });
    const d1 = new DhcpLeases(e1);
    const d2 = new DhcpLeases(e2);
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const d = i % 2 ? d1 : d2;
        const o = await d.offer({ network: 'net', clientId: `c${i}`, mac: '' });
        if (!o) return undefined;
        const b = await bind(d, `c${i}`, o.address);
        return b.ok ? b.lease.address : undefined;
      }),
    );
    const acked = results.filter((x): x is string => x !== undefined);
    assert.equal(new Set(acked).size, acked.length, 'no address ACKed twice');
    assert.ok(acked.length <= 14);
  });

  it('quarantines a declined address and gives the client another', async () => {
    const { dhcp, engine } = await setup();
    const o = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(o);
    assert.ok((await bind(dhcp, 'a', o.address)).ok);
    assert.equal(await dhcp.decline('net', 'b', o.address, 600), false, 'only the holder declines');
    assert.equal(await dhcp.decline('net', 'a', o.address, 600), true);
    const lease = await engine.getLease({ network: 'net', address: o.address });
    assert.equal(lease.state, 'declined');
    const next = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(next);
    assert.notEqual(next.address, o.address);
    assert.deepEqual(await bind(dhcp, 'z', o.address), { ok: false, reason: 'taken' });
  });

  it('reclaims only expired leases, and a returning client gets its old address back', async () => {
    let now = 1_000_000;
    const { dhcp, engine } = await setup({ now: () => now });
    const a = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    const b = await dhcp.offer({ network: 'net', clientId: 'b', mac: '' });
    assert.ok(a && b);
    assert.ok((await bind(dhcp, 'a', a.address)).ok);
    now += 30_000;
    assert.ok((await bind(dhcp, 'b', b.address)).ok);
    now += 40_000; // a expired (60 s lease), b not yet
    assert.equal(await dhcp.reclaim(), 1);
    await assert.rejects(engine.getLease({ network: 'net', address: a.address }), /no lease/);
    assert.equal((await engine.getLease({ network: 'net', address: b.address })).clientId, 'b');
    const back = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.equal(back?.address, a.address);
  });

  it('walks the leases to reclaim only once one may have expired, and then finds it', async () => {
    let now = 1_000_000;
    const { dhcp, engine } = await setup({ now: () => now });
    const view = engine.views.networks.get('net');
    assert.ok(view);
    assert.equal(view.earliestExpiryMs, Number.POSITIVE_INFINITY, 'no leases: nothing to expire');
    const a = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(a);
    const la = await bind(dhcp, 'a', a.address);
    assert.ok(la.ok);
    now += 30_000;
    const b = await dhcp.offer({ network: 'net', clientId: 'b', mac: '' });
    assert.ok(b);
    const lb = await bind(dhcp, 'b', b.address);
    assert.ok(lb.ok);
    assert.equal(view.earliestExpiryMs, la.lease.expiresAtMs, "a's lease is the first to expire");
    // Before then a pass finds nothing, and leaves the bound where it was.
    assert.equal(await dhcp.reclaim(), 0);
    assert.equal(view.earliestExpiryMs, la.lease.expiresAtMs);
    now = la.lease.expiresAtMs + 1;
    assert.equal(await dhcp.reclaim(), 1);
    // The walk raised the bound to the earliest lease left: b's.
    assert.equal(view.earliestExpiryMs, lb.lease.expiresAtMs);
    now = lb.lease.expiresAtMs + 1;
    assert.equal(await dhcp.reclaim(), 1);
    assert.equal(view.earliestExpiryMs, Number.POSITIVE_INFINITY);
  });

  it('releases only for the holder', async () => {
    const { dhcp } = await setup();
    const o = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.ok(o);
    assert.ok((await bind(dhcp, 'a', o.address)).ok);
    assert.equal(await dhcp.release('net', 'b', o.address), false);
    assert.equal(await dhcp.release('net', 'a', o.address), true);
    assert.equal(dhcp.leaseOf('net', 'a'), undefined);
  });

  it('stays silent (undefined) when the pool is exhausted', async () => {
    const { dhcp } = await setup({ cidr: '10.0.0.0/30' });
    // /30: .1 is the gateway, .2 the only address.
    const a = await dhcp.offer({ network: 'net', clientId: 'a', mac: '' });
    assert.equal(a?.address, '10.0.0.2');
    assert.equal(await dhcp.offer({ network: 'net', clientId: 'b', mac: '' }), undefined);
  });

  it('lets offered addresses go when their hold time passes (one sweep timer for all holds)', async () => {
    const { engine } = await setup();
    const dhcp = new DhcpLeases(engine, { offerHoldMs: 40 });
    const view = engine.views.get('net');
    assert.ok(view);
    const offers = [];
    for (const c of ['a', 'b', 'c']) offers.push(await dhcp.offer({ network: 'net', clientId: c, mac: '' }));
    const offsets = offers.map((o) => view.offsetOf(o?.address ?? '') as number);
    assert.ok(offsets.every((o) => view.isInflight(o)));
    // They lapse (within a sweep period) and the sweeper re-arms for later holds.
    for (let i = 0; i < 100 && offsets.some((o) => view.isInflight(o)); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(offsets.every((o) => !view.isInflight(o)));
    const d = await dhcp.offer({ network: 'net', clientId: 'd', mac: '' });
    const od = view.offsetOf(d?.address ?? '') as number;
    assert.ok(view.isInflight(od));
    for (let i = 0; i < 100 && view.isInflight(od); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(view.isInflight(od), false);
  });
});
