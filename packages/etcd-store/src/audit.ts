import { cidrContains, parseCidr, parseIPv4 } from '@netspan/ipam';
import type { ICompare, IRequestOp } from 'etcd3';
import { decodeLease, decodeNetwork, decodeReservation } from './codec.js';
import type { Keys, ParsedKey } from './keys.js';
import { createIs0, del, modIs, put, valueIs } from './txn-ops.js';

/**
 * The online audit: checks the stored state for inconsistencies that the transactions
 * should never let happen (a hand edit, a restored backup, a bug), from keys read at one
 * etcd revision without locks. Each finding may carry a repair: one transaction whose
 * compares hold only if every key it judged is still at the revision the audit read, so a
 * repair can never undo a change made after the read.
 */

/** What is wrong; the names are part of the API (AuditFinding.kind). */
export type AuditKind =
  /** A lease whose address is not inside its network's CIDR. */
  | 'lease-outside-cidr'
  /** A lease under a network that does not exist. */
  | 'lease-without-network'
  /** A client index key (`clients/<net>/<id>`) whose client holds no lease. */
  | 'orphan-client-index'
  /** A lease whose client index is missing or points elsewhere. */
  | 'lease-without-index'
  /** A reservation whose address another client holds, or that another MAC also reserves. */
  | 'reservation-conflict'
  /** A reservation without its `reserved/<net>/<ip>` index key. */
  | 'reservation-without-index'
  /** A `reserved/<net>/<ip>` key without the reservation it indexes. */
  | 'orphan-reserved-index'
  /** A value that cannot be decoded. */
  | 'corrupt-value'
  /** A host agent's plumbing (as it reported it) that disagrees with the desired state. */
  | 'agent-drift';

export interface AuditFinding {
  kind: AuditKind;
  /** The etcd key concerned, relative to the prefix. */
  key: string;
  detail: string;
  /** True once the repair transaction succeeded. */
  fixed: boolean;
}

/** A finding and, when the audit can repair it safely, the conditional transaction that does. */
export interface PlannedFinding extends AuditFinding {
  repair?: { compare: ICompare[]; success: IRequestOp[] };
}

/** One key as the audit read it. */
export interface AuditKv {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
}

/** Every key the audit looks at, read at `revision`. */
export interface AuditSnapshot {
  revision: number;
  kvs: Array<{ kv: AuditKv; parsed: ParsedKey }>;
}

/** The key prefixes an audit of `network` (or of everything) reads. */
export function auditRanges(keys: Keys, network?: string): Array<{ prefix: string; exact?: boolean }> {
  if (network !== undefined) {
    return [
      { prefix: keys.network(network), exact: true },
      { prefix: keys.leases(network) },
      { prefix: keys.clients(network) },
      { prefix: keys.reservations(network) },
      { prefix: keys.reservedAddresses(network) },
    ];
  }
  return [
    { prefix: keys.networks() },
    { prefix: keys.leases() },
    { prefix: `${keys.prefix}clients/` },
    { prefix: `${keys.prefix}reservations/` },
    { prefix: `${keys.prefix}reserved/` },
  ];
}

/** Judges a snapshot: pure, so the same state always gives the same findings. */
export function planAudit(keys: Keys, snap: AuditSnapshot): PlannedFinding[] {
  const rel = (key: string) => key.slice(keys.prefix.length);
  const findings: PlannedFinding[] = [];
  const corrupt = (kv: AuditKv, what: string) =>
    findings.push({
      kind: 'corrupt-value',
      key: rel(kv.key),
      detail: `the ${what} cannot be decoded; inspect it with etcdctl get ${kv.key}`,
      fixed: false,
    });

  const networks = new Map<string, { kv: AuditKv; cidr: ReturnType<typeof parseCidr> | undefined }>();
  const leases: Array<{ kv: AuditKv; network: string; address: string; clientId: string; mac: string }> = [];
  const clients = new Map<string, { kv: AuditKv; address: string; clientId: string }>();
  const reservations: Array<{ kv: AuditKv; network: string; mac: string; address: string }> = [];
  const reserved = new Map<string, { kv: AuditKv; mac: string }>();
  const at = (network: string, x: string) => `${network}\u0000${x}`;

  for (const { kv, parsed } of snap.kvs) {
    switch (parsed.kind) {
      case 'network': {
        const n = decodeNetwork(kv.value, kv.modRevision, kv.createRevision);
        if (!n) corrupt(kv, 'network');
        let cidr: ReturnType<typeof parseCidr> | undefined;
        try {
          cidr = n ? parseCidr(n.network.cidr, 'cidr') : undefined;
        } catch {
          cidr = undefined;
        }
        networks.set(parsed.network, { kv, cidr });
        break;
      }
      case 'lease': {
        const l = decodeLease(parsed.network, parsed.address, kv.value, kv.modRevision);
        if (!l) corrupt(kv, 'lease');
        else leases.push({ kv, network: l.network, address: l.address, clientId: l.clientId, mac: l.mac });
        break;
      }
      case 'client':
        clients.set(at(parsed.network, parsed.clientId), {
          kv,
          address: kv.value.toString(),
          clientId: parsed.clientId,
        });
        break;
      case 'reservation': {
        const r = decodeReservation(parsed.network, kv.value, kv.modRevision);
        if (!r) corrupt(kv, 'reservation');
        else reservations.push({ kv, network: parsed.network, mac: parsed.mac, address: r.address });
        break;
      }
      case 'reserved':
        reserved.set(at(parsed.network, parsed.address), { kv, mac: kv.value.toString() });
        break;
      default:
        break;
    }
  }

  const leaseAt = new Map(leases.map((l) => [at(l.network, l.address), l]));
  const addressesOf = new Map<string, string[]>();
  for (const l of leases) {
    const k = at(l.network, l.clientId);
    addressesOf.set(k, [...(addressesOf.get(k) ?? []), l.address]);
  }
  /** Compare that `key` is as read: at its mod revision, or still absent. */
  const unchanged = (key: string, kv: AuditKv | undefined): ICompare =>
    kv ? modIs(key, kv.modRevision) : createIs0(key);
  /** Deletes a lease as the store does: the index goes only if it still points at it. */
  const deleteLease = (l: (typeof leases)[number]): IRequestOp[] => {
    const ck = keys.client(l.network, l.clientId);
    return [
      del(l.kv.key),
      { request_txn: { compare: [valueIs(ck, l.address)], success: [del(ck)], failure: [] } },
    ];
  };

  for (const l of leases) {
    const net = networks.get(l.network);
    const netKey = keys.network(l.network);
    if (!net) {
      findings.push({
        kind: 'lease-without-network',
        key: rel(l.kv.key),
        detail: `client ${l.clientId} holds ${l.address} in network ${l.network}, which does not exist`,
        fixed: false,
        repair: { compare: [modIs(l.kv.key, l.kv.modRevision), createIs0(netKey)], success: deleteLease(l) },
      });
      continue;
    }
    const ip = parseIPv4(l.address);
    if (net.cidr && (ip === undefined || !cidrContains(net.cidr, ip))) {
      findings.push({
        kind: 'lease-outside-cidr',
        key: rel(l.kv.key),
        detail: `client ${l.clientId} holds ${l.address}, outside ${l.network}'s ${net.cidr.text}`,
        fixed: false,
        repair: {
          compare: [modIs(l.kv.key, l.kv.modRevision), modIs(netKey, net.kv.modRevision)],
          success: deleteLease(l),
        },
      });
      continue;
    }
    const ck = keys.client(l.network, l.clientId);
    const index = clients.get(at(l.network, l.clientId));
    if (index?.address === l.address) continue;
    if (!index) {
      findings.push({
        kind: 'lease-without-index',
        key: rel(l.kv.key),
        detail: `client ${l.clientId} holds ${l.address} but ${rel(ck)} is missing`,
        fixed: false,
        repair: {
          compare: [modIs(l.kv.key, l.kv.modRevision), createIs0(ck)],
          success: [put(ck, l.address)],
        },
      });
    } else if ((addressesOf.get(at(l.network, l.clientId)) ?? []).includes(index.address)) {
      findings.push({
        kind: 'lease-without-index',
        key: rel(l.kv.key),
        detail:
          `client ${l.clientId} holds two leases, ${index.address} (indexed) and ${l.address}; ` +
          `release one: netspanctl lease release ${l.network} ${l.address} --force`,
        fixed: false,
      });
    } else {
      const pointed = keys.lease(l.network, index.address);
      findings.push({
        kind: 'lease-without-index',
        key: rel(l.kv.key),
        detail: `client ${l.clientId} holds ${l.address} but ${rel(ck)} points at ${index.address}`,
        fixed: false,
        repair: {
          compare: [
            modIs(l.kv.key, l.kv.modRevision),
            modIs(ck, index.kv.modRevision),
            unchanged(pointed, leaseAt.get(at(l.network, index.address))?.kv),
          ],
          success: [put(ck, l.address)],
        },
      });
    }
  }

  for (const [k, index] of clients) {
    if (addressesOf.has(k)) continue;
    const network = (keys.parse(index.kv.key) as { network: string }).network;
    const lk = keys.lease(network, index.address);
    const holder = leaseAt.get(at(network, index.address));
    findings.push({
      kind: 'orphan-client-index',
      key: rel(index.kv.key),
      detail: holder
        ? `points at ${index.address}, which client ${holder.clientId} holds`
        : `points at ${index.address}, which no lease holds`,
      fixed: false,
      repair: {
        // The client must still have no lease there, and the index be as read.
        compare: [modIs(index.kv.key, index.kv.modRevision), unchanged(lk, holder?.kv)],
        success: [del(index.kv.key)],
      },
    });
  }

  const reservedFor = new Map<string, string>();
  for (const r of reservations) {
    reservedFor.set(at(r.network, r.address), r.mac);
    const rk = keys.reservedAddress(r.network, r.address);
    const index = reserved.get(at(r.network, r.address));
    if (!index) {
      findings.push({
        kind: 'reservation-without-index',
        key: rel(r.kv.key),
        detail: `MAC ${r.mac} reserves ${r.address} but ${rel(rk)} is missing, so claims do not see it`,
        fixed: false,
        repair: { compare: [modIs(r.kv.key, r.kv.modRevision), createIs0(rk)], success: [put(rk, r.mac)] },
      });
    } else if (index.mac !== r.mac) {
      findings.push({
        kind: 'reservation-conflict',
        key: rel(r.kv.key),
        detail:
          `MAC ${r.mac} reserves ${r.address}, which is also reserved for MAC ${index.mac}; ` +
          `remove one: netspanctl reservation remove ${r.network} MAC`,
        fixed: false,
      });
    }
    const holder = leaseAt.get(at(r.network, r.address));
    if (holder && holder.mac !== r.mac) {
      findings.push({
        kind: 'reservation-conflict',
        key: rel(r.kv.key),
        detail:
          `MAC ${r.mac} reserves ${r.address}, but client ${holder.clientId} (MAC ${holder.mac || '-'}) holds it; ` +
          `the audit never takes an address away: release it with ` +
          `netspanctl lease release ${r.network} ${r.address} --force, or move the reservation`,
        fixed: false,
      });
    }
  }

  for (const [k, index] of reserved) {
    if (reservedFor.has(k)) continue;
    const parsed = keys.parse(index.kv.key) as { network: string; address: string };
    const mk = keys.reservation(parsed.network, index.mac);
    const reservation = reservations.find((r) => r.network === parsed.network && r.mac === index.mac);
    findings.push({
      kind: 'orphan-reserved-index',
      key: rel(index.kv.key),
      detail: reservation
        ? `says ${parsed.address} is reserved for MAC ${index.mac}, whose reservation is ${reservation.address}`
        : `says ${parsed.address} is reserved for MAC ${index.mac}, which has no reservation`,
      fixed: false,
      repair: {
        compare: [modIs(index.kv.key, index.kv.modRevision), unchanged(mk, reservation?.kv)],
        success: [del(index.kv.key)],
      },
    });
  }
  return findings;
}
