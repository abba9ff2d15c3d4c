import type { Lease, Reservation, StoredLease, StoredReservation } from './lease.js';
import type { Network, StoredNetwork } from './network.js';
import type {
  AddReservationResult,
  ClaimOutcome,
  ClaimRequest,
  CreateNetworkResult,
  DeleteNetworkResult,
  IpamStore,
  LeaseUpdate,
  StoreObserver,
  Subscription,
} from './store.js';

interface Entry<T> {
  value: T;
  createRevision: number;
  revision: number;
}

/**
 * An in-memory IpamStore with the same conditional semantics as the etcd store, for
 * unit tests. Every mutation bumps one global revision, as etcd does.
 */
export class MemoryStore implements IpamStore {
  private revision = 1;
  private readonly networks = new Map<string, Entry<Network>>();
  private readonly vnis = new Map<number, string>();
  private readonly leases = new Map<string, Entry<Lease>>(); // `${net}/${ip}`
  private readonly clients = new Map<string, string>(); // `${net}/${client}` -> ip
  private readonly reservations = new Map<string, Entry<Reservation>>(); // `${net}/${mac}`
  private readonly reservedIps = new Map<string, string>(); // `${net}/${ip}` -> mac
  private readonly observers = new Set<StoreObserver>();

  private bump(): number {
    return ++this.revision;
  }

  private storedNet(e: Entry<Network>): StoredNetwork {
    return { network: structuredClone(e.value), revision: e.revision, createRevision: e.createRevision };
  }
  private storedLease(e: Entry<Lease>): StoredLease {
    return { ...structuredClone(e.value), revision: e.revision };
  }
  private storedRes(e: Entry<Reservation>): StoredReservation {
    return { ...structuredClone(e.value), revision: e.revision };
  }

  async createNetwork(net: Network): Promise<CreateNetworkResult> {
    if (this.networks.has(net.name)) return { ok: false, reason: 'name-taken' };
    if (this.vnis.has(net.vni)) return { ok: false, reason: 'vni-taken' };
    const rev = this.bump();
    const e = { value: structuredClone(net), createRevision: rev, revision: rev };
    this.networks.set(net.name, e);
    this.vnis.set(net.vni, net.name);
    for (const o of this.observers) o.networkPut(this.storedNet(e));
    return { ok: true, stored: this.storedNet(e) };
  }

  async getNetwork(name: string): Promise<StoredNetwork | undefined> {
    const e = this.networks.get(name);
    return e && this.storedNet(e);
  }

  async listNetworks(): Promise<StoredNetwork[]> {
    return [...this.networks.values()].map((e) => this.storedNet(e));
  }

  async replaceNetwork(
    net: Network,
    expectedRevision: number,
    noLeasesCreatedAfter?: number,
  ): Promise<StoredNetwork | 'conflict'> {
    const e = this.networks.get(net.name);
    if (!e || e.revision !== expectedRevision) return 'conflict';
    if (noLeasesCreatedAfter !== undefined) {
      for (const [k, l] of this.leases) {
        if (k.startsWith(`${net.name}/`) && l.createRevision > noLeasesCreatedAfter) return 'conflict';
      }
    }
    e.value = structuredClone(net);
    e.revision = this.bump();
    for (const o of this.observers) o.networkPut(this.storedNet(e));
    return this.storedNet(e);
  }

  async deleteNetwork(name: string, expectedRevision: number, force: boolean): Promise<DeleteNetworkResult> {
    const e = this.networks.get(name);
    if (!e) return { ok: false, reason: 'not-found' };
    if (e.revision !== expectedRevision) return { ok: false, reason: 'conflict' };
    const prefix = `${name}/`;
    const leaseKeys = [...this.leases.keys()].filter((k) => k.startsWith(prefix));
    if (leaseKeys.length > 0 && !force) return { ok: false, reason: 'has-leases', leases: leaseKeys.length };
    const rev = this.bump();
    for (const k of leaseKeys) {
      const l = this.leases.get(k) as Entry<Lease>;
      this.leases.delete(k);
      for (const o of this.observers) o.leaseDeleted(name, l.value.address, rev);
    }
    for (const k of [...this.clients.keys()]) if (k.startsWith(prefix)) this.clients.delete(k);
    for (const k of [...this.reservations.keys()]) {
      if (!k.startsWith(prefix)) continue;
      const r = this.reservations.get(k) as Entry<Reservation>;
      this.reservations.delete(k);
      for (const o of this.observers) o.reservationDeleted(name, r.value.mac, rev);
    }
    for (const k of [...this.reservedIps.keys()]) if (k.startsWith(prefix)) this.reservedIps.delete(k);
    this.networks.delete(name);
    this.vnis.delete(e.value.vni);
    for (const o of this.observers) o.networkDeleted(name);
    return { ok: true, leasesDeleted: leaseKeys.length };
  }

  async claim(requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
    return requests.map((r) => this.claimOne(r));
  }

  private claimOne(r: ClaimRequest): ClaimOutcome {
    const { network, address, clientId } = r.lease;
    const net = this.networks.get(network);
    if (!net || net.revision !== r.networkRevision) return { kind: 'network-changed' };
    const existing = this.clients.get(`${network}/${clientId}`);
    if (existing !== undefined) {
      const l = this.leases.get(`${network}/${existing}`);
      return { kind: 'client-has-lease', address: existing, ...(l ? { lease: this.storedLease(l) } : {}) };
    }
    const held = this.leases.get(`${network}/${address}`);
    if (held) return { kind: 'address-taken', holder: this.storedLease(held) };
    const reservedMac = this.reservedIps.get(`${network}/${address}`);
    if (reservedMac !== undefined && reservedMac !== r.reservedFor)
      return { kind: 'reserved', mac: reservedMac };
    const rev = this.bump();
    const e = { value: structuredClone(r.lease), createRevision: rev, revision: rev };
    this.leases.set(`${network}/${address}`, e);
    this.clients.set(`${network}/${clientId}`, address);
    const stored = this.storedLease(e);
    for (const o of this.observers) o.leasePut(this.storedLease(e));
    return { kind: 'claimed', lease: stored };
  }

  async getLease(network: string, address: string): Promise<StoredLease | undefined> {
    const e = this.leases.get(`${network}/${address}`);
    return e && this.storedLease(e);
  }

  async getClientAddress(network: string, clientId: string): Promise<string | undefined> {
    return this.clients.get(`${network}/${clientId}`);
  }

  async updateLeases(updates: LeaseUpdate[]): Promise<Array<StoredLease | 'conflict'>> {
    const out: Array<StoredLease | 'conflict'> = [];
    for (const u of updates) out.push(await this.updateLease(u.lease, u.expectedRevision));
    return out;
  }

  async updateLease(lease: Lease, expectedRevision: number): Promise<StoredLease | 'conflict'> {
    const e = this.leases.get(`${lease.network}/${lease.address}`);
    if (!e || e.revision !== expectedRevision || e.value.clientId !== lease.clientId) return 'conflict';
    e.value = structuredClone(lease);
    e.revision = this.bump();
    for (const o of this.observers) o.leasePut(this.storedLease(e));
    return this.storedLease(e);
  }

  async reassignLease(current: StoredLease, next: Lease): Promise<StoredLease | 'conflict'> {
    const key = `${current.network}/${current.address}`;
    const e = this.leases.get(key);
    if (!e || e.revision !== current.revision || next.address !== current.address) return 'conflict';
    const oldIndex = `${current.network}/${current.clientId}`;
    if (this.clients.get(oldIndex) === current.address) this.clients.delete(oldIndex);
    this.clients.set(`${next.network}/${next.clientId}`, next.address);
    e.value = structuredClone(next);
    e.revision = this.bump();
    for (const o of this.observers) o.leasePut(this.storedLease(e));
    return this.storedLease(e);
  }

  async deleteLease(lease: StoredLease): Promise<boolean> {
    const key = `${lease.network}/${lease.address}`;
    const e = this.leases.get(key);
    if (!e || e.revision !== lease.revision) return false;
    this.leases.delete(key);
    const ck = `${lease.network}/${lease.clientId}`;
    if (this.clients.get(ck) === lease.address) this.clients.delete(ck);
    const rev = this.bump();
    for (const o of this.observers) o.leaseDeleted(lease.network, lease.address, rev);
    return true;
  }

  async countLeases(network: string): Promise<number> {
    let n = 0;
    for (const k of this.leases.keys()) if (k.startsWith(`${network}/`)) n++;
    return n;
  }

  async listLeases(network: string): Promise<{ leases: StoredLease[]; revision: number }> {
    const leases = [...this.leases.entries()]
      .filter(([k]) => k.startsWith(`${network}/`))
      .map(([, e]) => this.storedLease(e));
    return { leases, revision: this.revision };
  }

  async addReservation(r: Reservation): Promise<AddReservationResult> {
    if (!this.networks.has(r.network)) return { ok: false, reason: 'network-changed' };
    if (this.reservations.has(`${r.network}/${r.mac}`)) return { ok: false, reason: 'mac-taken' };
    if (this.reservedIps.has(`${r.network}/${r.address}`)) return { ok: false, reason: 'address-reserved' };
    const held = this.leases.get(`${r.network}/${r.address}`);
    if (held && held.value.mac !== r.mac)
      return { ok: false, reason: 'address-leased', holder: this.storedLease(held) };
    const rev = this.bump();
    const e = { value: structuredClone(r), createRevision: rev, revision: rev };
    this.reservations.set(`${r.network}/${r.mac}`, e);
    this.reservedIps.set(`${r.network}/${r.address}`, r.mac);
    for (const o of this.observers) o.reservationPut(this.storedRes(e));
    return { ok: true, stored: this.storedRes(e) };
  }

  async getReservation(network: string, mac: string): Promise<StoredReservation | undefined> {
    const e = this.reservations.get(`${network}/${mac}`);
    return e && this.storedRes(e);
  }

  async listReservations(network: string): Promise<StoredReservation[]> {
    return [...this.reservations.entries()]
      .filter(([k]) => k.startsWith(`${network}/`))
      .map(([, e]) => this.storedRes(e));
  }

  async removeReservation(network: string, mac: string): Promise<StoredReservation | undefined> {
    const e = this.reservations.get(`${network}/${mac}`);
    if (!e) return undefined;
    this.reservations.delete(`${network}/${mac}`);
    this.reservedIps.delete(`${network}/${e.value.address}`);
    const rev = this.bump();
    for (const o of this.observers) o.reservationDeleted(network, mac, rev);
    return this.storedRes(e);
  }

  async sync(observer: StoreObserver): Promise<Subscription> {
    observer.snapshot({
      revision: this.revision,
      networks: [...this.networks.values()].map((e) => this.storedNet(e)),
      leases: [...this.leases.values()].map((e) => this.storedLease(e)),
      reservations: [...this.reservations.values()].map((e) => this.storedRes(e)),
    });
    this.observers.add(observer);
    return {
      close: async () => {
        this.observers.delete(observer);
      },
    };
  }
}
