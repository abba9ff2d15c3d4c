import { invalid } from './errors.js';

/** Every state a lease can be in. */
export const LEASE_STATES = ['offered', 'bound', 'declined', 'expired'] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

export interface Location {
  /** Agent host id; empty for API allocations and external relays. */
  host: string;
  /** "api", "agent" or "relay:<giaddr>". */
  via: string;
}

/** One address held by one client (`leases/<network>/<address>` in etcd). */
export interface Lease {
  network: string;
  address: string;
  clientId: string;
  mac: string;
  hostname: string;
  state: LeaseState;
  location: Location;
  createdAtMs: number;
  updatedAtMs: number;
  /** 0 = never expires. */
  expiresAtMs: number;
  /** Pool the address came from; empty when outside every pool. */
  pool: string;
}

/** A lease plus the etcd mod revision it was read at. */
export interface StoredLease extends Lease {
  revision: number;
}

/** A fixed address for a MAC (`reservations/<network>/<mac>`). */
export interface Reservation {
  network: string;
  mac: string;
  address: string;
  hostname: string;
  description: string;
}
export interface StoredReservation extends Reservation {
  revision: number;
}

const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;

/** Client identities are 1..255 printable ASCII characters without spaces. */
export function validateClientId(id: string, field = 'client_id'): string {
  if (!CLIENT_ID.test(id)) {
    throw invalid(
      field,
      `${JSON.stringify(id.slice(0, 40))} is not 1-255 printable ASCII characters without spaces`,
    );
  }
  return id;
}

/** Normalises a MAC to lower-case `aa:bb:cc:dd:ee:ff`; accepts ':' or '-' separators. */
export function normalizeMac(mac: string, field = 'mac'): string {
  const m =
    /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(
      mac,
    );
  if (!m)
    throw invalid(field, `${JSON.stringify(mac.slice(0, 40))} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}

/**
 * Turns whatever a client called itself into one RFC 1123 label, or '' when nothing
 * usable is left. Only the first label of a dotted name is kept (the zone is ours, not
 * the client's); anything outside [a-z0-9-] becomes '-', runs of '-' collapse, and
 * leading/trailing '-' go. The result is at most 63 characters.
 */
export function sanitizeHostname(raw: string): string {
  const first = raw.split('.')[0] ?? '';
  const label = first
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label;
}

export function isLive(lease: Lease, now = Date.now()): boolean {
  return lease.expiresAtMs === 0 || lease.expiresAtMs > now;
}

/** A bound, never-expiring lease with empty optional fields, then `extra` on top (tests, tools). */
export function newLease(
  network: string,
  address: string,
  clientId: string,
  extra: Partial<Lease> = {},
): Lease {
  return {
    network,
    address,
    clientId,
    mac: '',
    hostname: '',
    state: 'bound',
    location: { host: '', via: 'api' },
    createdAtMs: 1,
    updatedAtMs: 1,
    expiresAtMs: 0,
    pool: 'pool0',
    ...extra,
  };
}
