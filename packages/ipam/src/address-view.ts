import { formatIPv4, parseIPv4 } from './ipv4.js';
import type { StoredLease, StoredReservation } from './lease.js';
import { type CompiledNetwork, compileNetwork, type StoredNetwork } from './network.js';
import type { Snapshot, StoreObserver } from './store.js';

/** A fixed-size bitset over a network's address offsets. */
class Bits {
  readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }
  get(i: number): boolean {
    return ((this.words[i >>> 5] as number) & (1 << (i & 31))) !== 0;
  }
  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }
  clear(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) & ~(1 << (i & 31));
  }
}

export interface PoolCounts {
  name: string;
  start: string;
  end: string;
  size: number;
  used: number;
  reserved: number;
}

/**
 * The watch-fed, in-memory picture of one network: which addresses are leased,
 * reserved or being claimed right now, and who holds what. It only *proposes* free
 * addresses; the store's transaction decides. Stale entries cost a retry, never a
 * duplicate.
 */
export class NetworkView {
  stored: StoredNetwork;
  compiled: CompiledNetwork;
  private used: Bits;
  private blocked: Bits;
  private inflight: Bits;
  private reservedBits: Bits;
  /** Leases by address offset. */
  readonly leases = new Map<number, StoredLease>();
  private readonly byClient = new Map<string, number>();
  /** Leases by state, kept as leases come and go (metrics read it without walking every lease). */
  private readonly byState = new Map<string, number>();
  /** No lease of this view expires before this (see earliestExpiryMs). */
  private expiryFloor = Number.POSITIVE_INFINITY;
  /** The earliest expiry put since the reclaimer's walk began (see beginExpiryWalk). */
  private expiryPutDuringWalk = Number.POSITIVE_INFINITY;
  readonly reservations = new Map<string, StoredReservation>();
  private readonly reservedByOffset = new Map<number, string>();
  /** Deleted addresses whose delete revision the watch may not have passed yet. */
  private readonly tombstones = new Map<number, number>();
  private poolUsed: number[] = [];
  private poolReserved: number[] = [];
  private cursors: number[] = [];
  private inflightCount = 0;
  private settleWaiters: Array<() => void> = [];

  constructor(stored: StoredNetwork, seed = Math.random()) {
    this.stored = stored;
    this.compiled = compileNetwork(stored.network);
    const size = this.compiled.cidr.size;
    this.used = new Bits(size);
    this.blocked = new Bits(size);
    this.inflight = new Bits(size);
    this.reservedBits = new Bits(size);
    this.rebuildPlan(seed);
  }

  get name(): string {
    return this.stored.network.name;
  }

  /** Applies a new definition of the same network (pools, exclusions may change). */
  redefine(stored: StoredNetwork): void {
    if (stored.revision < this.stored.revision) return;
    const sameCidr = stored.network.cidr === this.stored.network.cidr;
    this.stored = stored;
    this.compiled = compileNetwork(stored.network);
    if (!sameCidr) {
      // CIDR is immutable through the API; a changed one means delete+create elsewhere.
      const size = this.compiled.cidr.size;
      this.used = new Bits(size);
      this.inflight = new Bits(size);
      this.reservedBits = new Bits(size);
      this.leases.clear();
      this.byClient.clear();
      this.byState.clear();
      this.expiryFloor = Number.POSITIVE_INFINITY;
      this.reservations.clear();
      this.reservedByOffset.clear();
    }
    this.blocked = new Bits(this.compiled.cidr.size);
    this.rebuildPlan(Math.random());
  }

  private rebuildPlan(seed: number): void {
    for (const [s, e] of this.compiled.blocked) for (let i = s; i <= e; i++) this.blocked.set(i);
    this.poolUsed = this.compiled.pools.map(() => 0);
    this.poolReserved = this.compiled.pools.map(() => 0);
    // Replicas start their search at different points so they rarely propose the same address.
    this.cursors = this.compiled.pools.map((p) => p.start + Math.floor(seed * (p.end - p.start + 1)));
    for (const off of this.leases.keys()) this.countLease(off, 1);
    for (const off of this.reservedByOffset.keys()) {
      if (!this.leases.has(off)) this.countReserved(off, 1);
    }
  }

  offsetOf(address: string): number | undefined {
    const ip = parseIPv4(address);
    if (ip === undefined) return undefined;
    const off = ip - this.compiled.cidr.base;
    return off >= 0 && off < this.compiled.cidr.size ? off : undefined;
  }

  addressAt(offset: number): string {
    return formatIPv4(this.compiled.cidr.base + offset);
  }

  poolIndexOf(offset: number): number {
    const pools = this.compiled.pools;
    for (let i = 0; i < pools.length; i++) {
      const p = pools[i] as (typeof pools)[number];
      if (offset >= p.start && offset <= p.end) return i;
    }
    return -1;
  }

  /** Name of the pool holding `offset`, '' outside every pool. */
  poolNameOf(offset: number): string {
    return this.compiled.pools[this.poolIndexOf(offset)]?.name ?? '';
  }

  isBlocked(offset: number): boolean {
    return this.blocked.get(offset);
  }

  private countLease(offset: number, delta: number): void {
    const i = this.poolIndexOf(offset);
    if (i >= 0 && !this.blocked.get(offset)) this.poolUsed[i] = (this.poolUsed[i] as number) + delta;
  }
  private countReserved(offset: number, delta: number): void {
    const i = this.poolIndexOf(offset);
    if (i >= 0 && !this.blocked.get(offset)) this.poolReserved[i] = (this.poolReserved[i] as number) + delta;
  }

  // ---- leases ----

  /** Applies a lease; false when it was already known at this revision or newer. */
  putLease(lease: StoredLease): boolean {
    const off = this.offsetOf(lease.address);
    if (off === undefined) return false;
    const tomb = this.tombstones.get(off);
    if (tomb !== undefined && tomb >= lease.revision) return false;
    const prev = this.leases.get(off);
    if (prev) {
      if (prev.revision >= lease.revision) return false;
      if (prev.clientId !== lease.clientId) this.byClient.delete(prev.clientId);
      this.countState(prev.state, -1);
    } else if (!this.used.get(off)) {
      // (An address marked taken after a failed claim is already counted.)
      this.used.set(off);
      this.countLease(off, 1);
      if (this.reservedByOffset.has(off)) this.countReserved(off, -1);
    }
    this.leases.set(off, lease);
    this.byClient.set(lease.clientId, off);
    this.countState(lease.state, 1);
    this.noteExpiry(lease.expiresAtMs);
    return true;
  }

  /**
   * A time no lease of this view expires before (0 expiries never do): a lower bound, lowered
   * as leases are put and raised to the exact earliest by the reclaimer's full walks, so a
   * reclaimer finds nothing to walk for until then.
   */
  get earliestExpiryMs(): number {
    return this.expiryFloor;
  }

  /** Lowers the bound to `expiresAtMs` (a lease that expires then is, or may still be, here). */
  noteExpiry(expiresAtMs: number): void {
    if (expiresAtMs === 0) return;
    if (expiresAtMs < this.expiryFloor) this.expiryFloor = expiresAtMs;
    if (expiresAtMs < this.expiryPutDuringWalk) this.expiryPutDuringWalk = expiresAtMs;
  }

  /** A walk of every lease begins (leases put during it are remembered apart). */
  beginExpiryWalk(): void {
    this.expiryPutDuringWalk = Number.POSITIVE_INFINITY;
  }

  /** The walk saw every lease; the earliest expiry among those it leaves in place was `earliest`. */
  endExpiryWalk(earliest: number): void {
    this.expiryFloor = Math.min(earliest, this.expiryPutDuringWalk);
  }

  private countState(state: string, delta: number): void {
    const n = (this.byState.get(state) ?? 0) + delta;
    if (n > 0) this.byState.set(state, n);
    else this.byState.delete(state);
  }

  /** How many leases this view holds in each state (states with none are absent). */
  leaseStates(): ReadonlyMap<string, number> {
    return this.byState;
  }

  /** Applies a delete; false when nothing was known there (or a newer lease is). */
  deleteLease(address: string, revision: number): boolean {
    const off = this.offsetOf(address);
    if (off === undefined) return false;
    const prev = this.leases.get(off);
    if (prev && prev.revision > revision) return false;
    this.tombstones.set(off, Math.max(revision, this.tombstones.get(off) ?? 0));
    if (!prev && !this.used.get(off)) return false;
    if (prev) {
      this.leases.delete(off);
      if (this.byClient.get(prev.clientId) === off) this.byClient.delete(prev.clientId);
      this.countState(prev.state, -1);
    }
    this.used.clear(off);
    this.countLease(off, -1);
    if (this.reservedByOffset.has(off)) this.countReserved(off, 1);
    return prev !== undefined;
  }

  /** Drops tombstones the watch has caught up with. */
  forgetTombstones(upTo: number): void {
    for (const [off, rev] of this.tombstones) if (rev <= upTo) this.tombstones.delete(off);
  }

  /** Marks an address used after a failed claim taught us someone holds it. */
  markTaken(offset: number): void {
    if (!this.used.get(offset)) {
      this.used.set(offset);
      this.countLease(offset, 1);
    }
  }

  leaseOf(clientId: string): StoredLease | undefined {
    const off = this.byClient.get(clientId);
    return off === undefined ? undefined : this.leases.get(off);
  }

  leaseAt(address: string): StoredLease | undefined {
    const off = this.offsetOf(address);
    return off === undefined ? undefined : this.leases.get(off);
  }

  // ---- reservations ----

  putReservation(r: StoredReservation): void {
    const prev = this.reservations.get(r.mac);
    if (prev && prev.revision >= r.revision) return;
    if (prev) this.dropReservation(prev);
    const off = this.offsetOf(r.address);
    this.reservations.set(r.mac, r);
    if (off === undefined) return;
    this.reservedByOffset.set(off, r.mac);
    this.reservedBits.set(off);
    if (!this.leases.has(off)) this.countReserved(off, 1);
  }

  deleteReservation(mac: string, revision: number): void {
    const prev = this.reservations.get(mac);
    if (!prev || prev.revision > revision) return;
    this.dropReservation(prev);
  }

  private dropReservation(r: StoredReservation): void {
    this.reservations.delete(r.mac);
    const off = this.offsetOf(r.address);
    if (off === undefined || this.reservedByOffset.get(off) !== r.mac) return;
    this.reservedByOffset.delete(off);
    this.reservedBits.clear(off);
    if (!this.leases.has(off)) this.countReserved(off, -1);
  }

  reservedMacAt(offset: number): string | undefined {
    return this.reservedByOffset.get(offset);
  }

  // ---- proposals ----

  /**
   * Proposes a free address offset inside pool `poolIndex` (or any pool), marking it
   * in flight so concurrent calls in this process never propose it twice. Call
   * `settle(offset)` when the claim is decided. Undefined when every pool is full.
   */
  propose(poolIndex?: number): number | undefined {
    const pools = this.compiled.pools;
    const order = poolIndex === undefined ? pools.map((_, i) => i) : [poolIndex];
    for (const i of order) {
      const p = pools[i];
      if (!p) continue;
      const cursor = this.cursors[i] as number;
      const found = this.scan(cursor, p.end) ?? this.scan(p.start, cursor - 1);
      if (found !== undefined) {
        this.cursors[i] = found + 1 > p.end ? p.start : found + 1;
        this.inflight.set(found);
        this.inflightCount++;
        return found;
      }
    }
    return undefined;
  }

  /** Marks a specific offset in flight; false when it already is. */
  hold(offset: number): boolean {
    if (this.inflight.get(offset)) return false;
    this.inflight.set(offset);
    this.inflightCount++;
    return true;
  }

  /** Addresses set aside for claims (or offers) not decided yet. */
  get inflightSize(): number {
    return this.inflightCount;
  }

  /** Resolves when any in-flight address is settled (or after `ms`, whichever is first). */
  whenSettled(ms = 1000): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const waiters = this.settleWaiters;
      function done() {
        clearTimeout(t);
        resolve();
      }
      waiters.push(done);
    });
  }

  isInflight(offset: number): boolean {
    return this.inflight.get(offset);
  }

  settle(offset: number): void {
    if (!this.inflight.get(offset)) return;
    this.inflight.clear(offset);
    this.inflightCount--;
    if (this.settleWaiters.length > 0) for (const w of this.settleWaiters.splice(0)) w();
  }

  private scan(from: number, to: number): number | undefined {
    if (to < from) return undefined;
    const used = this.used.words;
    const blocked = this.blocked.words;
    const inflight = this.inflight.words;
    const reserved = this.reservedBits.words;
    for (let w = from >>> 5; w <= to >>> 5; w++) {
      let free = ~(
        (used[w] as number) |
        (blocked[w] as number) |
        (inflight[w] as number) |
        (reserved[w] as number)
      );
      if (free === 0) continue;
      const lo = w << 5;
      if (lo < from) free &= ~0 << (from - lo);
      const hi = lo + 31;
      if (hi > to) free &= ~0 >>> (hi - to);
      if (free === 0) continue;
      return lo + (31 - Math.clz32(free & -free));
    }
    return undefined;
  }

  poolCounts(): PoolCounts[] {
    return this.compiled.pools.map((p, i) => ({
      name: p.name,
      start: this.addressAt(p.start),
      end: this.addressAt(p.end),
      size: p.size,
      used: this.poolUsed[i] as number,
      reserved: this.poolReserved[i] as number,
    }));
  }

  /** Leases in numeric address order, starting after `afterOffset`. */
  *leasesInOrder(afterOffset = -1): Generator<StoredLease> {
    const words = this.used.words;
    for (let w = Math.max(0, (afterOffset + 1) >>> 5); w < words.length; w++) {
      let bits = words[w] as number;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const off = (w << 5) + bit;
        if (off <= afterOffset) continue;
        const lease = this.leases.get(off);
        if (lease) yield lease;
      }
    }
  }
}

/** Every network's view, fed by the store's snapshot + watch (a `StoreObserver`). */
export class AddressViews implements StoreObserver {
  readonly networks = new Map<string, NetworkView>();
  revision = 0;
  private ready = false;
  private readonly seed: number;
  private readonly listeners = new Set<(e: ViewEvent) => void>();
  private readonly networkListeners = new Set<() => void>();

  constructor(seed = Math.random()) {
    this.seed = seed;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Listen to lease changes (watch streams, DNS index). Returns an unsubscribe function. */
  onChange(fn: (e: ViewEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Listen to network definitions changing (created, updated, deleted, or a fresh
   * snapshot): agents' desired state follows them. Returns an unsubscribe function.
   */
  onNetworksChange(fn: () => void): () => void {
    this.networkListeners.add(fn);
    return () => this.networkListeners.delete(fn);
  }

  private networksChanged(): void {
    for (const fn of this.networkListeners) fn();
  }

  private emit(e: ViewEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  get(name: string): NetworkView | undefined {
    return this.networks.get(name);
  }

  snapshot(s: Snapshot): void {
    this.networks.clear();
    for (const n of s.networks) this.networks.set(n.network.name, new NetworkView(n, this.seed));
    for (const r of s.reservations) this.networks.get(r.network)?.putReservation(r);
    for (const l of s.leases) this.networks.get(l.network)?.putLease(l);
    this.revision = s.revision;
    this.ready = true;
    this.emit({ type: 'reset' });
    this.networksChanged();
  }

  networkPut(n: StoredNetwork): void {
    const view = this.networks.get(n.network.name);
    if (!view) this.networks.set(n.network.name, new NetworkView(n, this.seed));
    else if (
      view.stored.createRevision !== n.createRevision &&
      n.createRevision > view.stored.createRevision
    ) {
      this.networks.set(n.network.name, new NetworkView(n, this.seed));
    } else view.redefine(n);
    this.networksChanged();
  }

  networkDeleted(name: string): void {
    if (this.networks.delete(name)) this.networksChanged();
  }

  /** Emits to listeners only when the view changed (own writes arrive twice: now and via the watch). */
  leasePut(l: StoredLease): void {
    if (this.networks.get(l.network)?.putLease(l)) this.emit({ type: 'put', lease: l });
  }

  leaseDeleted(network: string, address: string, revision: number): void {
    const view = this.networks.get(network);
    const prev = view?.leaseAt(address);
    if (view?.deleteLease(address, revision) && prev)
      this.emit({ type: 'delete', network, address, revision, lease: prev });
  }

  reservationPut(r: StoredReservation): void {
    this.networks.get(r.network)?.putReservation(r);
  }

  reservationDeleted(network: string, mac: string, revision: number): void {
    this.networks.get(network)?.deleteReservation(mac, revision);
  }

  knowsLease(network: string, address: string, revision: number): boolean {
    const l = this.networks.get(network)?.leaseAt(address);
    return l !== undefined && l.revision >= revision;
  }

  progress(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    for (const v of this.networks.values()) v.forgetTombstones(revision);
  }
}

export type ViewEvent =
  | { type: 'reset' }
  | { type: 'put'; lease: StoredLease }
  | { type: 'delete'; network: string; address: string; revision: number; lease?: StoredLease };
