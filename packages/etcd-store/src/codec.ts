import type {
  Lease,
  Network,
  Reservation,
  StoredLease,
  StoredNetwork,
  StoredReservation,
} from '@netspan/ipam';

/**
 * JSON values as stored in etcd. The network and address of a lease come from its key,
 * not its value, so a copied or corrupted value can never claim another key's address.
 * Decoders return undefined for values they cannot read (counted by the caller), never throw.
 */
export function encodeLease(l: Lease): string {
  return JSON.stringify({
    clientId: l.clientId,
    mac: l.mac,
    hostname: l.hostname,
    state: l.state,
    location: l.location,
    createdAtMs: l.createdAtMs,
    updatedAtMs: l.updatedAtMs,
    expiresAtMs: l.expiresAtMs,
    pool: l.pool,
  });
}

export function decodeLease(
  network: string,
  address: string,
  value: Buffer | string,
  revision: number,
): StoredLease | undefined {
  const v = parse(value);
  if (!v || typeof v.clientId !== 'string') return undefined;
  const loc = (v.location ?? {}) as Record<string, unknown>;
  return {
    network,
    address,
    clientId: v.clientId,
    mac: str(v.mac),
    hostname: str(v.hostname),
    state: (['offered', 'bound', 'declined', 'expired'].includes(v.state as string)
      ? v.state
      : 'bound') as Lease['state'],
    location: { host: str(loc.host), via: str(loc.via) },
    createdAtMs: num(v.createdAtMs),
    updatedAtMs: num(v.updatedAtMs),
    expiresAtMs: num(v.expiresAtMs),
    pool: str(v.pool),
    revision,
  };
}

export function encodeNetwork(n: Network): string {
  return JSON.stringify(n);
}

export function decodeNetwork(
  value: Buffer | string,
  revision: number,
  createRevision: number,
): StoredNetwork | undefined {
  const v = parse(value);
  if (!v || typeof v.name !== 'string' || typeof v.cidr !== 'string' || !Array.isArray(v.pools))
    return undefined;
  // Fields added after a network was stored get their defaults.
  const network = { relayAddresses: [], ...v } as unknown as Network;
  return { network, revision, createRevision };
}

export function encodeReservation(r: Reservation): string {
  return JSON.stringify({ mac: r.mac, address: r.address, hostname: r.hostname, description: r.description });
}

export function decodeReservation(
  network: string,
  value: Buffer | string,
  revision: number,
): StoredReservation | undefined {
  const v = parse(value);
  if (!v || typeof v.mac !== 'string' || typeof v.address !== 'string') return undefined;
  return {
    network,
    mac: v.mac,
    address: v.address,
    hostname: str(v.hostname),
    description: str(v.description),
    revision,
  };
}

function parse(value: Buffer | string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
