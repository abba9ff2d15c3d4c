import { encodeName } from './wire.js';

/**
 * A DNS query message as a stub resolver sends it, for tests: one question of class IN,
 * `flags` (default: RD only) and, with `ednsPayload`, an EDNS0 OPT record as dig adds
 * (payload size, no options).
 */
export function queryMessage(
  name: string,
  type: number,
  opts: { id?: number; flags?: number; ednsPayload?: number } = {},
): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(opts.id ?? 0xbeef, 0);
  h.writeUInt16BE(opts.flags ?? 0x0100, 2);
  h.writeUInt16BE(1, 4);
  if (opts.ednsPayload !== undefined) h.writeUInt16BE(1, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  const parts = [h, encodeName(name), tail];
  if (opts.ednsPayload !== undefined) {
    const opt = Buffer.from([0, 0, 41, 0, 0, 0, 0, 0, 0, 0, 0]);
    opt.writeUInt16BE(opts.ednsPayload, 3);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}
