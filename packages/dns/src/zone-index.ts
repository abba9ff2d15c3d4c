import { parseIPv4, sanitizeHostname } from '@netspan/ipam';
import { classlessName, parentName, reverseName, reverseZones } from './names.js';
import { encodeRdata, ownerName, type StoredRecord, TYPE_CODES, targetOf } from './records.js';
import { type Answer, encodeName, RCode, RRType, type WireRecord } from './wire.js';

/** What the index needs of a network. */
export interface NetworkInfo {
  name: string;
  domain: string;
  cidr: string;
}

/** What the index needs of a lease. */
export interface LeaseInfo {
  network: string;
  address: string;
  hostname: string;
  state: string;
  createdAtMs: number;
  /** 0 = never. */
  expiresAtMs: number;
  revision: number;
}

/**
 * Changes the index consumes, in the order the store saw them. Plain data, so the same stream
 * can feed indexes in other processes (the DNS worker processes) and they end up identical.
 */
export type ZoneEvent =
  | { t: 'leases-reset'; revision: number; networks: NetworkInfo[]; leases: LeaseInfo[] }
  | { t: 'network'; network: NetworkInfo; revision: number }
  | { t: 'network-deleted'; name: string; revision: number }
  | { t: 'lease'; lease: LeaseInfo }
  | { t: 'lease-deleted'; network: string; address: string; revision: number }
  | { t: 'records-reset'; revision: number; records: StoredRecord[] }
  | { t: 'record'; record: StoredRecord }
  | { t: 'record-deleted'; zone: string; id: string; revision: number };

/** Longest TTL of a lease-derived record; it is also capped by the lease's remaining time. */
export const LEASE_RECORD_TTL = 60;
/** SOA TTL and MINIMUM: negative answers are cached for 30 s (RFC 2308 §5: the smaller of the two). */
const SOA_TTL = 60;
const NEGATIVE_TTL = 30;
/** Most CNAMEs followed inside our zones for one answer. */
const MAX_CHAIN = 8;

interface Zone {
  name: string;
  wire: Buffer;
  /** Forward domain that names the zone's NS and mailbox (the first network's, by name). */
  domain: string;
  networks: Set<string>;
  serial: number;
  soa: WireRecord;
  ns: WireRecord;
  negative: WireRecord;
}

interface ApiData {
  id: string;
  ttl: number;
  rdata: Buffer;
  /** CNAME target (dotless), for chasing. */
  target: string | undefined;
}

/** A record derived from a lease: valid while the lease is. */
interface Derived {
  key: string;
  type: number;
  rdata: Buffer;
  expiresAtMs: number;
  target: string | undefined;
}

interface NameNode {
  name: string;
  wire: Buffer;
  zone: Zone;
  api: Map<number, ApiData[]>;
  derived: Derived[];
}

interface LeaseEntry {
  info: LeaseInfo;
  key: string;
  /** `<label>.<domain>` when the lease asks for a name ('' when not). */
  fqdn: string;
}

/** A record as listed through the API: stored ones and, on request, the lease-derived ones. */
export interface ListedRecord {
  id: string;
  zone: string;
  name: string;
  type: string;
  ttl: number;
  data: string;
  revision: number;
}

export interface ZoneIndexOptions {
  /** A lease asked for a name another lease holds; it gets no records (the holder keeps them). */
  onConflict?: (c: { name: string; holder: string; newcomer: string }) => void;
}

/**
 * The in-memory DNS view of every network: zones (forward and reverse), names, and the records
 * derived from leases and the API. Fed by `apply(ZoneEvent)`; answers `lookup` without I/O.
 *
 * Hostname policy: a name belongs to the first lease that claimed it (its holder); a later lease
 * claiming the same name gets no A or PTR record and is counted (`stats.conflicts`) and reported
 * through `onConflict`. When the holder's lease ends or the holder renames, the name passes to
 * the longest-waiting claimant. After a full reload the current holders keep their names; names
 * without one go to the earliest-created lease.
 */
export class ZoneIndex {
  readonly stats = { conflicts: 0, rebuilds: 0, events: 0 };
  revision = 0;
  private readonly networks = new Map<string, NetworkInfo>();
  private readonly leases = new Map<string, LeaseEntry>();
  private readonly records = new Map<string, StoredRecord>();
  private readonly zones = new Map<string, Zone>();
  private readonly nodes = new Map<string, NameNode>();
  /** Empty non-terminals (names with no data but names below them), with a reference count. */
  private readonly ents = new Map<string, number>();
  /** fqdn → lease keys claiming it; the first is the holder. */
  private readonly claims = new Map<string, string[]>();
  /** Network name → its RFC 2317 zone (prefixes longer than /24). */
  private readonly classless = new Map<string, string>();
  private readonly onConflict: NonNullable<ZoneIndexOptions['onConflict']>;

  constructor(opts: ZoneIndexOptions = {}) {
    this.onConflict = opts.onConflict ?? (() => {});
  }

  // ------------------------------------------------------------------ feeding

  apply(e: ZoneEvent): void {
    this.stats.events++;
    switch (e.t) {
      case 'leases-reset':
        this.networks.clear();
        for (const n of e.networks) this.networks.set(n.name, n);
        this.leases.clear();
        for (const l of e.leases) {
          const entry = this.entryOf(l);
          this.leases.set(entry.key, entry);
        }
        this.bump(e.revision);
        this.rebuild();
        return;
      case 'records-reset':
        this.records.clear();
        for (const r of e.records) this.records.set(recordKey(r.zone, r.id), r);
        this.bump(e.revision);
        this.rebuild();
        return;
      case 'network': {
        const prev = this.networks.get(e.network.name);
        this.networks.set(e.network.name, e.network);
        this.bump(e.revision);
        if (!prev || prev.domain !== e.network.domain || prev.cidr !== e.network.cidr) {
          // Lease entries carry the domain in their fqdn: recompute them.
          for (const [k, entry] of this.leases)
            if (entry.info.network === e.network.name) this.leases.set(k, this.entryOf(entry.info));
          this.rebuild();
        }
        return;
      }
      case 'network-deleted':
        if (!this.networks.delete(e.name)) return;
        for (const [k, entry] of this.leases) if (entry.info.network === e.name) this.leases.delete(k);
        this.bump(e.revision);
        this.rebuild();
        return;
      case 'lease':
        this.leasePut(e.lease);
        return;
      case 'lease-deleted':
        this.leaseDeleted(`${e.network}/${e.address}`, e.revision);
        return;
      case 'record': {
        const k = recordKey(e.record.zone, e.record.id);
        const prev = this.records.get(k);
        if (prev && prev.revision > e.record.revision) return;
        if (prev) this.detachRecord(prev);
        this.records.set(k, e.record);
        this.attachRecord(e.record);
        this.touch(this.zones.get(e.record.zone), e.record.revision);
        return;
      }
      case 'record-deleted': {
        const k = recordKey(e.zone, e.id);
        const prev = this.records.get(k);
        if (!prev) return;
        this.records.delete(k);
        this.detachRecord(prev);
        this.touch(this.zones.get(e.zone), e.revision);
        return;
      }
    }
  }

  private bump(revision: number): void {
    if (revision > this.revision) this.revision = revision;
  }

  private entryOf(l: LeaseInfo): LeaseEntry {
    const net = this.networks.get(l.network);
    const label = sanitizeHostname(l.hostname);
    // DHCP hostnames arrive sanitised; API ones may not: the index keeps to one RFC 1123 label.
    const named = net !== undefined && l.state === 'bound' && label !== '';
    return { info: l, key: `${l.network}/${l.address}`, fqdn: named ? `${label}.${net.domain}` : '' };
  }

  private leasePut(l: LeaseInfo): void {
    const entry = this.entryOf(l);
    const prev = this.leases.get(entry.key);
    this.bump(l.revision);
    if (prev && prev.fqdn === entry.fqdn) {
      // Renewal or move: same name, same place in the queue; refresh what the records carry.
      this.leases.set(entry.key, entry);
      if (entry.fqdn && this.claims.get(entry.fqdn)?.[0] === entry.key) {
        this.detachLease(prev);
        this.attachLease(entry);
      }
      return;
    }
    if (prev) this.dropLease(prev, l.revision);
    this.leases.set(entry.key, entry);
    if (entry.fqdn) this.claim(entry, true);
  }

  private leaseDeleted(key: string, revision: number): void {
    const prev = this.leases.get(key);
    if (!prev) return;
    this.bump(revision);
    this.dropLease(prev, revision);
  }

  private dropLease(entry: LeaseEntry, revision: number): void {
    this.leases.delete(entry.key);
    if (!entry.fqdn) return;
    const list = this.claims.get(entry.fqdn);
    if (!list) return;
    const i = list.indexOf(entry.key);
    if (i < 0) return;
    list.splice(i, 1);
    if (i === 0) {
      this.detachLease(entry);
      const next = list[0] !== undefined ? this.leases.get(list[0]) : undefined;
      if (next) this.attachLease(next);
    }
    if (list.length === 0) this.claims.delete(entry.fqdn);
    this.touchLease(entry, revision);
  }

  private claim(entry: LeaseEntry, report: boolean): void {
    const list = this.claims.get(entry.fqdn);
    if (!list) {
      this.claims.set(entry.fqdn, [entry.key]);
      this.attachLease(entry);
      this.touchLease(entry, entry.info.revision);
      return;
    }
    list.push(entry.key);
    this.stats.conflicts++;
    if (report) this.onConflict({ name: entry.fqdn, holder: list[0] as string, newcomer: entry.key });
  }

  /** Gives the holder its A record, its PTR and (classless networks) the parent zone's CNAME. */
  private attachLease(entry: LeaseEntry): void {
    const l = entry.info;
    const net = this.networks.get(l.network);
    const ip = parseIPv4(l.address);
    if (!net || ip === undefined) return;
    const fwd = this.zones.get(net.domain);
    if (fwd) {
      const rdata = Buffer.from([ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255]);
      this.addDerived(entry.fqdn, fwd, {
        key: entry.key,
        type: RRType.A,
        rdata,
        expiresAtMs: l.expiresAtMs,
        target: undefined,
      });
    }
    const classless = this.classless.get(net.name);
    const rev = reverseName(l.address);
    const ptrOwner = classless ? classlessName(l.address, classless) : rev;
    const ptrZone = this.findZone(ptrOwner);
    if (ptrZone)
      this.addDerived(ptrOwner, ptrZone, {
        key: entry.key,
        type: RRType.PTR,
        rdata: encodeName(entry.fqdn),
        expiresAtMs: l.expiresAtMs,
        target: undefined,
      });
    if (classless) {
      const parentZone = this.findZone(rev);
      if (parentZone)
        this.addDerived(rev, parentZone, {
          key: entry.key,
          type: RRType.CNAME,
          rdata: encodeName(ptrOwner),
          expiresAtMs: l.expiresAtMs,
          target: ptrOwner,
        });
    }
  }

  private detachLease(entry: LeaseEntry): void {
    const key = entry.key;
    const l = entry.info;
    const candidates = [entry.fqdn, reverseName(l.address)];
    const classless = this.classless.get(l.network);
    if (classless) candidates.push(classlessName(l.address, classless));
    for (const name of candidates) {
      const node = this.nodes.get(name);
      if (!node) continue;
      const before = node.derived.length;
      node.derived = node.derived.filter((d) => d.key !== key);
      if (node.derived.length !== before) this.pruneNode(node);
    }
  }

  private touchLease(entry: LeaseEntry, revision: number): void {
    const net = this.networks.get(entry.info.network);
    if (!net) return;
    this.touch(this.zones.get(net.domain), revision);
    this.touch(this.findZone(reverseName(entry.info.address)), revision);
  }

  private attachRecord(r: StoredRecord): void {
    const zone = this.zones.get(r.zone);
    if (!zone) return;
    const owner = ownerName(r.zone, r.name);
    const node = this.node(owner, zone);
    const type = TYPE_CODES[r.type];
    let set = node.api.get(type);
    if (!set) {
      set = [];
      node.api.set(type, set);
    }
    set.push({
      id: r.id,
      ttl: r.ttl,
      rdata: encodeRdata(r),
      target: r.type === 'CNAME' ? targetOf(r) : undefined,
    });
  }

  private detachRecord(r: StoredRecord): void {
    const node = this.nodes.get(ownerName(r.zone, r.name));
    if (!node) return;
    const type = TYPE_CODES[r.type];
    const set = node.api.get(type)?.filter((d) => d.id !== r.id);
    if (set && set.length > 0) node.api.set(type, set);
    else node.api.delete(type);
    this.pruneNode(node);
  }

  // ------------------------------------------------------------------ structure

  private rebuild(): void {
    this.stats.rebuilds++;
    const holders = new Set<string>();
    for (const list of this.claims.values()) if (list[0]) holders.add(list[0]);
    this.zones.clear();
    this.nodes.clear();
    this.ents.clear();
    this.claims.clear();
    this.classless.clear();
    const nets = [...this.networks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const net of nets) {
      this.addZone(net.domain, net);
      let rz: ReturnType<typeof reverseZones>;
      try {
        rz = reverseZones(net.cidr);
      } catch {
        continue;
      }
      for (const z of rz.zones) this.addZone(z, net);
      if (rz.classless) this.classless.set(net.name, rz.classless);
    }
    for (const r of this.records.values()) this.attachRecord(r);
    const entries = [...this.leases.values()].filter((e) => e.fqdn !== '');
    entries.sort((a, b) => {
      const ha = holders.has(a.key) ? 0 : 1;
      const hb = holders.has(b.key) ? 0 : 1;
      if (ha !== hb) return ha - hb;
      if (a.info.createdAtMs !== b.info.createdAtMs) return a.info.createdAtMs - b.info.createdAtMs;
      return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    });
    const before = this.stats.conflicts;
    for (const e of entries) this.claim(e, true);
    // A reload re-reports standing conflicts but does not count them twice.
    this.stats.conflicts = before;
    for (const z of this.zones.values()) this.setSerial(z, this.revision);
  }

  private addZone(name: string, net: NetworkInfo): void {
    let z = this.zones.get(name);
    if (!z) {
      const wire = encodeName(name);
      z = {
        name,
        wire,
        domain: net.domain,
        networks: new Set(),
        serial: 0,
        soa: { owner: wire, type: RRType.SOA, ttl: SOA_TTL, rdata: Buffer.alloc(0) },
        ns: { owner: wire, type: RRType.NS, ttl: SOA_TTL, rdata: encodeName(`ns.${net.domain}`) },
        negative: { owner: wire, type: RRType.SOA, ttl: NEGATIVE_TTL, rdata: Buffer.alloc(0) },
      };
      this.zones.set(name, z);
    }
    z.networks.add(net.name);
  }

  private setSerial(z: Zone, revision: number): void {
    z.serial = revision;
    const mname = encodeName(`ns.${z.domain}`);
    const rname = encodeName(`hostmaster.${z.domain}`);
    const nums = Buffer.alloc(20);
    nums.writeUInt32BE(revision % 2 ** 32, 0);
    nums.writeUInt32BE(3600, 4); // refresh
    nums.writeUInt32BE(600, 8); // retry
    nums.writeUInt32BE(86_400, 12); // expire
    nums.writeUInt32BE(NEGATIVE_TTL, 16); // minimum: the negative-caching TTL
    const rdata = Buffer.concat([mname, rname, nums]);
    z.soa = { ...z.soa, rdata };
    z.negative = { ...z.negative, rdata };
  }

  private touch(z: Zone | undefined, revision: number): void {
    if (z && revision > z.serial) this.setSerial(z, revision);
  }

  private node(name: string, zone: Zone): NameNode {
    let n = this.nodes.get(name);
    if (n) return n;
    n = { name, wire: encodeName(name), zone, api: new Map(), derived: [] };
    this.nodes.set(name, n);
    for (let p = parentName(name); p.length > zone.name.length; p = parentName(p))
      this.ents.set(p, (this.ents.get(p) ?? 0) + 1);
    return n;
  }

  private pruneNode(n: NameNode): void {
    if (n.api.size > 0 || n.derived.length > 0) return;
    this.nodes.delete(n.name);
    for (let p = parentName(n.name); p.length > n.zone.name.length; p = parentName(p)) {
      const c = (this.ents.get(p) ?? 1) - 1;
      if (c <= 0) this.ents.delete(p);
      else this.ents.set(p, c);
    }
  }

  private addDerived(name: string, zone: Zone, d: Derived): void {
    this.node(name, zone).derived.push(d);
  }

  /** The zone a name falls in (the longest zone name that is a suffix of it), if ours. */
  findZone(name: string): Zone | undefined {
    for (let n = name; ; ) {
      const z = this.zones.get(n);
      if (z) return z;
      const dot = n.indexOf('.');
      if (dot < 0) return undefined;
      n = n.slice(dot + 1);
    }
  }

  hasZone(name: string): boolean {
    return this.zones.has(name);
  }

  /** Every zone served, sorted. */
  zoneNames(): string[] {
    return [...this.zones.keys()].sort();
  }

  /** Network names and CIDRs (for the recursion ACL's `networks` entry). */
  networkCidrs(): string[] {
    return [...this.networks.values()].map((n) => n.cidr);
  }

  // ------------------------------------------------------------------ answering

  /**
   * The authoritative answer for (name, qtype), or undefined when the name is in none of our
   * zones (the caller forwards or refuses). `name` is lower-case without the trailing dot.
   */
  lookup(name: string, qtype: number, now = Date.now()): Answer | undefined {
    const direct = this.nodes.get(name);
    const zone = direct ? direct.zone : this.findZone(name);
    if (!zone) return undefined;
    const ans: Answer = { rcode: RCode.NoError, authoritative: true, answer: [], authority: [] };
    nearExpiry = false;
    const out = this.lookupFrom(name, direct, zone, qtype, now, ans);
    // Unchanged for the next second unless the index changes: no lease record it looked at
    // was close enough to expiry for its TTL or its liveness to change within that second.
    out.stableForMs = nearExpiry ? 0 : STABLE_MS;
    return out;
  }

  private lookupFrom(
    name: string,
    direct: NameNode | undefined,
    zone: Zone,
    qtype: number,
    now: number,
    ans: Answer,
  ): Answer {
    let cur = name;
    let curZone = zone;
    let owner: Buffer | undefined; // undefined: the query name
    let node = direct;
    // Allocated only when a CNAME is followed: most answers are one step.
    let seen: Set<string> | undefined;
    for (let hop = 0; hop <= MAX_CHAIN; hop++) {
      const next = this.answerAt(cur, node, owner, curZone, qtype, now, ans);
      if (next === undefined) return ans;
      seen ??= new Set<string>();
      if (seen.has(next)) return ans;
      seen.add(cur);
      const nz = this.findZone(next);
      // A target outside our zones: the resolver chases it.
      if (!nz) return ans;
      cur = next;
      curZone = nz;
      node = this.nodes.get(next);
      owner = node?.wire ?? encodeName(next);
    }
    return ans;
  }

  /** Adds what `cur` has for qtype to `ans`; returns a CNAME target to follow, if any. */
  private answerAt(
    cur: string,
    found: NameNode | undefined,
    owner: Buffer | undefined,
    zone: Zone,
    qtype: number,
    now: number,
    ans: Answer,
  ): string | undefined {
    let node = found;
    if (node && !hasData(node, now)) node = undefined;
    const apex = cur === zone.name;
    if (!node && !apex) {
      if (this.ents.has(cur)) {
        ans.authority.push(zone.negative);
        return undefined;
      }
      node = this.wildcard(cur, zone, now);
      if (!node) {
        ans.rcode = RCode.NXDomain;
        ans.authority.push(zone.negative);
        return undefined;
      }
    }
    if (node && qtype !== RRType.CNAME) {
      const cname = cnameOf(node, now);
      if (cname) {
        ans.answer.push({ owner, type: RRType.CNAME, ttl: cname.ttl, rdata: cname.rdata });
        return qtype === RRType.ANY ? undefined : cname.target;
      }
    }
    const before = ans.answer.length;
    if (apex) {
      if (qtype === RRType.SOA || qtype === RRType.ANY) ans.answer.push({ ...zone.soa, owner });
      if (qtype === RRType.NS || qtype === RRType.ANY) ans.answer.push({ ...zone.ns, owner });
    }
    if (node) collect(node, qtype, owner, now, ans.answer);
    if (ans.answer.length === before) ans.authority.push(zone.negative);
    return undefined;
  }

  /** RFC 4592: the wildcard at the closest encloser of a name that does not exist. */
  private wildcard(name: string, zone: Zone, now: number): NameNode | undefined {
    let p = parentName(name);
    while (p.length > zone.name.length && !this.ents.has(p)) {
      const n = this.nodes.get(p);
      if (n && hasData(n, now)) break;
      p = parentName(p);
    }
    const w = this.nodes.get(`*.${p}`);
    return w && hasData(w, now) ? w : undefined;
  }

  // ------------------------------------------------------------------ listing

  /** API records of a zone (filtered), and the lease-derived ones when asked. */
  list(zone: string, opts: { name?: string; type?: string; includeLeases?: boolean } = {}): ListedRecord[] {
    const out: ListedRecord[] = [];
    for (const r of this.records.values()) {
      if (r.zone !== zone) continue;
      if (opts.name && r.name !== opts.name) continue;
      if (opts.type && r.type !== opts.type) continue;
      out.push({
        id: r.id,
        zone: r.zone,
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        data: r.data,
        revision: r.revision,
      });
    }
    if (opts.includeLeases) {
      const now = Date.now();
      for (const node of this.nodes.values()) {
        if (node.zone.name !== zone) continue;
        const rel = node.name === zone ? '@' : node.name.slice(0, -(zone.length + 1));
        if (opts.name && rel !== opts.name) continue;
        for (const d of node.derived) {
          if (!live(d, now)) continue;
          const type = d.type === RRType.A ? 'A' : d.type === RRType.PTR ? 'PTR' : 'CNAME';
          if (opts.type && type !== opts.type) continue;
          const entry = this.leases.get(d.key);
          out.push({
            id: `lease:${d.key}`,
            zone,
            name: rel,
            type,
            ttl: ttlOf(d, now),
            data:
              d.type === RRType.A
                ? Array.from(d.rdata).join('.')
                : `${d.type === RRType.PTR ? (entry?.fqdn ?? '') : (d.target ?? '')}.`,
            revision: entry?.info.revision ?? 0,
          });
        }
      }
    }
    out.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
    );
    return out;
  }

  /**
   * The index's whole input as two reset events: replayed into an empty index (another
   * process's), they rebuild the same zones.
   */
  exportEvents(): ZoneEvent[] {
    return [
      {
        t: 'leases-reset',
        revision: this.revision,
        networks: [...this.networks.values()],
        leases: [...this.leases.values()].map((e) => e.info),
      },
      { t: 'records-reset', revision: this.revision, records: [...this.records.values()] },
    ];
  }

  /** The stored record with this id in this zone. */
  record(zone: string, id: string): StoredRecord | undefined {
    return this.records.get(recordKey(zone, id));
  }
}

function recordKey(zone: string, id: string): string {
  return `${zone}\n${id}`;
}

/** How long an answer may be reused when nothing in the index changes (see `Answer.stableForMs`). */
const STABLE_MS = 1000;
/**
 * Set while a lookup runs when a lease record it reads expires soon enough that its TTL (capped
 * at LEASE_RECORD_TTL) or its liveness could differ within STABLE_MS. Lookups are synchronous,
 * so one flag per module (per thread) is enough.
 */
let nearExpiry = false;

function live(d: Derived, now: number): boolean {
  if (d.expiresAtMs === 0) return true;
  if (d.expiresAtMs - now < (LEASE_RECORD_TTL + 2) * 1000) nearExpiry = true;
  return d.expiresAtMs - now >= 1000;
}

function ttlOf(d: Derived, now: number): number {
  if (d.expiresAtMs === 0) return LEASE_RECORD_TTL;
  if (d.expiresAtMs - now < (LEASE_RECORD_TTL + 2) * 1000) nearExpiry = true;
  return Math.min(LEASE_RECORD_TTL, Math.floor((d.expiresAtMs - now) / 1000));
}

function hasData(n: NameNode, now: number): boolean {
  if (n.api.size > 0) return true;
  for (const d of n.derived) if (live(d, now)) return true;
  return false;
}

function cnameOf(n: NameNode, now: number): { ttl: number; rdata: Buffer; target: string } | undefined {
  const api = n.api.get(RRType.CNAME)?.[0];
  if (api?.target !== undefined) return { ttl: api.ttl, rdata: api.rdata, target: api.target };
  for (const d of n.derived)
    if (d.type === RRType.CNAME && d.target !== undefined && live(d, now))
      return { ttl: ttlOf(d, now), rdata: d.rdata, target: d.target };
  return undefined;
}

function collect(
  n: NameNode,
  qtype: number,
  owner: Buffer | undefined,
  now: number,
  out: WireRecord[],
): void {
  const any = qtype === RRType.ANY;
  for (const [type, set] of n.api) {
    if (!any && type !== qtype) continue;
    // RFC 2181 §5.2: one TTL per RRset.
    let ttl = set[0]?.ttl ?? 0;
    for (const d of set) if (d.ttl < ttl) ttl = d.ttl;
    for (const d of set) out.push({ owner, type, ttl, rdata: d.rdata });
  }
  for (const d of n.derived) {
    if (d.type === RRType.CNAME) continue;
    if (!any && d.type !== qtype) continue;
    // API data at a name shadows the lease-derived data of the same type.
    if (n.api.has(d.type)) continue;
    if (!live(d, now)) continue;
    out.push({ owner, type: d.type, ttl: ttlOf(d, now), rdata: d.rdata });
  }
}
