import { createHash } from 'node:crypto';
import { invalid, isDnsName } from '@netspan/ipam';
import { canonicalIPv4, formatIPv6, parseIPv6 } from './names.js';
import { encodeName, RRType } from './wire.js';

/** Record types the API manages. Lease-derived A and PTR records are never stored as records. */
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'SRV', 'TXT', 'MX', 'PTR'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const TYPE_CODES: Record<RecordType, number> = {
  A: RRType.A,
  AAAA: RRType.AAAA,
  CNAME: RRType.CNAME,
  SRV: RRType.SRV,
  TXT: RRType.TXT,
  MX: RRType.MX,
  PTR: RRType.PTR,
};

/** TTL of an API record given none (the contract's "0 = 300"). */
export const DEFAULT_RECORD_TTL = 300;
const MAX_TTL = 2_147_483_647;
const MAX_TXT = 4000;

/**
 * An API-managed record (`records/<zone>/<name>/<type>/<id>` in etcd). `name` is relative to
 * `zone`: `@` is the apex, `*` or `*.dev` a wildcard. `data` is in canonical presentation form.
 */
export interface DnsRecord {
  zone: string;
  name: string;
  type: RecordType;
  ttl: number;
  data: string;
}

export interface StoredRecord extends DnsRecord {
  /** Derived from name, type and data: the same record always has the same id. */
  id: string;
  revision: number;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

function validName(rel: string): boolean {
  if (rel === '@' || rel === '*') return true;
  const labels = rel.split('.');
  return labels.every((l, i) => (i === 0 && l === '*') || LABEL.test(l));
}

/** `www` in `blue.netspan.internal` → `www.blue.netspan.internal`; `@` is the zone itself. */
export function ownerName(zone: string, name: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}

/** A target name in presentation form: absolute with a trailing dot, else relative to the zone. */
function targetName(field: string, raw: string, zone: string): string {
  const t = raw.trim().toLowerCase();
  if (t === '' || t === '.') throw invalid(field, 'a target name is required');
  const abs = t.endsWith('.') ? t.slice(0, -1) : t === '@' ? zone : `${t}.${zone}`;
  if (!isDnsName(abs) && !abs.split('.').every((l) => LABEL.test(l)))
    throw invalid(field, `${JSON.stringify(raw)} is not a DNS name`);
  if (abs.length > 253) throw invalid(field, `${JSON.stringify(raw)} is longer than 253 characters`);
  return `${abs}.`;
}

function uint16(field: string, s: string | undefined, what: string): number {
  if (s === undefined || !/^\d{1,5}$/.test(s) || Number(s) > 65535)
    throw invalid(field, `${what} must be an integer in 0..65535`);
  return Number(s);
}

/**
 * Validates and canonicalises a record as given to the API (throws INVALID_ARGUMENT naming
 * the field). `zone` must already be known to exist by the caller.
 */
export function normalizeRecord(input: {
  zone?: string;
  name?: string;
  type?: string;
  ttl?: number;
  data?: string;
}): DnsRecord {
  const zone = (input.zone ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (!zone) throw invalid('record.zone', 'is required');
  if (!isDnsName(zone) && !zone.split('.').every((l) => LABEL.test(l)))
    throw invalid('record.zone', `${JSON.stringify(input.zone)} is not a DNS name`);
  let name = (input.name ?? '').trim().toLowerCase();
  if (name === '') name = '@';
  if (name.endsWith(`.${zone}.`)) name = name.slice(0, -(zone.length + 2));
  else if (name === `${zone}.`) name = '@';
  if (!validName(name))
    throw invalid(
      'record.name',
      `${JSON.stringify(input.name)} is not a name relative to the zone (labels of a-z, 0-9, '-', '_'; '@' for the apex; '*' only as the first label)`,
    );
  if (ownerName(zone, name).length > 253)
    throw invalid('record.name', 'the full name is longer than 253 characters');
  const type = (input.type ?? '').toUpperCase() as RecordType;
  if (!RECORD_TYPES.includes(type)) throw invalid('record.type', `must be one of ${RECORD_TYPES.join(', ')}`);
  const ttlIn = input.ttl ?? 0;
  if (!Number.isInteger(ttlIn) || ttlIn < 0 || ttlIn > MAX_TTL)
    throw invalid('record.ttl', `${ttlIn} is not an integer in 0..${MAX_TTL}`);
  const ttl = ttlIn === 0 ? DEFAULT_RECORD_TTL : ttlIn;
  const raw = input.data ?? '';
  const field = 'record.data';
  let data: string;
  switch (type) {
    case 'A': {
      const a = canonicalIPv4(raw.trim());
      if (!a) throw invalid(field, `${JSON.stringify(raw)} is not an IPv4 address`);
      data = a;
      break;
    }
    case 'AAAA': {
      const b = parseIPv6(raw.trim());
      if (!b) throw invalid(field, `${JSON.stringify(raw)} is not an IPv6 address`);
      data = formatIPv6(b);
      break;
    }
    case 'CNAME':
    case 'PTR':
      data = targetName(field, raw, zone);
      break;
    case 'MX': {
      const parts = raw.trim().split(/\s+/);
      if (parts.length !== 2) throw invalid(field, 'MX data is "<preference> <exchange>"');
      data = `${uint16(field, parts[0], 'preference')} ${targetName(field, parts[1] as string, zone)}`;
      break;
    }
    case 'SRV': {
      const parts = raw.trim().split(/\s+/);
      if (parts.length !== 4) throw invalid(field, 'SRV data is "<priority> <weight> <port> <target>"');
      data = `${uint16(field, parts[0], 'priority')} ${uint16(field, parts[1], 'weight')} ${uint16(field, parts[2], 'port')} ${targetName(field, parts[3] as string, zone)}`;
      break;
    }
    case 'TXT': {
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes === 0) throw invalid(field, 'TXT data is required');
      if (bytes > MAX_TXT) throw invalid(field, `TXT data is ${bytes} bytes (at most ${MAX_TXT})`);
      data = raw;
      break;
    }
  }
  if (type === 'CNAME' && name === '@')
    throw invalid('record.name', 'a CNAME cannot sit at the zone apex (SOA and NS live there)');
  return { zone, name, type, ttl, data };
}

/** The stable id of a record: a digest of what it is, so creating it twice collides in etcd. */
export function recordId(r: DnsRecord): string {
  return createHash('sha256').update(`${r.name}\n${r.type}\n${r.data}`).digest('hex').slice(0, 16);
}

/** RDATA in wire form (names uncompressed, as SRV requires and the others allow). */
export function encodeRdata(r: DnsRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(r.data.split('.').map(Number));
    case 'AAAA':
      return parseIPv6(r.data) ?? Buffer.alloc(16);
    case 'CNAME':
    case 'PTR':
      return encodeName(r.data);
    case 'MX': {
      const [pref, exch] = r.data.split(' ') as [string, string];
      const b = Buffer.alloc(2);
      b.writeUInt16BE(Number(pref));
      return Buffer.concat([b, encodeName(exch)]);
    }
    case 'SRV': {
      const [prio, weight, port, target] = r.data.split(' ') as [string, string, string, string];
      const b = Buffer.alloc(6);
      b.writeUInt16BE(Number(prio), 0);
      b.writeUInt16BE(Number(weight), 2);
      b.writeUInt16BE(Number(port), 4);
      return Buffer.concat([b, encodeName(target)]);
    }
    case 'TXT': {
      // Character-strings of at most 255 bytes each (RFC 1035 §3.3.14).
      const text = Buffer.from(r.data, 'utf8');
      const parts: Buffer[] = [];
      for (let i = 0; i < text.length; i += 255) {
        const chunk = text.subarray(i, i + 255);
        parts.push(Buffer.from([chunk.length]), chunk);
      }
      return Buffer.concat(parts);
    }
  }
}

/** The target name of CNAME-like data (CNAME, PTR), without the trailing dot. */
export function targetOf(r: DnsRecord): string {
  return r.data.slice(0, -1);
}
