import { isIPv6 } from 'node:net';
import { formatIPv4, parseCidr, parseIPv4 } from '@netspan/ipam';

/**
 * Reverse zones (in-addr.arpa) that a network's CIDR is served in.
 *
 * - Prefixes of 8, 16 or 24 bits: one octet-aligned zone (`0.0.10.in-addr.arpa` for 10.0.0.0/24).
 * - Other prefixes up to 24 bits: every octet-aligned zone inside the block (10.0.16.0/20 gives
 *   `16.0.10.in-addr.arpa` ... `31.0.10.in-addr.arpa`).
 * - Prefixes longer than 24 bits: the RFC 2317 classless zone `<first>-<len>.c.b.a.in-addr.arpa`
 *   (with `-`, which keeps the name usable in file names and etcd keys) holds the PTRs, and the
 *   parent `c.b.a.in-addr.arpa` holds a CNAME per named address into it, as a parent zone would.
 */
export function reverseZones(cidr: string): { zones: string[]; classless: string | undefined } {
  const c = parseCidr(cidr, 'cidr');
  const prefix = c.prefix;
  const base = c.base >>> 0;
  const octets = [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255];
  if (prefix > 24) {
    const parent = `${octets[2]}.${octets[1]}.${octets[0]}.in-addr.arpa`;
    const classless = `${octets[3]}-${prefix}.${parent}`;
    return { zones: [classless, parent], classless };
  }
  const aligned = prefix === 0 ? 8 : Math.ceil(prefix / 8) * 8;
  const count = 2 ** (aligned - prefix);
  const zones: string[] = [];
  const step = 2 ** (32 - aligned);
  for (let i = 0; i < count; i++) {
    const addr = (base + i * step) >>> 0;
    const o = [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255];
    zones.push(
      `${o
        .slice(0, aligned / 8)
        .reverse()
        .join('.')}.in-addr.arpa`,
    );
  }
  return { zones, classless: undefined };
}

/** `d.c.b.a.in-addr.arpa` for a.b.c.d. */
export function reverseName(address: string): string {
  const [a, b, c, d] = address.split('.');
  return `${d}.${c}.${b}.${a}.in-addr.arpa`;
}

/** The PTR owner inside an RFC 2317 zone: `d.<classless zone>`. */
export function classlessName(address: string, classlessZone: string): string {
  return `${address.slice(address.lastIndexOf('.') + 1)}.${classlessZone}`;
}

/** Strict dotted quad → canonical form, or undefined. */
export function canonicalIPv4(s: string): string | undefined {
  const v = parseIPv4(s);
  return v === undefined ? undefined : formatIPv4(v);
}

/** 16 bytes of an IPv6 address (with `::` and an embedded IPv4 tail), or undefined. */
export function parseIPv6(s: string): Buffer | undefined {
  if (!isIPv6(s) || s.includes('%')) return undefined;
  let text = s;
  const out = Buffer.alloc(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseIPv4(v4[1] as string);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -(v4[1] as string).length)}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

/** RFC 5952 text form of 16 bytes. */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] as number) << 8) | (b[i + 1] as number));
  // Longest run of zero groups (length >= 2), first one wins.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The parent of a dotted name ('' above a single label). */
export function parentName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}
