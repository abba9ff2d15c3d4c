import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ITxnRequest } from 'etcd3';
import protobuf from 'protobufjs';
import { decodeTxnResponse, decodeWatchResponse, encodeTxnRequest, encodeWatchCreate } from './lean-kv.js';

// Compared with proto3 defaults filled in: zero enums (EQUAL, VERSION) may be written or omitted.
// The reference: etcd's own rpc.proto as the etcd3 package ships it, read by protobufjs.
const etcd3Dir = path.dirname(createRequire(import.meta.url).resolve('etcd3/package.json'));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(etcd3Dir, 'proto', path.basename(target));
root.loadSync('rpc.proto', { keepCase: true });
const TxnRequest = root.lookupType('etcdserverpb.TxnRequest');
const TxnResponse = root.lookupType('etcdserverpb.TxnResponse');

const b = (s: string) => Buffer.from(s);
const toObject = (t: protobuf.Type, m: protobuf.Message) =>
  t.toObject(m, { longs: String, enums: String, bytes: String, defaults: true, oneofs: false });

/** What protobufjs reads from our bytes, next to what it makes of the same request. */
function roundTrip(req: ITxnRequest): { ours: unknown; reference: unknown } {
  const frame = encodeTxnRequest(req);
  assert.equal(frame[0], 0, 'uncompressed gRPC frame');
  assert.equal(frame.readUInt32BE(1), frame.length - 5, 'frame length');
  const ours = toObject(TxnRequest, TxnRequest.decode(frame.subarray(5)));
  const reference = toObject(
    TxnRequest,
    TxnRequest.decode(TxnRequest.encode(TxnRequest.fromObject(req)).finish()),
  );
  return { ours, reference };
}

describe('lean etcd client: TxnRequest encoding', () => {
  it('encodes every compare target and result as etcd reads them', () => {
    const req: ITxnRequest = {
      compare: [
        { key: b('a'), target: 'Create', result: 'Equal', create_revision: 0 },
        { key: b('b'), target: 'Mod', result: 'Equal', mod_revision: 123456789 },
        { key: b('c'), target: 'Value', result: 'Equal', value: b('v') },
        { key: b('c'), target: 'Value', result: 'NotEqual', value: b('') },
        { key: b('d'), target: 'Version', result: 'Greater', version: 3 },
        { key: b('e'), target: 'Lease', result: 'Less', lease: 7 },
        { key: b('p/'), range_end: b('p0'), target: 'Version', result: 'Equal', version: 0 },
      ],
      success: [{ request_put: { key: b('k'), value: b('x') } }],
    };
    const { ours, reference } = roundTrip(req);
    assert.deepEqual(ours, reference);
    // A create_revision = 0 compare must carry its (zero) target value: etcd needs the oneof set.
    const decoded = TxnRequest.decode(encodeTxnRequest(req).subarray(5)) as unknown as {
      compare: Array<{ target_union?: string }>;
    };
    assert.equal(decoded.compare[0]?.target_union, 'create_revision');
    assert.equal(decoded.compare[3]?.target_union, 'value');
  });

  it('encodes puts, ranges, deletes and nested transactions', () => {
    const req: ITxnRequest = {
      compare: [],
      success: [
        { request_put: { key: b('k1'), value: b('v1'), lease: 42, prev_kv: true } },
        { request_range: { key: b('r'), range_end: b('s'), limit: 10, count_only: true, keys_only: true } },
        { request_delete_range: { key: b('d'), range_end: b('e'), prev_kv: true } },
        {
          request_txn: {
            compare: [{ key: b('n'), target: 'Create', result: 'Equal', create_revision: 0 }],
            success: [{ request_put: { key: b('n'), value: b('1') } }],
            failure: [{ request_range: { key: b('n') } }],
          },
        },
      ],
      failure: [{ request_range: { key: b('f'), revision: 99, serializable: true } }],
    };
    const { ours, reference } = roundTrip(req);
    assert.deepEqual(ours, reference);
  });

  it('encodes large values and many sub-transactions (multi-byte lengths)', () => {
    const big = b('x'.repeat(70_000));
    const req: ITxnRequest = {
      success: [
        { request_put: { key: b('big'), value: big } },
        ...Array.from({ length: 120 }, (_, i) => ({
          request_txn: {
            compare: [
              { key: b(`l/${i}`), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 },
            ],
            success: [{ request_put: { key: b(`l/${i}`), value: b('y'.repeat(i * 3)) } }],
            failure: [],
          },
        })),
      ],
    };
    const { ours, reference } = roundTrip(req);
    assert.deepEqual(ours, reference);
  });

  it('refuses request fields it does not encode instead of dropping them', () => {
    assert.throws(
      () => encodeTxnRequest({ success: [{ request_range: { key: b('a'), sort_order: 'Ascend' } }] }),
      /request_range\.sort_order is not supported/,
    );
    assert.throws(() => encodeTxnRequest({ success: [{}] }), /empty request op/);
    assert.throws(
      () => encodeTxnRequest({ compare: [{ key: b('a'), target: 'Nope' as never, result: 'Equal' }] }),
      /unknown compare target/,
    );
  });
});

describe('lean etcd client: TxnResponse decoding', () => {
  it('decodes into the shapes etcd3 returns, revisions and ids as exact decimal strings', () => {
    const header = {
      cluster_id: '16723027914916772751',
      member_id: '2826556180230131356',
      revision: '77',
      raft_term: '2',
    };
    const kv = {
      key: b('k'),
      create_revision: '70',
      mod_revision: '77',
      version: '3',
      value: b('v'),
      lease: '0',
    };
    const msg = TxnResponse.fromObject({
      header,
      succeeded: true,
      responses: [
        { response_put: { header: { revision: '77' } } },
        { response_range: { header: { revision: '77' }, kvs: [kv], count: '1', more: true } },
        { response_delete_range: { header: { revision: '77' }, deleted: '2', prev_kvs: [kv] } },
        {
          response_txn: {
            header: { revision: '77' },
            succeeded: false,
            responses: [{ response_range: { count: '0' } }],
          },
        },
      ],
    });
    const res = decodeTxnResponse(Buffer.from(TxnResponse.encode(msg).finish()));
    assert.deepEqual(res.header, header);
    assert.equal(res.succeeded, true);
    assert.equal(res.responses.length, 4);
    assert.equal(res.responses[0]?.response_put.header.revision, '77');
    const range = res.responses[1]?.response_range;
    assert.deepEqual(range?.kvs, [kv]);
    assert.equal(range?.count, '1');
    assert.equal(range?.more, true);
    assert.equal(res.responses[2]?.response_delete_range.deleted, '2');
    assert.deepEqual(res.responses[2]?.response_delete_range.prev_kvs, [kv]);
    const sub = res.responses[3]?.response_txn;
    assert.equal(sub?.succeeded, false);
    assert.deepEqual(sub?.responses[0]?.response_range.kvs, []);
    assert.equal(sub?.responses[0]?.response_range.count, '0');
  });

  it('defaults absent fields as etcd3 does (proto3 zero values)', () => {
    const res = decodeTxnResponse(Buffer.alloc(0));
    assert.deepEqual(res, {
      header: { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' },
      succeeded: false,
      responses: [],
    });
  });

  it('skips unknown fields and rejects truncated messages cleanly', () => {
    const msg = Buffer.from(TxnResponse.encode(TxnResponse.fromObject({ succeeded: true })).finish());
    // An unknown field 15 (varint) and 14 (bytes) before the known one.
    const withUnknown = Buffer.concat([Buffer.from([0x78, 0x05, 0x72, 0x02, 0x61, 0x62]), msg]);
    assert.equal(decodeTxnResponse(withUnknown).succeeded, true);
    const full = Buffer.from(
      TxnResponse.encode(
        TxnResponse.fromObject({
          responses: [{ response_range: { kvs: [{ key: b('k'), value: b('v') }] } }],
        }),
      ).finish(),
    );
    for (let cut = 1; cut < full.length; cut++) {
      assert.throws(() => decodeTxnResponse(full.subarray(0, cut)), RangeError, `cut at ${cut}`);
    }
  });
});

describe('lean etcd client: Watch encoding and decoding', () => {
  const WatchRequest = root.lookupType('etcdserverpb.WatchRequest');
  const WatchResponse = root.lookupType('etcdserverpb.WatchResponse');

  it('encodes a create request etcd reads as such, progress notifications on', () => {
    const frame = encodeWatchCreate(b('/a/'), b('/a0'), 1234567);
    assert.equal(frame.readUInt32BE(1), frame.length - 5);
    const got = WatchRequest.toObject(WatchRequest.decode(frame.subarray(5)), {
      longs: String,
      bytes: String,
    });
    assert.deepEqual(got, {
      create_request: {
        key: b('/a/').toString('base64'),
        range_end: b('/a0').toString('base64'),
        start_revision: '1234567',
        progress_notify: true,
      },
    });
  });

  it('decodes events, progress notifications and cancellations', () => {
    const kv = {
      key: b('k'),
      create_revision: '5',
      mod_revision: '9',
      version: '2',
      value: b('v'),
      lease: '0',
    };
    const msg = WatchResponse.fromObject({
      header: { revision: '9' },
      watch_id: '3',
      events: [
        { type: 'Put', kv },
        { type: 'Delete', kv: { key: b('gone'), mod_revision: '9' } },
      ],
    });
    const res = decodeWatchResponse(Buffer.from(WatchResponse.encode(msg).finish()));
    assert.equal(res.header.revision, '9');
    assert.equal(res.created, false);
    assert.deepEqual(res.events[0], { type: 'Put', kv });
    assert.equal(res.events[1]?.type, 'Delete');
    assert.equal(res.events[1]?.kv.key.toString(), 'gone');
    const created = decodeWatchResponse(
      Buffer.from(
        WatchResponse.encode(
          WatchResponse.fromObject({ header: { revision: '20' }, created: true }),
        ).finish(),
      ),
    );
    assert.equal(created.created, true);
    assert.deepEqual(created.events, []);
    const compacted = decodeWatchResponse(
      Buffer.from(
        WatchResponse.encode(
          WatchResponse.fromObject({ canceled: true, compact_revision: '17', cancel_reason: 'compacted' }),
        ).finish(),
      ),
    );
    assert.equal(compacted.canceled, true);
    assert.equal(compacted.compactRevision, 17);
    assert.equal(compacted.cancelReason, 'compacted');
  });
});
