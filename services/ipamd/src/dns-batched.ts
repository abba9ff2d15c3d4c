import { isIPv4, isIPv6 } from 'node:net';
import { Worker } from 'node:worker_threads';
import { type DnsServer, type DnsStats, parseIPv6, type ZoneEvent, type ZoneIndex } from '@netspan/dns';
import { parseIPv4 } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import {
  AF_INET,
  AF_INET6,
  EADDRINUSE,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  errno,
  type Libc,
  loadLibc,
  SO_RCVBUF,
  SO_REUSEPORT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
  sockaddrText,
} from './dns-batched-libc.js';

export interface BatchedUdpOptions {
  /** An IP address (names are not resolved) and a port other than 0. */
  host: string;
  port: number;
  /** I/O threads (at least 1). */
  threads: number;
  /**
   * 'shared' (default): one socket that every thread reads, so whichever thread is running drains
   * it. 'reuseport': a socket per thread, all bound to host:port with SO_REUSEPORT, so the kernel
   * hashes each flow (client address and port) to one socket and a thread only ever wakes for
   * its own datagrams: less CPU per query, but a thread that is not scheduled leaves its flows
   * waiting, and one client's flow is served by one thread. On the 2-core bench machine shared
   * with dnsperf the shared socket had the lower p99 (README, DNS benchmark).
   */
  sockets?: 'reuseport' | 'shared';
  /** Datagrams per recvmmsg/sendmmsg (default 64). */
  batch?: number;
  allowRecursion: string[];
  /** Whether there are upstreams; forwarded queries are handed to `server`. */
  forwarding: boolean;
  /** The TCP server of this process: it forwards what the threads cannot answer. */
  server: DnsServer;
  /** The primary's index: each thread starts from its events, then gets every later one. */
  index: ZoneIndex;
  log: Logger;
  statsIntervalMs?: number;
}

export interface BatchedThreadData {
  fd: number;
  /** eventfd the primary writes to when there are messages or it wants the thread to stop. */
  efd: number;
  /** Int32Array over it: [0] messages posted, [1] stop. */
  ctl: SharedArrayBuffer;
  batch: number;
  /** Bytes per datagram slot (larger queries are dropped and counted). */
  slot: number;
  allowRecursion: string[];
  /** Whether there are upstreams (queries to forward go to the primary). */
  forwarding: boolean;
  events: ZoneEvent[];
  statsIntervalMs: number;
}

/** From the primary. */
export type ToThread = { t: 'zone'; events: ZoneEvent[] };
/** To the primary. */
export type FromThread =
  | { t: 'ready' }
  | { t: 'forward'; msg: Uint8Array; name: Uint8Array }
  | { t: 'stats'; stats: DnsStats }
  | { t: 'failed'; error: string };

export const CTL_POSTED = 0;
export const CTL_STOP = 1;

/** Bytes per datagram slot: queries larger than this are dropped (and counted). */
const SLOT = 4096;

interface Thread {
  worker: Worker;
  /** The socket it reads, and the one its forwarded queries are answered on. */
  fd: number;
  efd: number;
  ctl: Int32Array;
  stats: DnsStats | undefined;
}

function sockaddr(host: string, port: number): Buffer {
  if (isIPv4(host)) {
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(port, 2);
    sa.writeUInt32BE(parseIPv4(host) as number, 4);
    return sa;
  }
  const ip6 = isIPv6(host) ? parseIPv6(host) : undefined;
  if (!ip6) throw new Error(`--dns-io batched needs an IP address to listen on, not ${host}`);
  const sa = Buffer.alloc(28);
  sa.writeUInt16LE(AF_INET6, 0);
  sa.writeUInt16BE(port, 2);
  ip6.copy(sa, 8);
  return sa;
}

/** A UDP socket bound to `sa` (with SO_REUSEPORT when `reusePort`); throws if it cannot bind. */
function openSocket(c: Libc, sa: Buffer, where: string, reusePort: boolean): number {
  const fd = c.socket(sa.readUInt16LE(0), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`DNS UDP socket failed (errno ${errno()})`);
  const int = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return b;
  };
  try {
    if (reusePort && c.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, int(1), 4) !== 0)
      throw new Error(`SO_REUSEPORT failed (errno ${errno()})`);
    // As dgram's recvBufferSize on the other path (the kernel caps it at rmem_max).
    c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(4 << 20), 4);
    if (c.bind(fd, sa, sa.length) !== 0) {
      const e = errno();
      throw new Error(
        e === EADDRINUSE
          ? `DNS UDP ${where} is in use (by another ipamd or DNS server?)`
          : `DNS UDP bind to ${where} failed (errno ${e})`,
      );
    }
  } catch (err) {
    c.close(fd);
    throw err;
  }
  return fd;
}

/**
 * UDP for ipamd's DNS through batched syscalls (`--dns-io batched`): `threads` worker threads
 * reading one socket made through libc (or, `--dns-io batched-reuseport`, a socket each, bound
 * with SO_REUSEPORT), that each read and answer up to `batch` datagrams per recvmmsg/sendmmsg
 * from their own copy of the zone index (see dns-batched-thread.ts). TCP and forwarding stay with
 * the DnsServer of this process.
 */
export class BatchedUdp {
  private readonly threads = new Set<Thread>();
  private stopping = false;
  /** Counters of threads that ended, so totals never go down. */
  private readonly retired: DnsStats[] = [];
  private readonly wake = Buffer.alloc(8);

  private constructor(
    private readonly c: Libc,
    /** The sockets, owned here: a thread that dies is replaced by one reading the same socket. */
    private readonly fds: number[],
    private readonly opts: BatchedUdpOptions,
  ) {
    this.wake.writeBigUInt64LE(1n);
  }

  static async start(opts: BatchedUdpOptions): Promise<BatchedUdp> {
    const c = loadLibc();
    const sa = sockaddr(opts.host, opts.port);
    const threads = Math.max(1, opts.threads);
    const reusePort = opts.sockets === 'reuseport';
    const where = `${opts.host}:${opts.port}`;
    // SO_REUSEPORT lets any later socket of the same user join the group and take a share of the
    // flows, and says nothing to either side. So first a plain bind: it fails if anything holds
    // the port (with or without SO_REUSEPORT), and while our group holds it, the same probe by a
    // second ipamd fails. (Neither path sets SO_REUSEADDR: on UDP it would let two sockets share a
    // port just as silently, and UDP has no TIME_WAIT for it to help with.) Between the probe and
    // the group's binds a second process could slip in; in ipamd the TCP listener on the same
    // port, bound before this and never with SO_REUSEPORT, has already excluded one.
    if (reusePort) c.close(openSocket(c, sa, where, false));
    const fds: number[] = [];
    try {
      for (let i = 0; i < (reusePort ? threads : 1); i++) fds.push(openSocket(c, sa, where, reusePort));
    } catch (err) {
      for (const fd of fds) c.close(fd);
      throw err;
    }
    const b = new BatchedUdp(c, fds, opts);
    try {
      await Promise.all(Array.from({ length: threads }, (_, i) => b.spawn(fds[i % fds.length] as number)));
    } catch (err) {
      await b.stop();
      throw err;
    }
    return b;
  }

  /** Starts one thread; resolves when it serves. A thread that dies is replaced. */
  private spawn(fd: number): Promise<void> {
    const efd = this.c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) return Promise.reject(new Error(`eventfd failed (errno ${errno()})`));
    const ctl = new SharedArrayBuffer(8);
    const data: BatchedThreadData = {
      fd,
      efd,
      ctl,
      batch: this.opts.batch ?? 64,
      slot: SLOT,
      allowRecursion: this.opts.allowRecursion,
      forwarding: this.opts.forwarding,
      events: this.opts.index.exportEvents(),
      statsIntervalMs: this.opts.statsIntervalMs ?? 1000,
    };
    const worker = new Worker(new URL('./dns-batched-thread.js', import.meta.url), { workerData: data });
    const t: Thread = { worker, fd, efd, ctl: new Int32Array(ctl), stats: undefined };
    this.threads.add(t);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromThread) => {
        if (m.t === 'ready') {
          started = true;
          resolve();
        } else if (m.t === 'forward') this.forward(fd, Buffer.from(m.msg), Buffer.from(m.name));
        else if (m.t === 'stats') t.stats = m.stats;
        else if (m.t === 'failed') this.opts.log.error({ err: m.error }, 'DNS I/O thread failed');
      });
      worker.on('error', (err) => {
        if (!started) reject(err);
      });
      worker.on('exit', (code) => {
        this.threads.delete(t);
        if (t.stats) this.retired.push(t.stats);
        this.c.close(efd);
        if (!started) reject(new Error(`DNS I/O thread exited (code ${code}) before serving`));
        if (this.stopping || !started) return;
        this.opts.log.error({ code }, 'DNS I/O thread exited; starting another');
        setTimeout(() => {
          if (!this.stopping)
            this.spawn(fd).catch((err: unknown) =>
              this.opts.log.error({ err }, 'DNS I/O thread restart failed'),
            );
        }, 1000).unref();
      });
    });
  }

  /**
   * A query a thread hands over (to be forwarded): answered on the socket it came in on, so from
   * the address and port the client asked (and, with SO_REUSEPORT, the one its flow hashes to).
   */
  private forward(fd: number, msg: Buffer, name: Buffer): void {
    this.opts.server.handle(msg, sockaddrText(name, 0), false, (answer) => {
      if (this.stopping) return;
      this.c.sendto(fd, answer, answer.length, 0, name, name.length);
    });
  }

  /** Every thread gets the event, in order, and wakes up if idle. */
  post(e: ZoneEvent): void {
    const msg: ToThread = { t: 'zone', events: [e] };
    for (const t of this.threads) {
      t.worker.postMessage(msg);
      Atomics.add(t.ctl, CTL_POSTED, 1);
      this.c.write(t.efd, this.wake, 8);
    }
  }

  /** Each thread's counters as it last reported them (within statsIntervalMs), and ended ones'. */
  stats(): DnsStats[] {
    const out = [...this.retired];
    for (const t of this.threads) if (t.stats) out.push(t.stats);
    return out;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.threads].map((t) => {
        const exited = new Promise<void>((r) => t.worker.once('exit', () => r()));
        Atomics.store(t.ctl, CTL_STOP, 1);
        this.c.write(t.efd, this.wake, 8);
        // A thread stuck anywhere but poll() (it never should be) is terminated after 5 s.
        const kill = setTimeout(() => void t.worker.terminate(), 5000);
        return exited.finally(() => clearTimeout(kill));
      }),
    );
    for (const fd of this.fds) this.c.close(fd);
  }
}
