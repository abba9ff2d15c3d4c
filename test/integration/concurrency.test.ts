import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createClients, type NetspanClientError, type NetspanClients, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd, waitFor } from '../harness/index.js';

const REPLICAS = 4;
const CLIENTS_PER_REPLICA = 16;

let etcd: EtcdHandle;
const replicas: IpamdHandle[] = [];
const conns: NetspanClients[] = [];

before(async () => {
  etcd = await startEtcd({ name: 'concurrency' });
  // Four independent ipamd processes on one etcd, no coordination between them.
  const started = await Promise.all(
    Array.from({ length: REPLICAS }, () => startIpamd({ etcdEndpoints: etcd.endpoints })),
  );
  replicas.push(...started);
  conns.push(...replicas.map((r) => createClients(r.grpcAddress)));
});
after(async () => {
  for (const c of conns) c.close();
  await Promise.all(replicas.map((r) => r.stop()));
  await etcd?.stop();
});

it('hands out every address of a /20 exactly once across 4 replicas, then only RESOURCE_EXHAUSTED', async () => {
  const first = conns[0] as NetspanClients;
  const { network } = await unary(first.network, first.network.CreateNetwork, {
    network: { name: 'race', cidr: '10.64.0.0/20', gateway: '10.64.0.1' },
  });
  assert.ok(network);
  const poolSize = 4096 - 3; // minus network, broadcast and gateway
  const granted = new Map<string, string>(); // address -> client
  const exhaustedAfter: number[] = [];
  let otherErrors = 0;
  let firstOther = '';

  // 64 clients (16 per replica) allocate fresh identities until they are told the pool is empty;
  // then each asks 5 more times and must hear RESOURCE_EXHAUSTED every time.
  const worker = async (replica: number, w: number) => {
    const c = conns[replica] as NetspanClients;
    for (let i = 0; ; i++) {
      const clientId = `r${replica}-w${w}-${i}`;
      try {
        const res = await unary(c.ipam, c.ipam.Allocate, { network: 'race', clientId });
        const addr = res.lease?.address as string;
        assert.ok(res.created);
        const prev = granted.get(addr);
        assert.equal(prev, undefined, `${addr} granted to ${prev} and ${clientId}`);
        granted.set(addr, clientId);
      } catch (err) {
        const e = err as NetspanClientError;
        if (e.statusName !== 'RESOURCE_EXHAUSTED') {
          otherErrors++;
          firstOther ||= `${e.statusName}: ${e.details}`;
          if (otherErrors > 20) throw err;
          continue;
        }
        for (let k = 0; k < 5; k++) {
          await assert.rejects(
            unary(c.ipam, c.ipam.Allocate, { network: 'race', clientId: `${clientId}-again-${k}` }),
            (x: NetspanClientError) =>
              x.statusName === 'RESOURCE_EXHAUSTED' && /network race/.test(x.details),
          );
        }
        exhaustedAfter.push(i);
        return;
      }
      if (i > poolSize) throw new Error('worker never saw exhaustion');
    }
  };
  const workers: Promise<void>[] = [];
  for (let r = 0; r < REPLICAS; r++) for (let w = 0; w < CLIENTS_PER_REPLICA; w++) workers.push(worker(r, w));
  await Promise.all(workers);

  assert.equal(otherErrors, 0, `unexpected errors, first: ${firstOther}`);
  assert.equal(granted.size, poolSize, 'every address of the pool handed out');
  assert.equal(exhaustedAfter.length, REPLICAS * CLIENTS_PER_REPLICA);

  // etcd agrees: one lease per address, one index key per lease pointing back at it.
  const etcdClient = connectEtcd({ endpoints: etcd.endpoints });
  try {
    const leases = await etcdClient.getAll().prefix('/netspan/v1/leases/race/').strings();
    const index = await etcdClient.getAll().prefix('/netspan/v1/clients/race/').strings();
    assert.equal(Object.keys(leases).length, poolSize);
    assert.equal(Object.keys(index).length, poolSize);
    for (const [key, value] of Object.entries(leases)) {
      const address = key.slice(key.lastIndexOf('/') + 1);
      const clientId = (JSON.parse(value) as { clientId: string }).clientId;
      assert.equal(
        granted.get(address),
        clientId,
        `etcd lease ${address} belongs to the client that was told so`,
      );
      assert.equal(index[`/netspan/v1/clients/race/${encodeURIComponent(clientId)}`], address);
    }
  } finally {
    etcdClient.close();
  }

  // Every replica's usage view converges on a full pool.
  for (const c of conns) {
    await waitFor(
      async () => {
        const u = await unary(c.network, c.network.GetNetworkUsage, { name: 'race' });
        return u.networks[0]?.pools[0]?.used === poolSize;
      },
      { what: 'replica usage to show a full pool', timeoutMs: 5000 },
    );
  }
});
