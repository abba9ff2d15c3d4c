import { DnsWireError, WireAction } from './errors.js';

/** Resource record types this server knows by name (RFC 1035, 3596, 2782, 6891). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const RCode = {
  NoError: 0,
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
} as const;

export const CLASS_IN = 1;
export const CLASS_ANY = 255;
export const HEADER_SIZE = 12;
/** The UDP payload size we advertise and honour at most (the DNS Flag Day 2020 figure). */
export const MAX_UDP_PAYLOAD = 1232;
/** RFC 1035 §4.2.1: without EDNS a UDP answer is at most 512 bytes. */
export const CLASSIC_UDP_PAYLOAD = 512;

/** A query as `parseQuery` read it: what the answer needs, nothing else. */
export interface ParsedQuery {
  id: number;
  /** The second header word as received (opcode, RD, CD bits are echoed from it). */
  flags: number;
  /** Query name, lower-case, dotted, without the trailing dot ('' for the root). */
  name: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question: bytes [12, questionEnd) are echoed in the answer. */
  questionEnd: number;
  /** The client's EDNS0 OPT record, when it sent one. */
  edns: { payload: number; dnssecOk: boolean } | undefined;
}

/** Scratch space for building query names: one per process, names are at most 255 bytes. */
const nameScratch = Buffer.alloc(256);

/**
 * Reads a query. Strict where the protocol is strict (one question, no answer or authority
 * records, at most one OPT, no compression in the question, nothing after the last record);
 * throws `DnsWireError` telling the caller whether to answer FORMERR/NOTIMP/BADVERS or drop.
 */
export function parseQuery(msg: Uint8Array): ParsedQuery {
  const len = msg.length;
  if (len < HEADER_SIZE) throw new DnsWireError(WireAction.Drop, `${len} bytes is shorter than a header`, 0);
  const flags = ((msg[2] as number) << 8) | (msg[3] as number);
  if (flags & 0x8000) throw new DnsWireError(WireAction.Drop, 'a response (QR set), not a query', 2);
  const id = ((msg[0] as number) << 8) | (msg[1] as number);
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) throw new DnsWireError(WireAction.NotImp, `opcode ${opcode} is not QUERY`, 2);
  const qdcount = ((msg[4] as number) << 8) | (msg[5] as number);
  const ancount = ((msg[6] as number) << 8) | (msg[7] as number);
  const nscount = ((msg[8] as number) << 8) | (msg[9] as number);
  const arcount = ((msg[10] as number) << 8) | (msg[11] as number);
  if (qdcount !== 1) throw new DnsWireError(WireAction.FormErr, `${qdcount} questions (want 1)`, 4);
  if (ancount !== 0 || nscount !== 0)
    throw new DnsWireError(WireAction.FormErr, 'a query with answer or authority records', 6);
  if (arcount > 1) throw new DnsWireError(WireAction.FormErr, `${arcount} additional records (want 0-1)`, 10);

  // Question name: plain labels only, copied lower-case with '.' between labels.
  let off = HEADER_SIZE;
  let n = 0;
  let escaped = false;
  for (;;) {
    if (off >= len) throw new DnsWireError(WireAction.FormErr, 'question name runs past the end', off);
    const l = msg[off] as number;
    if (l === 0) {
      off++;
      break;
    }
    if (l > 63) throw new DnsWireError(WireAction.FormErr, `label length byte 0x${l.toString(16)}`, off);
    if (off + 1 + l > len) throw new DnsWireError(WireAction.FormErr, 'label runs past the end', off);
    if (n + l + 1 > 255) throw new DnsWireError(WireAction.FormErr, 'name longer than 255 bytes', off);
    if (n > 0) nameScratch[n++] = 0x2e;
    for (let i = off + 1, end = off + 1 + l; i < end; i++) {
      let c = msg[i] as number;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      else if (c === 0x2e) escaped = true;
      nameScratch[n++] = c;
    }
    off += 1 + l;
  }
  if (off + 4 > len) throw new DnsWireError(WireAction.FormErr, 'question type/class missing', off);
  const qtype = ((msg[off] as number) << 8) | (msg[off + 1] as number);
  const qclass = ((msg[off + 2] as number) << 8) | (msg[off + 3] as number);
  off += 4;
  const questionEnd = off;
  // A '.' inside a label cannot be told from a label boundary in dotted form; such a name
  // matches nothing of ours, so it gets a key no stored name can have.
  const name = escaped
    ? `\\escaped\\${nameScratch.toString('latin1', 0, n)}`
    : nameScratch.toString('latin1', 0, n);

  let edns: ParsedQuery['edns'];
  if (arcount === 1) {
    // Only OPT is meaningful in a query's additional section; its owner must be the root.
    if (off + 11 > len) throw new DnsWireError(WireAction.FormErr, 'additional record truncated', off);
    if (msg[off] !== 0) throw new DnsWireError(WireAction.FormErr, 'additional record is not OPT', off);
    const type = ((msg[off + 1] as number) << 8) | (msg[off + 2] as number);
    if (type !== RRType.OPT)
      throw new DnsWireError(WireAction.FormErr, `additional record of type ${type}, not OPT`, off);
    const payload = ((msg[off + 3] as number) << 8) | (msg[off + 4] as number);
    const version = msg[off + 6] as number;
    const dnssecOk = ((msg[off + 7] as number) & 0x80) !== 0;
    const rdlen = ((msg[off + 9] as number) << 8) | (msg[off + 10] as number);
    if (off + 11 + rdlen > len) throw new DnsWireError(WireAction.FormErr, 'OPT data runs past the end', off);
    // Options are type-length-value; they must tile the data exactly.
    let o = off + 11;
    const end = o + rdlen;
    while (o < end) {
      if (o + 4 > end) throw new DnsWireError(WireAction.FormErr, 'EDNS option header truncated', o);
      const olen = ((msg[o + 2] as number) << 8) | (msg[o + 3] as number);
      o += 4 + olen;
      if (o > end) throw new DnsWireError(WireAction.FormErr, 'EDNS option runs past OPT data', o);
    }
    off = end;
    if (version !== 0)
      throw new DnsWireError(WireAction.BadVers, `EDNS version ${version}`, off - rdlen - 5, questionEnd);
    // RFC 6891 §6.2.5: values below 512 are treated as 512.
    edns = { payload: Math.max(512, payload), dnssecOk };
  }
  if (off !== len)
    throw new DnsWireError(WireAction.FormErr, `${len - off} bytes after the last record`, off);
  return { id, flags, name, qtype, qclass, questionEnd, edns };
}

/**
 * Wire form of a dotted name ('' = root). Case is kept (callers lower-case stored names).
 * Throws on labels outside 1..63 bytes or a name over 255 bytes: callers validate first.
 */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.from([0]);
  const labels = trimmed.split('.');
  const parts: Buffer[] = [];
  let total = 1;
  for (const l of labels) {
    const b = Buffer.from(l, 'latin1');
    if (b.length < 1 || b.length > 63) throw new RangeError(`label ${JSON.stringify(l)} of ${name}`);
    parts.push(Buffer.from([b.length]), b);
    total += 1 + b.length;
  }
  if (total > 255) throw new RangeError(`name ${name} is longer than 255 bytes`);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts, total);
}

/** One resource record to write. `owner` undefined means "the query name" (a pointer to offset 12). */
export interface WireRecord {
  owner: Buffer | undefined;
  type: number;
  ttl: number;
  rdata: Buffer;
}

/** The outcome of a lookup, ready to encode. */
export interface Answer {
  rcode: number;
  authoritative: boolean;
  answer: WireRecord[];
  authority: WireRecord[];
  /**
   * How long (ms) the same question gets the same answer while the index is unchanged: 0 when a
   * lease record in it is near expiry (its TTL counts down with the lease). Set by the index.
   */
  stableForMs?: number;
}

function recordSize(r: WireRecord): number {
  return (r.owner ? r.owner.length : 2) + 10 + r.rdata.length;
}

/** Byte copy without Buffer.copy's argument checks, which dominate for the few bytes copied here. */
function put(dst: Buffer, off: number, src: Uint8Array, start = 0, end = src.length): number {
  for (let i = start; i < end; i++) dst[off++] = src[i] as number;
  return off;
}

function writeRecord(buf: Buffer, off: number, r: WireRecord): number {
  if (r.owner) {
    off = put(buf, off, r.owner);
  } else {
    buf[off++] = 0xc0;
    buf[off++] = HEADER_SIZE;
  }
  buf[off++] = r.type >> 8;
  buf[off++] = r.type & 0xff;
  buf[off++] = 0;
  buf[off++] = CLASS_IN;
  const ttl = r.ttl >>> 0;
  buf[off++] = ttl >>> 24;
  buf[off++] = (ttl >>> 16) & 0xff;
  buf[off++] = (ttl >>> 8) & 0xff;
  buf[off++] = ttl & 0xff;
  buf[off++] = r.rdata.length >> 8;
  buf[off++] = r.rdata.length & 0xff;
  return put(buf, off, r.rdata);
}

const OPT_SIZE = 11;

function writeOpt(buf: Buffer, off: number, extRcode = 0): number {
  buf[off] = 0;
  buf[off + 1] = 0;
  buf[off + 2] = RRType.OPT;
  buf.writeUInt16BE(MAX_UDP_PAYLOAD, off + 3);
  buf[off + 5] = extRcode;
  buf[off + 6] = 0; // version
  buf[off + 7] = 0;
  buf[off + 8] = 0;
  buf[off + 9] = 0;
  buf[off + 10] = 0;
  return off + OPT_SIZE;
}

/**
 * The response to `query` (the raw message `parseQuery` read as `q`): header, the question
 * echoed byte for byte (so a client's 0x20 case survives), the records, and an OPT when the
 * client sent one. When it would exceed `limit` bytes, the records are left out and TC is set
 * (RFC 2181 §9: a truncated answer is retried over TCP, not pieced together).
 */
export function encodeAnswer(
  query: Uint8Array,
  q: ParsedQuery,
  a: Answer,
  limit: number,
  recursionAvailable: boolean,
): Buffer {
  const qlen = q.questionEnd - HEADER_SIZE;
  const optLen = q.edns ? OPT_SIZE : 0;
  let size = HEADER_SIZE + qlen + optLen;
  for (const r of a.answer) size += recordSize(r);
  for (const r of a.authority) size += recordSize(r);
  const truncated = size > limit;
  if (truncated) size = HEADER_SIZE + qlen + optLen;
  const buf = Buffer.allocUnsafe(size);
  buf[0] = q.id >> 8;
  buf[1] = q.id & 0xff;
  // QR, opcode 0, AA, TC, RD echoed; RA; CD echoed; rcode.
  buf[2] = 0x80 | (a.authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0) | ((q.flags >> 8) & 0x01);
  buf[3] = (recursionAvailable ? 0x80 : 0) | (q.flags & 0x10) | (a.rcode & 0xf);
  buf[4] = 0;
  buf[5] = 1;
  const an = truncated ? 0 : a.answer.length;
  const ns = truncated ? 0 : a.authority.length;
  buf[6] = an >> 8;
  buf[7] = an & 0xff;
  buf[8] = ns >> 8;
  buf[9] = ns & 0xff;
  buf[10] = 0;
  buf[11] = q.edns ? 1 : 0;
  let off = put(buf, HEADER_SIZE, query, HEADER_SIZE, q.questionEnd);
  if (!truncated) {
    for (const r of a.answer) off = writeRecord(buf, off, r);
    for (const r of a.authority) off = writeRecord(buf, off, r);
  }
  if (q.edns) writeOpt(buf, off);
  return buf;
}

/**
 * The answer to a message `parseQuery` rejected: FORMERR/NOTIMP with the header only, BADVERS
 * with the question and an OPT carrying the extended rcode. Undefined when it must be dropped.
 */
export function errorAnswer(query: Uint8Array, err: DnsWireError): Buffer | undefined {
  if (err.action === WireAction.Drop || query.length < HEADER_SIZE) return undefined;
  const badvers = err.action === WireAction.BadVers;
  const qEnd = badvers ? err.questionEnd : HEADER_SIZE;
  const buf = Buffer.alloc(qEnd + (badvers ? OPT_SIZE : 0));
  buf[0] = query[0] as number;
  buf[1] = query[1] as number;
  // QR, the opcode and RD as received.
  buf[2] = 0x80 | ((query[2] as number) & 0x79);
  const rcode =
    err.action === WireAction.FormErr ? RCode.FormErr : err.action === WireAction.NotImp ? RCode.NotImp : 0;
  buf[3] = rcode;
  if (badvers) {
    buf[5] = 1;
    buf[11] = 1;
    buf.set(query.subarray(HEADER_SIZE, qEnd), HEADER_SIZE);
    // BADVERS is 16: the upper 8 bits (1) travel in the OPT, the lower 4 (0) in the header.
    writeOpt(buf, qEnd, 1);
  }
  return buf;
}

/** A header-only answer with `rcode` (REFUSED, SERVFAIL) that echoes the question. */
export function rcodeAnswer(query: Uint8Array, q: ParsedQuery, rcode: number, recursionAvailable: boolean) {
  return encodeAnswer(
    query,
    q,
    { rcode, authoritative: false, answer: [], authority: [] },
    65535,
    recursionAvailable,
  );
}
