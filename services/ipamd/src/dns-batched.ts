import { isIPv4, isIPv6 } from 'node:net';
import { Worker } from 'node:worker_threads';
import { type DnsServer, type DnsStats, parseIPv6, type ZoneEvent, type ZoneIndex } from '@netspan/dns';
import { parseIPv4 } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import {
  AF_INET,
  AF_INET6,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  errno,
  type Libc,
  loadLibc,
  SO_RCVBUF,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
  sockaddrText,
} from './dns-batched-libc.js';

export interface BatchedUdpOptions {
  /** An IP address (names are not resolved) and a port other than 0. */
  host: string;
  port: number;
  /** I/O threads sharing the socket (at least 1). */
  threads: number;
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

/**
 * UDP for ipamd's DNS through batched syscalls (`--dns-io batched`): one socket made through
 * libc, shared by `threads` worker threads that each read and answer up to `batch` datagrams per
 * recvmmsg/sendmmsg from their own copy of the zone index (see dns-batched-thread.ts). TCP and
 * forwarding stay with the DnsServer of this process.
 */
export class BatchedUdp {
  private readonly threads = new Set<Thread>();
  private stopping = false;
  /** Counters of threads that ended, so totals never go down. */
  private readonly retired: DnsStats[] = [];
  private readonly wake = Buffer.alloc(8);

  private constructor(
    private readonly c: Libc,
    private readonly fd: number,
    private readonly opts: BatchedUdpOptions,
  ) {
    this.wake.writeBigUInt64LE(1n);
  }

  static async start(opts: BatchedUdpOptions): Promise<BatchedUdp> {
    const c = loadLibc();
    const sa = sockaddr(opts.host, opts.port);
    const fd = c.socket(sa.readUInt16LE(0), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new Error(`DNS UDP socket failed (errno ${errno()})`);
    const int = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return b;
    };
    try {
      if (c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, int(1), 4) !== 0)
        throw new Error(`SO_REUSEADDR failed (errno ${errno()})`);
      // As dgram's recvBufferSize on the other path (the kernel caps it at rmem_max).
      c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(4 << 20), 4);
      if (c.bind(fd, sa, sa.length) !== 0)
        throw new Error(`DNS UDP bind to ${opts.host}:${opts.port} failed (errno ${errno()})`);
    } catch (err) {
      c.close(fd);
      throw err;
    }
    const b = new BatchedUdp(c, fd, opts);
    try {
      await Promise.all(Array.from({ length: Math.max(1, opts.threads) }, () => b.spawn()));
    } catch (err) {
      await b.stop();
      throw err;
    }
    return b;
  }

  /** Starts one thread; resolves when it serves. A thread that dies is replaced. */
  private spawn(): Promise<void> {
    const efd = this.c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) return Promise.reject(new Error(`eventfd failed (errno ${errno()})`));
    const ctl = new SharedArrayBuffer(8);
    const data: BatchedThreadData = {
      fd: this.fd,
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
    const t: Thread = { worker, efd, ctl: new Int32Array(ctl), stats: undefined };
    this.threads.add(t);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromThread) => {
        if (m.t === 'ready') {
          started = true;
          resolve();
        } else if (m.t === 'forward') this.forward(Buffer.from(m.msg), Buffer.from(m.name));
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
            this.spawn().catch((err: unknown) =>
              this.opts.log.error({ err }, 'DNS I/O thread restart failed'),
            );
        }, 1000).unref();
      });
    });
  }

  /** A query the threads hand over (to be forwarded): answered on the same socket. */
  private forward(msg: Buffer, name: Buffer): void {
    this.opts.server.handle(msg, sockaddrText(name, 0), false, (answer) => {
      if (this.stopping) return;
      this.c.sendto(this.fd, answer, answer.length, 0, name, name.length);
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
    this.c.close(this.fd);
  }
}
