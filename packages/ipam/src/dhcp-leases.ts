import type { NetworkView } from './address-view.js';
import type { IpamEngine } from './engine.js';
import { ErrorCode, IpamError } from './errors.js';
import type { Lease, Location, StoredLease } from './lease.js';

/** Leases the reclaimer walks between turns of the event loop. */
const RECLAIM_SLICE = 4096;

export interface OfferParams {
  network: string;
  clientId: string;
  mac: string;
  /** Option 50, when the client asks for an address. */
  requested?: string;
}

export interface Offer {
  address: string;
  /** The client's current lease, when the offer is the address it already holds. */
  existing?: StoredLease;
}

export interface BindParams {
  network: string;
  clientId: string;
  mac: string;
  address: string;
  hostname: string;
  location: Location;
  leaseTimeSeconds: number;
}

export type BindResult =
  | { ok: true; lease: StoredLease }
  /** taken: held by another client; reserved: kept for another MAC; outside: not ours to hand out. */
  | { ok: false; reason: 'taken' | 'reserved' | 'outside' | 'other-address' };

export interface DhcpLeasesOptions {
  /** How long an OFFERed address stays set aside for its client in this replica. */
  offerHoldMs?: number;
  /** Leases are deleted this long after they expire (clients renewing late still find them). */
  reclaimGraceMs?: number;
  /** Remembered (client -> last address) pairs per process, for clients that come back. */
  historySize?: number;
  now?: () => number;
}

interface Hold {
  view: NetworkView;
  offset: number;
  expiresAtMs: number;
}

/**
 * Lease operations as the DHCP engine needs them, over the IPAM engine. OFFERs are not
 * written to etcd (as in Kea): an address is set aside in this replica's view for a short
 * time; the REQUEST's claim is the create-if-absent transaction that decides. Two
 * replicas offering one address to two clients can happen; ACKing it to both cannot.
 */
export class DhcpLeases {
  /** Per network, client -> hold, in the order they were set (= the order they expire). */
  private readonly holds = new Map<string, Map<string, Hold>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** `${network}/${clientId}` -> last address, from leases that went away. */
  private readonly history = new Map<string, string>();
  private readonly offerHoldMs: number;
  private readonly reclaimGraceMs: number;
  private readonly historySize: number;
  private readonly now: () => number;
  readonly stats = {
    offers: 0,
    exhausted: 0,
    binds: 0,
    renewals: 0,
    conflicts: 0,
    reclaimed: 0,
    declined: 0,
  };

  constructor(
    readonly engine: IpamEngine,
    opts: DhcpLeasesOptions = {},
  ) {
    this.offerHoldMs = opts.offerHoldMs ?? 30_000;
    this.reclaimGraceMs = opts.reclaimGraceMs ?? 0;
    this.historySize = opts.historySize ?? 100_000;
    this.now = opts.now ?? Date.now;
    engine.views.onChange((e) => {
      if (e.type === 'delete' && e.lease && e.lease.state !== 'declined') {
        this.remember(e.lease.network, e.lease.clientId, e.lease.address);
      } else if (e.type === 'put') {
        // The client got a lease (possibly through another replica): whatever this replica
        // set aside for it is free for others again.
        const view = engine.views.get(e.lease.network);
        if (view) this.dropHold(view, e.lease.clientId);
      }
    });
  }

  private remember(network: string, clientId: string, address: string): void {
    const key = `${network}/${clientId}`;
    this.history.delete(key);
    this.history.set(key, address);
    if (this.history.size > this.historySize) {
      const oldest = this.history.keys().next().value;
      if (oldest !== undefined) this.history.delete(oldest);
    }
  }

  /** The client's lease in this replica's view (declined leases are not the client's). */
  leaseOf(network: string, clientId: string): StoredLease | undefined {
    const l = this.engine.views.get(network)?.leaseOf(clientId);
    return l && l.state !== 'declined' ? l : undefined;
  }

  private holdsOf(network: string): Map<string, Hold> {
    let m = this.holds.get(network);
    if (!m) {
      m = new Map();
      this.holds.set(network, m);
    }
    return m;
  }

  private dropHold(view: NetworkView, clientId: string): void {
    const m = this.holds.get(view.name);
    const h = m?.get(clientId);
    if (!h || !m) return;
    h.view.settle(h.offset);
    m.delete(clientId);
  }

  private setHold(view: NetworkView, clientId: string, offset: number): void {
    const m = this.holdsOf(view.name);
    // Re-inserted at the end, so each map stays in expiry order (one hold time for all).
    m.delete(clientId);
    m.set(clientId, { view, offset, expiresAtMs: this.now() + this.offerHoldMs });
    // One timer for all holds instead of one per OFFER: every DISCOVER sets a hold.
    if (!this.sweepTimer) {
      this.sweepTimer = setTimeout(() => this.sweep(), Math.min(1000, this.offerHoldMs));
      this.sweepTimer.unref();
    }
  }

  /** Lets expired holds go (within a second of their time); re-arms while holds remain. */
  private sweep(): void {
    this.sweepTimer = undefined;
    const now = this.now();
    let left = 0;
    for (const m of this.holds.values()) {
      for (const [clientId, h] of m) {
        // (A hold far in the future means the clock went back: let it go too.)
        if (h.expiresAtMs > now && h.expiresAtMs <= now + this.offerHoldMs) break;
        h.view.settle(h.offset);
        m.delete(clientId);
      }
      left += m.size;
    }
    if (left > 0) {
      this.sweepTimer = setTimeout(() => this.sweep(), Math.min(1000, this.offerHoldMs));
      this.sweepTimer.unref();
    }
  }

  /** True when `offset` can be handed to this client now (free, in a pool, not reserved for another). */
  private usable(view: NetworkView, offset: number, mac: string, clientId: string): boolean {
    if (view.isBlocked(offset) || view.poolIndexOf(offset) < 0) return false;
    const holder = view.leases.get(offset);
    if (holder) return holder.clientId === clientId;
    const reservedFor = view.reservedMacAt(offset);
    if (reservedFor !== undefined && reservedFor !== mac) return false;
    const own = this.holds.get(view.name)?.get(clientId);
    return !view.isInflight(offset) || own?.offset === offset;
  }

  /**
   * Picks the address to OFFER: the client's lease, its reservation, what it asked for,
   * what it had before, or any free one. Undefined when the network is full.
   */
  offer(p: OfferParams): Promise<Offer | undefined> {
    // Not async: the view is nearly always loaded, and then the offer is decided at once.
    // As from an async function, whatever throws comes back as a rejected promise.
    try {
      const view = this.engine.views.get(p.network);
      if (!view) return this.engine.viewOf(p.network).then((v) => this.offerIn(v, p));
      return Promise.resolve(this.offerIn(view, p));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private offerIn(view: NetworkView, p: OfferParams): Offer | undefined {
    const existing = this.leaseOf(p.network, p.clientId);
    if (existing) return { address: existing.address, existing };
    const reservation = p.mac ? view.reservations.get(p.mac) : undefined;
    if (reservation) {
      const off = view.offsetOf(reservation.address);
      // A reserved address is the client's even outside the pools.
      if (off !== undefined && !view.isBlocked(off) && !view.leases.has(off)) {
        this.dropHold(view, p.clientId);
        view.hold(off);
        this.setHold(view, p.clientId, off);
        this.stats.offers++;
        return { address: reservation.address };
      }
    }
    // Candidates in turn: the address held for it, the one it asks for, the one it had before.
    const held = this.holds.get(view.name)?.get(p.clientId);
    let off = this.candidate(view, p, held?.offset);
    if (off === undefined && p.requested) off = this.candidate(view, p, view.offsetOf(p.requested));
    if (off === undefined) {
      const before = this.history.get(`${p.network}/${p.clientId}`);
      if (before) off = this.candidate(view, p, view.offsetOf(before));
    }
    if (off !== undefined) {
      if (held?.offset !== off) {
        this.dropHold(view, p.clientId);
        view.hold(off);
        this.setHold(view, p.clientId, off);
      }
      this.stats.offers++;
      return { address: view.addressAt(off) };
    }
    this.dropHold(view, p.clientId);
    off = view.propose();
    if (off === undefined) {
      this.stats.exhausted++;
      return undefined;
    }
    this.setHold(view, p.clientId, off);
    this.stats.offers++;
    return { address: view.addressAt(off) };
  }

  /** `off` when it is defined and usable for this client. */
  private candidate(view: NetworkView, p: OfferParams, off: number | undefined): number | undefined {
    return off !== undefined && this.usable(view, off, p.mac, p.clientId) ? off : undefined;
  }

  /**
   * Binds (ACKs) `address` to the client: renews the lease it holds there, or claims the
   * address with a create-if-absent transaction. Never binds an address another client holds.
   */
  async bind(p: BindParams): Promise<BindResult> {
    const view = this.engine.views.get(p.network) ?? (await this.engine.viewOf(p.network));
    const off = view.offsetOf(p.address);
    if (off === undefined || view.isBlocked(off)) return { ok: false, reason: 'outside' };
    const reservedFor = view.reservedMacAt(off);
    if (reservedFor !== undefined && reservedFor !== p.mac) return { ok: false, reason: 'reserved' };
    const now = this.now();
    const expiresAtMs = now + p.leaseTimeSeconds * 1000;
    for (let attempt = 0; attempt < 8; attempt++) {
      // The view may lag another replica by a few ms; that is fine: the claim below compares
      // the client index too, and a client that already holds a lease there comes back as
      // 'client-has-lease' with it, so no extra read is needed on the common path.
      const existing = this.leaseOf(p.network, p.clientId);
      if (existing && existing.address !== p.address) return { ok: false, reason: 'other-address' };
      if (existing) {
        const next: Lease = {
          ...existing,
          mac: p.mac || existing.mac,
          hostname: p.hostname || existing.hostname,
          state: 'bound',
          location: p.location,
          updatedAtMs: now,
          expiresAtMs,
        };
        const res = await this.engine.renew(next, existing.revision);
        if (res !== 'conflict') {
          // (engine.renew has put it in the views.)
          this.dropHold(view, p.clientId);
          this.stats.renewals++;
          return { ok: true, lease: res };
        }
        // Changed under us (another replica renewed or reclaimed it): read again.
        const fresh = await this.engine.store.getLease(p.network, p.address);
        if (fresh) this.engine.views.leasePut(fresh);
        else this.engine.views.leaseDeleted(p.network, p.address, existing.revision + 1);
        continue;
      }
      const holder = view.leases.get(off);
      if (holder && holder.clientId !== p.clientId) {
        if (holder.expiresAtMs !== 0 && holder.expiresAtMs + this.reclaimGraceMs < now) {
          // Expired but not reclaimed yet: reclaim it now, conditionally, then claim.
          if (await this.engine.store.deleteLease(holder)) {
            this.engine.views.leaseDeleted(holder.network, holder.address, holder.revision + 1);
          }
          continue;
        }
        return { ok: false, reason: 'taken' };
      }
      const lease: Lease = {
        network: view.name,
        address: p.address,
        clientId: p.clientId,
        mac: p.mac,
        // A reservation's name wins: the operator chose it.
        hostname:
          (reservedFor !== undefined ? view.reservations.get(reservedFor)?.hostname : '') || p.hostname,
        state: 'bound',
        location: p.location,
        createdAtMs: now,
        updatedAtMs: now,
        expiresAtMs,
        pool: view.poolNameOf(off),
      };
      const networkRevision = view.stored.revision;
      const outcome = await this.engine.claim(
        reservedFor ? { lease, networkRevision, reservedFor } : { lease, networkRevision },
      );
      switch (outcome.kind) {
        case 'claimed':
          // (engine.claim has put it in the views.)
          this.dropHold(view, p.clientId);
          this.stats.binds++;
          return { ok: true, lease: outcome.lease };
        case 'client-has-lease': {
          const held = outcome.lease ?? (await this.freshLeaseOf(view, p.clientId));
          if (held) this.engine.views.leasePut(held);
          if (held && held.address !== p.address) return { ok: false, reason: 'other-address' };
          continue;
        }
        case 'address-taken':
          this.stats.conflicts++;
          if (outcome.holder) this.engine.views.leasePut(outcome.holder);
          else view.markTaken(off);
          if (outcome.holder?.expiresAtMs && outcome.holder.expiresAtMs + this.reclaimGraceMs < now) continue;
          return { ok: false, reason: 'taken' };
        case 'reserved':
          return { ok: false, reason: 'reserved' };
        case 'network-changed': {
          const fresh = await this.engine.store.getNetwork(p.network);
          if (!fresh) throw new IpamError(ErrorCode.NotFound, `network ${p.network} not found`);
          this.engine.views.networkPut(fresh);
          continue;
        }
      }
    }
    throw new IpamError(ErrorCode.Aborted, `lease for ${p.address} keeps changing; the client will retry`);
  }

  private async freshLeaseOf(view: NetworkView, clientId: string): Promise<StoredLease | undefined> {
    // The view may lag another replica by a few ms; the client index is authoritative.
    const address = await this.engine.store.getClientAddress(view.name, clientId);
    if (!address) return undefined;
    const lease = await this.engine.store.getLease(view.name, address);
    if (lease) this.engine.views.leasePut(lease);
    return lease && lease.clientId === clientId && lease.state !== 'declined' ? lease : undefined;
  }

  /** DHCPRELEASE: frees the address if (and only if) this client holds it. */
  async release(network: string, clientId: string, address: string): Promise<boolean> {
    const lease = (await this.engine.store.getLease(network, address)) ?? undefined;
    if (!lease || lease.clientId !== clientId) return false;
    if (!(await this.engine.store.deleteLease(lease))) return false;
    this.engine.views.leaseDeleted(network, address, lease.revision + 1);
    return true;
  }

  /**
   * DHCPDECLINE: the client found `address` in use. The lease is turned into a quarantine
   * entry held by no client (`declined:<address>`), so the address is not handed out again
   * until `quarantineSeconds` pass and the reclaimer frees it; the client starts over.
   */
  async decline(
    network: string,
    clientId: string,
    address: string,
    quarantineSeconds: number,
  ): Promise<boolean> {
    const lease = await this.engine.store.getLease(network, address);
    if (!lease || lease.clientId !== clientId) return false;
    const now = this.now();
    const ok = await this.engine.store.reassignLease(lease, {
      ...lease,
      clientId: `declined:${address}`,
      state: 'declined',
      hostname: '',
      updatedAtMs: now,
      expiresAtMs: now + quarantineSeconds * 1000,
    });
    if (ok === 'conflict') return false;
    this.engine.views.leasePut(ok);
    this.stats.declined++;
    return true;
  }

  /**
   * Deletes leases whose expiry (plus grace) has passed, each only at the revision that was
   * judged expired. Run on one replica at a time (leader election).
   */
  async reclaim(limit = 1000): Promise<number> {
    const now = this.now();
    const expired: StoredLease[] = [];
    let scanned = 0;
    for (const view of this.engine.views.networks.values()) {
      // Nothing here can have expired yet: no walk (a replica may hold a million leases).
      if (view.earliestExpiryMs + this.reclaimGraceMs >= now) continue;
      view.beginExpiryWalk();
      let earliest = Number.POSITIVE_INFINITY;
      let whole = true;
      for (const lease of view.leases.values()) {
        const e = lease.expiresAtMs;
        if (e !== 0 && e + this.reclaimGraceMs < now) {
          if (expired.length >= limit) {
            whole = false;
            break;
          }
          expired.push(lease);
        } else if (e !== 0 && e < earliest) earliest = e;
        // A million leases take 50-100 ms to walk: let DHCP in between slices of the walk.
        // (A Map's iterator stays valid while the watch adds and removes leases meanwhile.)
        if (++scanned % RECLAIM_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
      }
      if (whole) view.endExpiryWalk(earliest);
      if (expired.length >= limit) break;
    }
    let n = 0;
    for (const lease of expired) {
      if (await this.engine.store.deleteLease(lease)) {
        this.engine.views.leaseDeleted(lease.network, lease.address, lease.revision + 1);
        n++;
      } else {
        // Still there (renewed, or etcd did not answer): the next pass looks again.
        this.engine.views.networks.get(lease.network)?.noteExpiry(lease.expiresAtMs);
      }
    }
    this.stats.reclaimed += n;
    return n;
  }
}
