/**
 * Typed DHCPv4 options (RFC 2132 and the RFCs named on each field) and their value codecs. The packet
 * codec (`packet.ts`) finds option instances, concatenates repeated codes (RFC 3396) and hands one
 * buffer per code to `decodeOptionList`; `encodeOptionList` produces one buffer per code that the packet
 * codec splits and lays out.
 */
import {
  decodeFqdnWireName,
  decodeNameList,
  encodeFqdnWireName,
  encodeNameList,
  type ParsedName,
  parseName,
} from './dns-name.js';
import { DecodeErrorCode, DhcpDecodeError, invalidOption } from './errors.js';
import { ipv4Bytes, readIPv4 } from './ipv4.js';

/** Option codes this codec knows by name. */
export const OptionCode = {
  Pad: 0,
  SubnetMask: 1,
  Routers: 3,
  DnsServers: 6,
  Hostname: 12,
  DomainName: 15,
  InterfaceMtu: 26,
  BroadcastAddress: 28,
  NtpServers: 42,
  RequestedIp: 50,
  LeaseTime: 51,
  Overload: 52,
  MessageType: 53,
  ServerId: 54,
  ParameterRequestList: 55,
  Message: 56,
  MaxMessageSize: 57,
  RenewalTime: 58,
  RebindingTime: 59,
  VendorClassId: 60,
  ClientId: 61,
  ClientFqdn: 81,
  RelayAgentInfo: 82,
  SubnetSelection: 118,
  DomainSearch: 119,
  ClasslessStaticRoutes: 121,
  End: 255,
} as const;

/**
 * DHCP message types (option 53): RFC 2132 (1–8), RFC 3203 FORCERENEW, RFC 4388 and RFC 6926
 * leasequery, RFC 7724 active leasequery. `DhcpOptions.messageType` is a plain number so that types
 * not listed here still decode.
 */
export const MessageType = {
  Discover: 1,
  Offer: 2,
  Request: 3,
  Decline: 4,
  Ack: 5,
  Nak: 6,
  Release: 7,
  Inform: 8,
  ForceRenew: 9,
  LeaseQuery: 10,
  LeaseUnassigned: 11,
  LeaseUnknown: 12,
  LeaseActive: 13,
  BulkLeaseQuery: 14,
  LeaseQueryDone: 15,
  ActiveLeaseQuery: 16,
  LeaseQueryStatus: 17,
  Tls: 18,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Flag bits of the client FQDN option (RFC 4702 §2.1). */
export const FqdnFlag = {
  /** S: the server should perform the A RR (FQDN-to-address) update. */
  ServerUpdate: 0x01,
  /** O: the server overrode the client's S preference (replies only). */
  Override: 0x02,
  /** E: the name is in canonical wire format (RFC 1035), not ASCII. */
  Encoded: 0x04,
  /** N: the server should perform no DNS updates at all. */
  NoUpdate: 0x08,
} as const;

/** Client FQDN, option 81 (RFC 4702). */
export interface ClientFqdn {
  flags: number;
  /** Deprecated by RFC 4702; clients send 0, servers 255. */
  rcode1: number;
  rcode2: number;
  /**
   * With the E flag: presentation text of the wire name; a trailing '.' means the name was fully
   * qualified (ended with the root label), no trailing dot a partial name (RFC 4702 §2.3.1); labels
   * escape '.', '\' and non-printable bytes as in DNS master files (`\.`, `\\`, `\DDD`). Without E:
   * the ASCII bytes exactly as sent (decoded as Latin-1).
   */
  name: string;
}

/** Sub-options of relay agent information (option 82) known by name. */
export const RelayAgentSubOption = {
  CircuitId: 1,
  RemoteId: 2,
  /** RFC 3527: the subnet to allocate from, when giaddr cannot say it. */
  LinkSelection: 5,
} as const;

/** Relay agent information, option 82 (RFC 3046). */
export interface RelayAgentInfo {
  circuitId?: Buffer;
  remoteId?: Buffer;
  /** Link selection, sub-option 5 (RFC 3527). */
  linkSelection?: string;
  /** Every other sub-option, by code, passed through unchanged. */
  other?: Map<number, Buffer>;
  /** Sub-option codes in wire order as decoded; encode follows it, then the rest by code. */
  order?: number[];
}

/** One classless static route (RFC 3442), destination as CIDR text (`10.0.0.0/8`, `0.0.0.0/0`). */
export interface ClasslessRoute {
  destination: string;
  router: string;
}

/**
 * The options of one packet. Addresses are dotted quads; text options are decoded as Latin-1 so every
 * byte round-trips (sanitising hostnames is the server's job). Option 52 (overload) never appears here:
 * decode consumes it and encode decides it. Pad (0) and end (255) are structural, not options.
 */
export interface DhcpOptions {
  /** 1 */
  subnetMask?: string;
  /** 3 */
  routers?: string[];
  /** 6 */
  dnsServers?: string[];
  /** 12 */
  hostname?: string;
  /** 15 */
  domainName?: string;
  /** 26, interface MTU */
  mtu?: number;
  /** 28 */
  broadcastAddress?: string;
  /** 42 */
  ntpServers?: string[];
  /** 50 */
  requestedIp?: string;
  /** 51, seconds */
  leaseTime?: number;
  /** 53, see `MessageType` */
  messageType?: number;
  /** 54, server identifier */
  serverId?: string;
  /** 55 */
  parameterRequestList?: number[];
  /** 56 */
  message?: string;
  /** 57, maximum DHCP message size the sender accepts */
  maxMessageSize?: number;
  /** 58, T1 in seconds */
  renewalTime?: number;
  /** 59, T2 in seconds */
  rebindingTime?: number;
  /** 60, vendor class identifier */
  vendorClassId?: string;
  /** 61, client identifier: type byte then identifier (at least 2 bytes) */
  clientId?: Buffer;
  /** 81 */
  clientFqdn?: ClientFqdn;
  /** 82 */
  relayAgentInfo?: RelayAgentInfo;
  /** 118, subnet selection (RFC 3011) */
  subnetSelection?: string;
  /** 119, domain search list (RFC 3397), names without trailing dots */
  domainSearch?: string[];
  /** 121, classless static routes (RFC 3442) */
  classlessRoutes?: ClasslessRoute[];
  /** Options without a typed field, by code, passed through unchanged (decode copies the bytes). */
  other?: Map<number, Buffer>;
  /**
   * Option codes in wire order as decoded. Encode emits present options in this order, then the rest:
   * message type first, the others by code, relay agent information last. Optional.
   */
  order?: number[];
}

/** Where the option being decoded sits in the packet. */
export interface DecodeContext {
  code: number;
  /** Offset of the first instance's code byte. */
  offset: number;
}

interface ValueCodec<T> {
  decode(data: Buffer, ctx: DecodeContext): T;
  /** Validates and encodes; throws INVALID_OPTION naming `key`. */
  encode(value: T, key: string): Buffer;
}

function lengthError(ctx: DecodeContext, problem: string): DhcpDecodeError {
  return new DhcpDecodeError(DecodeErrorCode.BadOptionLength, `option ${ctx.code}: ${problem}`, ctx.offset, {
    option: ctx.code,
  });
}

function valueError(ctx: DecodeContext, problem: string): DhcpDecodeError {
  return new DhcpDecodeError(DecodeErrorCode.BadOptionValue, `option ${ctx.code}: ${problem}`, ctx.offset, {
    option: ctx.code,
  });
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** A string whose every UTF-16 unit is one byte in Latin-1 (text options and sname/file). */
export function isLatin1(v: unknown): v is string {
  return typeof v === 'string' && !/[\u0100-\uffff]/.test(v);
}

function isUint(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function ipv4OrThrow(value: unknown, key: string): Buffer {
  const bytes = ipv4Bytes(value);
  if (!bytes) throw invalidOption(key, `${JSON.stringify(value)} is not a dotted-quad IPv4 address`);
  return bytes;
}

const ipv4: ValueCodec<string> = {
  decode(data, ctx) {
    if (data.length !== 4) throw lengthError(ctx, `length ${data.length}, expected 4`);
    return readIPv4(data, 0);
  },
  encode: ipv4OrThrow,
};

const ipv4List: ValueCodec<string[]> = {
  decode(data, ctx) {
    if (data.length === 0 || data.length % 4 !== 0) {
      throw lengthError(ctx, `length ${data.length}, expected a positive multiple of 4`);
    }
    const out: string[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(readIPv4(data, i));
    return out;
  },
  encode(value, key) {
    if (!Array.isArray(value) || value.length === 0) throw invalidOption(key, 'expected a non-empty array');
    return Buffer.concat(value.map((v) => ipv4OrThrow(v, key)));
  },
};

function uint(bytes: 1 | 2 | 4): ValueCodec<number> {
  const max = 2 ** (8 * bytes) - 1;
  return {
    decode(data, ctx) {
      if (data.length !== bytes) throw lengthError(ctx, `length ${data.length}, expected ${bytes}`);
      return data.readUIntBE(0, bytes);
    },
    encode(value, key) {
      if (!isUint(value, max)) throw invalidOption(key, `${String(value)} is not an integer in 0..${max}`);
      const out = Buffer.alloc(bytes);
      out.writeUIntBE(value, 0, bytes);
      return out;
    },
  };
}

const text: ValueCodec<string> = {
  decode: (data) => data.toString('latin1'),
  encode(value, key) {
    if (!isLatin1(value)) throw invalidOption(key, 'expected a string of Latin-1 characters');
    return Buffer.from(value, 'latin1');
  },
};

function bytes(min: number): ValueCodec<Buffer> {
  return {
    decode(data, ctx) {
      if (data.length < min) throw lengthError(ctx, `length ${data.length}, expected at least ${min}`);
      return Buffer.from(data);
    },
    encode(value, key) {
      if (!isBytes(value) || value.length < min) {
        throw invalidOption(key, `expected a Buffer of at least ${min} bytes`);
      }
      return Buffer.from(value);
    },
  };
}

const u8List: ValueCodec<number[]> = {
  decode: (data) => {
    const out = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] as number;
    return out;
  },
  encode(value, key) {
    if (!Array.isArray(value) || !value.every((v) => isUint(v, 255))) {
      throw invalidOption(key, 'expected an array of integers in 0..255');
    }
    return Buffer.from(value);
  },
};

const clientFqdn: ValueCodec<ClientFqdn> = {
  decode(data, ctx) {
    if (data.length < 3) throw lengthError(ctx, `length ${data.length}, expected at least 3`);
    const flags = data[0] as number;
    const rest = data.subarray(3);
    const name =
      flags & FqdnFlag.Encoded
        ? decodeFqdnWireName(rest, { offset: ctx.offset + 5, option: ctx.code })
        : rest.toString('latin1');
    return { flags, rcode1: data[1] as number, rcode2: data[2] as number, name };
  },
  encode(value, key) {
    if (typeof value !== 'object' || value === null) throw invalidOption(key, 'expected an object');
    for (const field of ['flags', 'rcode1', 'rcode2'] as const) {
      if (!isUint(value[field], 255)) throw invalidOption(`${key}.${field}`, 'expected an integer in 0..255');
    }
    let name: Buffer;
    if (value.flags & FqdnFlag.Encoded) {
      const parsed = parseName(value.name);
      if (typeof parsed === 'string') throw invalidOption(`${key}.name`, parsed);
      name = encodeFqdnWireName(parsed);
    } else {
      if (!isLatin1(value.name))
        throw invalidOption(`${key}.name`, 'expected a string of Latin-1 characters');
      name = Buffer.from(value.name, 'latin1');
    }
    return Buffer.concat([Buffer.from([value.flags, value.rcode1, value.rcode2]), name]);
  },
};

/** Sub-option instances of option 82; repeated codes are concatenated like options (RFC 3396). */
function splitSubOptions(data: Buffer, ctx: DecodeContext): Map<number, Buffer[]> {
  const groups = new Map<number, Buffer[]>();
  let i = 0;
  while (i < data.length) {
    if (i + 1 >= data.length) throw lengthError(ctx, `sub-option at byte ${i} has no length`);
    const code = data[i] as number;
    const len = data[i + 1] as number;
    if (i + 2 + len > data.length) throw lengthError(ctx, `sub-option ${code} runs past the end`);
    const parts = groups.get(code);
    const value = data.subarray(i + 2, i + 2 + len);
    if (parts) parts.push(value);
    else groups.set(code, [value]);
    i += 2 + len;
  }
  return groups;
}

/** Code/length/value instances, values above 255 bytes split across consecutive instances. */
function tlv(code: number, data: Buffer): Buffer[] {
  if (data.length === 0) return [Buffer.from([code, 0])];
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.subarray(i, i + 255);
    out.push(Buffer.from([code, chunk.length]), chunk);
  }
  return out;
}

const relayAgentInfo: ValueCodec<RelayAgentInfo> = {
  decode(data, ctx) {
    const out: RelayAgentInfo = {};
    const other = new Map<number, Buffer>();
    const groups = splitSubOptions(data, ctx);
    for (const [code, parts] of groups) {
      const value = Buffer.concat(parts);
      if (code === RelayAgentSubOption.CircuitId) out.circuitId = value;
      else if (code === RelayAgentSubOption.RemoteId) out.remoteId = value;
      else if (code === RelayAgentSubOption.LinkSelection) {
        if (value.length !== 4) throw lengthError(ctx, `link-selection length ${value.length}, expected 4`);
        out.linkSelection = readIPv4(value, 0);
      } else other.set(code, value);
    }
    if (other.size > 0) out.other = other;
    out.order = [...groups.keys()];
    return out;
  },
  encode(value, key) {
    if (typeof value !== 'object' || value === null) throw invalidOption(key, 'expected an object');
    const present = new Map<number, Buffer>();
    if (value.circuitId !== undefined) {
      if (!isBytes(value.circuitId)) throw invalidOption(`${key}.circuitId`, 'expected a Buffer');
      present.set(RelayAgentSubOption.CircuitId, Buffer.from(value.circuitId));
    }
    if (value.remoteId !== undefined) {
      if (!isBytes(value.remoteId)) throw invalidOption(`${key}.remoteId`, 'expected a Buffer');
      present.set(RelayAgentSubOption.RemoteId, Buffer.from(value.remoteId));
    }
    if (value.linkSelection !== undefined) {
      present.set(
        RelayAgentSubOption.LinkSelection,
        ipv4OrThrow(value.linkSelection, `${key}.linkSelection`),
      );
    }
    addOther(present, value.other, `${key}.other`, false);
    return Buffer.concat(
      ordered(present, value.order, (a, b) => a - b).flatMap((c) => tlv(c, present.get(c) as Buffer)),
    );
  },
};

const domainSearch: ValueCodec<string[]> = {
  decode: (data, ctx) => decodeNameList(data, { offset: ctx.offset + 2, option: ctx.code }),
  encode(value, key) {
    if (!Array.isArray(value)) throw invalidOption(key, 'expected an array of domain names');
    const names: ParsedName[] = value.map((name, i) => {
      const parsed = parseName(name);
      if (typeof parsed === 'string') throw invalidOption(`${key}[${i}]`, parsed);
      if (parsed.labels.length === 0 && !parsed.absolute) throw invalidOption(`${key}[${i}]`, 'empty name');
      return parsed;
    });
    return encodeNameList(names);
  },
};

const CIDR = /^(.+)\/(\d{1,2})$/;

const classlessRoutes: ValueCodec<ClasslessRoute[]> = {
  decode(data, ctx) {
    const routes: ClasslessRoute[] = [];
    let i = 0;
    while (i < data.length) {
      const width = data[i] as number;
      if (width > 32) throw valueError(ctx, `route at byte ${i}: prefix length ${width} is above 32`);
      const significant = Math.ceil(width / 8);
      if (i + 1 + significant + 4 > data.length)
        throw lengthError(ctx, `route at byte ${i} runs past the end`);
      const dest = Buffer.alloc(4);
      data.copy(dest, 0, i + 1, i + 1 + significant);
      routes.push({
        destination: `${readIPv4(dest, 0)}/${width}`,
        router: readIPv4(data, i + 1 + significant),
      });
      i += 1 + significant + 4;
    }
    return routes;
  },
  encode(value, key) {
    if (!Array.isArray(value)) throw invalidOption(key, 'expected an array of routes');
    return Buffer.concat(
      value.map((route: ClasslessRoute, i) => {
        const field = `${key}[${i}]`;
        if (typeof route !== 'object' || route === null) throw invalidOption(field, 'expected an object');
        const m = CIDR.exec(typeof route.destination === 'string' ? route.destination : '');
        const dest = m ? ipv4Bytes(m[1]) : undefined;
        const width = Number(m?.[2]);
        if (!dest || !(width <= 32)) {
          throw invalidOption(
            `${field}.destination`,
            `${JSON.stringify(route.destination)} is not a.b.c.d/len`,
          );
        }
        const significant = Math.ceil(width / 8);
        // The compact form drops the octets past the prefix; refuse to lose set bits silently.
        if (dest.subarray(significant).some((b) => b !== 0)) {
          throw invalidOption(
            `${field}.destination`,
            `${route.destination} has host bits set past /${width}`,
          );
        }
        const router = ipv4OrThrow(route.router, `${field}.router`);
        return Buffer.concat([Buffer.from([width]), dest.subarray(0, significant), router]);
      }),
    );
  },
};

type TypedKey = Exclude<keyof DhcpOptions, 'other' | 'order'>;

interface OptionDef {
  code: number;
  key: TypedKey;
  codec: ValueCodec<unknown>;
}

function def<K extends TypedKey>(
  code: number,
  key: K,
  codec: ValueCodec<NonNullable<DhcpOptions[K]>>,
): OptionDef {
  return { code, key, codec: codec as unknown as ValueCodec<unknown> };
}

const DEFS: readonly OptionDef[] = [
  def(OptionCode.SubnetMask, 'subnetMask', ipv4),
  def(OptionCode.Routers, 'routers', ipv4List),
  def(OptionCode.DnsServers, 'dnsServers', ipv4List),
  def(OptionCode.Hostname, 'hostname', text),
  def(OptionCode.DomainName, 'domainName', text),
  def(OptionCode.InterfaceMtu, 'mtu', uint(2)),
  def(OptionCode.BroadcastAddress, 'broadcastAddress', ipv4),
  def(OptionCode.NtpServers, 'ntpServers', ipv4List),
  def(OptionCode.RequestedIp, 'requestedIp', ipv4),
  def(OptionCode.LeaseTime, 'leaseTime', uint(4)),
  def(OptionCode.MessageType, 'messageType', uint(1)),
  def(OptionCode.ServerId, 'serverId', ipv4),
  def(OptionCode.ParameterRequestList, 'parameterRequestList', u8List),
  def(OptionCode.Message, 'message', text),
  def(OptionCode.MaxMessageSize, 'maxMessageSize', uint(2)),
  def(OptionCode.RenewalTime, 'renewalTime', uint(4)),
  def(OptionCode.RebindingTime, 'rebindingTime', uint(4)),
  def(OptionCode.VendorClassId, 'vendorClassId', text),
  def(OptionCode.ClientId, 'clientId', bytes(2)),
  def(OptionCode.ClientFqdn, 'clientFqdn', clientFqdn),
  def(OptionCode.RelayAgentInfo, 'relayAgentInfo', relayAgentInfo),
  def(OptionCode.SubnetSelection, 'subnetSelection', ipv4),
  def(OptionCode.DomainSearch, 'domainSearch', domainSearch),
  def(OptionCode.ClasslessStaticRoutes, 'classlessRoutes', classlessRoutes),
];
const BY_CODE = new Map(DEFS.map((d) => [d.code, d]));
/** BY_CODE as an array by code, for decode. */
const DEF_AT: Array<OptionDef | undefined> = Array.from({ length: 256 }, (_, code) => BY_CODE.get(code));
const BY_KEY = new Map<string, OptionDef>(DEFS.map((d) => [d.key, d]));

/** The `DhcpOptions` key of a typed option code, if it has one. */
export function optionKey(code: number): TypedKey | undefined {
  return BY_CODE.get(code)?.key;
}

/** One option's data after concatenating every instance of its code, ready for its value codec. */
export interface OptionGroup {
  code: number;
  offset: number;
  data: Buffer;
}

/** One option's data as the value codec wrote it, before splitting into instances. */
export interface EncodedOption {
  code: number;
  data: Buffer;
}

/**
 * The context handed to value codecs, one object reused: decode is synchronous and the codecs
 * only read it (into error messages) while they run.
 */
const decodeCtx: DecodeContext = { code: 0, offset: 0 };

/** Decodes one option into `out` (typed) or `other` (made when first needed); returns `other`. */
function decodeOne(
  out: Record<string, unknown>,
  other: Map<number, Buffer> | undefined,
  code: number,
  offset: number,
  data: Buffer,
): Map<number, Buffer> | undefined {
  const d = DEF_AT[code];
  if (d) {
    decodeCtx.code = code;
    decodeCtx.offset = offset;
    out[d.key] = d.codec.decode(data, decodeCtx);
    return other;
  }
  const m = other ?? new Map<number, Buffer>();
  m.set(code, Buffer.from(data));
  return m;
}

/** Typed options from the aggregate option buffer, one group per code in wire order. */
export function decodeOptionList(groups: readonly OptionGroup[]): DhcpOptions {
  const out: Record<string, unknown> = {};
  let other: Map<number, Buffer> | undefined;
  const order = new Array<number>(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const { code, offset, data } = groups[i] as OptionGroup;
    order[i] = code;
    other = decodeOne(out, other, code, offset, data);
  }
  if (other) out.other = other;
  out.order = order;
  return out as DhcpOptions;
}

/**
 * `decodeOptionList` for a packet whose options each appear once (the usual case): instance
 * `i` has its code byte at `offsets[i]` of `buf`, its length after it and its data next. Saves
 * the group objects decode would otherwise build for each option.
 */
export function decodeOptionInstances(buf: Buffer, offsets: readonly number[], count: number): DhcpOptions {
  const out: Record<string, unknown> = {};
  let other: Map<number, Buffer> | undefined;
  const order = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const offset = offsets[i] as number;
    const code = buf[offset] as number;
    const start = offset + 2;
    order[i] = code;
    other = decodeOne(out, other, code, offset, buf.subarray(start, start + (buf[offset + 1] as number)));
  }
  if (other) out.other = other;
  out.order = order;
  return out as DhcpOptions;
}

/**
 * Adds raw pass-through values to `present`, refusing codes that clash with typed fields. Top-level
 * options (`structural`) may not use pad (0), end (255) or overload (52); option 82 sub-options may
 * use any code.
 */
function addOther(present: Map<number, Buffer>, other: unknown, key: string, structural: boolean): void {
  if (other === undefined) return;
  if (!(other instanceof Map)) throw invalidOption(key, 'expected a Map of code to Buffer');
  for (const [code, data] of other as Map<unknown, unknown>) {
    if (!isUint(code, 255) || (structural && (code === 0 || code === 255 || code === OptionCode.Overload))) {
      throw invalidOption(key, `${String(code)} is not a usable option code`);
    }
    if (present.has(code)) throw invalidOption(key, `code ${code} duplicates a typed field`);
    if (!isBytes(data)) throw invalidOption(`${key}.${code}`, 'expected a Buffer');
    present.set(code, Buffer.from(data));
  }
}

/** Codes of `present`: first those listed in `order`, then the rest sorted by `compare`. */
function ordered(
  present: Map<number, Buffer>,
  order: unknown,
  compare: (a: number, b: number) => number,
): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  if (Array.isArray(order)) {
    for (const code of order) {
      if (typeof code === 'number' && present.has(code) && !seen.has(code)) {
        out.push(code);
        seen.add(code);
      }
    }
  }
  const rest = [...present.keys()].filter((c) => !seen.has(c)).sort(compare);
  return out.concat(rest);
}

/** Message type first (clients look for it early), relay agent information last (RFC 3046 §2.1). */
function defaultRank(code: number): number {
  if (code === OptionCode.MessageType) return -1;
  if (code === OptionCode.RelayAgentInfo) return 256;
  return code;
}

/** Every present option's data, in the order `DhcpOptions.order` asks for; validates as it goes. */
export function encodeOptionList(options: DhcpOptions): EncodedOption[] {
  if (typeof options !== 'object' || options === null) throw invalidOption('', 'expected an object');
  const present = new Map<number, Buffer>();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'other' || key === 'order') continue;
    const d = BY_KEY.get(key);
    if (!d) throw invalidOption(key, 'unknown option field (use options.other for raw options)');
    present.set(d.code, d.codec.encode(value, key));
  }
  addOther(present, options.other, 'other', true);
  return ordered(present, options.order, (a, b) => defaultRank(a) - defaultRank(b)).map((code) => ({
    code,
    data: present.get(code) as Buffer,
  }));
}
