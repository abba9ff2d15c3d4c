import dgram from 'node:dgram';
import net, { isIPv6 } from 'node:net';
import type { ClientAcl } from './acl.js';
import { DnsWireError, WireAction } from './errors.js';
import {
  CLASS_ANY,
  CLASS_IN,
  CLASSIC_UDP_PAYLOAD,
  encodeAnswer,
  errorAnswer,
  HEADER_SIZE,
  MAX_UDP_PAYLOAD,
  type ParsedQuery,
  parseQuery,
  RCode,
  rcodeAnswer,
} from './wire.js';
import type { ZoneIndex } from './zone-index.js';

/** host:port of an upstream resolver (an IP address: forwarding never looks names up). */
export interface Endpoint {
  host: string;
  port: number;
}

/** The part of a pino logger the server uses. */
export interface DnsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DnsServerOptions {
  index: ZoneIndex;
  host: string;
  port: number;
  /** Where queries outside our zones go; none = REFUSED. */
  upstreams?: Endpoint[];
  /** Who may have queries forwarded; nobody when absent. */
  acl?: ClientAcl;
  log?: DnsLog;
  /** Per upstream, before trying the next one (default 1500 ms). */
  forwardTimeoutMs?: number;
  /** An idle TCP connection is closed after this (default 10 s). */
  tcpIdleMs?: number;
  maxTcpConnections?: number;
  /**
   * false: TCP only; UDP is served elsewhere (ipamd's batched I/O threads), which hands this
   * server the queries it must forward. Default true.
   */
  udp?: boolean;
  /**
   * Takes the queries to forward instead of the built-in forwarder (set where forwarding must
   * happen elsewhere, e.g. in another thread); the RA bit and the ACL work as with `upstreams`.
   */
  forwardTo?: ForwardTarget;
}

/** Where a DnsServer sends the queries it forwards. */
export interface ForwardTarget {
  forwardUdp(msg: Buffer, q: ParsedQuery, reply: Reply): void;
  forwardTcp(msg: Buffer, q: ParsedQuery, reply: Reply): void;
  close(): void;
}

const QTYPE_IXFR = 251;
const QTYPE_AXFR = 252;
const MAX_PENDING = 4096;
const MAX_TCP_BUFFERED = 1 << 20;

export type Reply = (answer: Buffer) => void;

/**
 * RCODE names by value, as metrics label them (16 is BADVERS, the EDNS extended RCODE), and
 * `dropped` for queries that got no answer at all.
 */
export const RCODE_LABELS = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
  'RCODE11',
  'RCODE12',
  'RCODE13',
  'RCODE14',
  'RCODE15',
  'BADVERS',
  'dropped',
] as const;
const BADVERS = 16;
const DROPPED = 17;

/** The counters a DnsServer keeps: plain numbers (and arrays of them), cheap to copy and sum. */
export function emptyDnsStats() {
  return {
    /** Queries by how they ended, indexed like RCODE_LABELS: `[udp[], tcp[]]`. */
    byRcode: [new Array<number>(RCODE_LABELS.length).fill(0), new Array<number>(RCODE_LABELS.length).fill(0)],
    udpQueries: 0,
    tcpQueries: 0,
    answered: 0,
    nxdomain: 0,
    truncated: 0,
    refused: 0,
    formerr: 0,
    notimp: 0,
    badvers: 0,
    dropped: 0,
    forwarded: 0,
    forwardFailed: 0,
    servfail: 0,
    internalErrors: 0,
    /** UDP questions answered from the answer cache (included in answered). */
    cacheHits: 0,
  };
}
export type DnsStats = ReturnType<typeof emptyDnsStats>;

interface CachedAnswer {
  bytes: Buffer;
  expiresAt: number;
  rcode: number;
  truncated: boolean;
}
/** Answers kept at most (the cache is emptied when full: a flood of distinct names costs no more). */
const MAX_CACHED_ANSWERS = 20_000;
/** Queries longer than this (large EDNS options) are not worth a key. */
const MAX_CACHED_QUERY = 300;

/** Adds `from` into `into` (the totals of several servers, e.g. DNS worker processes). */
export function addDnsStats(into: DnsStats, from: DnsStats): DnsStats {
  for (const [k, v] of Object.entries(from) as Array<[keyof DnsStats, unknown]>) {
    if (k === 'byRcode') {
      for (let t = 0; t < 2; t++)
        for (let i = 0; i < RCODE_LABELS.length; i++)
          (into.byRcode[t] as number[])[i] =
            ((into.byRcode[t] as number[])[i] ?? 0) + ((from.byRcode[t] as number[] | undefined)?.[i] ?? 0);
    } else if (typeof v === 'number') (into[k] as number) += v;
  }
  return into;
}

/**
 * Authoritative DNS for the index's zones over UDP and TCP on one address, forwarding the rest
 * to upstreams for clients the ACL allows. Bad input is answered FORMERR or dropped and counted;
 * no input makes it throw. In a cluster worker the UDP socket is the primary's shared handle, so
 * the kernel spreads datagrams over the workers.
 */
export class DnsServer {
  readonly stats: DnsStats = emptyDnsStats();
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly forwarder: ForwardTarget | undefined;
  private readonly index: ZoneIndex;
  private readonly log: DnsLog | undefined;
  private readonly connections = new Set<net.Socket>();
  private readonly networkCidrs: () => string[];
  private readonly aclCache = new Map<string, boolean>();
  private aclCacheAt = 0;
  /**
   * Answers to repeated UDP questions, by the question's bytes after the id (flags, counts,
   * question and OPT: everything the answer depends on), one map for clients that may recurse
   * and one for the rest: the key is then the flat string toString makes, where a prefix would
   * make a cons string that every lookup first flattens (a copy; ~30% of a cache hit). Emptied
   * whenever the index applies an event; an entry lives at most as long as its answer stays the
   * same (`Answer.stableForMs`: a second, or not at all near a lease's expiry).
   */
  private readonly answersBy = [new Map<string, CachedAnswer>(), new Map<string, CachedAnswer>()] as const;
  private answersGeneration = -1;

  constructor(private readonly opts: DnsServerOptions) {
    this.index = opts.index;
    this.log = opts.log;
    this.forwarder =
      opts.forwardTo ??
      (opts.upstreams && opts.upstreams.length > 0
        ? new Forwarder(opts.upstreams, opts.forwardTimeoutMs ?? 1500, this.stats, opts.log)
        : undefined);
    this.networkCidrs = () => this.index.networkCidrs();
  }

  /** Binds UDP and TCP on the same port (resolve port 0 first: the two would differ). */
  async start(): Promise<{ host: string; port: number }> {
    const { host, port } = this.opts;
    if (this.opts.udp === false) {
      this.tcp = await this.listenTcp(host, port);
      return { host, port: (this.tcp.address() as net.AddressInfo).port };
    }
    // Replies go to the address the query came from, always an IP: a synchronous identity
    // lookup spares dgram its dns.lookup() round through process.nextTick on every send.
    const udp = dgram.createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4',
      lookup: ipLookup,
      recvBufferSize: 4 << 20,
    });
    udp.on('message', (msg, rinfo) => {
      this.stats.udpQueries++;
      this.handle(msg, rinfo.address, false, (answer) => udp.send(answer, rinfo.port, rinfo.address));
    });
    udp.on('error', (err) => this.log?.debug({ err: err.message }, 'dns udp socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: host, port, exclusive: false }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    const bound = udp.address().port;
    this.tcp = await this.listenTcp(host, bound);
    return { host, port: bound };
  }

  private async listenTcp(host: string, port: number): Promise<net.Server> {
    const tcp = net.createServer({ noDelay: true }, (conn) => this.onConnection(conn));
    tcp.maxConnections = this.opts.maxTcpConnections ?? 256;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host, port, exclusive: false }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.on('error', (err) => this.log?.warn({ err: err.message }, 'dns tcp server error'));
    return tcp;
  }

  async stop(): Promise<void> {
    this.forwarder?.close();
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    const tcp = this.tcp;
    this.tcp = undefined;
    for (const c of this.connections) c.destroy();
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  private onConnection(conn: net.Socket): void {
    this.connections.add(conn);
    const client = conn.remoteAddress ?? '';
    let buf: Buffer = Buffer.alloc(0);
    conn.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => conn.destroy());
    conn.on('error', () => {});
    conn.on('close', () => this.connections.delete(conn));
    const reply: Reply = (answer) => {
      if (conn.destroyed) return;
      if (conn.writableLength > MAX_TCP_BUFFERED) {
        conn.destroy();
        return;
      }
      const framed = Buffer.allocUnsafe(answer.length + 2);
      framed.writeUInt16BE(answer.length, 0);
      answer.copy(framed, 2);
      conn.write(framed);
    };
    conn.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        this.stats.tcpQueries++;
        this.handle(msg, client, true, reply);
      }
    });
  }

  /**
   * Answers one message: from the index when the name is ours, else forwarded or REFUSED.
   * `reply` may be called later (forwarding) or never (dropped input).
   */
  handle(msg: Buffer, client: string, tcp: boolean, reply: Reply): void {
    try {
      const recursion = this.forwarder !== undefined && this.recursionAllowed(client);
      let cacheKey: string | undefined;
      let answers: Map<string, CachedAnswer> | undefined;
      /** This question's expired entry, refreshed in place below. */
      let stale: CachedAnswer | undefined;
      if (!tcp && msg.length >= 17 && msg.length <= MAX_CACHED_QUERY) {
        const generation = this.index.stats.events;
        if (generation !== this.answersGeneration) {
          this.clearAnswers();
          this.answersGeneration = generation;
        }
        answers = this.answersBy[recursion ? 1 : 0];
        cacheKey = msg.toString('latin1', 2);
        const hit = answers.get(cacheKey);
        if (hit !== undefined) {
          if (hit.expiresAt > Date.now()) {
            const out = Buffer.allocUnsafe(hit.bytes.length);
            hit.bytes.copy(out);
            out[0] = msg[0] as number;
            out[1] = msg[1] as number;
            this.stats.answered++;
            this.stats.cacheHits++;
            if (hit.rcode === RCode.NXDomain) this.stats.nxdomain++;
            if (hit.truncated) this.stats.truncated++;
            this.count(tcp, hit.rcode & 0x0f);
            reply(out);
            return;
          }
          stale = hit;
        }
      }
      let q: ParsedQuery;
      try {
        q = parseQuery(msg);
      } catch (err) {
        if (!(err instanceof DnsWireError)) throw err;
        this.countRejected(err);
        const answer = errorAnswer(msg, err);
        this.count(
          tcp,
          !answer ? DROPPED : err.action === WireAction.BadVers ? BADVERS : (answer[3] as number) & 0x0f,
        );
        if (answer) reply(answer);
        return;
      }
      if (
        (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) ||
        q.qtype === QTYPE_AXFR ||
        q.qtype === QTYPE_IXFR
      ) {
        this.stats.refused++;
        this.count(tcp, RCode.Refused);
        reply(rcodeAnswer(msg, q, RCode.Refused, recursion));
        return;
      }
      const a = this.index.lookup(q.name, q.qtype);
      if (a) {
        const limit = tcp ? 65535 : q.edns ? Math.min(q.edns.payload, MAX_UDP_PAYLOAD) : CLASSIC_UDP_PAYLOAD;
        const answer = encodeAnswer(msg, q, a, limit, recursion);
        this.stats.answered++;
        if (a.rcode === RCode.NXDomain) this.stats.nxdomain++;
        const truncated = ((answer[2] as number) & 0x02) !== 0;
        if (truncated) this.stats.truncated++;
        if (cacheKey !== undefined && a.stableForMs) {
          const expiresAt = Date.now() + a.stableForMs;
          if (stale !== undefined && stale.bytes.length === answer.length) {
            // The same entry, key and buffer again: long promoted to the old generation, they
            // cost a scavenge nothing. A new entry per name per second is what every scavenge
            // had to copy and promote under load: 5-15 ms pauses of an I/O thread, once a second.
            answer.copy(stale.bytes);
            stale.expiresAt = expiresAt;
            stale.rcode = a.rcode;
            stale.truncated = truncated;
          } else {
            if (this.answersBy[0].size + this.answersBy[1].size >= MAX_CACHED_ANSWERS) this.clearAnswers();
            answers?.set(cacheKey, { bytes: Buffer.from(answer), expiresAt, rcode: a.rcode, truncated });
          }
        } else if (stale !== undefined) answers?.delete(cacheKey as string);
        this.count(tcp, a.rcode & 0x0f);
        reply(answer);
        return;
      }
      // Not ours: forward when the client may recurse and asked to (RD), else refuse.
      if (!recursion || ((q.flags >> 8) & 0x01) === 0 || !this.forwarder) {
        this.stats.refused++;
        this.count(tcp, RCode.Refused);
        reply(rcodeAnswer(msg, q, RCode.Refused, recursion));
        return;
      }
      this.stats.forwarded++;
      // The upstream's answer (or our SERVFAIL) decides the RCODE; forwarding is the slow path,
      // so a closure per forwarded query is fine.
      const counted: Reply = (answer) => {
        this.count(tcp, answer.length > 3 ? (answer[3] as number) & 0x0f : DROPPED);
        reply(answer);
      };
      if (tcp) this.forwarder.forwardTcp(msg, q, counted);
      else this.forwarder.forwardUdp(msg, q, counted);
    } catch (err) {
      // A bug, not bad input: count it, keep serving.
      this.stats.internalErrors++;
      this.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'dns query failed');
    }
  }

  private clearAnswers(): void {
    this.answersBy[0].clear();
    this.answersBy[1].clear();
  }

  /**
   * Whether `client` may recurse. Asked for every query (it sets RA), so answers are cached per
   * address for a second: long enough to spare the parse, short enough to follow network changes.
   */
  private recursionAllowed(client: string): boolean {
    const now = Date.now();
    if (now - this.aclCacheAt > 1000 || this.aclCache.size > 4096) {
      this.aclCache.clear();
      this.aclCacheAt = now;
    }
    let ok = this.aclCache.get(client);
    if (ok === undefined) {
      ok = this.opts.acl?.allows(client, this.networkCidrs) ?? false;
      this.aclCache.set(client, ok);
    }
    return ok;
  }

  private count(tcp: boolean, rcode: number): void {
    const row = this.stats.byRcode[tcp ? 1 : 0] as number[];
    row[rcode] = (row[rcode] as number) + 1;
  }

  private countRejected(err: DnsWireError): void {
    switch (err.action) {
      case WireAction.Drop:
        this.stats.dropped++;
        break;
      case WireAction.FormErr:
        this.stats.formerr++;
        break;
      case WireAction.NotImp:
        this.stats.notimp++;
        break;
      case WireAction.BadVers:
        this.stats.badvers++;
        break;
    }
    this.log?.debug({ action: err.action, offset: err.offset, err: err.message }, 'dns query rejected');
  }
}

interface Pending {
  originalId: number;
  message: Buffer;
  reply: Reply;
  attempt: number;
  timer: NodeJS.Timeout;
  query: ParsedQuery;
  source: Buffer;
}

/**
 * Relays queries outside our zones to upstream resolvers: over UDP with a fresh message id
 * (answers are matched by id and source, so a stray packet cannot answer a query), over TCP on
 * a connection per query. Every query ends with the upstream's answer or SERVFAIL.
 */
class Forwarder {
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Map<string, dgram.Socket>();
  private nextId = Math.floor(Math.random() * 65536);
  private closed = false;

  constructor(
    private readonly upstreams: Endpoint[],
    private readonly timeoutMs: number,
    private readonly stats: DnsStats,
    private readonly log: DnsLog | undefined,
  ) {}

  private socketFor(up: Endpoint): dgram.Socket {
    const family = isIPv6(up.host) ? 'udp6' : 'udp4';
    let s = this.sockets.get(family);
    if (!s) {
      const sock = dgram.createSocket({ type: family });
      sock.on('message', (msg, rinfo) => this.onAnswer(msg, rinfo));
      sock.on('error', (err) => this.log?.debug({ err: err.message }, 'dns forwarder socket error'));
      // Exclusive: in a cluster worker, an ephemeral socket of our own, not a shared handle.
      sock.bind({ port: 0, exclusive: true });
      sock.unref();
      this.sockets.set(family, sock);
      s = sock;
    }
    return s;
  }

  forwardUdp(msg: Buffer, q: ParsedQuery, reply: Reply): void {
    if (this.closed || this.pending.size >= MAX_PENDING) {
      this.fail(msg, q, reply);
      return;
    }
    let id = this.nextId;
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    this.nextId = (id + 1 + Math.floor(Math.random() * 64)) & 0xffff;
    const message = Buffer.from(msg);
    message.writeUInt16BE(id, 0);
    const p: Pending = {
      originalId: q.id,
      message,
      reply,
      attempt: 0,
      query: q,
      source: msg,
      timer: setTimeout(() => this.onTimeout(id), this.timeoutMs),
    };
    p.timer.unref();
    this.pending.set(id, p);
    this.send(p);
  }

  private send(p: Pending): void {
    const up = this.upstreams[p.attempt] as Endpoint;
    this.socketFor(up).send(p.message, up.port, up.host);
  }

  private onTimeout(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.attempt++;
    if (p.attempt < this.upstreams.length) {
      p.timer = setTimeout(() => this.onTimeout(id), this.timeoutMs);
      p.timer.unref();
      this.send(p);
      return;
    }
    this.pending.delete(id);
    this.fail(p.source, p.query, p.reply);
  }

  private onAnswer(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < HEADER_SIZE || ((msg[2] as number) & 0x80) === 0) return;
    const id = msg.readUInt16BE(0);
    const p = this.pending.get(id);
    if (!p) return;
    const up = this.upstreams[p.attempt] as Endpoint;
    if (rinfo.port !== up.port || normalizeAddress(rinfo.address) !== normalizeAddress(up.host)) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    const out = Buffer.from(msg);
    out.writeUInt16BE(p.originalId, 0);
    p.reply(out);
  }

  forwardTcp(msg: Buffer, q: ParsedQuery, reply: Reply, attempt = 0): void {
    const up = this.upstreams[attempt];
    if (this.closed || !up) {
      this.fail(msg, q, reply);
      return;
    }
    const conn = net.connect({ host: up.host, port: up.port });
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (answer: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      if (answer) reply(answer);
      else this.forwardTcp(msg, q, reply, attempt + 1);
    };
    const timer = setTimeout(() => finish(undefined), this.timeoutMs * 2);
    timer.unref();
    conn.on('error', () => finish(undefined));
    conn.on('close', () => finish(undefined));
    conn.on('connect', () => {
      const framed = Buffer.allocUnsafe(msg.length + 2);
      framed.writeUInt16BE(msg.length, 0);
      msg.copy(framed, 2);
      conn.write(framed);
    });
    conn.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 65537) return finish(undefined);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const answer = buf.subarray(2, 2 + buf.readUInt16BE(0));
        finish(
          answer.length >= HEADER_SIZE && answer.readUInt16BE(0) === q.id ? Buffer.from(answer) : undefined,
        );
      }
    });
  }

  private fail(msg: Buffer, q: ParsedQuery, reply: Reply): void {
    this.stats.forwardFailed++;
    this.stats.servfail++;
    reply(rcodeAnswer(msg, q, RCode.ServFail, true));
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}

function ipLookup(
  address: string,
  _options: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void {
  // Socket-reported addresses: only IPv6 ones contain ':' (a full isIPv6 regex costs ~1% here).
  callback(null, address, address.includes(':') ? 6 : 4);
}

function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
