/**
 * The DHCPv4 message (RFC 2131 §2): the fixed BOOTP header, the magic cookie and the options, with
 * option overload (52, RFC 2132 §9.3) and long options split across instances (RFC 3396).
 *
 *   decode(buf)            -> DhcpPacket, or throws DhcpDecodeError (and nothing else) for bad input
 *   encode(packet, {maxSize}) -> Buffer, or throws DhcpEncodeError for a bad packet or one too big
 */
import {
  DecodeErrorCode,
  DhcpDecodeError,
  DhcpEncodeError,
  EncodeErrorCode,
  invalidOption,
} from './errors.js';
import { ipv4Bytes, readIPv4, writeIPv4 } from './ipv4.js';
import {
  type DhcpOptions,
  decodeOptionInstances,
  decodeOptionList,
  type EncodedOption,
  encodeOptionList,
  isLatin1,
  OptionCode,
  type OptionGroup,
} from './options.js';

/** BOOTP `op` values. */
export const BootOp = { Request: 1, Reply: 2 } as const;

/** The broadcast bit of `flags` (RFC 2131 §2): the client cannot receive unicast before it is configured. */
export const BROADCAST_FLAG = 0x8000;

/** 99.130.83.99, RFC 2131 §3. */
export const MAGIC_COOKIE = 0x63825363;

/** Size of the fixed header, up to and excluding the magic cookie. */
export const HEADER_SIZE = 236;

/** BOOTP (RFC 951/1542) relays and clients expect at least 300 bytes; encode pads to this by default. */
export const BOOTP_MIN_SIZE = 300;

/**
 * The largest message every client must accept: 576-byte IP datagram minus IP and UDP headers
 * (RFC 2131 §2: an options field of at least 312 bytes). `encode`'s default `maxSize`.
 */
export const DEFAULT_MAX_SIZE = 548;

const SNAME_OFFSET = 44;
const SNAME_SIZE = 64;
const FILE_OFFSET = 108;
const FILE_SIZE = 128;
const OPTIONS_OFFSET = 240;

/** A decoded (or to-be-encoded) DHCPv4 message. */
export interface DhcpPacket {
  /** 1 BOOTREQUEST, 2 BOOTREPLY (`BootOp`). */
  op: number;
  /** Hardware address type (1 = Ethernet). */
  htype: number;
  /** Hardware address length, at most 16. */
  hlen: number;
  hops: number;
  /** Transaction id, unsigned 32-bit. */
  xid: number;
  secs: number;
  /** Flags; only `BROADCAST_FLAG` is defined. */
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The whole 16-byte field; the hardware address is its first `hlen` bytes (see `macAddress`). */
  chaddr: Buffer;
  /** Server host name up to the first NUL (Latin-1); '' when the field carried overloaded options. */
  sname: string;
  /** Boot file name up to the first NUL (Latin-1); '' when the field carried overloaded options. */
  file: string;
  options: DhcpOptions;
}

export interface EncodeOptions {
  /**
   * Largest message to produce, in bytes of UDP payload. Options that do not fit overflow into
   * `file`, then `sname` (when those are empty), through option 52; beyond that encode throws TOO_BIG.
   * Default `DEFAULT_MAX_SIZE` (548); for replies use `replySizeLimit(request)`.
   */
  maxSize?: number;
  /** Pad with zeros up to this size. Default `BOOTP_MIN_SIZE` (300), or `maxSize` if smaller. */
  minSize?: number;
}

/** Whether the broadcast bit is set. */
export function isBroadcast(p: Pick<DhcpPacket, 'flags'>): boolean {
  return (p.flags & BROADCAST_FLAG) !== 0;
}

/** `flags` with the broadcast bit set or cleared. */
export function withBroadcast(flags: number, on: boolean): number {
  return on ? flags | BROADCAST_FLAG : flags & ~BROADCAST_FLAG & 0xffff;
}

/** The Ethernet MAC (`aa:bb:cc:dd:ee:ff`) for htype 1 / hlen 6, otherwise undefined. */
export function macAddress(p: Pick<DhcpPacket, 'htype' | 'hlen' | 'chaddr'>): string | undefined {
  if (p.htype !== 1 || p.hlen !== 6 || p.chaddr.length < 6) return undefined;
  const c = p.chaddr;
  // Servers ask for one packet's MAC several times in a row (rate limit, client id, lease):
  // the last one is remembered by its bytes, which saves building the 17 characters again.
  const l = lastMacBytes;
  if (c[0] === l[0] && c[1] === l[1] && c[2] === l[2] && c[3] === l[3] && c[4] === l[4] && c[5] === l[5])
    return lastMac;
  // Called for every packet: a lookup table instead of six toString/padStart calls.
  const mac = `${HEX[c[0] as number]}:${HEX[c[1] as number]}:${HEX[c[2] as number]}:${HEX[c[3] as number]}:${HEX[c[4] as number]}:${HEX[c[5] as number]}`;
  for (let i = 0; i < 6; i++) l[i] = c[i] as number;
  lastMac = mac;
  return mac;
}

const lastMacBytes = new Uint8Array(6);
let lastMac = '00:00:00:00:00:00';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 16-byte `chaddr` holding a MAC given as `aa:bb:cc:dd:ee:ff` (or with '-' separators). */
export function chaddrFromMac(mac: string): Buffer {
  const m =
    /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(
      mac,
    );
  if (!m) {
    throw new DhcpEncodeError(EncodeErrorCode.InvalidField, `${JSON.stringify(mac)} is not a MAC address`, {
      field: 'chaddr',
    });
  }
  const out = Buffer.alloc(16);
  for (let i = 0; i < 6; i++) out[i] = Number.parseInt(m[i + 1] as string, 16);
  return out;
}

/**
 * The `maxSize` to encode a reply to `request` with. Option 57 is read as the largest IP datagram
 * the client accepts (576 = 548 + IP and UDP headers, as RFC 2131 §2 counts it), the stricter of its
 * two readings; values below 576 are illegal and count as 576, values above 1500 as 1500 so that a
 * reply never needs IP fragmentation on an Ethernet link.
 */
export function replySizeLimit(request: Pick<DhcpPacket, 'options'>): number {
  const mms = request.options.maxMessageSize;
  if (mms === undefined) return DEFAULT_MAX_SIZE;
  return Math.min(Math.max(mms, 576), 1500) - 28;
}

/** A packet with every field zero or empty, then `fields` on top. Handy for building replies. */
export function newPacket(fields: Partial<DhcpPacket> = {}): DhcpPacket {
  return {
    op: BootOp.Request,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: Buffer.alloc(16),
    sname: '',
    file: '',
    options: {},
    ...fields,
  };
}

// ---------------------------------------------------------------------------------------------------
// decode

interface Instance {
  code: number;
  offset: number;
  data: Buffer;
}

type Area = 'options' | 'file' | 'sname';

/**
 * Where scanArea found option instances in the packet being decoded: the offset of each code
 * byte (length and data follow). One reused array (decode is synchronous) instead of an
 * object and a Buffer view per option: the usual packet decodes straight from these.
 */
const found: number[] = [];
let foundCount = 0;

/** Records the option instances of one area until END or the end of the area. */
function scanArea(buf: Buffer, start: number, end: number, area: Area): void {
  const overrun = area === 'options' ? DecodeErrorCode.BadOptionLength : DecodeErrorCode.OptionOverflow;
  let i = start;
  while (i < end) {
    const code = buf[i] as number;
    if (code === OptionCode.Pad) {
      i++;
      continue;
    }
    if (code === OptionCode.End) return;
    if (i + 1 >= end) throw new DhcpDecodeError(overrun, `option ${code} in ${area} has no length byte`, i);
    const len = buf[i + 1] as number;
    if (i + 2 + len > end) {
      throw new DhcpDecodeError(overrun, `option ${code} (length ${len}) runs past the end of ${area}`, i, {
        option: code,
      });
    }
    if (area !== 'options' && code === OptionCode.Overload) {
      throw new DhcpDecodeError(DecodeErrorCode.OverloadLoop, `option overload inside the ${area} field`, i, {
        option: code,
      });
    }
    found[foundCount++] = i;
    i += 2 + len;
  }
}

/** The instances scanArea found, as objects. */
function foundInstances(buf: Buffer): Instance[] {
  const out: Instance[] = [];
  for (let k = 0; k < foundCount; k++) {
    const i = found[k] as number;
    out.push({
      code: buf[i] as number,
      offset: i,
      data: buf.subarray(i + 2, i + 2 + (buf[i + 1] as number)),
    });
  }
  return out;
}

/** A NUL-terminated Latin-1 string field. */
function readCString(buf: Buffer, start: number, size: number): string {
  if (buf[start] === 0) return ''; // the usual case: an empty field
  const field = buf.subarray(start, start + size);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? size : nul).toString('latin1');
}

/** Codes seen in the packet being grouped (decode is synchronous, so one scratch table will do). */
const seenCodes = new Uint8Array(256);

/** Whether an option code appears more than once among the instances found. */
function anyRepeated(buf: Buffer): boolean {
  let repeated = false;
  for (let k = 0; k < foundCount; k++) {
    const code = buf[found[k] as number] as number;
    if (seenCodes[code] === 1) repeated = true;
    seenCodes[code] = 1;
  }
  for (let k = 0; k < foundCount; k++) seenCodes[buf[found[k] as number] as number] = 0;
  return repeated;
}

/** One group per option code in wire order, repeated codes concatenated (RFC 3396); skips 52. */
function groupInstances(instances: readonly Instance[]): OptionGroup[] {
  const groups = new Map<number, { offset: number; parts: Buffer[] }>();
  for (const x of instances) {
    if (x.code === OptionCode.Overload) continue;
    const g = groups.get(x.code);
    if (g) g.parts.push(x.data);
    else groups.set(x.code, { offset: x.offset, parts: [x.data] });
  }
  return [...groups].map(([code, g]) => ({
    code,
    offset: g.offset,
    data: g.parts.length === 1 ? (g.parts[0] as Buffer) : Buffer.concat(g.parts),
  }));
}

/**
 * Decodes a DHCPv4 message (the UDP payload). Throws `DhcpDecodeError` for anything malformed and
 * never another exception type. Repeated option codes are concatenated in the order options field,
 * `file`, `sname` (RFC 3396 §5); the result holds copies, not views of `input`.
 */
export function decode(input: Uint8Array): DhcpPacket {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < HEADER_SIZE) {
    throw new DhcpDecodeError(
      DecodeErrorCode.Truncated,
      `${buf.length} bytes is shorter than the ${HEADER_SIZE}-byte header`,
      buf.length,
    );
  }
  const op = buf[0] as number;
  if (op !== BootOp.Request && op !== BootOp.Reply) {
    throw new DhcpDecodeError(DecodeErrorCode.BadOp, `op ${op} is neither BOOTREQUEST nor BOOTREPLY`, 0);
  }
  const hlen = buf[2] as number;
  if (hlen > 16) throw new DhcpDecodeError(DecodeErrorCode.BadHlen, `hlen ${hlen} is above 16`, 2);
  if (buf.length < OPTIONS_OFFSET) {
    throw new DhcpDecodeError(DecodeErrorCode.BadMagic, 'no magic cookie (plain BOOTP?)', HEADER_SIZE);
  }
  const cookie = buf.readUInt32BE(HEADER_SIZE);
  if (cookie !== MAGIC_COOKIE) {
    throw new DhcpDecodeError(
      DecodeErrorCode.BadMagic,
      `magic cookie 0x${cookie.toString(16).padStart(8, '0')} is not 0x63825363`,
      HEADER_SIZE,
    );
  }

  foundCount = 0;
  scanArea(buf, OPTIONS_OFFSET, buf.length, 'options');
  let overload = 0;
  let overloadCount = 0;
  for (let k = 0; k < foundCount; k++) if (buf[found[k] as number] === OptionCode.Overload) overloadCount++;
  let options: DhcpOptions;
  if (overloadCount === 0 && !anyRepeated(buf)) {
    // The usual case: every code once, no overload; each instance is its option.
    options = decodeOptionInstances(buf, found, foundCount);
  } else {
    const instances = foundInstances(buf);
    if (overloadCount > 0) {
      const overloads = instances.filter((x) => x.code === OptionCode.Overload);
      const first = overloads[0] as Instance;
      const data = Buffer.concat(overloads.map((x) => x.data));
      if (data.length !== 1) {
        throw new DhcpDecodeError(
          DecodeErrorCode.BadOptionLength,
          `option 52: length ${data.length}, expected 1`,
          first.offset,
          { option: OptionCode.Overload },
        );
      }
      overload = data[0] as number;
      if (overload < 1 || overload > 3) {
        throw new DhcpDecodeError(
          DecodeErrorCode.BadOptionValue,
          `option 52: value ${overload} is not 1 (file), 2 (sname) or 3 (both)`,
          first.offset,
          { option: OptionCode.Overload },
        );
      }
      // RFC 2131 §4.1: the file field is read before sname.
      foundCount = 0;
      if (overload & 1) scanArea(buf, FILE_OFFSET, FILE_OFFSET + FILE_SIZE, 'file');
      if (overload & 2) scanArea(buf, SNAME_OFFSET, SNAME_OFFSET + SNAME_SIZE, 'sname');
      instances.push(...foundInstances(buf));
    }
    options = decodeOptionList(groupInstances(instances));
  }
  // (A byte loop: Buffer#copy with a source range makes a view of the source first.)
  const chaddr = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) chaddr[i] = buf[28 + i] as number;

  return {
    op,
    htype: buf[1] as number,
    hlen,
    hops: buf[3] as number,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: readIPv4(buf, 12),
    yiaddr: readIPv4(buf, 16),
    siaddr: readIPv4(buf, 20),
    giaddr: readIPv4(buf, 24),
    chaddr,
    sname: overload & 2 ? '' : readCString(buf, SNAME_OFFSET, SNAME_SIZE),
    file: overload & 1 ? '' : readCString(buf, FILE_OFFSET, FILE_SIZE),
    options,
  };
}

// ---------------------------------------------------------------------------------------------------
// encode

function invalidField(field: string, problem: string): DhcpEncodeError {
  return new DhcpEncodeError(EncodeErrorCode.InvalidField, `${field}: ${problem}`, { field });
}

function checkUint(
  p: DhcpPacket,
  field: 'htype' | 'hlen' | 'hops' | 'xid' | 'secs' | 'flags',
  max: number,
): number {
  const v = p[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw invalidField(field, `${String(v)} is not an integer in 0..${max}`);
  }
  return v;
}

function addressBytes(p: DhcpPacket, field: 'ciaddr' | 'yiaddr' | 'siaddr' | 'giaddr'): Buffer {
  const bytes = ipv4Bytes(p[field]);
  if (!bytes) throw invalidField(field, `${JSON.stringify(p[field])} is not a dotted-quad IPv4 address`);
  return bytes;
}

function stringField(p: DhcpPacket, field: 'sname' | 'file', size: number): Buffer {
  const v = p[field];
  if (!isLatin1(v)) {
    throw invalidField(field, 'expected a string of Latin-1 characters');
  }
  const bytes = Buffer.from(v, 'latin1');
  if (bytes.length > size) throw invalidField(field, `${bytes.length} bytes do not fit in ${size}`);
  return bytes;
}

/** Bytes an option takes as instances of at most 255 data bytes. */
function instanceSize(o: EncodedOption): number {
  return o.data.length === 0 ? 2 : o.data.length + 2 * Math.ceil(o.data.length / 255);
}

/** Appends one instance to `out`. */
function pushInstance(out: Buffer[], code: number, data: Buffer): void {
  out.push(Buffer.from([code, data.length]), data);
}

/**
 * Lays options out, in order, over areas of the given capacities (moving forward only, so that RFC
 * 3396 concatenation in options/file/sname order rebuilds them). With `splitFreely`, any option may be
 * split where an area ends; otherwise only options above 255 bytes are, and a shorter option that does
 * not fit moves whole to the next area. Returns each area's bytes, or undefined if they do not fit.
 */
function layout(
  list: readonly EncodedOption[],
  caps: readonly number[],
  splitFreely: boolean,
): Buffer[][] | undefined {
  const areas: Buffer[][] = caps.map(() => []);
  const free = [...caps];
  let a = 0;
  for (const { code, data } of list) {
    if (data.length === 0 || (!splitFreely && data.length <= 255)) {
      const need = data.length + 2;
      while (a < caps.length && (free[a] as number) < need) a++;
      if (a === caps.length) return undefined;
      pushInstance(areas[a] as Buffer[], code, data);
      free[a] = (free[a] as number) - need;
      continue;
    }
    let rest = data;
    while (rest.length > 0) {
      while (a < caps.length && (free[a] as number) < 3) a++;
      if (a === caps.length) return undefined;
      const take = Math.min(255, rest.length, (free[a] as number) - 2);
      pushInstance(areas[a] as Buffer[], code, rest.subarray(0, take));
      free[a] = (free[a] as number) - 2 - take;
      rest = rest.subarray(take);
    }
  }
  return areas;
}

function allInstances(list: readonly EncodedOption[]): Buffer[] {
  const out: Buffer[] = [];
  for (const { code, data } of list) {
    if (data.length === 0) pushInstance(out, code, data);
    for (let i = 0; i < data.length; i += 255) pushInstance(out, code, data.subarray(i, i + 255));
  }
  return out;
}

/**
 * Encodes a DHCPv4 message. Options are written in `options.order`, then message type first, the
 * rest by code and relay agent information last; options above 255 bytes are split into consecutive
 * instances (RFC 3396). If they do not fit in `maxSize`, they overflow into `file` and then `sname`
 * (option 52), provided those fields are empty; relay agent information then stays at the end of the
 * options field, where relays look for it. Throws `DhcpEncodeError`.
 */
export function encode(p: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  if (!Number.isInteger(maxSize) || maxSize < OPTIONS_OFFSET + 1 || maxSize > 65507) {
    throw invalidField('maxSize', `${String(maxSize)} is not an integer in ${OPTIONS_OFFSET + 1}..65507`);
  }
  const minSize = opts.minSize ?? Math.min(BOOTP_MIN_SIZE, maxSize);
  if (!Number.isInteger(minSize) || minSize < 0 || minSize > maxSize) {
    throw invalidField('minSize', `${String(minSize)} is not an integer in 0..maxSize`);
  }
  if (p.op !== BootOp.Request && p.op !== BootOp.Reply)
    throw invalidField('op', `${String(p.op)} is not 1 or 2`);
  const htype = checkUint(p, 'htype', 0xff);
  const hlen = checkUint(p, 'hlen', 16);
  const hops = checkUint(p, 'hops', 0xff);
  const xid = checkUint(p, 'xid', 0xffffffff);
  const secs = checkUint(p, 'secs', 0xffff);
  const flags = checkUint(p, 'flags', 0xffff);
  const addresses = (['ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const).map((f) => addressBytes(p, f));
  if (!(p.chaddr instanceof Uint8Array) || p.chaddr.length > 16) {
    throw invalidField('chaddr', 'expected a Buffer of at most 16 bytes');
  }
  if (p.chaddr.length < hlen) throw invalidField('chaddr', `shorter than hlen ${hlen}`);
  let sname: Buffer | Buffer[] = stringField(p, 'sname', SNAME_SIZE);
  let file: Buffer | Buffer[] = stringField(p, 'file', FILE_SIZE);
  if (typeof p.options !== 'object' || p.options === null) throw invalidOption('', 'expected an object');

  const list = encodeOptionList(p.options);
  let main: Buffer[];
  const plainSize = list.reduce((n, o) => n + instanceSize(o), 0) + 1;
  if (OPTIONS_OFFSET + plainSize <= maxSize) {
    main = allInstances(list);
  } else {
    const relay = list.filter((o) => o.code === OptionCode.RelayAgentInfo);
    const rest = list.filter((o) => o.code !== OptionCode.RelayAgentInfo);
    const relaySize = relay.reduce((n, o) => n + instanceSize(o), 0);
    // Room for the overload option (3) and END (1); file and sname each keep a byte for END.
    const mainCap = maxSize - OPTIONS_OFFSET - 4 - relaySize;
    const areaNames: Array<'file' | 'sname'> = [];
    if (file.length === 0) areaNames.push('file');
    if (sname.length === 0) areaNames.push('sname');
    const caps = [mainCap, ...areaNames.map((n) => (n === 'file' ? FILE_SIZE : SNAME_SIZE) - 1)];
    const areas = mainCap < 0 ? undefined : (layout(rest, caps, false) ?? layout(rest, caps, true));
    if (!areas) {
      throw new DhcpEncodeError(
        EncodeErrorCode.TooBig,
        `options need ${plainSize} bytes; they do not fit in maxSize ${maxSize}` +
          (areaNames.length < 2
            ? ' even with the empty file/sname fields overloaded'
            : ' even with file and sname overloaded'),
      );
    }
    let overload = 0;
    areaNames.forEach((name, i) => {
      const content = areas[i + 1] as Buffer[];
      if (content.length === 0) return;
      if (name === 'file') {
        overload |= 1;
        file = content;
      } else {
        overload |= 2;
        sname = content;
      }
    });
    main = areas[0] as Buffer[];
    if (overload !== 0) pushInstance(main, OptionCode.Overload, Buffer.from([overload]));
    main.push(...allInstances(relay));
  }

  const optionsBytes = Buffer.concat(main);
  const size = Math.max(OPTIONS_OFFSET + optionsBytes.length + 1, minSize);
  const out = Buffer.alloc(size);
  writeFixed(out, p.op, htype, hlen, hops, xid, secs, flags, p.chaddr);
  addresses.forEach((bytes, i) => {
    bytes.copy(out, 12 + 4 * i);
  });
  writeField(out, SNAME_OFFSET, sname);
  writeField(out, FILE_OFFSET, file);
  optionsBytes.copy(out, OPTIONS_OFFSET);
  out[OPTIONS_OFFSET + optionsBytes.length] = OptionCode.End;
  return out;
}

/** The fixed numeric fields, chaddr and the magic cookie (addresses and sname/file are the caller's). */
function writeFixed(
  out: Buffer,
  op: number,
  htype: number,
  hlen: number,
  hops: number,
  xid: number,
  secs: number,
  flags: number,
  chaddr?: Uint8Array,
): void {
  out[0] = op;
  out[1] = htype;
  out[2] = hlen;
  out[3] = hops;
  out.writeUInt32BE(xid, 4);
  out.writeUInt16BE(secs, 8);
  out.writeUInt16BE(flags, 10);
  if (chaddr) out.set(chaddr, 28);
  out.writeUInt32BE(MAGIC_COOKIE, HEADER_SIZE);
}

/**
 * The wire bytes of `options` exactly as `encode` lays them out when they fit (instances of at
 * most 255 bytes, message type first, by code, relay agent information last; no END). Servers
 * encode what every reply on a network repeats once with it and splice the bytes into each reply
 * with `encodeWithOptionBytes`. Validates as `encode` does; throws `DhcpEncodeError`.
 */
export function encodeOptionBytes(options: DhcpOptions): Buffer {
  if (typeof options !== 'object' || options === null) throw invalidOption('', 'expected an object');
  return Buffer.concat(allInstances(encodeOptionList(options)));
}

/**
 * Encodes `p` with its options given as ready wire bytes (`p.options` is not read): the chunks
 * are written in order, then END, padded to `minSize`. For replies on the hot path, where
 * `encodeOptionBytes` made the chunks. Returns undefined when they do not fit in `maxSize`
 * (the caller then encodes `p` with `encode`, which overflows into file/sname) or when `p`
 * would need anything but a plain layout (sname/file set); throws `DhcpEncodeError` for
 * invalid fields, as `encode` does.
 */
export function encodeWithOptionBytes(
  p: DhcpPacket,
  chunks: readonly Uint8Array[],
  opts: EncodeOptions = {},
): Buffer | undefined {
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  const minSize = opts.minSize ?? Math.min(BOOTP_MIN_SIZE, maxSize);
  if (!Number.isInteger(maxSize) || maxSize < OPTIONS_OFFSET + 1 || maxSize > 65507) return undefined;
  if (p.sname !== '' || p.file !== '') return undefined;
  let length = 0;
  for (const c of chunks) length += c.length;
  const end = OPTIONS_OFFSET + length;
  if (end + 1 > maxSize || !Number.isInteger(minSize) || minSize < 0 || minSize > maxSize) return undefined;
  if (p.op !== BootOp.Request && p.op !== BootOp.Reply)
    throw invalidField('op', `${String(p.op)} is not 1 or 2`);
  const hlen = checkUint(p, 'hlen', 16);
  if (!(p.chaddr instanceof Uint8Array) || p.chaddr.length > 16) {
    throw invalidField('chaddr', 'expected a Buffer of at most 16 bytes');
  }
  if (p.chaddr.length < hlen) throw invalidField('chaddr', `shorter than hlen ${hlen}`);
  // Zero-filled: sname, file, siaddr defaults and the padding after END.
  const out = Buffer.alloc(Math.max(end + 1, minSize));
  writeFixed(
    out,
    p.op,
    checkUint(p, 'htype', 0xff),
    hlen,
    checkUint(p, 'hops', 0xff),
    checkUint(p, 'xid', 0xffffffff),
    checkUint(p, 'secs', 0xffff),
    checkUint(p, 'flags', 0xffff),
    p.chaddr,
  );
  writeAddress(out, 12, p, 'ciaddr');
  writeAddress(out, 16, p, 'yiaddr');
  writeAddress(out, 20, p, 'siaddr');
  writeAddress(out, 24, p, 'giaddr');
  let at = OPTIONS_OFFSET;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out[at] = OptionCode.End;
  return out;
}

function writeAddress(
  out: Buffer,
  offset: number,
  p: DhcpPacket,
  field: 'ciaddr' | 'yiaddr' | 'siaddr' | 'giaddr',
) {
  const v = p[field];
  if (v === '0.0.0.0') return; // already zero
  if (!writeIPv4(v, out, offset)) addressBytes(p, field); // throws, saying what is wrong
}

/** Writes a string field, or overloaded options followed by END (the rest stays zero, i.e. pad). */
function writeField(out: Buffer, offset: number, content: Buffer | Buffer[]): void {
  if (Buffer.isBuffer(content)) {
    content.copy(out, offset);
    return;
  }
  const bytes = Buffer.concat(content);
  bytes.copy(out, offset);
  out[offset + bytes.length] = OptionCode.End;
}
