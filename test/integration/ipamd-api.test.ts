import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClients, type NetspanClientError, type NetspanClients, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;

before(async () => {
  etcd = await startEtcd({ name: 'api-test' });
  ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
  c = createClients(ipamd.grpcAddress);
});
after(async () => {
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

/** Asserts a call fails with `status` and a message matching `re` (and the field, when given). */
async function refused(p: Promise<unknown>, status: string, re: RegExp, field?: string) {
  await assert.rejects(p, (err: NetspanClientError) => {
    assert.equal(err.statusName, status, err.details);
    assert.match(err.details, re);
    if (field !== undefined) assert.equal(err.field, field);
    return true;
  });
}

const createNet = (network: Record<string, unknown>) =>
  unary(c.network, c.network.CreateNetwork, { network });
const allocate = (req: Record<string, unknown>) => unary(c.ipam, c.ipam.Allocate, req);

describe('NetworkService over gRPC', () => {
  it('creates a network with defaults and an allocated VNI', async () => {
    const { network } = await createNet({ name: 'blue', cidr: '10.10.0.0/24', gateway: '10.10.0.1' });
    assert.equal(network?.domain, 'blue.netspan.internal');
    assert.equal(network?.leaseTimeSeconds, 3600);
    assert.ok((network?.vni ?? 0) > 0);
    // Routers are stored as given: empty means guests get the gateway.
    assert.deepEqual(network?.dhcpOptions?.routers, []);
    assert.equal(network?.mode, 'FORWARD_MODE_ISOLATED');
    assert.ok((network?.revision ?? 0) > 0);
    const got = await unary(c.network, c.network.GetNetwork, { name: 'blue' });
    assert.equal(got.network?.cidr, '10.10.0.0/24');
    const list = await unary(c.network, c.network.ListNetworks, {});
    assert.ok(list.networks.some((n) => n.name === 'blue'));
  });

  it('names the field in every validation error', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ name: 'Bad_Name', cidr: '10.0.0.0/24' }, 'name', /DNS label/],
      [{ name: 'x', cidr: '10.0.0.1/24' }, 'cidr', /host bits/],
      [{ name: 'x', cidr: '10.0.0.0/24', gateway: '10.0.1.1' }, 'gateway', /outside/],
      [
        { name: 'x', cidr: '10.0.0.0/24', pools: [{ start: '10.0.0.50', end: '10.0.0.10' }] },
        'pools[0]',
        /reversed/,
      ],
      [
        {
          name: 'x',
          cidr: '10.0.0.0/24',
          pools: [
            { start: '10.0.0.10', end: '10.0.0.50' },
            { start: '10.0.0.40', end: '10.0.0.60' },
          ],
        },
        'pools[1]',
        /overlaps/,
      ],
      [{ name: 'x', cidr: '10.0.0.0/24', leaseTimeSeconds: 5 }, 'lease_time_seconds', /60\.\.31536000/],
      [{ name: 'x', cidr: '10.0.0.0/24', vni: 99999999 }, 'vni', /outside/],
      [{ name: 'x', cidr: '10.0.0.0/24', dhcpOptions: { mtu: 100 } }, 'dhcp_options.mtu', /576/],
      [{ name: 'x', cidr: '10.0.0.0/24', encapsulation: 'ENCAPSULATION_VLAN' }, 'vlan_id', /1\.\.4094/],
      [{ name: 'x', cidr: '10.0.0.0/24', mode: 'FORWARD_MODE_NAT' }, 'gateway', /required/],
    ];
    for (const [network, field, re] of cases) {
      await refused(createNet(network), 'INVALID_ARGUMENT', re, field);
    }
    await refused(unary(c.network, c.network.CreateNetwork, {}), 'INVALID_ARGUMENT', /network: is required/);
  });

  it('refuses a duplicate name or VNI with ALREADY_EXISTS', async () => {
    const { network } = await createNet({ name: 'dup', cidr: '10.11.0.0/24' });
    await refused(
      createNet({ name: 'dup', cidr: '10.12.0.0/24' }),
      'ALREADY_EXISTS',
      /network dup already exists/,
    );
    await refused(
      createNet({ name: 'dup2', cidr: '10.12.0.0/24', vni: network?.vni }),
      'ALREADY_EXISTS',
      /vni/,
    );
    await refused(
      unary(c.network, c.network.GetNetwork, { name: 'nope' }),
      'NOT_FOUND',
      /network nope not found/,
    );
  });

  it('updates only the masked fields and guards revisions', async () => {
    const { network } = await createNet({ name: 'upd', cidr: '10.13.0.0/24', description: 'before' });
    const res = await unary(c.network, c.network.UpdateNetwork, {
      network: { name: 'upd', leaseTimeSeconds: 600 },
      updateMask: ['lease_time_seconds'],
    });
    assert.equal(res.network?.leaseTimeSeconds, 600);
    assert.equal(res.network?.description, 'before');
    await refused(
      unary(c.network, c.network.UpdateNetwork, {
        network: { name: 'upd', description: 'x' },
        updateMask: ['description'],
        expectedRevision: network?.revision,
      }),
      'FAILED_PRECONDITION',
      /revision/,
    );
    await refused(
      unary(c.network, c.network.UpdateNetwork, {
        network: { name: 'upd', cidr: '10.14.0.0/24' },
        updateMask: ['cidr'],
      }),
      'INVALID_ARGUMENT',
      /cannot be changed/,
      'cidr',
    );
  });
});

describe('IpamService over gRPC', () => {
  before(async () => {
    await createNet({
      name: 'green',
      cidr: '10.20.0.0/29',
      gateway: '10.20.0.1',
      pools: [{ name: 'small', start: '10.20.0.2', end: '10.20.0.6' }],
    });
  });

  it('allocates idempotently per client, and a requested address', async () => {
    const a = await allocate({
      network: 'green',
      clientId: 'vm-a',
      hostname: 'Web_01.example.com',
      mac: '02-00-00-00-00-0A',
    });
    assert.equal(a.created, true);
    assert.equal(a.lease?.hostname, 'web-01');
    assert.equal(a.lease?.mac, '02:00:00:00:00:0a');
    assert.equal(a.lease?.pool, 'small');
    assert.equal(a.lease?.state, 'LEASE_STATE_BOUND');
    const again = await allocate({ network: 'green', clientId: 'vm-a' });
    assert.equal(again.created, false);
    assert.equal(again.lease?.address, a.lease?.address);
    const wanted = a.lease?.address === '10.20.0.6' ? '10.20.0.5' : '10.20.0.6';
    const b = await allocate({ network: 'green', clientId: 'vm-b', address: wanted });
    assert.equal(b.lease?.address, wanted);
    await refused(
      allocate({ network: 'green', clientId: 'vm-c', address: wanted }),
      'ALREADY_EXISTS',
      /held by another client/,
    );
    await refused(
      allocate({ network: 'green', clientId: 'vm-c', address: '10.99.0.1' }),
      'INVALID_ARGUMENT',
      /outside/,
      'address',
    );
    await refused(
      allocate({ network: 'green', clientId: 'bad id' }),
      'INVALID_ARGUMENT',
      /printable/,
      'client_id',
    );
    await refused(allocate({ network: 'nope', clientId: 'x' }), 'NOT_FOUND', /network nope not found/);
  });

  it('keeps a reserved address for its MAC only', async () => {
    const held = new Set(
      (await unary(c.ipam, c.ipam.ListLeases, { network: 'green' })).leases.map((l) => l.address),
    );
    const free = ['10.20.0.2', '10.20.0.3', '10.20.0.4', '10.20.0.5', '10.20.0.6'].find(
      (a) => !held.has(a),
    ) as string;
    await refused(
      unary(c.ipam, c.ipam.AddReservation, {
        reservation: { network: 'green', mac: '02:00:00:00:00:98', address: [...held][0] },
      }),
      'FAILED_PRECONDITION',
      /is leased to client/,
    );
    const r = await unary(c.ipam, c.ipam.AddReservation, {
      reservation: { network: 'green', mac: '02:00:00:00:00:99', address: free, hostname: 'db' },
    });
    assert.equal(r.reservation?.address, free);
    await refused(
      allocate({ network: 'green', clientId: 'thief', address: free }),
      'FAILED_PRECONDITION',
      /reserved for MAC 02:00:00:00:00:99/,
    );
    const owner = await allocate({ network: 'green', clientId: 'db-vm', mac: '02:00:00:00:00:99' });
    assert.equal(owner.lease?.address, free);
    assert.equal(owner.lease?.hostname, 'db', "the reservation's hostname goes to the lease");
    const list = await unary(c.ipam, c.ipam.ListReservations, { network: 'green' });
    assert.deepEqual(
      list.reservations.map((x) => x.mac),
      ['02:00:00:00:00:99'],
    );
  });

  it('reports exhaustion naming the network and the pool', async () => {
    // 5 addresses in the pool: vm-a, vm-b, db-vm hold three; two more fit.
    await allocate({ network: 'green', clientId: 'fill-1' });
    await allocate({ network: 'green', clientId: 'fill-2' });
    await refused(
      allocate({ network: 'green', clientId: 'fill-3' }),
      'RESOURCE_EXHAUSTED',
      /network green: .*small 10\.20\.0\.2-10\.20\.0\.6/,
    );
    const usage = await unary(c.network, c.network.GetNetworkUsage, { name: 'green' });
    const pool = usage.networks[0]?.pools[0];
    assert.equal(pool?.size, 5);
    assert.equal(pool?.used, 5);
    assert.equal(pool?.utilization, 1);
  });

  it('releases only for the holder, lists in address order, and gets by client', async () => {
    const got = await unary(c.ipam, c.ipam.GetLease, { network: 'green', clientId: 'fill-1' });
    const addr = got.lease?.address as string;
    await refused(
      unary(c.ipam, c.ipam.Release, { network: 'green', address: addr, clientId: 'vm-a' }),
      'FAILED_PRECONDITION',
      /held by another client/,
    );
    const rel = await unary(c.ipam, c.ipam.Release, { network: 'green', address: addr, clientId: 'fill-1' });
    assert.equal(rel.lease?.clientId, 'fill-1');
    await refused(
      unary(c.ipam, c.ipam.GetLease, { network: 'green', address: addr }),
      'NOT_FOUND',
      /no lease/,
    );
    const byClient = await unary(c.ipam, c.ipam.Release, { network: 'green', clientId: 'fill-2' });
    assert.equal(byClient.lease?.clientId, 'fill-2');
    const page1 = await unary(c.ipam, c.ipam.ListLeases, { network: 'green', pageSize: 2 });
    assert.equal(page1.leases.length, 2);
    assert.notEqual(page1.nextPageToken, '');
    const page2 = await unary(c.ipam, c.ipam.ListLeases, {
      network: 'green',
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    const all = [...page1.leases, ...page2.leases].map((l) => l.address);
    assert.equal(all.length, 3);
    assert.equal(page2.nextPageToken, '');
    const nums = all.map((a) => Number(a.split('.')[3]));
    assert.deepEqual(
      nums,
      [...nums].sort((x, y) => x - y),
    );
    await refused(
      unary(c.ipam, c.ipam.ListLeases, { pageToken: 'garbage' }),
      'INVALID_ARGUMENT',
      /page_token/,
      'page_token',
    );
  });

  it('deletes a network with leases only with force', async () => {
    await refused(
      unary(c.network, c.network.DeleteNetwork, { name: 'green' }),
      'FAILED_PRECONDITION',
      /3 lease\(s\)/,
    );
    const del = await unary(c.network, c.network.DeleteNetwork, { name: 'green', force: true });
    assert.equal(del.leasesDeleted, 3);
    await refused(unary(c.network, c.network.GetNetwork, { name: 'green' }), 'NOT_FOUND', /not found/);
  });
});

describe('ipamd lifecycle', () => {
  it('keeps every ACKed lease across a SIGKILL and restart, and drains on SIGTERM', async () => {
    await createNet({ name: 'durable', cidr: '10.30.0.0/24' });
    const made = await Promise.all(
      Array.from({ length: 50 }, (_, i) => allocate({ network: 'durable', clientId: `d${i}` })),
    );
    await ipamd.kill();
    c.close();
    ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
    c = createClients(ipamd.grpcAddress);
    for (const [i, m] of made.entries()) {
      const again = await allocate({ network: 'durable', clientId: `d${i}` });
      assert.equal(again.created, false);
      assert.equal(again.lease?.address, m.lease?.address);
    }
    // SIGTERM: exit 0 and the replica registration disappears at once (lease revoked).
    const etcdClient = connectEtcd({ endpoints: etcd.endpoints });
    try {
      const replicas = async () => (await etcdClient.getAll().prefix('/netspan/v1/replicas/').keys()).length;
      await waitFor(async () => (await replicas()) >= 1, { what: 'replica registration' });
      const before = await replicas();
      const code = await ipamd.stop();
      assert.equal(code, 0);
      assert.equal(await replicas(), before - 1);
    } finally {
      etcdClient.close();
    }
    c.close();
    ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
    c = createClients(ipamd.grpcAddress);
  });

  it('fails fast with UNAVAILABLE while etcd is down, and recovers', async () => {
    await etcd.kill();
    const t0 = Date.now();
    await refused(allocate({ network: 'durable', clientId: 'while-down' }), 'UNAVAILABLE', /etcd/);
    assert.ok(Date.now() - t0 < 10_000, 'did not hang');
    await etcd.restart();
    await waitFor(
      async () => {
        const r = await allocate({ network: 'durable', clientId: 'after-restart' });
        return Boolean(r.lease?.address);
      },
      { what: 'allocation after etcd restart', timeoutMs: 20_000, intervalMs: 250 },
    );
  });

  it('shuts down promptly on SIGTERM even while etcd is down', async () => {
    await etcd.kill();
    const t0 = Date.now();
    const code = await ipamd.stop();
    const took = Date.now() - t0;
    assert.equal(code, 0);
    assert.ok(took < 15_000, `shutdown took ${took} ms`);
    await etcd.restart();
    c.close();
    ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
    c = createClients(ipamd.grpcAddress);
  });
});

describe('IpamService.AllocateStream', () => {
  it('answers each allocation by id, errors included, and the stream goes on', async () => {
    await createNet({ name: 'streamed', cidr: '10.40.0.0/29', gateway: '10.40.0.1' });
    const stream = c.ipam.AllocateStream();
    type Reply = {
      id: number;
      response?: { lease?: { address?: string } | null; created?: boolean } | null;
      error?: { code: string; message: string; field: string } | null;
    };
    const replies = new Map<number, Reply>();
    const done = new Promise<void>((resolve) => stream.on('end', () => resolve()));
    stream.on('data', (m: Reply) => replies.set(Number(m.id), m));
    stream.write({ id: 1, request: { network: 'streamed', clientId: 'a' } });
    stream.write({ id: 2, request: { network: 'streamed', clientId: 'a' } });
    stream.write({ id: 3, request: { network: 'streamed', clientId: 'bad id' } });
    stream.write({ id: 4, request: { network: 'nope', clientId: 'x' } });
    stream.write({ id: 5 });
    for (let i = 6; i <= 12; i++)
      stream.write({ id: i, request: { network: 'streamed', clientId: `c${i}` } });
    stream.end();
    await done;
    assert.equal(replies.size, 12);
    const a1 = replies.get(1)?.response?.lease?.address;
    assert.ok(a1);
    assert.equal(replies.get(2)?.response?.lease?.address, a1, 'idempotent per client');
    assert.deepEqual(
      [replies.get(3)?.error?.code, replies.get(3)?.error?.field],
      ['INVALID_ARGUMENT', 'client_id'],
    );
    assert.equal(replies.get(4)?.error?.code, 'NOT_FOUND');
    assert.equal(replies.get(5)?.error?.code, 'INVALID_ARGUMENT');
    // A /29 minus the gateway: 5 addresses; 'a' holds one, so 4 of c6..c12 get one, 3 are refused.
    const outcomes = [...Array(7).keys()].map((k) => replies.get(6 + k));
    assert.equal(outcomes.filter((r) => r?.response?.lease?.address).length, 4);
    assert.equal(outcomes.filter((r) => r?.error?.code === 'RESOURCE_EXHAUSTED').length, 3);
  });
});
