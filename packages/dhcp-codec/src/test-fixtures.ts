/**
 * Test support: the real client captures in test/fixtures/dhcp (see capture.sh there). Each pcap's
 * UDP payloads were written as `<pcap>-<NN>-<type>.bin` by extract.mjs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/dhcp, from packages/dhcp-codec/dist. */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../test/fixtures/dhcp/', import.meta.url));

export interface Fixture {
  /** File name, e.g. `udhcpc-01-discover.bin`. */
  name: string;
  /** Capture it came from, e.g. `udhcpc`. */
  capture: string;
  bytes: Buffer;
}

export function fixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((n) => n.endsWith('.bin'))
    .sort()
    .map((name) => ({
      name,
      capture: name.replace(/-\d\d-[a-z]+\.bin$/, ''),
      bytes: readFileSync(`${FIXTURE_DIR}${name}`),
    }));
}

export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURE_DIR}${name}`);
}

/** UDP payloads of the Ethernet/IPv4/UDP frames of a classic pcap file (either byte order). */
export function pcapUdpPayloads(file: string): Buffer[] {
  const buf = readFileSync(`${FIXTURE_DIR}${file}`);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${file}: not a pcap file`);
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`${file}: link type ${u32(20)} is not Ethernet`);
  const out: Buffer[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const caplen = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    if (frame.length < 34 || frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== 17) continue;
    const udp = ip.subarray(((ip[0] as number) & 0x0f) * 4, ip.readUInt16BE(2));
    out.push(Buffer.from(udp.subarray(8, udp.readUInt16BE(4))));
  }
  return out;
}

/** Deterministic PRNG (mulberry32) for the mutation tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hex string (spaces and newlines ignored) to bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}
