/** Dotted-quad text <-> 4 wire bytes; the codec's only address math. */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** The dotted quad of the 4 bytes at `offset` (the caller has checked the bounds). */
export function readIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** The 4 bytes of a strict dotted quad (no leading zeros, no shorthand); undefined when malformed. */
export function ipv4Bytes(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length < 7 || text.length > 15) return undefined;
  // Hand-rolled (every reply encodes several addresses): digits only, 1-3 per octet, no
  // leading zeros, each <= 255, exactly four octets. Same language as QUAD.
  const out = Buffer.allocUnsafe(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' at the end
    if (c === 46) {
      if (digits === 0 || octet > 3) return undefined;
      out[octet++] = value;
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
  return octet === 4 ? out : undefined;
}

/** The reference grammar, kept for tests: ipv4Bytes must accept exactly what this accepts. */
export function isDottedQuad(text: string): boolean {
  return QUAD.test(text);
}
