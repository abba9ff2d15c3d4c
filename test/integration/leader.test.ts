import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createClients, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
const replicas: IpamdHandle[] = [];
// etcd itself does not compact here: the elected replica must.
const args = [
  '--compact-interval',
  '1',
  '--compact-retain',
  '100',
  '--election-ttl',
  '2',
  '--reclaim-interval',
  '1',
];

before(async () => {
  etcd = await startEtcd({ name: 'leader', extraArgs: ['--auto-compaction-retention=0'] });
  replicas.push(await startIpamd({ etcdEndpoints: etcd.endpoints, args }));
  replicas.push(await startIpamd({ etcdEndpoints: etcd.endpoints, args }));
});
after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await etcd?.stop();
});

const elected = (r: IpamdHandle) =>
  r.records().filter((x) => x.msg === 'elected leader' && x.job === 'compactor').length;

it('reclaims expired leases (and only those) on the elected replica', async () => {
  const c = createClients((replicas[0] as IpamdHandle).grpcAddress);
  try {
    await unary(c.network, c.network.CreateNetwork, { network: { name: 'ttl', cidr: '10.78.0.0/24' } });
    const short = await unary(c.ipam, c.ipam.Allocate, { network: 'ttl', clientId: 'short', ttlSeconds: 1 });
    const forever = await unary(c.ipam, c.ipam.Allocate, { network: 'ttl', clientId: 'forever' });
    assert.ok((short.lease?.expiresAtMs ?? 0) > Date.now());
    await waitFor(
      async () => {
        try {
          await unary(c.ipam, c.ipam.GetLease, { network: 'ttl', address: short.lease?.address });
          return false;
        } catch (err) {
          return (err as { statusName?: string }).statusName === 'NOT_FOUND';
        }
      },
      { what: 'the expired lease to be reclaimed', timeoutMs: 10_000, intervalMs: 200 },
    );
    const kept = await unary(c.ipam, c.ipam.GetLease, { network: 'ttl', address: forever.lease?.address });
    assert.equal(kept.lease?.clientId, 'forever');
    const reclaimers = replicas.map(
      (r) => r.records().filter((x) => x.msg === 'reclaimed expired leases').length,
    );
    assert.equal(reclaimers.filter((n) => n > 0).length, 1, 'exactly one replica reclaimed');
  } finally {
    c.close();
  }
});

it('elects one replica to compact etcd, and fails over when it dies', async () => {
  await waitFor(() => replicas.some((r) => elected(r) > 0), { what: 'a leader', timeoutMs: 10_000 });
  const leaderIdx = replicas.findIndex((r) => elected(r) > 0);
  const leader = replicas[leaderIdx] as IpamdHandle;
  const follower = replicas[1 - leaderIdx] as IpamdHandle;
  assert.equal(elected(follower), 0, 'only one replica leads');

  // Make history, then see the leader compact it.
  const c = createClients(follower.grpcAddress);
  await unary(c.network, c.network.CreateNetwork, { network: { name: 'hist', cidr: '10.77.0.0/20' } });
  for (let i = 0; i < 300; i++) await unary(c.ipam, c.ipam.Allocate, { network: 'hist', clientId: `h${i}` });
  c.close();
  await leader.waitForLog((x) => x.msg === 'compacted etcd history', 10_000);
  const client = connectEtcd({ endpoints: etcd.endpoints });
  try {
    await assert.rejects(client.kv.range({ key: Buffer.from('/netspan/v1/'), revision: 2 }), /compacted/);
  } finally {
    client.close();
  }

  // The leader dies without resigning: the follower takes over once the election lease lapses.
  const t0 = Date.now();
  await leader.kill();
  await follower.waitForLog((x) => x.msg === 'elected leader' && x.job === 'compactor', 15_000);
  const takeover = Date.now() - t0;
  assert.ok(takeover < 10_000, `takeover took ${takeover} ms`);
});
