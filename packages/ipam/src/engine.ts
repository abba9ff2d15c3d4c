import { randomUUID } from 'node:crypto';
import { AddressViews, type NetworkView, type PoolCounts } from './address-view.js';
import { Batcher } from './batcher.js';
import { ErrorCode, IpamError, invalid, notFound } from './errors.js';
import { parseIPv4 } from './ipv4.js';
import {
  type Lease,
  type LeaseState,
  type Location,
  normalizeMac,
  type Reservation,
  type StoredLease,
  type StoredReservation,
  sanitizeHostname,
  validateClientId,
} from './lease.js';
import {
  MAX_VNI,
  type Network,
  type NetworkInput,
  normalizeNetwork,
  type StoredNetwork,
  validateNetworkName,
} from './network.js';
import type { ClaimOutcome, ClaimRequest, IpamStore, LeaseUpdate, Subscription } from './store.js';

export interface AllocateParams {
  network: string;
  clientId?: string;
  address?: string;
  pool?: string;
  mac?: string;
  hostname?: string;
  ttlSeconds?: number;
  location?: Partial<Location>;
  state?: LeaseState;
}

export interface AllocateResult {
  lease: StoredLease;
  created: boolean;
}

export interface ListLeasesParams {
  network?: string;
  host?: string;
  state?: LeaseState;
  pageSize?: number;
  pageToken?: string;
}

export interface NetworkUsage {
  network: string;
  cidr: string;
  leases: number;
  reservations: number;
  pools: Array<PoolCounts & { utilization: number }>;
}

export interface EngineOptions {
  /** Largest group of claims sent in one store call. */
  maxBatch?: number;
  /** Store calls in flight at once. */
  maxInflight?: number;
  /** How long a small group may wait for more claims while another store call is in flight (ms). */
  lingerMs?: number;
  /** Give up after this many conflicting proposals for one request. */
  maxAttempts?: number;
  now?: () => number;
}

/**
 * The allocation engine: validates requests, proposes addresses from the in-memory
 * views, and lets the store's conditional transactions decide ("the allocator proposes,
 * the store arbitrates"). Concurrent claims are grouped into batched store calls.
 */
export class IpamEngine {
  readonly views: AddressViews;
  private readonly batcher: Batcher<ClaimRequest, ClaimOutcome>;
  private readonly renewBatcher: Batcher<LeaseUpdate, StoredLease | 'conflict'>;
  private subscription: Subscription | undefined;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  /** Counters for metrics. */
  readonly stats = { claims: 0, conflicts: 0, batches: 0, batchedClaims: 0 };

  constructor(
    readonly store: IpamStore,
    opts: EngineOptions = {},
  ) {
    this.views = new AddressViews();
    this.maxAttempts = opts.maxAttempts ?? 1000;
    this.now = opts.now ?? Date.now;
    // Groups no larger than one store round trip: 128 claims against etcd's 124 per
    // transaction went out as 124 + 4, two transactions where one would do.
    const maxBatch = Math.min(opts.maxBatch ?? 128, store.claimsPerCall ?? Number.POSITIVE_INFINITY);
    this.batcher = new Batcher((reqs) => store.claim(reqs), {
      maxBatch,
      maxInflight: opts.maxInflight ?? 8,
      lingerMs: opts.lingerMs ?? 0,
    });
    this.renewBatcher = new Batcher((reqs) => store.updateLeases(reqs), {
      maxBatch,
      maxInflight: opts.maxInflight ?? 8,
      lingerMs: opts.lingerMs ?? 0,
    });
    this.batcher.onFlush = (n) => {
      this.stats.batches++;
      this.stats.batchedClaims += n;
    };
  }

  /** Loads the snapshot and follows the store's changes. */
  async start(): Promise<void> {
    this.subscription = await this.store.sync(this.views, { ownClaimsApplied: true });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  // ---------------------------------------------------------------- networks

  async createNetwork(input: NetworkInput): Promise<StoredNetwork> {
    const net = normalizeNetwork({ ...input, createdAtMs: 0 }, this.now());
    const explicitVni = net.vni !== 0;
    for (let attempt = 0; attempt < 64; attempt++) {
      if (!explicitVni) net.vni = this.proposeVni(attempt);
      const res = await this.store.createNetwork(net);
      if (res.ok) {
        this.views.networkPut(res.stored);
        return res.stored;
      }
      if (res.reason === 'name-taken') {
        throw new IpamError(ErrorCode.AlreadyExists, `network ${net.name} already exists`);
      }
      if (explicitVni) {
        throw new IpamError(ErrorCode.AlreadyExists, `vni: ${net.vni} is already used by another network`);
      }
    }
    throw new IpamError(ErrorCode.Aborted, 'could not find a free VNI after 64 attempts; retry');
  }

  private proposeVni(attempt: number): number {
    const used = new Set([...this.views.networks.values()].map((v) => v.stored.network.vni));
    if (attempt === 0) {
      for (let v = 1; v <= MAX_VNI; v++) if (!used.has(v)) return v;
      throw new IpamError(ErrorCode.ResourceExhausted, 'no free VNI left');
    }
    // Another replica raced us for the lowest free VNI: spread out.
    for (;;) {
      const v = 1 + Math.floor(Math.random() * Math.min(MAX_VNI, 4096 * (attempt + 1)));
      if (!used.has(v)) return v;
    }
  }

  async getNetwork(name: string): Promise<StoredNetwork> {
    validateNetworkName(name);
    const stored = await this.store.getNetwork(name);
    if (!stored) throw notFound(`network ${name} not found`);
    return stored;
  }

  async listNetworks(): Promise<StoredNetwork[]> {
    const list = await this.store.listNetworks();
    return list.sort((a, b) => a.network.name.localeCompare(b.network.name));
  }

  /**
   * Replaces the mutable fields of a network. `mask` names fields (proto names,
   * `dhcp_options.mtu` style) to take from `patch`; empty = all mutable fields.
   */
  async updateNetwork(patch: NetworkInput, mask: string[], expectedRevision = 0): Promise<StoredNetwork> {
    const name = validateNetworkName(patch.name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const current = await this.getNetwork(name);
      if (expectedRevision && current.revision !== expectedRevision) {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `network ${name} is at revision ${current.revision}, not the expected ${expectedRevision}`,
        );
      }
      const merged = mergeNetwork(current.network, patch, mask);
      const next = normalizeNetwork(merged, this.now());
      next.createdAtMs = current.network.createdAtMs;
      const readAt = await this.checkLeasesFit(name, next);
      const res = await this.store.replaceNetwork(next, current.revision, readAt);
      if (res !== 'conflict') {
        this.views.networkPut(res);
        return res;
      }
      if (expectedRevision) {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `network ${name} changed concurrently; re-read and retry`,
        );
      }
    }
    throw new IpamError(ErrorCode.Aborted, `network ${name} keeps changing; retry`);
  }

  /**
   * Refuses definitions that would strand live leases (outside every pool, or on a now
   * blocked address) or put a reservation on a blocked address. Reads the leases from the
   * store, not this replica's view, and the store's replace refuses if any lease was
   * created after that read, so a claim on another replica cannot slip in between.
   */
  private async checkLeasesFit(name: string, next: Network): Promise<number> {
    const probe = new AddressViews();
    probe.networkPut({ network: next, revision: 0, createRevision: 0 });
    const nextView = probe.get(name) as NetworkView;
    const { leases, revision } = await this.store.listLeases(name);
    for (const lease of leases) {
      const off = nextView.offsetOf(lease.address);
      const stranded =
        off === undefined || nextView.isBlocked(off) || (lease.pool !== '' && nextView.poolIndexOf(off) < 0);
      if (stranded) {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `pools: the new definition would strand lease ${lease.address} (client ${lease.clientId}); release it first`,
        );
      }
    }
    for (const r of await this.store.listReservations(name)) {
      const off = nextView.offsetOf(r.address);
      if (off === undefined || nextView.isBlocked(off)) {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `the new definition blocks ${r.address}, reserved for MAC ${r.mac}; remove the reservation first`,
        );
      }
    }
    return revision;
  }

  async deleteNetwork(name: string, force: boolean): Promise<number> {
    for (let attempt = 0; attempt < 16; attempt++) {
      const current = await this.getNetwork(name);
      const res = await this.store.deleteNetwork(name, current.revision, force);
      if (res.ok) {
        this.views.networkDeleted(name);
        return res.leasesDeleted;
      }
      if (res.reason === 'not-found') throw notFound(`network ${name} not found`);
      if (res.reason === 'has-leases') {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `network ${name} has ${res.leases ?? 'live'} lease(s); release them or delete with force`,
        );
      }
    }
    throw new IpamError(ErrorCode.Aborted, `network ${name} keeps changing; retry`);
  }

  /** The view of a network, loading it from the store when this replica has not seen it yet. */
  private async view(name: string, field = 'network'): Promise<NetworkView> {
    validateNetworkName(name, field);
    const v = this.views.get(name);
    if (v) return v;
    const stored = await this.store.getNetwork(name);
    if (!stored) throw notFound(`network ${name} not found`);
    this.views.networkPut(stored);
    return this.views.get(name) as NetworkView;
  }

  // ---------------------------------------------------------------- leases

  async allocate(p: AllocateParams): Promise<AllocateResult> {
    let view = await this.view(p.network);
    const clientId = p.clientId ? validateClientId(p.clientId) : `anon-${randomUUID()}`;
    const mac = p.mac ? normalizeMac(p.mac) : '';
    const hostname = p.hostname ? sanitizeHostname(p.hostname) : '';
    const ttl = p.ttlSeconds ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 31_536_000)
      throw invalid('ttl_seconds', `${ttl} is outside 0..31536000`);
    let poolIndex: number | undefined;
    if (p.pool) {
      poolIndex = view.compiled.pools.findIndex((x) => x.name === p.pool);
      if (poolIndex < 0) throw invalid('pool', `network ${view.name} has no pool ${JSON.stringify(p.pool)}`);
    }
    let requested: number | undefined;
    if (p.address) {
      if (parseIPv4(p.address) === undefined)
        throw invalid('address', `${JSON.stringify(p.address)} is not an IPv4 address`);
      requested = this.checkRequested(view, p.address);
    }

    let taughtOffsets = 0;
    const started = performance.now();
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const reservation = mac ? view.reservations.get(mac) : undefined;
      let offset: number | undefined;
      let specific = false;
      let reservedFor: string | undefined;
      if (reservation) {
        offset = view.offsetOf(reservation.address);
        specific = true;
        reservedFor = mac;
        if (offset === undefined || view.isBlocked(offset)) {
          throw new IpamError(
            ErrorCode.FailedPrecondition,
            `MAC ${mac} is reserved ${reservation.address}, which network ${view.name} no longer hands out; fix the reservation`,
          );
        }
        if (requested !== undefined && requested !== offset) {
          throw new IpamError(
            ErrorCode.FailedPrecondition,
            `address: MAC ${mac} has a reservation for ${reservation.address} in network ${view.name}`,
          );
        }
      } else if (requested !== undefined) {
        offset = requested;
        specific = true;
        const holder = view.reservedMacAt(offset);
        if (holder && holder !== mac) {
          throw new IpamError(
            ErrorCode.FailedPrecondition,
            `address: ${p.address} is reserved for MAC ${holder}`,
          );
        }
      } else {
        const known = view.leaseOf(clientId);
        const knownOff = known ? view.offsetOf(known.address) : undefined;
        if (knownOff !== undefined) {
          offset = knownOff;
          specific = true;
        } else {
          offset = view.propose(poolIndex);
          if (offset === undefined) {
            // Everything left is set aside for claims still in flight: some may fail (a client
            // that already had a lease, a lost race) and free their address. Exhausted means
            // used, not busy, so wait for them before saying so.
            if (view.inflightSize > 0 && performance.now() - started < 3000) {
              await view.whenSettled(250);
              continue;
            }
            throw this.exhausted(view, poolIndex);
          }
        }
      }
      if (offset === undefined) throw new IpamError(ErrorCode.Internal, 'reservation outside the network');
      const ownHold = specific ? view.hold(offset) : true;
      const address = view.addressAt(offset);
      const now = this.now();
      const lease: Lease = {
        network: view.name,
        address,
        clientId,
        mac,
        hostname: hostname || (reservedFor ? (reservation?.hostname ?? '') : ''),
        state: p.state ?? 'bound',
        location: { host: p.location?.host ?? '', via: p.location?.via || 'api' },
        createdAtMs: now,
        updatedAtMs: now,
        expiresAtMs: ttl ? now + ttl * 1000 : 0,
        pool: view.poolNameOf(offset),
      };
      let outcome: ClaimOutcome;
      this.stats.claims++;
      try {
        outcome = await this.batcher.submit({
          lease,
          networkRevision: view.stored.revision,
          ...(reservedFor ? { reservedFor } : {}),
        });
      } catch (err) {
        throw storeFailure(err);
      } finally {
        if (ownHold) view.settle(offset);
      }
      switch (outcome.kind) {
        case 'claimed':
          this.views.leasePut(outcome.lease);
          return { lease: outcome.lease, created: true };
        case 'client-has-lease': {
          const existing = outcome.lease ?? (await this.store.getLease(view.name, outcome.address));
          if (!existing || existing.clientId !== clientId) continue; // index moved under us: retry
          this.views.leasePut(existing);
          if (requested !== undefined && existing.address !== p.address) {
            throw new IpamError(
              ErrorCode.FailedPrecondition,
              `client ${clientId} already holds ${existing.address} in network ${view.name}; release it first`,
            );
          }
          return { lease: existing, created: false };
        }
        case 'address-taken':
          this.stats.conflicts++;
          if (outcome.holder) this.views.leasePut(outcome.holder);
          else view.markTaken(offset);
          if (outcome.holder?.clientId === clientId) return { lease: outcome.holder, created: false };
          if (specific && (requested !== undefined || reservation)) {
            throw new IpamError(
              ErrorCode.AlreadyExists,
              `address: ${address} in network ${view.name} is held by another client`,
            );
          }
          taughtOffsets++;
          continue;
        case 'reserved':
          this.stats.conflicts++;
          if (requested !== undefined) {
            throw new IpamError(
              ErrorCode.FailedPrecondition,
              `address: ${address} is reserved for MAC ${outcome.mac}`,
            );
          }
          // Our view missed the reservation: fetch it and try again.
          {
            const r = await this.store.getReservation(view.name, outcome.mac);
            if (r) view.putReservation(r);
            else view.markTaken(offset);
          }
          continue;
        case 'network-changed': {
          const fresh = await this.store.getNetwork(view.name);
          if (!fresh) {
            this.views.networkDeleted(view.name);
            throw notFound(`network ${view.name} not found`);
          }
          this.views.networkPut(fresh);
          view = await this.view(view.name);
          if (requested !== undefined && p.address) requested = this.checkRequested(view, p.address);
          continue;
        }
      }
    }
    throw new IpamError(
      ErrorCode.Aborted,
      `network ${view.name}: gave up after ${this.maxAttempts} conflicting proposals (${taughtOffsets} taken); retry`,
    );
  }

  private checkRequested(view: NetworkView, address: string): number {
    const off = view.offsetOf(address);
    if (off === undefined) {
      throw invalid('address', `${address} is outside network ${view.name} (${view.compiled.cidr.text})`);
    }
    if (view.isBlocked(off)) {
      throw invalid(
        'address',
        `${address} cannot be handed out in network ${view.name} (network, broadcast, gateway or excluded address)`,
      );
    }
    return off;
  }

  private exhausted(view: NetworkView, poolIndex: number | undefined): IpamError {
    const pools = view.poolCounts().filter((_, i) => poolIndex === undefined || i === poolIndex);
    const names = pools.map(
      (p) => `${p.name} ${p.start}-${p.end} (${p.used} used, ${p.reserved} reserved of ${p.size})`,
    );
    return new IpamError(
      ErrorCode.ResourceExhausted,
      `network ${view.name}: no free address in ${poolIndex === undefined ? 'any pool' : 'pool'}: ${names.join('; ')}` +
        (view.inflightSize ? `; ${view.inflightSize} more set aside for requests in flight` : ''),
    );
  }

  /** Submits one lease update (a renewal) to the grouped store path. */
  renew(lease: Lease, expectedRevision: number): Promise<StoredLease | 'conflict'> {
    // Applied here, whoever asked: the views' feed may leave this replica's renewals out.
    return this.renewBatcher.submit({ lease, expectedRevision }).then(
      (out) => {
        if (out !== 'conflict') this.views.leasePut(out);
        return out;
      },
      (err: unknown) => {
        throw storeFailure(err);
      },
    );
  }

  /** Submits one claim to the grouped store path (used by the DHCP lease layer). */
  claim(req: ClaimRequest): Promise<ClaimOutcome> {
    this.stats.claims++;
    // Applied here, whoever asked: the views' feed may leave this replica's claims out.
    return this.batcher.submit(req).then(
      (outcome) => {
        if (outcome.kind === 'claimed') this.views.leasePut(outcome.lease);
        return outcome;
      },
      (err: unknown) => {
        throw storeFailure(err);
      },
    );
  }

  /** The view of a network, loading it from the store when this replica has not seen it yet. */
  viewOf(name: string): Promise<NetworkView> {
    return this.view(name);
  }

  async release(p: {
    network: string;
    address?: string;
    clientId?: string;
    force?: boolean;
  }): Promise<StoredLease> {
    validateNetworkName(p.network, 'network');
    if (!p.address && !p.clientId) throw invalid('address', 'give the address or the client_id to release');
    if (p.clientId) validateClientId(p.clientId);
    if (!p.force && !p.clientId) throw invalid('client_id', 'is required to release (or use force)');
    for (let attempt = 0; attempt < 16; attempt++) {
      let address = p.address;
      if (address) {
        if (parseIPv4(address) === undefined)
          throw invalid('address', `${JSON.stringify(address)} is not an IPv4 address`);
      } else {
        address = await this.store.getClientAddress(p.network, p.clientId as string);
        if (!address) throw notFound(`client ${p.clientId} holds no lease in network ${p.network}`);
      }
      const lease = await this.store.getLease(p.network, address);
      if (!lease) throw notFound(`no lease for ${address} in network ${p.network}`);
      if (!p.force && lease.clientId !== p.clientId) {
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `${address} in network ${p.network} is held by another client, not ${p.clientId}`,
        );
      }
      if (await this.store.deleteLease(lease)) {
        this.views.leaseDeleted(lease.network, lease.address, lease.revision + 1);
        return lease;
      }
    }
    throw new IpamError(ErrorCode.Aborted, 'the lease keeps changing; retry');
  }

  async getLease(p: { network: string; address?: string; clientId?: string }): Promise<StoredLease> {
    validateNetworkName(p.network, 'network');
    let address = p.address;
    if (!address) {
      if (!p.clientId) throw invalid('address', 'give the address or the client_id');
      validateClientId(p.clientId);
      address = await this.store.getClientAddress(p.network, p.clientId);
      if (!address) throw notFound(`client ${p.clientId} holds no lease in network ${p.network}`);
    } else if (parseIPv4(address) === undefined) {
      throw invalid('address', `${JSON.stringify(address)} is not an IPv4 address`);
    }
    const lease = await this.store.getLease(p.network, address);
    if (!lease) throw notFound(`no lease for ${address} in network ${p.network}`);
    return lease;
  }

  /**
   * Lists leases from this replica's watch-fed view, in (network, numeric address)
   * order. Page tokens are `<network>/<address>` of the last item.
   */
  listLeases(p: ListLeasesParams): { leases: StoredLease[]; nextPageToken: string } {
    if (p.network) validateNetworkName(p.network, 'network');
    const size = p.pageSize || 100;
    if (size < 1 || size > 1000) throw invalid('page_size', `${p.pageSize} is outside 1..1000`);
    let afterNet = '';
    let afterOff = -1;
    if (p.pageToken) {
      const m = /^([a-z0-9-]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(p.pageToken);
      if (!m) throw invalid('page_token', 'is not a token this server issued');
      afterNet = m[1] as string;
      const v = this.views.get(afterNet);
      afterOff = v?.offsetOf(m[2] as string) ?? -1;
    }
    const names = [...this.views.networks.keys()].filter((n) => !p.network || n === p.network).sort();
    if (p.network && names.length === 0) throw notFound(`network ${p.network} not found`);
    const out: StoredLease[] = [];
    for (const name of names) {
      if (afterNet && name < afterNet) continue;
      const view = this.views.get(name) as NetworkView;
      for (const lease of view.leasesInOrder(name === afterNet ? afterOff : -1)) {
        if (p.host && lease.location.host !== p.host) continue;
        if (p.state && lease.state !== p.state) continue;
        out.push(lease);
        if (out.length > size) {
          out.pop();
          const last = out[out.length - 1] as StoredLease;
          return { leases: out, nextPageToken: `${last.network}/${last.address}` };
        }
      }
    }
    return { leases: out, nextPageToken: '' };
  }

  // ---------------------------------------------------------------- reservations

  async addReservation(r: Partial<Reservation>): Promise<StoredReservation> {
    const view = await this.view(r.network ?? '');
    const mac = normalizeMac(r.mac ?? '');
    if (!r.address) throw invalid('address', 'is required');
    if (parseIPv4(r.address) === undefined)
      throw invalid('address', `${JSON.stringify(r.address)} is not an IPv4 address`);
    this.checkRequested(view, r.address);
    const hostname = r.hostname ? sanitizeHostname(r.hostname) : '';
    if (r.hostname && !hostname)
      throw invalid('hostname', `${JSON.stringify(r.hostname)} has no usable DNS label`);
    const description = r.description ?? '';
    if (description.length > 256) throw invalid('description', 'is longer than 256 characters');
    const res = await this.store.addReservation({
      network: view.name,
      mac,
      address: r.address,
      hostname,
      description,
    });
    if (res.ok) {
      view.putReservation(res.stored);
      return res.stored;
    }
    switch (res.reason) {
      case 'mac-taken':
        throw new IpamError(
          ErrorCode.AlreadyExists,
          `MAC ${mac} already has a reservation in network ${view.name}`,
        );
      case 'address-reserved':
        throw new IpamError(
          ErrorCode.AlreadyExists,
          `address: ${r.address} is already reserved in network ${view.name}`,
        );
      case 'address-leased':
        throw new IpamError(
          ErrorCode.FailedPrecondition,
          `address: ${r.address} is leased to client ${res.holder.clientId}; release it first`,
        );
      default:
        throw notFound(`network ${view.name} not found`);
    }
  }

  async listReservations(network: string): Promise<StoredReservation[]> {
    validateNetworkName(network, 'network');
    await this.view(network);
    const list = await this.store.listReservations(network);
    return list.sort((a, b) => (parseIPv4(a.address) as number) - (parseIPv4(b.address) as number));
  }

  async removeReservation(network: string, macInput: string): Promise<StoredReservation> {
    validateNetworkName(network, 'network');
    const mac = normalizeMac(macInput);
    const removed = await this.store.removeReservation(network, mac);
    if (!removed) throw notFound(`no reservation for MAC ${mac} in network ${network}`);
    this.views.get(network)?.deleteReservation(mac, removed.revision + 1);
    return removed;
  }

  // ---------------------------------------------------------------- usage

  async usage(name?: string): Promise<NetworkUsage[]> {
    // The request field is `name` (GetNetworkUsageRequest), so errors name it.
    const names = name ? [(await this.view(name, 'name')).name] : [...this.views.networks.keys()].sort();
    return names.map((n) => {
      const view = this.views.get(n) as NetworkView;
      return {
        network: n,
        cidr: view.compiled.cidr.text,
        leases: view.leases.size,
        reservations: view.reservations.size,
        pools: view.poolCounts().map((c) => ({
          ...c,
          utilization: c.size === 0 ? 0 : Math.min(1, (c.used + c.reserved) / c.size),
        })),
      };
    });
  }
}

function mergeNetwork(current: Network, patch: NetworkInput, mask: string[]): NetworkInput {
  const immutable = new Set(['name', 'cidr', 'vni']);
  const merged: NetworkInput = structuredClone(current);
  const fields = mask.length > 0 ? mask : Object.keys(MASKABLE);
  for (const path of fields) {
    const key = MASKABLE[path];
    if (!key) {
      if (immutable.has(path)) throw invalid(path, 'cannot be changed; create a new network instead');
      throw invalid('update_mask', `unknown field ${JSON.stringify(path)}`);
    }
    if (key.startsWith('dhcpOptions.')) {
      const sub = key.slice('dhcpOptions.'.length) as keyof NonNullable<NetworkInput['dhcpOptions']>;
      const value = patch.dhcpOptions?.[sub];
      if (mask.length > 0 || value !== undefined) {
        (merged.dhcpOptions as Record<string, unknown>)[sub] = value ?? defaultsFor(sub);
      }
    } else {
      const k = key as keyof NetworkInput;
      const value = patch[k];
      if (mask.length > 0 || value !== undefined) (merged as Record<string, unknown>)[k] = value;
    }
  }
  if (patch.cidr && patch.cidr !== current.cidr)
    throw invalid('cidr', 'cannot be changed; create a new network instead');
  if (patch.vni && patch.vni !== current.vni)
    throw invalid('vni', 'cannot be changed; create a new network instead');
  return merged;
}

function defaultsFor(sub: string): unknown {
  return sub === 'mtu' ? 0 : [];
}

const MASKABLE: Record<string, string> = {
  gateway: 'gateway',
  pools: 'pools',
  exclusions: 'exclusions',
  lease_time_seconds: 'leaseTimeSeconds',
  domain: 'domain',
  mode: 'mode',
  encapsulation: 'encapsulation',
  vlan_id: 'vlanId',
  description: 'description',
  relay_addresses: 'relayAddresses',
  service_address: 'serviceAddress',
  'dhcp_options.routers': 'dhcpOptions.routers',
  'dhcp_options.dns_servers': 'dhcpOptions.dnsServers',
  'dhcp_options.mtu': 'dhcpOptions.mtu',
  'dhcp_options.domain_search': 'dhcpOptions.domainSearch',
  'dhcp_options.static_routes': 'dhcpOptions.staticRoutes',
  'dhcp_options.ntp_servers': 'dhcpOptions.ntpServers',
};

function storeFailure(err: unknown): IpamError {
  if (err instanceof IpamError) return err;
  return new IpamError(
    ErrorCode.Unavailable,
    `store unavailable: ${err instanceof Error ? err.message : String(err)}`,
    {
      cause: err,
    },
  );
}
