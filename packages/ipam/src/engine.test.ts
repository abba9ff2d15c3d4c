import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpamEngine } from './engine.js';
import { type ErrorCode, IpamError } from './errors.js';
import { parseIPv4 } from './ipv4.js';
import type { StoredLease } from './lease.js';
import { MemoryStore } from './memory-store.js';
import type { NetworkInput } from './network.js';

async function started(store = new MemoryStore(), opts: ConstructorParameters<typeof IpamEngine>[1] = {}) {
  const engine = new IpamEngine(store, opts);
  await engine.start();
  return engine;
}

/** An engine with one network `blue` (10.0.0.0/24, gateway .1 unless overridden). */
async function withNetwork(extra: NetworkInput = {}) {
  const engine = await started();
  const net = await engine.createNetwork({
    name: 'blue',
    cidr: '10.0.0.0/24',
    gateway: '10.0.0.1',
    ...extra,
  });
  return { engine, net };
}

async function rejectsWith(
  p: Promise<unknown>,
  code: ErrorCode,
  field?: string,
  message?: RegExp,
): Promise<IpamError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof IpamError, `expected an IpamError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

const num = (a: string) => parseIPv4(a) as number;

describe('IpamEngine networks', () => {
  it('allocates VNIs 1, 2, 3... and keeps explicit ones', async () => {
    const engine = await started();
    const a = await engine.createNetwork({ name: 'a', cidr: '10.1.0.0/24' });
    const b = await engine.createNetwork({ name: 'b', cidr: '10.2.0.0/24' });
    const c = await engine.createNetwork({ name: 'c', cidr: '10.3.0.0/24', vni: 5000 });
    const d = await engine.createNetwork({ name: 'd', cidr: '10.4.0.0/24' });
    assert.deepEqual(
      [a, b, c, d].map((s) => s.network.vni),
      [1, 2, 5000, 3],
    );
    assert.ok(a.revision > 0);
    assert.equal(a.createRevision, a.revision);
  });

  it('fills the lowest free VNI', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'x', cidr: '10.1.0.0/24', vni: 1 });
    const y = await engine.createNetwork({ name: 'y', cidr: '10.2.0.0/24' });
    assert.equal(y.network.vni, 2);
  });

  it('refuses a duplicate explicit VNI and a duplicate name with ALREADY_EXISTS', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'a', cidr: '10.1.0.0/24', vni: 7 });
    await rejectsWith(
      engine.createNetwork({ name: 'b', cidr: '10.2.0.0/24', vni: 7 }),
      'ALREADY_EXISTS',
      undefined,
      /vni/,
    );
    await rejectsWith(
      engine.createNetwork({ name: 'a', cidr: '10.9.0.0/24' }),
      'ALREADY_EXISTS',
      undefined,
      /network a/,
    );
    assert.deepEqual(
      (await engine.listNetworks()).map((n) => n.network.name),
      ['a'],
    );
  });

  it('validates the definition', async () => {
    const engine = await started();
    await rejectsWith(engine.createNetwork({ name: 'a', cidr: '10.1.0.1/24' }), 'INVALID_ARGUMENT', 'cidr');
    await rejectsWith(engine.createNetwork({ name: 'A', cidr: '10.1.0.0/24' }), 'INVALID_ARGUMENT', 'name');
  });

  it('gets and lists networks, sorted by name', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'zeta', cidr: '10.1.0.0/24' });
    await engine.createNetwork({ name: 'alpha', cidr: '10.2.0.0/24' });
    assert.equal((await engine.getNetwork('zeta')).network.cidr, '10.1.0.0/24');
    assert.deepEqual(
      (await engine.listNetworks()).map((n) => n.network.name),
      ['alpha', 'zeta'],
    );
    await rejectsWith(engine.getNetwork('nope'), 'NOT_FOUND');
    await rejectsWith(engine.getNetwork('Bad_Name'), 'INVALID_ARGUMENT', 'name');
  });
});

describe('IpamEngine.allocate', () => {
  it('allocates a free address from the pool, never the gateway', async () => {
    const now = 1_700_000_000_000;
    const engine = await started(new MemoryStore(), { now: () => now });
    await engine.createNetwork({ name: 'blue', cidr: '10.0.0.0/24', gateway: '10.0.0.1' });
    const { lease, created } = await engine.allocate({
      network: 'blue',
      clientId: 'c1',
      mac: '02-00-00-AA-BB-CC',
      hostname: 'My_Host.example.com',
      ttlSeconds: 60,
      location: { host: 'h1' },
    });
    assert.equal(created, true);
    const n = num(lease.address);
    assert.ok(n > num('10.0.0.1') && n < num('10.0.0.255'), lease.address);
    assert.equal(lease.clientId, 'c1');
    assert.equal(lease.mac, '02:00:00:aa:bb:cc');
    assert.equal(lease.hostname, 'my-host');
    assert.equal(lease.state, 'bound');
    assert.deepEqual(lease.location, { host: 'h1', via: 'api' });
    assert.equal(lease.pool, 'pool0');
    assert.equal(lease.createdAtMs, now);
    assert.equal(lease.expiresAtMs, now + 60_000);
    assert.ok(lease.revision > 0);
  });

  it('a lease without ttl never expires; a client id is made up when none is given', async () => {
    const { engine } = await withNetwork();
    const { lease } = await engine.allocate({ network: 'blue' });
    assert.equal(lease.expiresAtMs, 0);
    assert.match(lease.clientId, /^anon-/);
  });

  it('gives the requested address', async () => {
    const { engine } = await withNetwork();
    const { lease, created } = await engine.allocate({
      network: 'blue',
      clientId: 'c1',
      address: '10.0.0.77',
    });
    assert.equal(created, true);
    assert.equal(lease.address, '10.0.0.77');
  });

  it('gives the same client the same address again, with created=false', async () => {
    const { engine } = await withNetwork();
    const first = await engine.allocate({ network: 'blue', clientId: 'c1' });
    const second = await engine.allocate({ network: 'blue', clientId: 'c1' });
    assert.equal(second.created, false);
    assert.equal(second.lease.address, first.lease.address);
    assert.equal(second.lease.revision, first.lease.revision);
    const third = await engine.allocate({ network: 'blue', clientId: 'c1', address: first.lease.address });
    assert.equal(third.created, false);
    assert.equal(third.lease.address, first.lease.address);
  });

  it('refuses a client that asks for a different address than the one it holds', async () => {
    const { engine } = await withNetwork();
    await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.10' });
    await rejectsWith(
      engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.11' }),
      'FAILED_PRECONDITION',
      undefined,
      /already holds 10\.0\.0\.10/,
    );
  });

  it('concurrent requests of one client end with one lease', async () => {
    const { engine } = await withNetwork();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => engine.allocate({ network: 'blue', clientId: 'same' })),
    );
    assert.equal(new Set(results.map((r) => r.lease.address)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(await engine.store.countLeases('blue'), 1);
  });

  it('refuses a requested address held by another client with ALREADY_EXISTS', async () => {
    const { engine } = await withNetwork();
    await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.50' });
    await rejectsWith(
      engine.allocate({ network: 'blue', clientId: 'c2', address: '10.0.0.50' }),
      'ALREADY_EXISTS',
      undefined,
      /10\.0\.0\.50/,
    );
    assert.equal(await engine.store.getClientAddress('blue', 'c2'), undefined);
  });

  it('rejects requested addresses outside the CIDR or not assignable, naming address', async () => {
    const { engine } = await withNetwork({ exclusions: [{ start: '10.0.0.200', end: '10.0.0.210' }] });
    for (const address of [
      '10.0.1.5',
      '192.168.0.1',
      '10.0.0.0',
      '10.0.0.255',
      '10.0.0.1',
      '10.0.0.205',
      '10.0.0.300',
      'x',
    ]) {
      await rejectsWith(
        engine.allocate({ network: 'blue', clientId: 'c1', address }),
        'INVALID_ARGUMENT',
        'address',
      );
    }
    assert.equal(await engine.store.countLeases('blue'), 0);
  });

  it('validates the other parameters', async () => {
    const { engine } = await withNetwork();
    await rejectsWith(
      engine.allocate({ network: 'blue', clientId: 'has space' }),
      'INVALID_ARGUMENT',
      'client_id',
    );
    await rejectsWith(engine.allocate({ network: 'blue', mac: 'nope' }), 'INVALID_ARGUMENT', 'mac');
    await rejectsWith(
      engine.allocate({ network: 'blue', ttlSeconds: -1 }),
      'INVALID_ARGUMENT',
      'ttl_seconds',
    );
    await rejectsWith(
      engine.allocate({ network: 'blue', ttlSeconds: 1.5 }),
      'INVALID_ARGUMENT',
      'ttl_seconds',
    );
    await rejectsWith(engine.allocate({ network: 'blue', pool: 'nope' }), 'INVALID_ARGUMENT', 'pool');
    await rejectsWith(engine.allocate({ network: 'Blue' }), 'INVALID_ARGUMENT', 'network');
    await rejectsWith(engine.allocate({ network: 'green' }), 'NOT_FOUND');
  });

  it('exhausts a /29 with RESOURCE_EXHAUSTED naming the network and pool', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'tiny', cidr: '10.0.0.0/29', gateway: '10.0.0.1' });
    const got: string[] = [];
    for (let i = 0; i < 5; i++)
      got.push((await engine.allocate({ network: 'tiny', clientId: `c${i}` })).lease.address);
    assert.deepEqual(got.sort(), ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    const err = await rejectsWith(engine.allocate({ network: 'tiny', clientId: 'c5' }), 'RESOURCE_EXHAUSTED');
    assert.match(err.message, /network tiny/);
    assert.match(err.message, /pool0 10\.0\.0\.1-10\.0\.0\.6/);
    assert.match(err.message, /5 used, 0 reserved of 5/);
  });

  it('exhausts a single named pool while others have room', async () => {
    const { engine } = await withNetwork({
      pools: [
        { name: 'small', start: '10.0.0.10', end: '10.0.0.11' },
        { name: 'big', start: '10.0.0.100', end: '10.0.0.199' },
      ],
    });
    const a = await engine.allocate({ network: 'blue', clientId: 'a', pool: 'small' });
    const b = await engine.allocate({ network: 'blue', clientId: 'b', pool: 'small' });
    assert.deepEqual([a.lease.pool, b.lease.pool], ['small', 'small']);
    const err = await rejectsWith(
      engine.allocate({ network: 'blue', clientId: 'c', pool: 'small' }),
      'RESOURCE_EXHAUSTED',
    );
    assert.match(err.message, /network blue: no free address in pool: small/);
    assert.doesNotMatch(err.message, /big/);
    const c = await engine.allocate({ network: 'blue', clientId: 'c' });
    assert.equal(c.lease.pool, 'big');
  });

  it('sanitises hostnames and keeps state and location', async () => {
    const { engine } = await withNetwork();
    const { lease } = await engine.allocate({
      network: 'blue',
      clientId: 'c1',
      hostname: 'evil\u0000.x',
      state: 'offered',
      location: { host: 'host-b', via: 'relay:10.9.9.9' },
    });
    assert.equal(lease.hostname, 'evil');
    assert.equal(lease.state, 'offered');
    assert.deepEqual(lease.location, { host: 'host-b', via: 'relay:10.9.9.9' });
  });

  it('retries with the new definition when the network changed under an engine with a stale view', async () => {
    const store = new MemoryStore();
    const admin = await started(store);
    await admin.createNetwork({ name: 'blue', cidr: '10.0.0.0/24', gateway: '10.0.0.1' });
    // Not started: loads the network on demand and does not follow the store's changes.
    const stale = new IpamEngine(store);
    await stale.allocate({ network: 'blue', clientId: 'warm-up' });
    const before = stale.views.get('blue')?.stored.revision;
    await admin.updateNetwork({ name: 'blue', description: 'changed' }, ['description']);
    assert.equal(
      stale.views.get('blue')?.stored.revision,
      before,
      'the stale engine has not seen the change',
    );
    const { lease } = await stale.allocate({ network: 'blue', clientId: 'after' });
    const current = await store.getNetwork('blue');
    assert.ok(current);
    assert.equal(stale.views.get('blue')?.stored.revision, current.revision);
    assert.ok(await store.getLease('blue', lease.address));
  });
});

describe('IpamEngine reservations', () => {
  const mac = '02:00:00:00:00:aa';

  it('gives a reserved MAC its address and never gives it to anyone else', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'tiny', cidr: '10.0.0.0/29', gateway: '10.0.0.1' });
    const r = await engine.addReservation({
      network: 'tiny',
      mac: '02-00-00-00-00-AA',
      address: '10.0.0.6',
      hostname: 'DB',
    });
    assert.equal(r.mac, mac);
    assert.equal(r.hostname, 'db');
    // Four free addresses besides the reserved one: others get those, then nothing.
    const others: string[] = [];
    for (let i = 0; i < 4; i++)
      others.push((await engine.allocate({ network: 'tiny', clientId: `o${i}` })).lease.address);
    assert.deepEqual(others.sort(), ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
    const err = await rejectsWith(engine.allocate({ network: 'tiny', clientId: 'o4' }), 'RESOURCE_EXHAUSTED');
    assert.match(err.message, /1 reserved/);
    await rejectsWith(
      engine.allocate({ network: 'tiny', clientId: 'o5', address: '10.0.0.6' }),
      'FAILED_PRECONDITION',
      undefined,
      /reserved for MAC 02:00:00:00:00:aa/,
    );
    const mine = await engine.allocate({ network: 'tiny', clientId: 'owner', mac: '02:00:00:00:00:AA' });
    assert.equal(mine.lease.address, '10.0.0.6');
    assert.equal(mine.created, true);
  });

  it('a reserved MAC asking for another address is refused', async () => {
    const { engine } = await withNetwork();
    await engine.addReservation({ network: 'blue', mac, address: '10.0.0.40' });
    await rejectsWith(
      engine.allocate({ network: 'blue', clientId: 'owner', mac, address: '10.0.0.41' }),
      'FAILED_PRECONDITION',
      undefined,
      /reservation for 10\.0\.0\.40/,
    );
    const ok = await engine.allocate({ network: 'blue', clientId: 'owner', mac, address: '10.0.0.40' });
    assert.equal(ok.lease.address, '10.0.0.40');
  });

  it('validates reservations and refuses conflicts', async () => {
    const { engine } = await withNetwork();
    await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.30' });
    await engine.addReservation({ network: 'blue', mac, address: '10.0.0.40' });
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac, address: '10.0.0.41' }),
      'ALREADY_EXISTS',
    );
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:bb', address: '10.0.0.40' }),
      'ALREADY_EXISTS',
    );
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:bb', address: '10.0.0.30' }),
      'FAILED_PRECONDITION',
      undefined,
      /leased to client c1/,
    );
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac: 'bad', address: '10.0.0.42' }),
      'INVALID_ARGUMENT',
      'mac',
    );
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:cc' }),
      'INVALID_ARGUMENT',
      'address',
    );
    await rejectsWith(
      engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:cc', address: '10.0.0.1' }),
      'INVALID_ARGUMENT',
      'address',
    );
    await rejectsWith(
      engine.addReservation({
        network: 'blue',
        mac: '02:00:00:00:00:cc',
        address: '10.0.0.43',
        hostname: '...',
      }),
      'INVALID_ARGUMENT',
      'hostname',
    );
    assert.deepEqual(
      (await engine.listReservations('blue')).map((r) => r.address),
      ['10.0.0.40'],
    );
    const removed = await engine.removeReservation('blue', '02-00-00-00-00-AA');
    assert.equal(removed.address, '10.0.0.40');
    await rejectsWith(engine.removeReservation('blue', mac), 'NOT_FOUND');
    const freed = await engine.allocate({ network: 'blue', clientId: 'c2', address: '10.0.0.40' });
    assert.equal(freed.lease.address, '10.0.0.40');
  });

  it('never hands a reserved MAC an address that became the gateway or an exclusion', async () => {
    // updateNetwork's lease check ignores reservations, and allocate() does not check that a
    // reservation's address is still assignable: the reserved MAC is handed the gateway.
    const { engine } = await withNetwork();
    await engine.addReservation({ network: 'blue', mac, address: '10.0.0.50' });
    await engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:bb', address: '10.0.0.60' });
    const refusedOrApplied = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        assert.ok(err instanceof IpamError && err.code === 'FAILED_PRECONDITION', String(err));
      }
    };
    await refusedOrApplied(engine.updateNetwork({ name: 'blue', gateway: '10.0.0.50' }, ['gateway']));
    await refusedOrApplied(
      engine.updateNetwork({ name: 'blue', exclusions: [{ start: '10.0.0.60', end: '' }] }, ['exclusions']),
    );
    const net = (await engine.getNetwork('blue')).network;
    for (const [m, address] of [
      [mac, '10.0.0.50'],
      ['02:00:00:00:00:bb', '10.0.0.60'],
    ] as const) {
      const blocked = net.gateway === address || net.exclusions.some((x) => x.start === address);
      if (!blocked) continue;
      const got = await engine.allocate({ network: 'blue', clientId: `owner-${m}`, mac: m }).then(
        (r) => r.lease.address,
        () => 'refused',
      );
      assert.notEqual(
        got,
        address,
        `MAC ${m} was handed ${address}, which is now ${net.gateway === address ? 'the gateway' : 'excluded'}`,
      );
    }
  });

  it('lists reservations in numeric address order', async () => {
    const { engine } = await withNetwork();
    await engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:01', address: '10.0.0.100' });
    await engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:02', address: '10.0.0.9' });
    await engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:03', address: '10.0.0.20' });
    assert.deepEqual(
      (await engine.listReservations('blue')).map((r) => r.address),
      ['10.0.0.9', '10.0.0.20', '10.0.0.100'],
    );
  });
});

describe('IpamEngine.release and getLease', () => {
  it('releases only for the holder, unless forced', async () => {
    const { engine } = await withNetwork();
    const { lease } = await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.20' });
    await rejectsWith(
      engine.release({ network: 'blue', address: '10.0.0.20', clientId: 'c2' }),
      'FAILED_PRECONDITION',
      undefined,
      /held by another client/,
    );
    await rejectsWith(
      engine.release({ network: 'blue', address: '10.0.0.20' }),
      'INVALID_ARGUMENT',
      'client_id',
    );
    assert.ok(await engine.store.getLease('blue', '10.0.0.20'));
    const released = await engine.release({ network: 'blue', address: '10.0.0.20', force: true });
    assert.equal(released.clientId, 'c1');
    assert.equal(released.revision, lease.revision);
    assert.equal(await engine.store.getLease('blue', '10.0.0.20'), undefined);
    assert.equal(await engine.store.getClientAddress('blue', 'c1'), undefined);
    await rejectsWith(engine.release({ network: 'blue', address: '10.0.0.20', force: true }), 'NOT_FOUND');
  });

  it('the holder releases by address or by client id, and the address is free again', async () => {
    const { engine } = await withNetwork();
    await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.20' });
    await engine.allocate({ network: 'blue', clientId: 'c2', address: '10.0.0.21' });
    assert.equal(
      (await engine.release({ network: 'blue', address: '10.0.0.20', clientId: 'c1' })).address,
      '10.0.0.20',
    );
    assert.equal((await engine.release({ network: 'blue', clientId: 'c2' })).address, '10.0.0.21');
    await rejectsWith(engine.release({ network: 'blue', clientId: 'c2' }), 'NOT_FOUND');
    assert.equal((await engine.usage('blue'))[0]?.leases, 0);
    const again = await engine.allocate({ network: 'blue', clientId: 'c3', address: '10.0.0.20' });
    assert.equal(again.created, true);
    const fresh = await engine.allocate({ network: 'blue', clientId: 'c1' });
    assert.equal(fresh.created, true, 'a released client gets a new lease');
  });

  it('validates release arguments', async () => {
    const { engine } = await withNetwork();
    await rejectsWith(engine.release({ network: 'blue' }), 'INVALID_ARGUMENT', 'address');
    await rejectsWith(
      engine.release({ network: 'blue', address: '10.0.0', force: true }),
      'INVALID_ARGUMENT',
      'address',
    );
    await rejectsWith(engine.release({ network: 'blue', clientId: 'a b' }), 'INVALID_ARGUMENT', 'client_id');
    await rejectsWith(engine.release({ network: 'BLUE', clientId: 'a' }), 'INVALID_ARGUMENT', 'network');
  });

  it('gets a lease by address or by client id', async () => {
    const { engine } = await withNetwork();
    const { lease } = await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.33' });
    assert.deepEqual(await engine.getLease({ network: 'blue', address: '10.0.0.33' }), lease);
    assert.deepEqual(await engine.getLease({ network: 'blue', clientId: 'c1' }), lease);
    await rejectsWith(engine.getLease({ network: 'blue', address: '10.0.0.34' }), 'NOT_FOUND');
    await rejectsWith(engine.getLease({ network: 'blue', clientId: 'c2' }), 'NOT_FOUND');
    await rejectsWith(engine.getLease({ network: 'blue' }), 'INVALID_ARGUMENT', 'address');
    await rejectsWith(
      engine.getLease({ network: 'blue', address: '10.0.0.256' }),
      'INVALID_ARGUMENT',
      'address',
    );
  });
});

describe('IpamEngine.listLeases', () => {
  async function fiveLeases() {
    const { engine } = await withNetwork();
    const spec: Array<[string, string, string, 'bound' | 'offered']> = [
      ['10.0.0.100', 'c100', 'h1', 'bound'],
      ['10.0.0.9', 'c9', 'h2', 'offered'],
      ['10.0.0.20', 'c20', 'h1', 'bound'],
      ['10.0.0.3', 'c3', 'h2', 'bound'],
      ['10.0.0.11', 'c11', 'h1', 'offered'],
    ];
    for (const [address, clientId, host, state] of spec) {
      await engine.allocate({ network: 'blue', clientId, address, state, location: { host } });
    }
    return engine;
  }

  it('pages in numeric address order with a final empty token', async () => {
    const engine = await fiveLeases();
    const p1 = engine.listLeases({ network: 'blue', pageSize: 2 });
    assert.deepEqual(
      p1.leases.map((l) => l.address),
      ['10.0.0.3', '10.0.0.9'],
    );
    assert.equal(p1.nextPageToken, 'blue/10.0.0.9');
    const p2 = engine.listLeases({ network: 'blue', pageSize: 2, pageToken: p1.nextPageToken });
    assert.deepEqual(
      p2.leases.map((l) => l.address),
      ['10.0.0.11', '10.0.0.20'],
    );
    assert.equal(p2.nextPageToken, 'blue/10.0.0.20');
    const p3 = engine.listLeases({ network: 'blue', pageSize: 2, pageToken: p2.nextPageToken });
    assert.deepEqual(
      p3.leases.map((l) => l.address),
      ['10.0.0.100'],
    );
    assert.equal(p3.nextPageToken, '');
  });

  it('does not hand out a token to an empty page when the last page is full', async () => {
    const engine = await fiveLeases();
    const p1 = engine.listLeases({ network: 'blue', pageSize: 5 });
    assert.equal(p1.leases.length, 5);
    assert.equal(p1.nextPageToken, '');
    assert.equal(engine.listLeases({ network: 'blue' }).leases.length, 5);
  });

  it('filters by host and state, paging over the filtered set', async () => {
    const engine = await fiveLeases();
    const h1 = engine.listLeases({ network: 'blue', host: 'h1' });
    assert.deepEqual(
      h1.leases.map((l) => l.address),
      ['10.0.0.11', '10.0.0.20', '10.0.0.100'],
    );
    assert.equal(h1.nextPageToken, '');
    const offered = engine.listLeases({ network: 'blue', state: 'offered' });
    assert.deepEqual(
      offered.leases.map((l) => l.address),
      ['10.0.0.9', '10.0.0.11'],
    );
    const both = engine.listLeases({ network: 'blue', host: 'h1', state: 'bound', pageSize: 1 });
    assert.deepEqual(
      both.leases.map((l) => l.address),
      ['10.0.0.20'],
    );
    const rest = engine.listLeases({
      network: 'blue',
      host: 'h1',
      state: 'bound',
      pageSize: 1,
      pageToken: both.nextPageToken,
    });
    assert.deepEqual(
      rest.leases.map((l) => l.address),
      ['10.0.0.100'],
    );
    assert.equal(rest.nextPageToken, '');
    assert.deepEqual(engine.listLeases({ network: 'blue', host: 'nowhere' }), {
      leases: [],
      nextPageToken: '',
    });
  });

  it('lists across networks in (network, address) order', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'red', cidr: '10.2.0.0/24' });
    await engine.createNetwork({ name: 'blue', cidr: '10.1.0.0/24' });
    await engine.allocate({ network: 'red', clientId: 'r1', address: '10.2.0.5' });
    await engine.allocate({ network: 'blue', clientId: 'b1', address: '10.1.0.50' });
    await engine.allocate({ network: 'blue', clientId: 'b2', address: '10.1.0.6' });
    const all: StoredLease[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = engine.listLeases({ pageSize: 2, pageToken: token });
      all.push(...page.leases);
      token = page.nextPageToken;
      assert.ok(++pages < 10);
    } while (token);
    assert.deepEqual(
      all.map((l) => `${l.network}/${l.address}`),
      ['blue/10.1.0.6', 'blue/10.1.0.50', 'red/10.2.0.5'],
    );
  });

  it('rejects bad parameters', async () => {
    const engine = await fiveLeases();
    assert.throws(
      () => engine.listLeases({ network: 'blue', pageToken: 'garbage' }),
      (e: unknown) => e instanceof IpamError && e.field === 'page_token',
    );
    assert.throws(
      () => engine.listLeases({ network: 'blue', pageSize: 1001 }),
      (e: unknown) => e instanceof IpamError && e.field === 'page_size',
    );
    assert.throws(
      () => engine.listLeases({ network: 'blue', pageSize: -1 }),
      (e: unknown) => e instanceof IpamError && e.field === 'page_size',
    );
    assert.throws(
      () => engine.listLeases({ network: 'green' }),
      (e: unknown) => e instanceof IpamError && e.code === 'NOT_FOUND',
    );
  });
});

describe('IpamEngine.updateNetwork', () => {
  it('changes only the masked fields', async () => {
    const { engine, net } = await withNetwork({ description: 'keep me' });
    const updated = await engine.updateNetwork(
      { name: 'blue', leaseTimeSeconds: 7200, description: 'ignored', dhcpOptions: { mtu: 1400 } },
      ['lease_time_seconds'],
    );
    assert.equal(updated.network.leaseTimeSeconds, 7200);
    assert.equal(updated.network.description, 'keep me');
    assert.equal(updated.network.dhcpOptions.mtu, 0);
    assert.equal(updated.network.createdAtMs, net.network.createdAtMs);
    assert.equal(updated.network.vni, net.network.vni);
    assert.ok(updated.revision > net.revision);
    assert.equal(updated.createRevision, net.createRevision);
    assert.deepEqual({ ...updated.network, leaseTimeSeconds: 3600 }, net.network);
    assert.equal((await engine.getNetwork('blue')).network.leaseTimeSeconds, 7200);
  });

  it('a masked field missing from the patch goes back to its default', async () => {
    const { engine } = await withNetwork({ description: 'old', dhcpOptions: { mtu: 1400 } });
    const updated = await engine.updateNetwork({ name: 'blue' }, ['description', 'dhcp_options.mtu']);
    assert.equal(updated.network.description, '');
    assert.equal(updated.network.dhcpOptions.mtu, 0);
  });

  it('with an empty mask takes every field the patch sets', async () => {
    const { engine } = await withNetwork();
    const updated = await engine.updateNetwork(
      { name: 'blue', description: 'd', dhcpOptions: { mtu: 1300 } },
      [],
    );
    assert.equal(updated.network.description, 'd');
    assert.equal(updated.network.dhcpOptions.mtu, 1300);
    assert.equal(updated.network.leaseTimeSeconds, 3600);
  });

  it('refuses pool changes that would strand a live lease', async () => {
    const { engine } = await withNetwork({ pools: [{ name: 'a', start: '10.0.0.10', end: '10.0.0.20' }] });
    await engine.allocate({ network: 'blue', clientId: 'c1', address: '10.0.0.15' });
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', pools: [{ name: 'a', start: '10.0.0.30', end: '10.0.0.40' }] }, [
        'pools',
      ]),
      'FAILED_PRECONDITION',
      undefined,
      /strand lease 10\.0\.0\.15/,
    );
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', exclusions: [{ start: '10.0.0.15', end: '' }] }, ['exclusions']),
      'FAILED_PRECONDITION',
    );
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', gateway: '10.0.0.15' }, ['gateway']),
      'FAILED_PRECONDITION',
    );
    // Growing the pool is fine.
    const ok = await engine.updateNetwork(
      { name: 'blue', pools: [{ name: 'a', start: '10.0.0.10', end: '10.0.0.90' }] },
      ['pools'],
    );
    assert.equal(ok.network.pools[0]?.end, '10.0.0.90');
    assert.equal((await engine.usage('blue'))[0]?.pools[0]?.used, 1);
  });

  it('refuses to change the CIDR or VNI with INVALID_ARGUMENT', async () => {
    const { engine } = await withNetwork();
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', cidr: '10.9.0.0/24' }, ['cidr']),
      'INVALID_ARGUMENT',
      'cidr',
    );
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', cidr: '10.9.0.0/24', description: 'x' }, ['description']),
      'INVALID_ARGUMENT',
      'cidr',
    );
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', cidr: '10.9.0.0/24' }, []),
      'INVALID_ARGUMENT',
      'cidr',
    );
    await rejectsWith(engine.updateNetwork({ name: 'blue', vni: 999 }, ['vni']), 'INVALID_ARGUMENT', 'vni');
    await rejectsWith(engine.updateNetwork({ name: 'blue' }, ['name']), 'INVALID_ARGUMENT', 'name');
    await rejectsWith(engine.updateNetwork({ name: 'blue' }, ['colour']), 'INVALID_ARGUMENT', 'update_mask');
    assert.equal((await engine.getNetwork('blue')).network.cidr, '10.0.0.0/24');
  });

  it('validates the merged definition', async () => {
    const { engine } = await withNetwork();
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', leaseTimeSeconds: 10 }, ['lease_time_seconds']),
      'INVALID_ARGUMENT',
      'lease_time_seconds',
    );
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', mode: 'route', gateway: '' }, ['mode', 'gateway']),
      'INVALID_ARGUMENT',
      'gateway',
    );
    await rejectsWith(engine.updateNetwork({ name: 'nope', description: 'x' }, ['description']), 'NOT_FOUND');
  });

  it('honours an expected revision', async () => {
    const { engine, net } = await withNetwork();
    await engine.updateNetwork({ name: 'blue', description: 'one' }, ['description'], net.revision);
    await rejectsWith(
      engine.updateNetwork({ name: 'blue', description: 'two' }, ['description'], net.revision),
      'FAILED_PRECONDITION',
    );
    assert.equal((await engine.getNetwork('blue')).network.description, 'one');
  });
});

describe('IpamEngine.deleteNetwork', () => {
  it('refuses while leases exist, unless forced; force returns the count', async () => {
    const { engine } = await withNetwork();
    await engine.allocate({ network: 'blue', clientId: 'a' });
    await engine.allocate({ network: 'blue', clientId: 'b' });
    await engine.allocate({ network: 'blue', clientId: 'c' });
    await rejectsWith(engine.deleteNetwork('blue', false), 'FAILED_PRECONDITION', undefined, /3 lease/);
    assert.equal(await engine.deleteNetwork('blue', true), 3);
    await rejectsWith(engine.getNetwork('blue'), 'NOT_FOUND');
    await rejectsWith(engine.deleteNetwork('blue', true), 'NOT_FOUND');
    assert.equal(engine.views.get('blue'), undefined);
    // The name and VNI can be used again, with no trace of the old leases.
    const again = await engine.createNetwork({ name: 'blue', cidr: '10.0.0.0/24' });
    assert.equal(again.network.vni, 1);
    assert.deepEqual(engine.listLeases({ network: 'blue' }).leases, []);
    assert.equal((await engine.allocate({ network: 'blue', clientId: 'a' })).created, true);
  });

  it('deletes an empty network without force', async () => {
    const { engine } = await withNetwork();
    assert.equal(await engine.deleteNetwork('blue', false), 0);
    assert.deepEqual(await engine.listNetworks(), []);
  });
});

describe('IpamEngine.usage', () => {
  it('counts leases and reservations per pool', async () => {
    const { engine } = await withNetwork({
      pools: [
        { name: 'a', start: '10.0.0.10', end: '10.0.0.19' },
        { name: 'b', start: '10.0.0.20', end: '10.0.0.29' },
      ],
    });
    for (const c of ['x', 'y', 'z']) await engine.allocate({ network: 'blue', clientId: c, pool: 'a' });
    // A specific address: the free search starts at a random point and could land on .25.
    await engine.allocate({ network: 'blue', clientId: 'w', address: '10.0.0.21' });
    await engine.allocate({ network: 'blue', clientId: 'outside', address: '10.0.0.200' });
    await engine.addReservation({ network: 'blue', mac: '02:00:00:00:00:01', address: '10.0.0.25' });
    const [u] = await engine.usage('blue');
    assert.ok(u);
    assert.equal(u.network, 'blue');
    assert.equal(u.cidr, '10.0.0.0/24');
    assert.equal(u.leases, 5);
    assert.equal(u.reservations, 1);
    assert.deepEqual(
      u.pools.map((p) => [p.name, p.start, p.end, p.size, p.used, p.reserved, p.utilization]),
      [
        ['a', '10.0.0.10', '10.0.0.19', 10, 3, 0, 0.3],
        ['b', '10.0.0.20', '10.0.0.29', 10, 1, 1, 0.2],
      ],
    );
    const outside = (await engine.getLease({ network: 'blue', clientId: 'outside' })).pool;
    assert.equal(outside, '');
  });

  it('reports every network when no name is given', async () => {
    const engine = await started();
    await engine.createNetwork({ name: 'b', cidr: '10.2.0.0/24' });
    await engine.createNetwork({ name: 'a', cidr: '10.1.0.0/24' });
    assert.deepEqual(
      (await engine.usage()).map((u) => u.network),
      ['a', 'b'],
    );
    await rejectsWith(engine.usage('nope'), 'NOT_FOUND');
  });
});

describe('IpamEngine concurrency', () => {
  it('two engines on one store never hand out an address twice, and exhaust the pool exactly', async () => {
    const store = new MemoryStore();
    const a = await started(store);
    const b = await started(store);
    await a.createNetwork({ name: 'big', cidr: '10.0.0.0/24', gateway: '10.0.0.1' });
    assert.ok(b.views.get('big'), 'the second engine sees the network through its sync');
    const requests: Array<Promise<{ lease: StoredLease }>> = [];
    for (let i = 0; i < 200; i++) {
      requests.push(a.allocate({ network: 'big', clientId: `a-${i}` }));
      requests.push(b.allocate({ network: 'big', clientId: `b-${i}` }));
    }
    const settled = await Promise.allSettled(requests);
    const ok = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.lease);
    const failed = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => s.reason);
    assert.equal(ok.length, 253, 'every assignable address handed out');
    assert.equal(new Set(ok.map((l) => l.address)).size, 253, 'no address handed out twice');
    assert.equal(new Set(ok.map((l) => l.clientId)).size, 253);
    for (const l of ok) {
      const n = num(l.address);
      assert.ok(n > num('10.0.0.1') && n < num('10.0.0.255'), l.address);
    }
    assert.equal(failed.length, 147);
    for (const err of failed) {
      assert.ok(err instanceof IpamError, String(err));
      assert.equal(err.code, 'RESOURCE_EXHAUSTED', err.message);
    }
    assert.equal(await store.countLeases('big'), 253);
    for (const l of ok) assert.equal((await store.getLease('big', l.address))?.clientId, l.clientId);
    assert.ok(a.stats.batches < a.stats.claims, 'claims were batched');
    assert.equal(a.views.get('big')?.leases.size, 253);
    assert.equal(b.views.get('big')?.leases.size, 253);
    assert.deepEqual(
      (await a.usage('big'))[0]?.pools.map((p) => [p.used, p.size]),
      [[253, 253]],
    );
  });

  it('two engines under the pool size all succeed with distinct addresses', async () => {
    const store = new MemoryStore();
    const a = await started(store);
    const b = await started(store);
    await a.createNetwork({ name: 'big', cidr: '10.0.0.0/24', gateway: '10.0.0.1' });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => [
        a.allocate({ network: 'big', clientId: `a-${i}` }),
        b.allocate({ network: 'big', clientId: `b-${i}` }),
      ]).flat(),
    );
    assert.equal(new Set(results.map((r) => r.lease.address)).size, 200);
    assert.ok(results.every((r) => r.created));
  });

  it('two engines racing for one requested address: exactly one wins', async () => {
    const store = new MemoryStore();
    const a = await started(store);
    const b = await started(store);
    await a.createNetwork({ name: 'big', cidr: '10.0.0.0/24' });
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).allocate({ network: 'big', clientId: `c${i}`, address: '10.0.0.42' }),
      ),
    );
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 1);
    for (const s of settled) {
      if (s.status === 'rejected') assert.equal((s.reason as IpamError).code, 'ALREADY_EXISTS');
    }
  });
});
