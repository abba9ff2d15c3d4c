import { CLAIM_FIELDS } from './claim-txn.js';
import { encodeLeaseFields } from './codec.js';
import type { Keys } from './keys.js';
import { decodeHeader, Reader } from './lean-kv.js';

/**
 * A group of claims or renewals as the gRPC frame of one etcd TxnRequest, written straight from
 * the flat array the main thread posts (see flattenClaims): the same bytes as
 * `encodeTxnRequest(claimTxn(keys, claims))` (tested byte for byte), without the claim objects,
 * compare and request objects, and the Buffer per key and value that path builds. Sizes are
 * measured first, so every length prefix is written once and the frame is one allocation.
 *
 * Also returned, per sub-transaction: its lease key, and its lease value as a view into the
 * frame (the thread keeps it until the watch shows the put).
 */
export interface GroupFrame {
  frame: Buffer;
  leaseKeys: string[];
  values: Buffer[];
}

// Compare.target values (etcdserverpb.Compare.CompareTarget); result is EQUAL (0, not written).
const TARGET_CREATE = 1;
const TARGET_MOD = 2;
const TARGET_VALUE = 3;

const varintLen = (v: number): number => {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
};
/** Bytes of a length-delimited field (one-byte tag) holding `len` bytes. */
const fieldLen = (len: number): number => 1 + varintLen(len) + len;

interface Cmp {
  target: number;
  key: string;
  keyLen: number;
  /** Revision for CREATE (always 0) and MOD; for VALUE, the value. */
  rev: number;
  value?: string;
  valueLen: number;
  size: number;
}

function cmp(target: number, key: string, rev: number, value?: string): Cmp {
  const keyLen = Buffer.byteLength(key);
  const valueLen = value === undefined ? 0 : Buffer.byteLength(value);
  // target (tag + 1 byte), key, then the union field: a varint revision or the value bytes.
  const size = 2 + fieldLen(keyLen) + (target === TARGET_VALUE ? fieldLen(valueLen) : 1 + varintLen(rev));
  return { target, key, keyLen, rev, value, valueLen, size };
}

interface Put {
  key: string;
  keyLen: number;
  value: string;
  valueLen: number;
  /** Bytes of the PutRequest message body. */
  size: number;
}

function putOf(key: string, value: string): Put {
  const keyLen = Buffer.byteLength(key);
  const valueLen = Buffer.byteLength(value);
  // An empty value is not written (proto3), as the generic encoder does.
  return { key, keyLen, value, valueLen, size: fieldLen(keyLen) + (valueLen ? fieldLen(valueLen) : 0) };
}

interface Sub {
  cmps: Cmp[];
  puts: Put[];
  /** Bytes of the sub-transaction's TxnRequest body. */
  size: number;
}

function subOf(cmps: Cmp[], puts: Put[]): Sub {
  let size = 0;
  for (const c of cmps) size += fieldLen(c.size);
  // success: RequestOp { request_put (2): PutRequest }
  for (const p of puts) size += fieldLen(fieldLen(p.size));
  return { cmps, puts, size };
}

class FrameWriter {
  pos = 5;
  constructor(readonly buf: Buffer) {}
  varint(v: number): void {
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }
  str(field: number, s: string, len: number): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint(len);
    this.pos += this.buf.write(s, this.pos, len);
  }
  head(field: number, len: number): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint(len);
  }
  cmp(c: Cmp): void {
    this.head(1, c.size);
    this.buf[this.pos++] = (2 << 3) | 0;
    this.buf[this.pos++] = c.target;
    this.str(3, c.key, c.keyLen);
    if (c.target === TARGET_VALUE) this.str(7, c.value as string, c.valueLen);
    else {
      this.buf[this.pos++] = ((c.target === TARGET_CREATE ? 5 : 6) << 3) | 0;
      this.varint(c.rev);
    }
  }
  /** Writes the PutRequest; returns where its value's bytes are. */
  put(p: Put): [number, number] {
    this.head(2, fieldLen(p.size));
    this.head(2, p.size);
    this.str(1, p.key, p.keyLen);
    if (!p.valueLen) return [this.pos, this.pos];
    this.head(2, p.valueLen);
    const at = this.pos;
    this.pos += this.buf.write(p.value, this.pos, p.valueLen);
    return [at, this.pos];
  }
}

function frameOf(top: Cmp[], subs: Sub[]): { frame: Buffer; valueAt: Array<[number, number]> } {
  let body = 0;
  for (const c of top) body += fieldLen(c.size);
  // success: RequestOp { request_txn (4): TxnRequest }
  for (const s of subs) body += fieldLen(fieldLen(s.size));
  const buf = Buffer.allocUnsafe(5 + body);
  buf[0] = 0;
  buf.writeUInt32BE(body, 1);
  const w = new FrameWriter(buf);
  for (const c of top) w.cmp(c);
  const valueAt: Array<[number, number]> = new Array(subs.length);
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i] as Sub;
    w.head(2, fieldLen(s.size));
    w.head(4, s.size);
    for (const c of s.cmps) w.cmp(c);
    let first: [number, number] | undefined;
    for (const p of s.puts) {
      const at = w.put(p);
      first ??= at;
    }
    valueAt[i] = first as [number, number];
  }
  if (w.pos !== buf.length) throw new Error(`claim frame size mismatch: wrote ${w.pos} of ${buf.length}`);
  return { frame: buf, valueAt };
}

function leaseValue(flat: ReadonlyArray<string | number>, i: number): string {
  const s = (k: number) => String(flat[i + k]);
  const num = (k: number) => Number(flat[i + k]);
  return encodeLeaseFields(s(2), s(3), s(4), s(5), s(6), s(7), num(8), num(9), num(10), s(11));
}

/** The claims of a flattened batch as one frame (see claimTxn for what each compares and writes). */
export function claimGroupFrame(keys: Keys, flat: ReadonlyArray<string | number>): GroupFrame {
  const n = flat.length / CLAIM_FIELDS;
  // One network compare for the group per network whose claims all name the same revision.
  const revisions = new Map<string, number | undefined>();
  for (let c = 0; c < n; c++) {
    const i = c * CLAIM_FIELDS;
    const net = String(flat[i]);
    const rev = Number(flat[i + 12]);
    if (!revisions.has(net)) revisions.set(net, rev);
    else if (revisions.get(net) !== rev) revisions.set(net, undefined);
  }
  const top: Cmp[] = [];
  for (const [net, rev] of revisions)
    if (rev !== undefined) top.push(cmp(TARGET_MOD, keys.network(net), rev));
  return groupOf(keys, flat, top, (i, net, address, leaseKey) => {
    const ck = keys.client(net, String(flat[i + 2]));
    const cmps = [cmp(TARGET_CREATE, leaseKey, 0), cmp(TARGET_CREATE, ck, 0)];
    if (revisions.get(net) === undefined) cmps.push(cmp(TARGET_MOD, keys.network(net), Number(flat[i + 12])));
    if (!flat[i + 13]) cmps.push(cmp(TARGET_CREATE, keys.reservedAddress(net, address), 0));
    return subOf(cmps, [putOf(leaseKey, leaseValue(flat, i)), putOf(ck, address)]);
  });
}

/** The renewals of a flattened batch as one frame (see renewTxn). */
export function renewGroupFrame(keys: Keys, flat: ReadonlyArray<string | number>): GroupFrame {
  return groupOf(keys, flat, [], (i, net, address, leaseKey) =>
    subOf(
      [
        cmp(TARGET_MOD, leaseKey, Number(flat[i + 12])),
        cmp(TARGET_VALUE, keys.client(net, String(flat[i + 2])), 0, address),
      ],
      [putOf(leaseKey, leaseValue(flat, i))],
    ),
  );
}

/** The frame of `top` compares and one sub-transaction per claim of `flat`, as `sub` builds it. */
function groupOf(
  keys: Keys,
  flat: ReadonlyArray<string | number>,
  top: Cmp[],
  sub: (i: number, net: string, address: string, leaseKey: string) => Sub,
): GroupFrame {
  const n = flat.length / CLAIM_FIELDS;
  const subs: Sub[] = new Array(n);
  const leaseKeys: string[] = new Array(n);
  for (let c = 0; c < n; c++) {
    const i = c * CLAIM_FIELDS;
    const net = String(flat[i]);
    const address = String(flat[i + 1]);
    const leaseKey = keys.lease(net, address);
    subs[c] = sub(i, net, address, leaseKey);
    leaseKeys[c] = leaseKey;
  }
  const { frame, valueAt } = frameOf(top, subs);
  return { frame, leaseKeys, values: valueAt.map(([s, e]) => frame.subarray(s, e)) };
}

/**
 * What a grouped transaction's reply says, read straight from its TxnResponse bytes: the
 * revision, and which sub-transactions held (1) or not (0); none when the group's own compares
 * failed. The same as heldBy() over the decoded response, without decoding every sub-response.
 */
export function readGroupResult(
  buf: Buffer,
  start: number,
  end: number,
  n: number,
): { revision: number; held: Uint8Array } {
  const held = new Uint8Array(n);
  let revision = 0;
  let succeeded = false;
  let op = 0;
  const r = new Reader(buf, start, end);
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const [s, e] = r.sub();
      revision = Number(decodeHeader(buf, s, e).revision);
    } else if (field === 2 && wire === 0) succeeded = r.varint() !== 0;
    else if (field === 3 && wire === 2) {
      const [s, e] = r.sub();
      const ok = subSucceeded(buf, s, e);
      if (op < n) held[op] = ok ? 1 : 0;
      op++;
    } else r.skip(wire);
  }
  if (!succeeded) return { revision, held: new Uint8Array(n) };
  if (op !== n) throw new Error(`transaction response has ${op} sub-responses for ${n} sub-transactions`);
  return { revision, held };
}

/** Whether a ResponseOp's response_txn (field 4) succeeded; throws when it holds none. */
function subSucceeded(buf: Buffer, start: number, end: number): boolean {
  const r = new Reader(buf, start, end);
  let seen = false;
  let ok = false;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag >>> 3 !== 4 || (tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    seen = true;
    const [s, e] = r.sub();
    const t = new Reader(buf, s, e);
    while (t.pos < e) {
      const u = t.varint();
      if (u >>> 3 === 2 && (u & 7) === 0) ok = t.varint() !== 0;
      else t.skip(u & 7);
    }
  }
  if (!seen) throw new Error('transaction response is missing a sub-response');
  return ok;
}
