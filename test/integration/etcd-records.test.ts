import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { normalizeRecord, type RecordObserver, recordId, type StoredRecord } from '@netspan/dns';
import { connectEtcd, EtcdRecordStore } from '@netspan/etcd-store';
import type { Etcd3 } from 'etcd3';
import { type EtcdHandle, startEtcd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
const clients: Etcd3[] = [];
const Z = 'blue.netspan.internal';

before(async () => {
  etcd = await startEtcd({ name: 'records-test' });
});
after(async () => {
  for (const c of clients) c.close();
  await etcd?.stop();
});

function open(onCorrupt?: (key: string) => void) {
  const client = connectEtcd({ endpoints: etcd.endpoints });
  clients.push(client);
  const prefix = `/t/${randomUUID()}/`;
  return {
    client,
    prefix,
    store: new EtcdRecordStore(client, { prefix, ...(onCorrupt ? { onCorrupt } : {}) }),
  };
}

function rec(name: string, type: string, data: string) {
  const r = normalizeRecord({ zone: Z, name, type, data });
  return { ...r, id: recordId(r) };
}

/** Collects what a sync delivers, as "name type data" per zone/id. */
function collector() {
  const state = new Map<string, StoredRecord>();
  let snapshots = 0;
  const observer: RecordObserver = {
    snapshot(records) {
      snapshots++;
      state.clear();
      for (const r of records) state.set(r.id, r);
    },
    put(r) {
      state.set(r.id, r);
    },
    deleted(_zone, id) {
      state.delete(id);
    },
  };
  return { observer, state, snapshots: () => snapshots };
}

describe('EtcdRecordStore', () => {
  it('creates once, refuses duplicates and CNAMEs beside other data (either way), removes by id', async () => {
    const { store } = open();
    const a = await store.create(rec('www', 'A', '10.0.0.1'));
    assert.ok(a.ok);
    assert.deepEqual(await store.create(rec('www', 'A', '10.0.0.1')), { ok: false, reason: 'exists' });
    assert.deepEqual(await store.create(rec('www', 'CNAME', 'web1')), {
      ok: false,
      reason: 'cname-conflict',
    });
    assert.ok((await store.create(rec('alias', 'CNAME', 'web1'))).ok);
    assert.deepEqual(await store.create(rec('alias', 'TXT', 'x')), { ok: false, reason: 'cname-conflict' });
    // "www2" shares a prefix with "www" but is another name.
    assert.ok((await store.create(rec('www2', 'CNAME', 'web1'))).ok);
    const removed = await store.remove(Z, rec('www', 'A', '10.0.0.1').id);
    assert.equal(removed?.data, '10.0.0.1');
    assert.equal(await store.remove(Z, rec('www', 'A', '10.0.0.1').id), undefined);
    assert.ok((await store.create(rec('www', 'CNAME', 'web1'))).ok);
  });

  it('syncs a snapshot then every change, skips (and reports) values that are not valid records', async () => {
    const corrupt: string[] = [];
    const { store, client, prefix } = open((k) => corrupt.push(k));
    await store.create(rec('a', 'A', '10.0.0.1'));
    await client.put(`${prefix}records/${Z}/bad/A/0000000000000000`).value('{"ttl":1,"data":"not an ip"}');
    await client
      .put(`${prefix}records/${Z}/x/A/${rec('y', 'A', '10.0.0.9').id}`)
      .value('{"ttl":1,"data":"10.0.0.9"}');
    await client.put(`${prefix}records/${Z}/junk/TXT/abc`).value('{{{');
    const c = collector();
    const sub = await store.sync(c.observer);
    try {
      assert.deepEqual(
        [...c.state.values()].map((r) => r.name),
        ['a'],
      );
      assert.equal(corrupt.length, 3);
      await store.create(rec('b', 'MX', '10 mail'));
      await waitFor(() => c.state.size === 2, { timeoutMs: 5000, what: 'the watched put' });
      await store.remove(Z, rec('a', 'A', '10.0.0.1').id);
      await waitFor(() => c.state.size === 1, { timeoutMs: 5000, what: 'the watched delete' });
      assert.equal([...c.state.values()][0]?.data, `10 mail.${Z}.`);
    } finally {
      await sub.close();
    }
  });

  it('keeps following after etcd compacts its history', async () => {
    const { store, client } = open();
    const c = collector();
    const sub = await store.sync(c.observer);
    try {
      await store.create(rec('c', 'A', '10.0.0.3'));
      await waitFor(() => c.state.size === 1, { timeoutMs: 5000, what: 'first record' });
      const head = await client.get('nothing').exec();
      await client.kv.compact({ revision: head.header.revision, physical: true });
      await store.create(rec('d', 'A', '10.0.0.4'));
      await waitFor(() => c.state.size === 2, { timeoutMs: 5000, what: 'a record after compaction' });
    } finally {
      await sub.close();
    }
  });
});
