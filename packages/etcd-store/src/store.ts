import type {
  AddReservationResult,
  ClaimOutcome,
  ClaimRequest,
  CreateNetworkResult,
  DeleteNetworkResult,
  IpamStore,
  Lease,
  LeaseUpdate,
  Network,
  Reservation,
  StoredLease,
  StoredNetwork,
  StoredReservation,
  StoreObserver,
  Subscription,
  SyncOptions,
} from '@netspan/ipam';
import type { Etcd3, ICompare, IKeyValue, IRequestOp, IResponseOp, ITxnResponse } from 'etcd3';
import {
  type AuditFinding,
  type AuditSnapshot,
  auditRanges,
  type PlannedFinding,
  planAudit,
} from './audit.js';
import { claimTxn, type GroupTxn, heldBy, renewTxn } from './claim-txn.js';
import {
  decodeLease,
  decodeNetwork,
  decodeReservation,
  encodeLease,
  encodeNetwork,
  encodeReservation,
} from './codec.js';
import { etcdFailure } from './errors.js';
import { Keys, type ParsedKey, prefixEnd } from './keys.js';
import type { TxnClient } from './lean-kv.js';
import type { ClaimTxnResult } from './threaded-kv.js';
import {
  b,
  createIs0,
  del,
  delPrefix,
  exists,
  firstKv,
  get,
  modIs,
  noneUnder,
  put,
  valueIs,
} from './txn-ops.js';

export interface EtcdStoreOptions {
  prefix?: string;
  /** Called for values that cannot be decoded (they are skipped, never fatal). */
  onCorrupt?: (key: string) => void;
  /** Called when the watch had to be re-established from a fresh snapshot. */
  onResync?: (reason: string) => void;
  /** Page size for snapshot listing. */
  pageSize?: number;
  /** etcd's --max-txn-ops (default 128): bounds how many claims share one transaction. */
  maxTxnOps?: number;
  /**
   * Called after every etcd transaction with its operation name (`claim addresses`,
   * `update network`, …), whether its compares held, and how long it took. For metrics:
   * keep it cheap, it runs on the hot path.
   */
  onTxn?: (op: string, outcome: TxnOutcome, seconds: number) => void;
  /**
   * Called with the number of sub-transactions of a grouped transaction (one claim or
   * renewal each) whose compares failed: conflicts the caller will resolve or retry.
   */
  onConflicts?: (op: string, count: number) => void;
  /** Called when the watch changes state (`live` once it follows etcd, `resyncing` while it re-lists). */
  onWatchState?: (state: WatchState) => void;
  /**
   * Client for transactions (default: the etcd3 client's). ipamd passes a `LeanKv` on the same
   * endpoints: the DHCP hot path is grouped claim transactions, and etcd3's call path cost
   * several times the CPU of the transaction's own encoding.
   */
  txnClient?: TxnClient;
  /**
   * Client for the state watch (default: etcd3's watcher). ipamd passes its `LeanKv`: every
   * claim comes back as two watch events, and etcd3's path (grpc-js, protobufjs objects,
   * Long and BigNumber revisions, an emit per event) cost more than the decode itself.
   */
  watchClient?: WatchClient;
  /**
   * Takes grouped claims and renewals whole and builds their transaction itself (ipamd's
   * `ThreadedKv`, in a worker thread). Without it the store builds them and sends them
   * through `txnClient`.
   */
  claimClient?: {
    claim(reqs: ClaimRequest[]): Promise<ClaimTxnResult>;
    renew(updates: LeaseUpdate[]): Promise<ClaimTxnResult>;
  };
}

/** A client that opens state watches (`LeanKv`, `ThreadedKv`). */
export interface WatchClient {
  watch(
    key: Buffer,
    rangeEnd: Buffer | undefined,
    startRevision: number,
    opts?: { skipOwnClaims?: boolean },
  ): Promise<StateWatch>;
}

/** What sync() needs of a watch; etcd3's Watcher, LeanWatcher and ThreadedWatcher all fit. */
export interface StateWatch {
  on(
    event: 'data',
    fn: (res: { header: { revision: string }; events: Array<{ type: string; kv: IKeyValue }> }) => void,
  ): unknown;
  on(event: 'connected' | 'disconnected', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  cancel(): Promise<void>;
}

/** What `audit` found, from keys read at `revision`. */
export interface AuditReport {
  revision: number;
  findings: AuditFinding[];
  keysChecked: number;
}

/** `succeeded`: the compares held; `failed`: they did not (a conflict); `error`: etcd did not answer. */
export type TxnOutcome = 'succeeded' | 'failed' | 'error';

/**
 * `starting` until the first snapshot is applied and watched; `disconnected` while the etcd
 * client re-attaches a dropped watch; `resyncing` while a lost watch is rebuilt from a new
 * snapshot (compaction passed it).
 */
export type WatchState = 'starting' | 'live' | 'disconnected' | 'resyncing' | 'closed';

/** Ops in the largest claim sub-transaction (4 compares / 4 failure reads). */
const CLAIM_SUB_OPS = 4;

/**
 * IpamStore over etcd v3. Every write is one transaction whose compares make it safe
 * against any number of concurrent writers: leases are created only when their key and
 * their client-index key have create_revision 0, and changed or deleted only at the
 * revision that was read.
 */
export class EtcdIpamStore implements IpamStore {
  readonly keys: Keys;
  private readonly kv;
  private readonly txnKv: TxnClient;
  private readonly watchClient: WatchClient | undefined;
  private readonly claimClient: EtcdStoreOptions['claimClient'];
  private readonly onCorrupt: (key: string) => void;
  private readonly onResync: (reason: string) => void;
  private readonly pageSize: number;
  private readonly claimsPerTxn: number;
  readonly claimsPerCall: number;
  private readonly onTxn: NonNullable<EtcdStoreOptions['onTxn']>;
  private readonly onConflicts: NonNullable<EtcdStoreOptions['onConflicts']>;
  private readonly onWatchState: NonNullable<EtcdStoreOptions['onWatchState']>;
  /** Whether this store's watch follows etcd (health reports it). */
  watchState: WatchState = 'starting';
  /**
   * Leases of claim transactions in flight, by lease key, with the value bytes sent. The
   * watch often delivers a claim's put before the transaction's own response: an event whose
   * value is byte for byte what this replica wrote is its own lease, taken without a decode.
   */
  private readonly writing = new Map<string, { lease: Lease; value: Buffer }>();
  /** Counters for metrics. */
  readonly stats = { txns: 0, claimTxns: 0, claimConflicts: 0, corrupt: 0, resyncs: 0, watchRevision: 0 };

  constructor(
    readonly client: Etcd3,
    opts: EtcdStoreOptions = {},
  ) {
    this.keys = new Keys(opts.prefix);
    this.kv = client.kv;
    this.txnKv = opts.txnClient ?? client.kv;
    this.watchClient = opts.watchClient;
    this.claimClient = opts.claimClient;
    this.onCorrupt = opts.onCorrupt ?? (() => {});
    this.onResync = opts.onResync ?? (() => {});
    this.pageSize = opts.pageSize ?? 5000;
    this.onTxn = opts.onTxn ?? (() => {});
    this.onConflicts = opts.onConflicts ?? (() => {});
    this.onWatchState = opts.onWatchState ?? (() => {});
    // etcd gives nested transactions what the parent leaves of --max-txn-ops.
    this.claimsPerTxn = Math.max(1, (opts.maxTxnOps ?? 128) - CLAIM_SUB_OPS);
    this.claimsPerCall = this.claimsPerTxn;
  }

  private corrupt(key: Buffer | string): void {
    this.stats.corrupt++;
    this.onCorrupt(key.toString());
  }

  private async txn(
    what: string,
    compare: ICompare[],
    success: IRequestOp[],
    failure: IRequestOp[] = [],
  ): Promise<ITxnResponse> {
    return this.timed(
      what,
      () => this.txnKv.txn({ compare, success, failure }),
      (res) => res.succeeded,
    );
  }

  /** One etcd transaction, counted and timed for metrics; errors become IPAM failures. */
  private async timed<R>(what: string, call: () => Promise<R>, succeeded: (r: R) => boolean): Promise<R> {
    this.stats.txns++;
    const started = performance.now();
    try {
      const res = await call();
      this.onTxn(what, succeeded(res) ? 'succeeded' : 'failed', (performance.now() - started) / 1000);
      return res;
    } catch (err) {
      this.onTxn(what, 'error', (performance.now() - started) / 1000);
      throw etcdFailure(err, what);
    }
  }

  private setWatchState(state: WatchState): void {
    if (this.watchState === state) return;
    this.watchState = state;
    this.onWatchState(state);
  }

  private async range(what: string, key: string, opts: { prefix?: boolean; countOnly?: boolean } = {}) {
    try {
      return await this.kv.range({
        key: b(key),
        ...(opts.prefix ? { range_end: prefixEnd(key) } : {}),
        ...(opts.countOnly ? { count_only: true } : {}),
      });
    } catch (err) {
      throw etcdFailure(err, what);
    }
  }

  // ------------------------------------------------------------------ networks

  async createNetwork(net: Network): Promise<CreateNetworkResult> {
    const nk = this.keys.network(net.name);
    const vk = this.keys.vni(net.vni);
    const res = await this.txn(
      'create network',
      [createIs0(nk), createIs0(vk)],
      [put(nk, encodeNetwork(net)), put(vk, net.name)],
      [get(nk)],
    );
    if (!res.succeeded) return { ok: false, reason: firstKv(res.responses[0]) ? 'name-taken' : 'vni-taken' };
    const rev = Number(res.header.revision);
    return { ok: true, stored: { network: net, revision: rev, createRevision: rev } };
  }

  private decodeNetworkKv(kv: IKeyValue): StoredNetwork | undefined {
    const n = decodeNetwork(kv.value, Number(kv.mod_revision), Number(kv.create_revision));
    if (!n) this.corrupt(kv.key);
    return n;
  }

  async getNetwork(name: string): Promise<StoredNetwork | undefined> {
    const res = await this.range('get network', this.keys.network(name));
    const kv = res.kvs[0];
    return kv && this.decodeNetworkKv(kv);
  }

  async listNetworks(): Promise<StoredNetwork[]> {
    const res = await this.range('list networks', this.keys.networks(), { prefix: true });
    return res.kvs.map((kv) => this.decodeNetworkKv(kv)).filter((n): n is StoredNetwork => n !== undefined);
  }

  async replaceNetwork(
    net: Network,
    expectedRevision: number,
    noLeasesCreatedAfter?: number,
  ): Promise<StoredNetwork | 'conflict'> {
    const nk = this.keys.network(net.name);
    const compare = [modIs(nk, expectedRevision)];
    if (noLeasesCreatedAfter !== undefined) {
      // Every lease key of the network must have been created at or before that revision.
      const lp = this.keys.leases(net.name);
      compare.push({
        key: b(lp),
        range_end: prefixEnd(lp),
        target: 'Create',
        result: 'Less',
        create_revision: noLeasesCreatedAfter + 1,
      });
    }
    const res = await this.txn('update network', compare, [put(nk, encodeNetwork(net)), get(nk)]);
    if (!res.succeeded) return 'conflict';
    const kv = firstKv(res.responses[1]);
    return {
      network: net,
      revision: Number(res.header.revision),
      createRevision: kv ? Number(kv.create_revision) : 0,
    };
  }

  async deleteNetwork(name: string, expectedRevision: number, force: boolean): Promise<DeleteNetworkResult> {
    const current = await this.getNetwork(name);
    if (!current) return { ok: false, reason: 'not-found' };
    if (current.revision !== expectedRevision) return { ok: false, reason: 'conflict' };
    const nk = this.keys.network(name);
    const leases = this.keys.leases(name);
    const compare = [modIs(nk, expectedRevision)];
    if (!force) compare.push(noneUnder(leases));
    const res = await this.txn(
      'delete network',
      compare,
      [
        { request_delete_range: { key: b(leases), range_end: prefixEnd(leases) } },
        delPrefix(this.keys.clients(name)),
        delPrefix(this.keys.reservations(name)),
        delPrefix(this.keys.reservedAddresses(name)),
        del(nk),
        del(this.keys.vni(current.network.vni)),
      ],
      [get(nk), { request_range: { key: b(leases), range_end: prefixEnd(leases), count_only: true } }],
    );
    if (res.succeeded) {
      return { ok: true, leasesDeleted: Number(res.responses[0]?.response_delete_range?.deleted ?? 0) };
    }
    const now = firstKv(res.responses[0]);
    if (!now) return { ok: false, reason: 'not-found' };
    if (Number(now.mod_revision) !== expectedRevision) return { ok: false, reason: 'conflict' };
    return { ok: false, reason: 'has-leases', leases: Number(res.responses[1]?.response_range?.count ?? 0) };
  }

  // ------------------------------------------------------------------ leases

  async claim(requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
    return this.grouped(
      requests,
      (r) => [
        this.keys.lease(r.lease.network, r.lease.address),
        this.keys.client(r.lease.network, r.lease.clientId),
      ],
      (round) => this.claimRound(round),
    );
  }

  /**
   * Runs `round` over `items` in transactions of at most claimsPerTxn, concurrently, and
   * keeps results in input order. etcd rejects a transaction that writes one key twice, so
   * an item sharing a key with an earlier one waits until the earlier ones are decided
   * (and then conflicts, as it should).
   */
  private async grouped<T, R>(
    items: T[],
    keysOf: (item: T) => string[],
    round: (items: T[]) => Promise<R[]>,
  ): Promise<R[]> {
    const seen = new Set<string>();
    const first: number[] = [];
    const later: number[] = [];
    items.forEach((item, i) => {
      const keys = keysOf(item);
      (keys.some((k) => seen.has(k)) ? later : first).push(i);
      for (const k of keys) seen.add(k);
    });
    const out: R[] = new Array(items.length);
    const place = (idx: number[], results: R[]) =>
      idx.forEach((i, j) => {
        out[i] = results[j] as R;
      });
    const chunks: number[][] = [];
    for (let i = 0; i < first.length; i += this.claimsPerTxn)
      chunks.push(first.slice(i, i + this.claimsPerTxn));
    await Promise.all(chunks.map(async (idx) => place(idx, await round(idx.map((i) => items[i] as T)))));
    if (later.length > 0)
      place(
        later,
        await this.grouped(
          later.map((i) => items[i] as T),
          keysOf,
          round,
        ),
      );
    return out;
  }

  /**
   * One etcd round trip for many claims: a transaction whose success branch holds one
   * sub-transaction per claim, each with its own compares, so each succeeds or fails on
   * its own, and a failed one reads back why.
   */
  private async claimRound(reqs: ClaimRequest[]): Promise<ClaimOutcome[]> {
    this.stats.claimTxns++;
    const { revision, succeeded } = await this.groupVia(
      'claim addresses',
      (c) => c.claim(reqs),
      () => this.claimHere(reqs),
    );
    const out: ClaimOutcome[] = new Array(reqs.length);
    const failed: number[] = [];
    reqs.forEach((r, i) => {
      if (succeeded[i]) out[i] = { kind: 'claimed', lease: { ...r.lease, revision } };
      else failed.push(i);
    });
    if (failed.length > 0) {
      this.stats.claimConflicts += failed.length;
      this.onConflicts('claim addresses', failed.length);
      // One read-only transaction (a consistent snapshot) per chunk of failed claims.
      const perTxn = Math.max(1, Math.floor(this.claimsPerTxn / CLAIM_SUB_OPS));
      for (let k = 0; k < failed.length; k += perTxn) {
        const chunk = failed.slice(k, k + perTxn);
        const reads: IRequestOp[] = chunk.flatMap((i) => {
          const l = (reqs[i] as ClaimRequest).lease;
          return [
            get(this.keys.network(l.network)),
            get(this.keys.lease(l.network, l.address)),
            get(this.keys.client(l.network, l.clientId)),
            get(this.keys.reservedAddress(l.network, l.address)),
          ];
        });
        const why = await this.txn('read claim conflicts', [], reads);
        chunk.forEach((i, j) => {
          out[i] = this.claimOutcome(
            reqs[i] as ClaimRequest,
            why.responses.slice(j * CLAIM_SUB_OPS, (j + 1) * CLAIM_SUB_OPS),
          );
        });
      }
    }
    return out;
  }

  /** A grouped transaction through the claim client when there is one (timed here), else `here`. */
  private groupVia(
    what: string,
    remote: (c: NonNullable<EtcdStoreOptions['claimClient']>) => Promise<ClaimTxnResult>,
    here: () => Promise<ClaimTxnResult>,
  ): Promise<ClaimTxnResult> {
    const client = this.claimClient;
    return client
      ? this.timed(
          what,
          () => remote(client),
          () => true,
        )
      : here();
  }

  /** A claim round's transaction, built and sent by the store itself. */
  private async claimHere(reqs: ClaimRequest[]): Promise<ClaimTxnResult> {
    const t = claimTxn(this.keys, reqs);
    for (const [i, c] of t.ops.entries())
      this.writing.set(c.leaseKey, { lease: (reqs[i] as ClaimRequest).lease, value: c.value });
    try {
      return await this.groupHere('claim addresses', t);
    } finally {
      for (const c of t.ops) this.writing.delete(c.leaseKey);
    }
  }

  /** A grouped transaction sent by the store itself, and which of its parts held. */
  private async groupHere(what: string, t: GroupTxn): Promise<ClaimTxnResult> {
    const res = await this.txn(
      what,
      t.compare,
      t.ops.map((c) => c.op),
    );
    try {
      return { revision: Number(res.header.revision), succeeded: heldBy(res, t.ops.length) };
    } catch (err) {
      throw etcdFailure(err, what);
    }
  }

  /** Classifies a failed claim from reads of its network, lease, client and reserved keys. */
  private claimOutcome(r: ClaimRequest, reads: IResponseOp[]): ClaimOutcome {
    const l = r.lease;
    const [net, lease, client, reserved] = reads.map((x) => firstKv(x));
    if (!net || Number(net.mod_revision) !== r.networkRevision) return { kind: 'network-changed' };
    const holder = lease && this.decodeLeaseKv(l.network, l.address, lease);
    if (client) {
      const address = client.value.toString();
      return {
        kind: 'client-has-lease',
        address,
        ...(holder && address === l.address ? { lease: holder } : {}),
      };
    }
    if (lease) return holder ? { kind: 'address-taken', holder } : { kind: 'address-taken' };
    if (reserved) return { kind: 'reserved', mac: reserved.value.toString() };
    // The conflict is gone by the time of the read (released meanwhile): let the engine
    // re-check the network and try again.
    return { kind: 'network-changed' };
  }

  async getLease(network: string, address: string): Promise<StoredLease | undefined> {
    const res = await this.range('get lease', this.keys.lease(network, address));
    const kv = res.kvs[0];
    return kv && this.decodeLeaseKv(network, address, kv);
  }

  async getClientAddress(network: string, clientId: string): Promise<string | undefined> {
    const res = await this.range('get client', this.keys.client(network, clientId));
    return res.kvs[0]?.value.toString();
  }

  /** One transaction per chunk, one sub-transaction per update (as for claims). */
  async updateLeases(updates: LeaseUpdate[]): Promise<Array<StoredLease | 'conflict'>> {
    return this.grouped(
      updates,
      (u) => [this.keys.lease(u.lease.network, u.lease.address)],
      async (round) => {
        const { revision, succeeded } = await this.groupVia(
          'renew leases',
          (c) => c.renew(round),
          () => this.groupHere('renew leases', renewTxn(this.keys, round)),
        );
        let conflicts = 0;
        const out = round.map((u, j) => {
          if (succeeded[j]) return { ...u.lease, revision };
          conflicts++;
          return 'conflict' as const;
        });
        if (conflicts > 0) this.onConflicts('renew leases', conflicts);
        return out;
      },
    );
  }

  async updateLease(lease: Lease, expectedRevision: number): Promise<StoredLease | 'conflict'> {
    const lk = this.keys.lease(lease.network, lease.address);
    const ck = this.keys.client(lease.network, lease.clientId);
    const res = await this.txn(
      'update lease',
      [modIs(lk, expectedRevision), valueIs(ck, lease.address)],
      [put(lk, encodeLease(lease))],
    );
    if (!res.succeeded) return 'conflict';
    return { ...lease, revision: Number(res.header.revision) };
  }

  async reassignLease(current: StoredLease, next: Lease): Promise<StoredLease | 'conflict'> {
    if (next.address !== current.address || next.network !== current.network) return 'conflict';
    const lk = this.keys.lease(current.network, current.address);
    const oldIndex = this.keys.client(current.network, current.clientId);
    const res = await this.txn(
      'reassign lease',
      [modIs(lk, current.revision)],
      [
        put(lk, encodeLease(next)),
        {
          request_txn: {
            compare: [valueIs(oldIndex, current.address)],
            success: [del(oldIndex)],
            failure: [],
          },
        },
        put(this.keys.client(next.network, next.clientId), next.address),
      ],
    );
    if (!res.succeeded) return 'conflict';
    return { ...next, revision: Number(res.header.revision) };
  }

  async deleteLease(lease: StoredLease): Promise<boolean> {
    const lk = this.keys.lease(lease.network, lease.address);
    const ck = this.keys.client(lease.network, lease.clientId);
    const res = await this.txn(
      'delete lease',
      [modIs(lk, lease.revision)],
      [del(lk), { request_txn: { compare: [valueIs(ck, lease.address)], success: [del(ck)], failure: [] } }],
    );
    return res.succeeded;
  }

  async countLeases(network: string): Promise<number> {
    const res = await this.range('count leases', this.keys.leases(network), {
      prefix: true,
      countOnly: true,
    });
    return Number(res.count);
  }

  async listLeases(network: string): Promise<{ leases: StoredLease[]; revision: number }> {
    const prefix = this.keys.leases(network);
    const leases: StoredLease[] = [];
    const revision = await this.scan('list leases', b(prefix), prefixEnd(prefix), (kv, parsed) => {
      if (parsed.kind !== 'lease') return;
      const l = this.decodeLeaseKv(parsed.network, parsed.address, kv);
      if (l) leases.push(l);
    });
    return { leases, revision };
  }

  /** Reads [start, end) page by page, all at one revision (returned); `visit` sees each known key. */
  private async scan(
    what: string,
    start: Buffer,
    end: Buffer,
    visit: (kv: IKeyValue, parsed: ParsedKey) => void,
    atRevision = 0,
  ): Promise<number> {
    let revision = atRevision;
    let from = start;
    for (;;) {
      let res: Awaited<ReturnType<typeof this.kv.range>>;
      try {
        res = await this.kv.range({
          key: from,
          range_end: end,
          limit: this.pageSize,
          ...(revision ? { revision } : {}),
        });
      } catch (err) {
        throw etcdFailure(err, what);
      }
      if (!revision) revision = Number(res.header.revision);
      for (const kv of res.kvs) {
        const parsed = this.keys.parse(kv.key.toString());
        if (parsed) visit(kv, parsed);
      }
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) return revision;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  private decodeLeaseKv(network: string, address: string, kv: IKeyValue): StoredLease | undefined {
    const l = decodeLease(network, address, kv.value, Number(kv.mod_revision));
    if (!l) this.corrupt(kv.key);
    return l;
  }

  // ------------------------------------------------------------------ reservations

  async addReservation(r: Reservation): Promise<AddReservationResult> {
    const lk = this.keys.lease(r.network, r.address);
    for (let attempt = 0; attempt < 8; attempt++) {
      const leased = await this.getLease(r.network, r.address);
      if (leased && leased.mac !== r.mac) return { ok: false, reason: 'address-leased', holder: leased };
      const nk = this.keys.network(r.network);
      const mk = this.keys.reservation(r.network, r.mac);
      const rk = this.keys.reservedAddress(r.network, r.address);
      const res = await this.txn(
        'add reservation',
        [exists(nk), createIs0(mk), createIs0(rk), leased ? modIs(lk, leased.revision) : createIs0(lk)],
        [put(mk, encodeReservation(r)), put(rk, r.mac)],
        [get(nk), get(mk), get(rk)],
      );
      if (res.succeeded) return { ok: true, stored: { ...r, revision: Number(res.header.revision) } };
      const [net, mac, reserved] = res.responses.map((x) => firstKv(x));
      if (!net) return { ok: false, reason: 'network-changed' };
      if (mac) return { ok: false, reason: 'mac-taken' };
      if (reserved) return { ok: false, reason: 'address-reserved' };
      // The lease changed under us: look again.
    }
    throw etcdFailure(new Error('lease keeps changing'), 'add reservation');
  }

  async getReservation(network: string, mac: string): Promise<StoredReservation | undefined> {
    const res = await this.range('get reservation', this.keys.reservation(network, mac));
    const kv = res.kvs[0];
    if (!kv) return undefined;
    const r = decodeReservation(network, kv.value, Number(kv.mod_revision));
    if (!r) this.corrupt(kv.key);
    return r;
  }

  async listReservations(network: string): Promise<StoredReservation[]> {
    const res = await this.range('list reservations', this.keys.reservations(network), { prefix: true });
    const out: StoredReservation[] = [];
    for (const kv of res.kvs) {
      const r = decodeReservation(network, kv.value, Number(kv.mod_revision));
      if (r) out.push(r);
      else this.corrupt(kv.key);
    }
    return out;
  }

  async removeReservation(network: string, mac: string): Promise<StoredReservation | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.getReservation(network, mac);
      if (!current) return undefined;
      const mk = this.keys.reservation(network, mac);
      const rk = this.keys.reservedAddress(network, current.address);
      const res = await this.txn(
        'remove reservation',
        [modIs(mk, current.revision)],
        [del(mk), { request_txn: { compare: [valueIs(rk, mac)], success: [del(rk)], failure: [] } }],
      );
      if (res.succeeded) return current;
    }
    throw etcdFailure(new Error('reservation keeps changing'), 'remove reservation');
  }

  /**
   * One cheap read (a count of a single key) with a short deadline: etcd's head revision
   * when it answers, for health checks and the watch-lag metric. Rejects when it does not.
   */
  async headRevision(timeoutMs = 1000): Promise<number> {
    try {
      const res = await this.kv.range(
        { key: b(`${this.keys.prefix}health`), count_only: true },
        { deadline: new Date(Date.now() + timeoutMs) },
      );
      return Number(res.header.revision);
    } catch (err) {
      throw etcdFailure(err, 'health probe');
    }
  }

  // ------------------------------------------------------------------ audit

  /**
   * Reads every key an audit of `network` (or of everything) judges, all at one revision,
   * without locks; with `fix`, applies each finding's repair as its own conditional
   * transaction (it fails, and the finding stays unfixed, when any judged key changed).
   */
  async audit(opts: { network?: string; fix?: boolean } = {}): Promise<AuditReport> {
    const plan = await this.planAudit(opts.network);
    const findings = opts.fix
      ? await this.repair(plan.findings)
      : plan.findings.map(({ repair: _, ...f }) => f);
    return { revision: plan.revision, findings, keysChecked: plan.keysChecked };
  }

  /** The audit's read and judgement, without repairs. */
  async planAudit(
    network?: string,
  ): Promise<{ revision: number; findings: PlannedFinding[]; keysChecked: number }> {
    const kvs: AuditSnapshot['kvs'] = [];
    let revision = 0;
    for (const range of auditRanges(this.keys, network)) {
      const end = range.exact ? Buffer.concat([b(range.prefix), Buffer.from([0])]) : prefixEnd(range.prefix);
      revision = await this.scan(
        'audit read',
        b(range.prefix),
        end,
        (kv, parsed) =>
          kvs.push({
            kv: {
              key: kv.key.toString(),
              value: kv.value,
              modRevision: Number(kv.mod_revision),
              createRevision: Number(kv.create_revision),
            },
            parsed,
          }),
        revision,
      );
    }
    return { revision, findings: planAudit(this.keys, { revision, kvs }), keysChecked: kvs.length };
  }

  /** Applies each finding's repair, one conditional transaction each; `fixed` says which held. */
  async repair(planned: PlannedFinding[]): Promise<AuditFinding[]> {
    const out: AuditFinding[] = [];
    for (const { repair, ...finding } of planned) {
      if (repair) {
        const res = await this.txn('audit repair', repair.compare, repair.success);
        finding.fixed = res.succeeded;
        if (!res.succeeded) finding.detail += ' (not fixed: it changed after the audit read it; audit again)';
      }
      out.push(finding);
    }
    return out;
  }

  // ------------------------------------------------------------------ watch

  /**
   * Lists the state range at one revision R (paged), hands the snapshot over, then
   * watches from R+1. If the watch is cancelled (compaction passed our revision), it
   * lists and watches again.
   */
  async sync(observer: StoreObserver, opts: SyncOptions = {}): Promise<Subscription> {
    let closed = false;
    let watcher: StateWatch | undefined;
    let retryTimer: NodeJS.Timeout | undefined;

    const start = async (reason: string | undefined): Promise<void> => {
      const snap = await this.snapshot();
      if (closed) return;
      if (reason) {
        this.stats.resyncs++;
        this.onResync(reason);
      }
      observer.snapshot(snap);
      this.stats.watchRevision = snap.revision;
      const range = this.keys.stateRange();
      const w: StateWatch = this.watchClient
        ? await this.watchClient.watch(b(range.start), b(range.end), snap.revision + 1, {
            skipOwnClaims: opts.ownClaimsApplied === true,
          })
        : ((await this.client
            .watch()
            .inRange({ start: range.start, end: range.end })
            .startRevision(String(snap.revision + 1))
            .create()) as unknown as StateWatch);
      if (closed) {
        await w.cancel();
        return;
      }
      watcher = w;
      this.setWatchState('live');
      // Both watch clients re-attach a dropped watch from its last revision by themselves;
      // until then this replica's view may be stale.
      w.on('disconnected', () => {
        if (!closed && watcher === w) this.setWatchState('disconnected');
      });
      w.on('connected', () => {
        if (!closed && watcher === w) this.setWatchState('live');
      });
      w.on('data', (res) => {
        for (const ev of res.events) this.dispatch(observer, ev.type, ev.kv);
        const rev = Number(res.header.revision);
        if (rev > this.stats.watchRevision) this.stats.watchRevision = rev;
        observer.progress?.(rev);
      });
      w.on('error', (err) => {
        if (closed || watcher !== w) return;
        watcher = undefined;
        void w.cancel().catch(() => {});
        this.setWatchState('resyncing');
        restart(`watch failed: ${err.message}`);
      });
    };

    const restart = (reason: string, delay = 0) => {
      if (closed) return;
      retryTimer = setTimeout(() => {
        start(reason).catch((err: unknown) => {
          restart(
            `resync failed: ${err instanceof Error ? err.message : String(err)}`,
            Math.min(5000, delay * 2 || 200),
          );
        });
      }, delay);
    };

    await start(undefined);
    return {
      close: async () => {
        closed = true;
        this.setWatchState('closed');
        if (retryTimer) clearTimeout(retryTimer);
        await watcher?.cancel().catch(() => {});
      },
    };
  }

  private dispatch(observer: StoreObserver, type: string, kv: IKeyValue): void {
    const key = kv.key.toString();
    const parsed = this.keys.parse(key);
    if (!parsed) return;
    const rev = Number(kv.mod_revision);
    const isDelete = type === 'Delete';
    switch (parsed.kind) {
      case 'network':
        if (isDelete) observer.networkDeleted(parsed.network);
        else {
          const n = this.decodeNetworkKv(kv);
          if (n) observer.networkPut(n);
        }
        return;
      case 'lease':
        if (isDelete) observer.leaseDeleted(parsed.network, parsed.address, rev);
        else if (observer.knowsLease?.(parsed.network, parsed.address, rev)) {
          // Our own write, already applied when its transaction returned: skip the decode.
        } else if (this.writing.get(key)?.value.equals(kv.value)) {
          // Our own write, seen before its transaction returned.
          observer.leasePut({ ...(this.writing.get(key) as { lease: Lease }).lease, revision: rev });
        } else {
          const l = this.decodeLeaseKv(parsed.network, parsed.address, kv);
          if (l) observer.leasePut(l);
        }
        return;
      case 'reservation':
        if (isDelete) observer.reservationDeleted(parsed.network, parsed.mac, rev);
        else {
          const r = decodeReservation(parsed.network, kv.value, rev);
          if (r) observer.reservationPut(r);
          else this.corrupt(key);
        }
        return;
      default:
        return;
    }
  }

  private async snapshot() {
    const range = this.keys.stateRange();
    const networks: StoredNetwork[] = [];
    const leases: StoredLease[] = [];
    const reservations: StoredReservation[] = [];
    const revision = await this.scan('list state', b(range.start), b(range.end), (kv, parsed) => {
      if (parsed.kind === 'network') {
        const n = this.decodeNetworkKv(kv);
        if (n) networks.push(n);
      } else if (parsed.kind === 'lease') {
        const l = this.decodeLeaseKv(parsed.network, parsed.address, kv);
        if (l) leases.push(l);
      } else if (parsed.kind === 'reservation') {
        const r = decodeReservation(parsed.network, kv.value, Number(kv.mod_revision));
        if (r) reservations.push(r);
        else this.corrupt(kv.key);
      }
    });
    return { revision, networks, leases, reservations };
  }
}
