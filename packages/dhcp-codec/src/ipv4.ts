/** Dotted-quad text <-> 4 wire bytes; the codec's only address math. */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** The dotted quad of the 4 bytes at `offset` (the caller has checked the bounds). */
export function readIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** The 4 bytes of a strict dotted quad (no leading zeros, no shorthand); undefined when malformed. */
export function ipv4Bytes(text: unknown): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const m = QUAD.exec(text);
  if (!m) return undefined;
  return Buffer.from([Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
}
