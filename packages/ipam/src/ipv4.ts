import { Address4 } from 'ip-address';
import { invalid } from './errors.js';

/** IPv4 addresses as unsigned 32-bit integers: cheap to compare, index and store in bitsets. */
export type U32 = number;

const QUAD =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses a strict dotted quad (no leading zeros, no shorthand); undefined when malformed. */
export function parseIPv4(text: string): U32 | undefined {
  // Hand-rolled, the language of QUAD (digits only, 1-3 per octet, no leading zeros, each
  // <= 255, exactly four octets): every DHCP exchange parses a few addresses, and the regexp's
  // match array and its five strings were about 280 bytes of garbage per DORA.
  if (typeof text !== 'string') return parseIPv4(String(text)); // (as RegExp#exec would read it)
  if (text.length < 7 || text.length > 15) return undefined;
  let n = 0;
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' at the end
    if (c === 46) {
      if (digits === 0 || octets > 3) return undefined;
      n = n * 256 + value;
      octets++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return octets === 4 ? n : undefined;
}

/** The reference grammar, kept for tests: parseIPv4 must accept exactly what this accepts. */
export function isDottedQuadText(text: string): boolean {
  return QUAD.test(text);
}

export function formatIPv4(n: U32): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses a dotted quad or throws INVALID_ARGUMENT naming `field`. */
export function requireIPv4(text: string, field: string): U32 {
  const n = parseIPv4(text);
  if (n === undefined) throw invalid(field, `${JSON.stringify(text)} is not an IPv4 address`);
  return n;
}

export interface Cidr {
  /** Network address. */
  base: U32;
  prefix: number;
  /** Number of addresses, 2^(32-prefix). */
  size: number;
  /** Broadcast address. */
  last: U32;
  text: string;
}

/**
 * Parses `a.b.c.d/len`. With `strict`, host bits must be zero (10.0.0.0/24, not 10.0.0.1/24).
 * Validated through ip-address, so corner cases follow a well-tested parser.
 */
export function parseCidr(
  text: string,
  field: string,
  opts: { minPrefix?: number; maxPrefix?: number } = {},
): Cidr {
  const minPrefix = opts.minPrefix ?? 0;
  const maxPrefix = opts.maxPrefix ?? 32;
  const slash = text.indexOf('/');
  if (slash < 0 || !Address4.isValid(text)) {
    throw invalid(field, `${JSON.stringify(text)} is not an IPv4 CIDR (expected a.b.c.d/len)`);
  }
  const addr = parseIPv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (addr === undefined || !/^(\d|[1-2]\d|3[0-2])$/.test(prefixText)) {
    throw invalid(field, `${JSON.stringify(text)} is not an IPv4 CIDR (expected a.b.c.d/len)`);
  }
  const prefix = Number(prefixText);
  if (prefix < minPrefix || prefix > maxPrefix) {
    throw invalid(field, `prefix length /${prefix} is outside /${minPrefix}../${maxPrefix}`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (addr & mask) >>> 0;
  if (base !== addr) {
    throw invalid(field, `${text} has host bits set; did you mean ${formatIPv4(base)}/${prefix}?`);
  }
  const size = 2 ** (32 - prefix);
  return { base, prefix, size, last: base + size - 1, text: `${formatIPv4(base)}/${prefix}` };
}

export function cidrContains(cidr: Cidr, ip: U32): boolean {
  return ip >= cidr.base && ip <= cidr.last;
}

export function prefixMask(prefix: number): U32 {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
