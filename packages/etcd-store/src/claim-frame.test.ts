import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { serialize } from 'node:v8';
import type { ClaimRequest, Lease, LeaseUpdate } from '@netspan/ipam';
import protobuf from 'protobufjs';
import { claimGroupFrame, readGroupResult, renewGroupFrame } from './claim-frame.js';
import { claimTxn, flattenClaims, flattenUpdates, heldBy, renewTxn } from './claim-txn.js';
import { encodeLease } from './codec.js';
import { Keys } from './keys.js';
import { decodeTxnResponse, encodeTxnRequest } from './lean-kv.js';

const etcd3Dir = path.dirname(createRequire(import.meta.url).resolve('etcd3/package.json'));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(etcd3Dir, 'proto', path.basename(target));
root.loadSync('rpc.proto', { keepCase: true });
const TxnResponse = root.lookupType('etcdserverpb.TxnResponse');

const keys = new Keys('/netspan/v1/');

function lease(i: number, network: string, extra: Partial<Lease> = {}): Lease {
  return {
    network,
    address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    clientId: `01020000${i.toString(16).padStart(8, '0')}`,
    mac: `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    hostname: i % 3 === 0 ? '' : `host-${i}`,
    state: 'bound',
    location: { host: i % 2 ? 'host-a' : '', via: i % 2 ? 'agent' : 'relay:127.0.0.1' },
    createdAtMs: 1_795_000_000_000 + i,
    updatedAtMs: 1_795_000_000_500 + i,
    expiresAtMs: 1_795_003_600_000 + i,
    pool: i % 4 ? 'dyn' : '',
    ...extra,
  };
}

describe('claim group frames: the same bytes as encodeTxnRequest(claimTxn(...))', () => {
  const cases: Array<[string, ClaimRequest[]]> = [
    ['one claim', [{ lease: lease(1, 'blue'), networkRevision: 7 }]],
    [
      'a group on one network, some claimants reserved',
      Array.from({ length: 40 }, (_, i) => ({
        lease: lease(i, 'blue'),
        networkRevision: 123_456_789,
        ...(i % 5 === 0 ? { reservedFor: lease(i, 'blue').mac } : {}),
      })),
    ],
    [
      'two networks, one with mixed revisions (compared per claim)',
      Array.from({ length: 30 }, (_, i) => ({
        lease: lease(i, i % 2 ? 'blue' : 'red-net'),
        networkRevision: i % 2 ? 99 : 1000 + (i % 3),
      })),
    ],
    [
      'names and hostnames outside ASCII, long values',
      [
        {
          lease: lease(3, 'blue', { hostname: 'héllo-wörld-ünïcode', pool: 'p'.repeat(300) }),
          networkRevision: 1,
        },
        {
          lease: lease(4, 'blue', { hostname: '日本語', clientId: `ff00${'ab'.repeat(100)}` }),
          networkRevision: 1,
        },
      ],
    ],
  ];
  for (const [name, reqs] of cases) {
    it(name, () => {
      const want = claimTxn(keys, reqs);
      const got = claimGroupFrame(keys, flattenClaims(reqs));
      assert.deepEqual(
        got.frame,
        encodeTxnRequest({ compare: want.compare, success: want.ops.map((o) => o.op), failure: [] }),
      );
      assert.deepEqual(
        got.leaseKeys,
        want.ops.map((o) => o.leaseKey),
      );
      assert.deepEqual(
        got.values.map((v) => v.toString()),
        reqs.map((r) => encodeLease(r.lease)),
      );
    });
  }

  it('renewals', () => {
    const updates: LeaseUpdate[] = Array.from({ length: 25 }, (_, i) => ({
      lease: lease(i, i % 3 ? 'blue' : 'red'),
      expectedRevision: 5_000_000 + i * 977,
    }));
    const want = renewTxn(keys, updates);
    const got = renewGroupFrame(keys, flattenUpdates(updates));
    assert.deepEqual(
      got.frame,
      encodeTxnRequest({ compare: want.compare, success: want.ops.map((o) => o.op), failure: [] }),
    );
    assert.deepEqual(
      got.values.map((v) => v.toString()),
      updates.map((u) => encodeLease(u.lease)),
    );
  });
});

describe('flattened claims cross to the thread as dense arrays', () => {
  it('structured clone writes them element by element, not as sparse arrays', () => {
    // v8's serializer: after the version header (0xff, version), a dense array is tagged 'A'
    // and a holey one, read back key by key and about twice as slow, 'a'.
    const claims = flattenClaims([1, 2, 3].map((i) => ({ lease: lease(i, 'blue'), networkRevision: 7 })));
    const renewals = flattenUpdates([1, 2].map((i) => ({ lease: lease(i, 'blue'), expectedRevision: 9 })));
    for (const flat of [claims, renewals])
      assert.equal(String.fromCharCode(serialize(flat)[2] as number), 'A');
  });
});

describe('readGroupResult: which sub-transactions held, from the reply bytes', () => {
  const reply = (o: object): Buffer => Buffer.from(TxnResponse.encode(TxnResponse.fromObject(o)).finish());
  const header = {
    cluster_id: '14841639068965178418',
    member_id: '10276657743932975437',
    revision: '9876543210',
    raft_term: '5',
  };
  const sub = (ok: boolean) => ({
    response_txn: { header, succeeded: ok, responses: ok ? [{ response_put: { header } }] : [] },
  });

  it('reads the revision and each sub-transaction, as heldBy does', () => {
    const pattern = [true, false, true, true, false, false, true];
    const bytes = reply({ header, succeeded: true, responses: pattern.map(sub) });
    const got = readGroupResult(bytes, 0, bytes.length, pattern.length);
    assert.equal(got.revision, 9_876_543_210);
    assert.deepEqual([...got.held], pattern.map(Number));
    assert.deepEqual(got.held, heldBy(decodeTxnResponse(bytes), pattern.length));
  });

  it('holds nothing when the group compare failed', () => {
    const bytes = reply({ header, succeeded: false, responses: [] });
    const got = readGroupResult(bytes, 0, bytes.length, 3);
    assert.deepEqual([...got.held], [0, 0, 0]);
    assert.equal(got.revision, 9_876_543_210);
  });

  it('reads at an offset inside a larger buffer (the gRPC frame)', () => {
    const bytes = reply({ header, succeeded: true, responses: [sub(true)] });
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, bytes.length]), bytes, Buffer.from([0xff, 0xff])]);
    assert.deepEqual([...readGroupResult(framed, 5, 5 + bytes.length, 1).held], [1]);
  });

  it('rejects a reply that does not match the request, or is cut short', () => {
    const bytes = reply({ header, succeeded: true, responses: [sub(true), sub(true)] });
    assert.throws(() => readGroupResult(bytes, 0, bytes.length, 3), /2 sub-responses for 3/);
    const noTxn = reply({ header, succeeded: true, responses: [{ response_put: { header } }] });
    assert.throws(() => readGroupResult(noTxn, 0, noTxn.length, 1), /missing a sub-response/);
    for (let cut = 1; cut < bytes.length; cut += 7)
      assert.throws(() => readGroupResult(bytes, 0, bytes.length - cut, 2), Error);
  });
});
