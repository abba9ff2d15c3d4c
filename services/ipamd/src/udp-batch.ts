import type dgram from 'node:dgram';
import {
  AF_INET,
  EADDRINUSE,
  EAGAIN,
  EINTR,
  errno,
  IOVEC_SIZE,
  type Libc,
  loadLibc,
  MH_FLAGS,
  MH_LEN,
  MH_NAMELEN,
  MMSGHDR_SIZE,
  MSG_DONTWAIT,
  MSG_TRUNC,
  mmsgBlock,
  NAME_SLOT,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
} from './dns-batched-libc.js';

export interface UdpBatchStats {
  truncated: number;
  sendFailed: number;
}

/** Pacing of what `send` queues (see UdpBatch.pace). */
export interface PaceOptions {
  /** Datagrams may leave at this multiple of the rate datagrams arrive at. */
  factor: number;
  /** The lowest rate they may leave at, per second, whatever arrives. */
  minPerSecond: number;
}

/** A reply held back by the pace. */
interface Waiting {
  bytes: Uint8Array;
  port: number;
  address: string;
}

/** Largest datagram read or written through the batch (DHCP: RFC 2131's 576 up to an MTU of 1500). */
export const SLOT = 2048;

/**
 * An IPv4 UDP socket opened through libc, for a socket the event loop still watches (dgram's
 * `bind({ fd })`) but whose datagrams this reads and writes in batches: `drain` takes whatever
 * the kernel holds with one recvmmsg per `batch` datagrams, and `send` queues a datagram for one
 * sendmmsg per batch. On the DHCP path this takes the per-datagram libuv callback, Buffer,
 * rinfo object, address lookup and send request off the main thread (see dhcp-udp.ts).
 */
export class UdpBatch {
  private readonly c: Libc;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;
  private readonly base: number;
  // Offsets into the one native block: receive headers, iovecs, addresses, datagrams; then the same for sending.
  private readonly RH: number;
  private readonly RNAME: number;
  private readonly RBUF: number;
  private readonly SH: number;
  private readonly SIOV: number;
  private readonly SNAME: number;
  private readonly SBUF: number;
  /** Datagrams queued for the next sendmmsg. */
  private out = 0;
  private flushScheduled = false;
  private closed = false;
  /** Source address text by its 32-bit value (relays are few). */
  private readonly names = new Map<number, string>();
  // Pacing (off while `pacing` is undefined): a token bucket refilled at `factor` times the
  // arrival rate, measured over 50 ms windows; datagrams beyond it wait in `later`.
  private pacing: PaceOptions | undefined;
  private tokens = 0;
  private refilledAt = 0;
  private arrivals = 0;
  private windowStart = 0;
  private arrivalRate = 0;
  private later: Waiting[] = [];
  private laterHead = 0;
  private paceTimer: NodeJS.Timeout | undefined;
  private constructor(
    readonly fd: number,
    private readonly batch: number,
    /** Counted here: datagrams longer than a slot (dropped), and datagrams the kernel refused to send. */
    readonly stats: UdpBatchStats,
  ) {
    this.c = loadLibc();
    const m = mmsgBlock(batch, SLOT);
    this.base = m.base;
    this.u8 = m.u8;
    this.dv = m.dv;
    this.RH = m.RH;
    this.RNAME = m.RNAME;
    this.RBUF = m.RBUF;
    this.SH = m.SH;
    this.SIOV = m.SIOV;
    this.SNAME = m.SNAME;
    this.SBUF = m.SBUF;
    // Replies go to IPv4 addresses: every send address is a sockaddr_in.
    for (let i = 0; i < batch; i++) this.dv.setUint32(this.SH + i * MMSGHDR_SIZE + MH_NAMELEN, 16, true);
  }

  /**
   * Opens and binds an IPv4 UDP socket (throws a clear error when the port is taken). The
   * caller hands `fd` to dgram (`bind({ fd })`), which then owns and closes it.
   */
  static open(
    host: string,
    port: number,
    opts: { recvBufferBytes: number; sendBufferBytes: number; batch?: number; stats?: UdpBatchStats },
  ): UdpBatch {
    const c = loadLibc();
    const parts = host.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
      throw new Error(`batched UDP needs an IPv4 address to listen on, not ${host}`);
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(port, 2);
    for (let i = 0; i < 4; i++) sa[4 + i] = parts[i] as number;
    const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new Error(`UDP socket failed (errno ${errno()})`);
    const int = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return b;
    };
    try {
      c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(opts.recvBufferBytes), 4);
      c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, int(opts.sendBufferBytes), 4);
      if (c.bind(fd, sa, sa.length) !== 0) {
        const e = errno();
        throw new Error(
          e === EADDRINUSE
            ? `UDP ${host}:${port} is in use`
            : `UDP bind to ${host}:${port} failed (errno ${e})`,
        );
      }
    } catch (err) {
      c.close(fd);
      throw err;
    }
    return new UdpBatch(fd, opts.batch ?? 64, opts.stats ?? { truncated: 0, sendFailed: 0 });
  }

  /**
   * Spreads what `send` queues over time instead of letting a burst of replies (a claim group's
   * ACKs) leave at once: at most `factor` times the rate datagrams arrive (counted by
   * `arrived`), and never slower than `minPerSecond`. The rest wait, in order, for a later turn
   * of the event loop or a 1 ms timer.
   */
  pace(opts: PaceOptions): void {
    if (!(opts.factor > 0) || !(opts.minPerSecond > 0))
      throw new RangeError('pace needs a positive factor and rate');
    this.pacing = opts;
    this.refilledAt = performance.now();
    this.windowStart = this.refilledAt;
    this.tokens = 16;
  }

  /** Datagrams held back by the pace. */
  get waiting(): number {
    return this.later.length - this.laterHead;
  }

  /** Datagrams per second the pace allows now (undefined: not paced). */
  get pacePerSecond(): number | undefined {
    return this.pacing ? this.perMs(performance.now()) * 1000 : undefined;
  }

  /** Counts a datagram that arrived (the pace follows the arrival rate). */
  arrived(): void {
    this.arrivals++;
  }

  /**
   * Datagrams per millisecond the pace allows now: `factor` times the arrival rate, raised in
   * proportion to what waits (a busy event loop misses refills; the queue must not grow without
   * end), never under `minPerSecond`.
   */
  private perMs(now: number): number {
    const p = this.pacing as PaceOptions;
    const span = now - this.windowStart;
    if (span >= 50) {
      const rate = this.arrivals / span;
      this.arrivalRate = this.arrivalRate === 0 ? rate : 0.5 * this.arrivalRate + 0.5 * rate;
      this.arrivals = 0;
      this.windowStart = now;
    }
    return Math.max(p.minPerSecond / 1000, p.factor * this.arrivalRate) * (1 + this.waiting / 512);
  }

  /** Adds the tokens earned since the last refill; at most 3 ms of them (at least 16) are kept. */
  private refill(): void {
    const now = performance.now();
    const perMs = this.perMs(now);
    this.tokens = Math.min(Math.max(16, 3 * perMs), this.tokens + (now - this.refilledAt) * perMs);
    this.refilledAt = now;
  }

  /** Queues what the pace allows of the datagrams waiting; arms the timer while any wait. */
  private release(): void {
    if (this.waiting > 0) {
      this.refill();
      while (this.waiting > 0 && this.tokens >= 1) {
        const d = this.later[this.laterHead] as Waiting;
        this.later[this.laterHead++] = undefined as never;
        this.tokens--;
        this.enqueue(d.bytes, d.port, d.address);
      }
      if (this.laterHead === this.later.length) {
        this.later = [];
        this.laterHead = 0;
      }
    }
    if (this.waiting > 0 && !this.paceTimer && !this.closed) {
      this.paceTimer = setTimeout(() => {
        this.paceTimer = undefined;
        this.release();
        this.flush();
      }, 1);
    }
  }

  /**
   * Reads what the socket holds, up to `budget` datagrams, calling `each` with a copy of each
   * datagram and its source. Returns how many were read. Never blocks.
   */
  drain(budget: number, each: (msg: Buffer, address: string, port: number) => void): number {
    if (this.closed) return 0;
    if (this.waiting > 0) this.release();
    const { c, dv, u8 } = this;
    let total = 0;
    let failures = 0;
    while (total < budget) {
      const want = Math.min(this.batch, budget - total);
      const n = c.recvmmsg(this.fd, this.base + this.RH, want, MSG_DONTWAIT, 0);
      if (n <= 0) {
        const e = n < 0 ? errno() : EAGAIN;
        // ECONNREFUSED from an earlier send's ICMP and the like: read on, a bounded number of times.
        if (e === EAGAIN || (e !== EINTR && ++failures > 8)) break;
        continue;
      }
      for (let i = 0; i < n; i++) {
        const rh = this.RH + i * MMSGHDR_SIZE;
        const len = dv.getUint32(rh + MH_LEN, true);
        const flags = dv.getInt32(rh + MH_FLAGS, true);
        dv.setUint32(rh + MH_NAMELEN, NAME_SLOT, true);
        if ((flags & MSG_TRUNC) !== 0) {
          this.stats.truncated++;
          continue;
        }
        const at = this.RNAME + i * NAME_SLOT;
        const key = dv.getUint32(at + 4);
        let address = this.names.get(key);
        if (address === undefined) {
          if (this.names.size >= 4096) this.names.clear();
          address = `${u8[at + 4]}.${u8[at + 5]}.${u8[at + 6]}.${u8[at + 7]}`;
          this.names.set(key, address);
        }
        const port = dv.getUint16(at + 2);
        const off = this.RBUF + i * SLOT;
        // A copy: the slot is reused by the next recvmmsg, and a packet may keep views of its bytes.
        const msg = Buffer.allocUnsafe(len);
        msg.set(u8.subarray(off, off + len));
        total++;
        each(msg, address, port);
      }
      if (n < want) break;
    }
    return total;
  }

  /**
   * Queues a datagram to `address:port` (IPv4 text) for the next sendmmsg, sent once the queue is
   * full or at the end of this turn of the event loop. False when it is too large to queue.
   */
  send(bytes: Uint8Array, port: number, address: string): boolean {
    if (this.closed) return true;
    if (bytes.length > SLOT) return false;
    if (this.pacing) {
      const waiting = this.waiting;
      if (waiting === 0) this.refill();
      // A queue this long means the pace cannot keep up: send rather than wait without end.
      if ((waiting > 0 || this.tokens < 1) && waiting < 8192) {
        this.later.push({ bytes, port, address });
        this.release();
        return true;
      }
      this.tokens--;
    }
    this.enqueue(bytes, port, address);
    return true;
  }

  /** Puts a datagram in the next sendmmsg's slots. */
  private enqueue(bytes: Uint8Array, port: number, address: string): void {
    const dot1 = address.indexOf('.');
    const dot2 = address.indexOf('.', dot1 + 1);
    const dot3 = address.indexOf('.', dot2 + 1);
    const j = this.out++;
    const { dv, u8 } = this;
    u8.set(bytes, this.SBUF + j * SLOT);
    dv.setUint32(this.SIOV + j * IOVEC_SIZE + 8, bytes.length, true);
    const at = this.SNAME + j * NAME_SLOT;
    dv.setUint16(at, AF_INET, true);
    dv.setUint16(at + 2, port);
    u8[at + 4] = Number(address.slice(0, dot1));
    u8[at + 5] = Number(address.slice(dot1 + 1, dot2));
    u8[at + 6] = Number(address.slice(dot2 + 1, dot3));
    u8[at + 7] = Number(address.slice(dot3 + 1));
    if (this.out === this.batch) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is queued (each datagram is sent or counted as a send error). */
  flush(): void {
    const count = this.out;
    this.out = 0;
    if (count === 0 || this.closed) return;
    let off = 0;
    // Each round sends at least one datagram or skips the one that failed: at most 2 × count rounds.
    for (let round = 0; off < count && round < 2 * count; round++) {
      const r = this.c.sendmmsg(this.fd, this.base + this.SH + off * MMSGHDR_SIZE, count - off, 0);
      if (r > 0) off += r;
      else if (errno() !== EINTR) {
        this.stats.sendFailed++;
        off++;
      }
    }
  }

  /** Stops using the socket (dgram closes the descriptor). Queued datagrams are sent first. */
  close(): void {
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    for (let i = this.laterHead; i < this.later.length; i++) {
      const d = this.later[i] as Waiting;
      this.enqueue(d.bytes, d.port, d.address);
    }
    this.later = [];
    this.laterHead = 0;
    this.flush();
    this.closed = true;
  }
}

/** Stops and resumes libuv's reading of a bound node:dgram socket. */
export interface ReadControl {
  recvStop(): number;
  recvStart(): number;
}

/**
 * node:dgram's libuv handle, which can stop and resume reading (dgram itself cannot). It is
 * internal to Node (the socket's "state symbol"); undefined when a Node version no longer has
 * it, and callers then simply do not pause. A test pins it for the Node this project runs on.
 */
export function readControl(socket: dgram.Socket): ReadControl | undefined {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = sym
    ? (socket as unknown as Record<symbol, { handle?: unknown } | undefined>)[sym]
    : undefined;
  const h = state?.handle as Partial<ReadControl> | undefined;
  return h && typeof h.recvStop === 'function' && typeof h.recvStart === 'function'
    ? (h as ReadControl)
    : undefined;
}
