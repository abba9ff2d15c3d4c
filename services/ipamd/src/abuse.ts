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
