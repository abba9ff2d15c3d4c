import type { AddressViews, StoredLease } from '@netspan/ipam';

/**
 * Token buckets by key, with a bound on how many keys are remembered, so a flood of random
 * keys costs bounded memory.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  dropped = 0;

  constructor(
    /** Tokens per second; 0 = unlimited. */
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when the key is over its rate. */
  allow(key: string): boolean {
    if (this.rate <= 0) return true;
    const t = this.now();
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
      b.at = t;
    } else {
      if (this.buckets.size >= this.maxKeys) this.sweep(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    }
    if (b.tokens < 1) {
      this.dropped++;
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /**
   * Makes room: buckets that have refilled are the same as new ones and go first; if that
   * is not enough, the oldest half by first use. (Cheaper per packet than keeping an exact
   * LRU order.)
   */
  private sweep(t: number): void {
    const refillMs = (this.burst / this.rate) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at >= refillMs) this.buckets.delete(k);
    if (this.buckets.size < this.maxKeys) return;
    let drop = Math.max(1, Math.floor(this.buckets.size / 2));
    for (const k of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(k);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * Token buckets for DHCP clients, keyed by network and hardware address, in a fixed table
 * instead of a map of string keys: a relay's packet costs a hash of its `chaddr` bytes and two
 * slot probes, with nothing allocated, where the map built a `network/mac` string per packet and
 * churned through a new entry for every new client (3% of ipamd's main thread at 4,500
 * DORA/s, in a profile of bench/dhcp). Memory is fixed, so a flood of random MACs costs none.
 *
 * Each key hashes to two neighbouring slots of 2^bits; a slot remembers a 32-bit fingerprint of
 * its key. A new key takes the slot of the two that has refilled (or, failing that, the one
 * used least recently), so a client only loses its bucket (and starts afresh, with a full
 * burst) when two other clients active within its refill time map to the same pair. A client
 * is never throttled for another's packets.
 */
export class ClientRateLimiter {
  private readonly mask: number;
  private readonly fingerprint: Uint32Array;
  private readonly tokens: Float64Array;
  private readonly at: Float64Array;
  /** A seed per network name, so one MAC on two networks has two buckets. */
  private readonly seeds = new Map<string, number>();
  dropped = 0;

  constructor(
    /** Tokens per second; 0 = unlimited. */
    private readonly rate: number,
    private readonly burst: number,
    bits = 16,
    private readonly now: () => number = Date.now,
  ) {
    if (!(bits >= 1 && bits <= 24)) throw new RangeError('bits must be 1..24');
    const size = 1 << bits;
    this.mask = size - 1;
    this.fingerprint = new Uint32Array(size);
    this.tokens = new Float64Array(size);
    this.at = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
  }

  /**
   * Takes one token for the client with hardware address `chaddr[0, hlen)` (at most 16 bytes)
   * on `network`; false when it is over its rate.
   */
  allow(network: string, chaddr: Uint8Array, hlen: number): boolean {
    if (this.rate <= 0) return true;
    let seed = this.seeds.get(network);
    if (seed === undefined) {
      if (this.seeds.size >= 4096) this.seeds.clear();
      seed = fnv1a(0x811c9dc5, network);
      this.seeds.set(network, seed);
    }
    // FNV-1a over the address bytes, then a final mix so the low bits (the slot) depend on all.
    let h = seed;
    const n = Math.min(hlen, 16, chaddr.length);
    for (let i = 0; i < n; i++) h = Math.imul(h ^ (chaddr[i] as number), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const fp = (h | 1) >>> 0; // never 0, the empty slot's fingerprint
    const a = (h >>> 8) & this.mask;
    const b = a ^ 1;
    const t = this.now();
    let slot: number;
    if (this.fingerprint[a] === fp) slot = a;
    else if (this.fingerprint[b] === fp) slot = b;
    else {
      // A new key takes the slot used less recently: one that has refilled (its bucket is as
      // good as new) if either has, since it is the older.
      slot = (this.at[a] as number) <= (this.at[b] as number) ? a : b;
      this.fingerprint[slot] = fp;
      this.tokens[slot] = this.burst;
      this.at[slot] = t;
    }
    const tokens = Math.min(
      this.burst,
      (this.tokens[slot] as number) + ((t - (this.at[slot] as number)) / 1000) * this.rate,
    );
    this.at[slot] = t;
    if (tokens < 1) {
      this.tokens[slot] = tokens;
      this.dropped++;
      return false;
    }
    this.tokens[slot] = tokens - 1;
    return true;
  }
}

function fnv1a(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * How many addresses each host holds per network: bound leases located at the host plus
 * offers made through it that are still pending. A host at its cap gets no address for a
 * new client, so one host flooding DISCOVERs with random MACs cannot starve the others.
 */
export class HostQuota {
  /** `${network}/${address}` -> host, for leases that have one. */
  private readonly leaseHost = new Map<string, string>();
  /** `${network}/${host}` -> leases held. */
  private readonly leases = new Map<string, number>();
  /** `${network}/${host}` -> clientId -> offer expiry (ms). */
  private readonly offers = new Map<string, Map<string, number>>();
  refused = 0;

  constructor(
    private readonly views: AddressViews,
    /** 0 = unlimited. */
    readonly cap: number,
    private readonly offerHoldMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {
    views.onChange((e) => {
      if (e.type === 'reset') this.rebuild();
      else if (e.type === 'put') this.track(e.lease);
      else this.untrack(e.network, e.address);
    });
    this.rebuild();
  }

  private rebuild(): void {
    this.leaseHost.clear();
    this.leases.clear();
    for (const view of this.views.networks.values()) for (const l of view.leasesInOrder()) this.track(l);
  }

  private track(l: StoredLease): void {
    this.untrack(l.network, l.address);
    const host = l.location?.host;
    if (!host) return;
    this.leaseHost.set(`${l.network}/${l.address}`, host);
    const k = `${l.network}/${host}`;
    this.leases.set(k, (this.leases.get(k) ?? 0) + 1);
    this.offers.get(k)?.delete(l.clientId);
  }

  private untrack(network: string, address: string): void {
    const key = `${network}/${address}`;
    const host = this.leaseHost.get(key);
    if (host === undefined) return;
    this.leaseHost.delete(key);
    const k = `${network}/${host}`;
    const n = (this.leases.get(k) ?? 1) - 1;
    if (n > 0) this.leases.set(k, n);
    else this.leases.delete(k);
  }

  /** Addresses `host` holds or has been offered in `network`. */
  held(network: string, host: string): number {
    const k = `${network}/${host}`;
    const offers = this.offers.get(k);
    if (offers) {
      const t = this.now();
      for (const [client, until] of offers) if (until <= t) offers.delete(client);
    }
    return (this.leases.get(k) ?? 0) + (offers?.size ?? 0);
  }

  /**
   * May `host` get an address for `clientId`, which holds none? When it may, the claim
   * counts at once (until bound, expired or {@link release}d): requests handled
   * concurrently cannot all slip under the cap.
   */
  admit(network: string, host: string, clientId: string): boolean {
    if (this.cap <= 0) return true;
    const pending = this.offers.get(`${network}/${host}`);
    if (pending?.has(clientId) || this.held(network, host) < this.cap) {
      this.offered(network, host, clientId);
      return true;
    }
    this.refused++;
    return false;
  }

  /** Forgets a pending claim that led to no offer. */
  release(network: string, host: string, clientId: string): void {
    this.offers.get(`${network}/${host}`)?.delete(clientId);
  }

  /** Records an offer made through `host` (it counts until bound or expired). */
  private offered(network: string, host: string, clientId: string): void {
    const k = `${network}/${host}`;
    let m = this.offers.get(k);
    if (!m) {
      m = new Map();
      this.offers.set(k, m);
    }
    m.set(clientId, this.now() + this.offerHoldMs);
  }
}
