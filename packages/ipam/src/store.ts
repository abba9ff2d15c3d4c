import type { Lease, Reservation, StoredLease, StoredReservation } from './lease.js';
import type { Network, StoredNetwork } from './network.js';

/**
 * The persistence contract the IPAM engine needs. "Taken", "exists" and "not found"
 * are return values; thrown errors are real failures (etcd unreachable, ...).
 *
 * Implementations: `@netspan/etcd-store` (production) and `MemoryStore` (unit tests).
 * Both pass the same conformance suite (`@netspan/ipam/testing`).
 */
export interface IpamStore {
  /**
   * The most claims (or renewals) one store call takes in a single round trip, when the store
   * has such a bound (etcd: what --max-txn-ops leaves). The engine's groups stay within it, so a
   * full group is never split into a large and a tiny transaction.
   */
  readonly claimsPerCall?: number;
  // Networks
  createNetwork(net: Network): Promise<CreateNetworkResult>;
  getNetwork(name: string): Promise<StoredNetwork | undefined>;
  listNetworks(): Promise<StoredNetwork[]>;
  /**
   * Replaces the definition if its revision is still `expectedRevision` and, when
   * `noLeasesCreatedAfter` is given, no lease of the network was created after that revision.
   */
  replaceNetwork(
    net: Network,
    expectedRevision: number,
    noLeasesCreatedAfter?: number,
  ): Promise<StoredNetwork | 'conflict'>;
  /**
   * Deletes the network if its revision is still `expectedRevision`. Without `force` it
   * refuses while leases exist; with it, leases, client index and reservations go too.
   */
  deleteNetwork(name: string, expectedRevision: number, force: boolean): Promise<DeleteNetworkResult>;

  // Leases
  /**
   * Claims addresses, each independently (one request's conflict never fails another).
   * A claim succeeds only if neither the lease key nor the client index key exists, the
   * address is not reserved (unless `reservedFor` names the claimant's MAC), and the
   * network's revision is still `networkRevision`. Returns one outcome per request, in order.
   */
  claim(requests: ClaimRequest[]): Promise<ClaimOutcome[]>;
  getLease(network: string, address: string): Promise<StoredLease | undefined>;
  /** Address the client index points to. */
  getClientAddress(network: string, clientId: string): Promise<string | undefined>;
  /** Rewrites a lease (renew, move, state change) if its revision is unchanged. */
  updateLease(lease: Lease, expectedRevision: number): Promise<StoredLease | 'conflict'>;
  /** Many `updateLease`s in one round trip, each decided on its own (renewals under load). */
  updateLeases(updates: LeaseUpdate[]): Promise<Array<StoredLease | 'conflict'>>;
  /**
   * Gives a lease to another client id (a DECLINE quarantine) if its revision is unchanged:
   * the old client's index goes, the new one's is created, in one transaction.
   */
  reassignLease(current: StoredLease, next: Lease): Promise<StoredLease | 'conflict'>;
  /** Deletes a lease and its client index if the lease's revision is unchanged. */
  deleteLease(lease: StoredLease): Promise<boolean>;
  countLeases(network: string): Promise<number>;
  /** Every lease of a network, read at one revision (returned). */
  listLeases(network: string): Promise<{ leases: StoredLease[]; revision: number }>;

  // Reservations
  addReservation(r: Reservation): Promise<AddReservationResult>;
  getReservation(network: string, mac: string): Promise<StoredReservation | undefined>;
  listReservations(network: string): Promise<StoredReservation[]>;
  removeReservation(network: string, mac: string): Promise<StoredReservation | undefined>;

  /**
   * Feeds `observer` with a full snapshot, then with every change. After a gap it
   * cannot bridge (compaction) it sends a fresh snapshot. Resolves once the first
   * snapshot has been delivered.
   */
  sync(observer: StoreObserver, opts?: SyncOptions): Promise<Subscription>;
}

export interface SyncOptions {
  /**
   * The caller applies the outcome of every claim and renewal it makes through this store to
   * `observer` when it returns (as IpamEngine does to its views), so the store may leave this
   * replica's successful claims and renewals out of the feed.
   */
  ownClaimsApplied?: boolean;
}

export type CreateNetworkResult =
  | { ok: true; stored: StoredNetwork }
  | { ok: false; reason: 'name-taken' | 'vni-taken' };

export type DeleteNetworkResult =
  | { ok: true; leasesDeleted: number }
  | { ok: false; reason: 'not-found' | 'conflict' | 'has-leases'; leases?: number };

export type AddReservationResult =
  | { ok: true; stored: StoredReservation }
  | { ok: false; reason: 'mac-taken' | 'address-reserved' | 'network-changed' }
  | { ok: false; reason: 'address-leased'; holder: StoredLease };

export interface LeaseUpdate {
  lease: Lease;
  expectedRevision: number;
}

export interface ClaimRequest {
  lease: Lease;
  /** Revision of the network definition the claim was validated against. */
  networkRevision: number;
  /** MAC that holds a reservation for this address, when the claimant is that MAC. */
  reservedFor?: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; lease: StoredLease }
  /** Someone else holds the address (holder when it could be read). */
  | { kind: 'address-taken'; holder?: StoredLease }
  /** The client already holds an address in this network. */
  | { kind: 'client-has-lease'; address: string; lease?: StoredLease }
  /** The address is reserved for another MAC. */
  | { kind: 'reserved'; mac: string }
  /** The network was changed or deleted since `networkRevision`. */
  | { kind: 'network-changed' };

export interface Snapshot {
  revision: number;
  networks: StoredNetwork[];
  leases: StoredLease[];
  reservations: StoredReservation[];
}

export interface StoreObserver {
  snapshot(s: Snapshot): void;
  networkPut(n: StoredNetwork): void;
  networkDeleted(name: string): void;
  leasePut(l: StoredLease): void;
  leaseDeleted(network: string, address: string, revision: number): void;
  reservationPut(r: StoredReservation): void;
  reservationDeleted(network: string, mac: string, revision: number): void;
  /** True when the observer already holds this lease at this revision (lets the store skip decoding). */
  knowsLease?(network: string, address: string, revision: number): boolean;
  /** Revision the observer has seen up to (for lag metrics). */
  progress?(revision: number): void;
}

export interface Subscription {
  close(): Promise<void>;
}
