import type { ClaimRequest, Lease, LeaseUpdate } from '@netspan/ipam';
import type { ICompare, IRequestOp, ITxnResponse } from 'etcd3';
import { encodeLease } from './codec.js';
import type { Keys } from './keys.js';
import { b, createIs0, modIs, put, valueIs } from './txn-ops.js';

/**
 * A group of claims as one transaction. Each claim is a sub-transaction that creates the
 * lease and its client-index key only while neither exists and (unless the claimant holds the
 * address's reservation) nobody reserved the address; so each succeeds or fails on its own.
 * That the network is still at the revision the claims were validated against is one compare
 * per network for the whole group, when all its claims name the same revision (else each claim
 * carries it): etcd reads the network key once instead of once per claim, which took etcd's
 * CPU per claim from a mean of 74.6 to 69.3 µs (7 and 7 runs of bench/dhcp/store-path).
 * When it fails, every claim of the group fails and is read back (as `network-changed`, or re-planned). There is no failure branch: conflicts
 * are rare, so why a claim failed is read afterwards, for the failed ones only.
 */
export function claimTxn(keys: Keys, reqs: ClaimRequest[]): GroupTxn {
  const revisions = new Map<string, number | undefined>();
  for (const r of reqs) {
    const n = r.lease.network;
    const seen = revisions.get(n);
    if (!revisions.has(n)) revisions.set(n, r.networkRevision);
    else if (seen !== r.networkRevision) revisions.set(n, undefined); // mixed: per claim
  }
  const compare: ICompare[] = [];
  for (const [n, rev] of revisions) if (rev !== undefined) compare.push(modIs(keys.network(n), rev));
  const ops = reqs.map((r) => claimOp(keys, r, revisions.get(r.lease.network) !== undefined));
  return { compare, ops };
}

/** A grouped transaction: its compares and one sub-transaction per claim or renewal. */
export interface GroupTxn {
  compare: ICompare[];
  ops: SubTxn[];
}

/** One claim's or renewal's sub-transaction, with the lease put it makes. */
export interface SubTxn {
  op: IRequestOp;
  leaseKey: string;
  value: Buffer;
}

/** A group of renewals as one transaction (see renewOp). */
export function renewTxn(keys: Keys, updates: LeaseUpdate[]): GroupTxn {
  return { compare: [], ops: updates.map((u) => renewOp(keys, u)) };
}

/**
 * Which sub-transactions of a grouped transaction held (1) or not (0). When the group's own
 * compares failed (a network changed), none ran.
 */
export function heldBy(res: ITxnResponse, n: number): Uint8Array {
  const held = new Uint8Array(n);
  if (!res.succeeded) return held;
  for (let i = 0; i < n; i++) {
    const sub = res.responses[i]?.response_txn;
    if (!sub) throw new Error('transaction response is missing a sub-response');
    held[i] = sub.succeeded ? 1 : 0;
  }
  return held;
}

/** One claim's sub-transaction (see claimTxn); `networkChecked`: the group compares the network. */
function claimOp(keys: Keys, r: ClaimRequest, networkChecked: boolean): SubTxn {
  const l = r.lease;
  const leaseKey = keys.lease(l.network, l.address);
  const ck = keys.client(l.network, l.clientId);
  const compare = [createIs0(leaseKey), createIs0(ck)];
  if (!networkChecked) compare.push(modIs(keys.network(l.network), r.networkRevision));
  if (!r.reservedFor) compare.push(createIs0(keys.reservedAddress(l.network, l.address)));
  const value = b(encodeLease(l));
  return {
    op: {
      request_txn: {
        compare,
        success: [{ request_put: { key: b(leaseKey), value } }, put(ck, l.address)],
        failure: [],
      },
    },
    leaseKey,
    value,
  };
}

/**
 * One renewal's sub-transaction: it rewrites the lease only at the revision read, and only while
 * the client index still points at its address.
 */
function renewOp(keys: Keys, u: LeaseUpdate): SubTxn {
  const l = u.lease;
  const leaseKey = keys.lease(l.network, l.address);
  const value = b(encodeLease(l));
  return {
    op: {
      request_txn: {
        compare: [
          modIs(leaseKey, u.expectedRevision),
          valueIs(keys.client(l.network, l.clientId), l.address),
        ],
        success: [{ request_put: { key: b(leaseKey), value } }],
        failure: [],
      },
    },
    leaseKey,
    value,
  };
}

/** Values per claim (or renewal) in a flattened batch. */
export const CLAIM_FIELDS = 14;

/**
 * Claims as one flat array of strings and numbers, to cross to a worker thread: structured
 * clone copies such an array about 3.5× faster than the same claims as objects (1.7 against
 * 6 µs per claim, measured), and the point of the thread is to take work off the main one.
 */
export function flattenClaims(reqs: ClaimRequest[]): Array<string | number> {
  // Filled from empty, in order: `new Array(n)` would make a holey array, which structured clone
  // writes and reads as a sparse one (key by key), about twice as slow on both threads.
  const out: Array<string | number> = [];
  for (let n = 0; n < reqs.length; n++) {
    const r = reqs[n] as ClaimRequest;
    flattenLease(out, n * CLAIM_FIELDS, r.lease, r.networkRevision, r.reservedFor ?? '');
  }
  return out;
}

/** Renewals, flattened as claims are (the expected revision where a claim has its network's). */
export function flattenUpdates(updates: LeaseUpdate[]): Array<string | number> {
  const out: Array<string | number> = []; // packed, as in flattenClaims
  for (let n = 0; n < updates.length; n++) {
    const u = updates[n] as LeaseUpdate;
    flattenLease(out, n * CLAIM_FIELDS, u.lease, u.expectedRevision, '');
  }
  return out;
}

function flattenLease(
  out: Array<string | number>,
  at: number,
  l: Lease,
  revision: number,
  extra: string,
): void {
  let i = at;
  out[i++] = l.network;
  out[i++] = l.address;
  out[i++] = l.clientId;
  out[i++] = l.mac;
  out[i++] = l.hostname;
  out[i++] = l.state;
  out[i++] = l.location.host;
  out[i++] = l.location.via;
  out[i++] = l.createdAtMs;
  out[i++] = l.updatedAtMs;
  out[i++] = l.expiresAtMs;
  out[i++] = l.pool;
  out[i++] = revision;
  out[i] = extra;
}
