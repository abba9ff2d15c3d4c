/** Dotted-quad text <-> 4 wire bytes; the codec's only address math. */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * Recently read addresses by their 32-bit value, direct-mapped. Every request carries the same
 * few (giaddr, option 54, the all-zero ciaddr/yiaddr/siaddr), and building a dotted quad takes
 * seven string allocations; decode reads five or six addresses per packet.
 */
const QUAD_SLOTS = 256;
// Invariant: quadText[i] is the text of quadKeys[i] (every slot starts as 0 = 0.0.0.0).
const quadKeys = new Int32Array(QUAD_SLOTS);
const quadText: string[] = Array.from({ length: QUAD_SLOTS }, () => '0.0.0.0');

/** The dotted quad of the 4 bytes at `offset` (the caller has checked the bounds). */
export function readIPv4(buf: Uint8Array, offset: number): string {
  const a = buf[offset] as number;
  const b = buf[offset + 1] as number;
  const c = buf[offset + 2] as number;
  const d = buf[offset + 3] as number;
  const key = (a << 24) | (b << 16) | (c << 8) | d;
  const slot = (Math.imul(key, 0x9e3779b1) >>> 24) & (QUAD_SLOTS - 1);
  if (quadKeys[slot] === key) return quadText[slot] as string;
  const text = `${a}.${b}.${c}.${d}`;
  quadKeys[slot] = key;
  quadText[slot] = text;
  return text;
}

/** The 4 bytes of a strict dotted quad (no leading zeros, no shorthand); undefined when malformed. */
export function ipv4Bytes(text: unknown): Buffer | undefined {
  const out = Buffer.allocUnsafe(4);
  return writeIPv4(text, out, 0) ? out : undefined;
}

/**
 * Writes the 4 bytes of a strict dotted quad at `offset` of `out`; false when malformed (`out`
 * may then hold some of them). For encoders, without a Buffer per address.
 */
export function writeIPv4(text: unknown, out: Uint8Array, offset: number): boolean {
  if (typeof text !== 'string' || text.length < 7 || text.length > 15) return false;
  // Hand-rolled (every reply encodes several addresses): digits only, 1-3 per octet, no
  // leading zeros, each <= 255, exactly four octets. Same language as QUAD.
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' at the end
    if (c === 46) {
      if (digits === 0 || octet > 3) return false;
      out[offset + octet++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return octet === 4;
}

/** The reference grammar, kept for tests: ipv4Bytes must accept exactly what this accepts. */
export function isDottedQuad(text: string): boolean {
  return QUAD.test(text);
}
