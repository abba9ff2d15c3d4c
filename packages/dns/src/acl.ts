import { parseIPv4 } from '@netspan/ipam';
import { parseIPv6 } from './names.js';

interface V4 {
  base: number;
  mask: number;
}
interface V6 {
  bytes: Buffer;
  prefix: number;
}

/**
 * Client prefixes allowed to recurse (have queries outside our zones forwarded). Entries are
 * IPv4 or IPv6 prefixes (`10.0.0.0/8`, `::1/128`; a bare address is a host prefix) and the
 * word `networks`, meaning every netspan network's CIDR at the time of the query.
 */
export class ClientAcl {
  private readonly v4: V4[] = [];
  private readonly v6: V6[] = [];
  readonly includesNetworks: boolean;

  constructor(entries: string[]) {
    let nets = false;
    for (const raw of entries) {
      const e = raw.trim();
      if (e === '') continue;
      if (e === 'networks') {
        nets = true;
        continue;
      }
      const slash = e.indexOf('/');
      const addr = slash < 0 ? e : e.slice(0, slash);
      const lenText = slash < 0 ? undefined : e.slice(slash + 1);
      const ip4 = parseIPv4(addr);
      if (ip4 !== undefined) {
        const len = lenText === undefined ? 32 : Number(lenText);
        if (!/^\d{1,2}$/.test(lenText ?? '32') || len > 32)
          throw new RangeError(`${e}: bad IPv4 prefix length`);
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        this.v4.push({ base: (ip4 & mask) >>> 0, mask });
        continue;
      }
      const ip6 = parseIPv6(addr);
      if (ip6) {
        const len = lenText === undefined ? 128 : Number(lenText);
        if (!/^\d{1,3}$/.test(lenText ?? '128') || len > 128)
          throw new RangeError(`${e}: bad IPv6 prefix length`);
        this.v6.push({ bytes: ip6, prefix: len });
        continue;
      }
      throw new RangeError(`${e}: not an IPv4/IPv6 prefix or "networks"`);
    }
    this.includesNetworks = nets;
  }

  /** True when `address` (as a socket reports it) lies in an allowed prefix. */
  allows(address: string, networkCidrs: () => string[] = () => []): boolean {
    const v4text = address.startsWith('::ffff:') ? address.slice(7) : address;
    const ip4 = parseIPv4(v4text);
    if (ip4 !== undefined) {
      for (const p of this.v4) if ((ip4 & p.mask) >>> 0 === p.base) return true;
      if (this.includesNetworks) {
        for (const c of networkCidrs()) {
          const slash = c.indexOf('/');
          const base = parseIPv4(c.slice(0, slash));
          const len = Number(c.slice(slash + 1));
          if (base === undefined) continue;
          const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
          if ((ip4 & mask) >>> 0 === (base & mask) >>> 0) return true;
        }
      }
      return false;
    }
    const ip6 = parseIPv6(address);
    if (!ip6) return false;
    return this.v6.some((p) => prefixMatch(ip6, p.bytes, p.prefix));
  }
}

function prefixMatch(a: Buffer, b: Buffer, bits: number): boolean {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] as number) & mask) === ((b[full] as number) & mask);
}
