/**
 * One batched DNS I/O thread (worker_threads, started by dns-batched.ts). It reads up to `batch`
 * datagrams with one recvmmsg into native buffers, answers each from its own copy of the zone
 * index through DnsServer.handle (the same answer logic as the dgram path), and sends the answers
 * with one sendmmsg: one syscall per batch each way instead of one per datagram, and no libuv
 * callback, Buffer copy or rinfo object per datagram. The loop is synchronous and never yields:
 * zone events are taken from the port with receiveMessageOnPort whenever the primary has bumped
 * the shared sequence number, and an idle thread sleeps in poll() on the socket and an eventfd
 * the primary writes to after each event and to stop it. Queries to forward go to the primary,
 * whose DnsServer forwards them and sends the answer on this thread's socket.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ClientAcl, DnsServer, RCODE_LABELS, ZoneIndex } from '@netspan/dns';
import {
  type BatchedThreadData,
  CTL_POSTED,
  CTL_STOP,
  type FromThread,
  type ToThread,
} from './dns-batched.js';
import {
  EAGAIN,
  EINTR,
  errno,
  IOVEC_SIZE,
  loadLibc,
  MH_FLAGS,
  MH_LEN,
  MH_NAMELEN,
  MMSGHDR_SIZE,
  MSG_DONTWAIT,
  MSG_TRUNC,
  mmsgBlock,
  NAME_SLOT,
  POLLIN,
  sockaddrText,
} from './dns-batched-libc.js';

/** The byRcode column of queries that got no answer. */
const DROPPED = RCODE_LABELS.indexOf('dropped');

function run(d: BatchedThreadData): void {
  const port = parentPort;
  if (!port) throw new Error('dns-batched-thread runs only as a worker thread');
  const post = (m: FromThread) => port.postMessage(m);
  const c = loadLibc();
  const ctl = new Int32Array(d.ctl);
  const index = new ZoneIndex();
  for (const e of d.events) index.apply(e);

  const B = d.batch;
  const SLOT = d.slot;
  // One native block: receive and send batches (mmsgBlock), then two pollfds and 8 bytes to
  // drain the eventfd into.
  const { base, u8, dv, RH, RNAME, RBUF, SH, SIOV, SNAME, SBUF, end } = mmsgBlock(B, SLOT, 16 + 8);
  const ab = u8.buffer as ArrayBuffer;
  const PFD = end;
  const SCRATCH = PFD + 16;
  dv.setInt32(PFD, d.fd, true);
  dv.setInt16(PFD + 4, POLLIN, true);
  dv.setInt32(PFD + 8, d.efd, true);
  dv.setInt16(PFD + 12, POLLIN, true);

  // The datagram being answered and the number of answers queued for sendmmsg.
  let cur = 0;
  let curNameLen = 0;
  let out = 0;
  let server: DnsServer;
  const reply = (answer: Buffer): void => {
    if (answer.length > SLOT) {
      server.stats.internalErrors++;
      return;
    }
    const j = out++;
    u8.set(answer, SBUF + j * SLOT);
    dv.setUint32(SIOV + j * IOVEC_SIZE + 8, answer.length, true);
    u8.copyWithin(SNAME + j * NAME_SLOT, RNAME + cur * NAME_SLOT, RNAME + cur * NAME_SLOT + curNameLen);
    dv.setUint32(SH + j * MMSGHDR_SIZE + MH_NAMELEN, curNameLen, true);
  };
  server = new DnsServer({
    index,
    host: '',
    port: 0,
    acl: new ClientAcl(d.allowRecursion),
    // The primary forwards (and counts the query's outcome), answering on this socket.
    forwardTo: d.forwarding
      ? {
          forwardUdp: (msg) => {
            server.stats.forwarded--;
            const at = RNAME + cur * NAME_SLOT;
            post({ t: 'forward', msg: new Uint8Array(msg), name: u8.slice(at, at + curNameLen) });
          },
          forwardTcp: () => {},
          close: () => {},
        }
      : undefined,
  });
  const stats = server.stats;

  // Client address text per IPv4 address (the ACL is asked for every query when forwarding).
  const names = new Map<number, string>();
  const clientOf = (at: number): string => {
    if (u8[at] === 2 && u8[at + 1] === 0) {
      const key = dv.getUint32(at + 4);
      let s = names.get(key);
      if (s === undefined) {
        if (names.size >= 4096) names.clear();
        s = sockaddrText(u8, at);
        names.set(key, s);
      }
      return s;
    }
    return sockaddrText(u8, at);
  };

  let seen = 0;
  const drain = () => {
    seen = Atomics.load(ctl, CTL_POSTED);
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const msg = m.message as ToThread;
      if (msg.t === 'zone') for (const e of msg.events) index.apply(e);
    }
  };

  const sendAll = (count: number): void => {
    let off = 0;
    // Each round sends at least one answer or skips the one that failed: at most 2 × count rounds.
    for (let round = 0; off < count && round < 2 * count; round++) {
      const r = c.sendmmsg(d.fd, base + SH + off * MMSGHDR_SIZE, count - off, 0);
      if (r > 0) off += r;
      else if (errno() !== EINTR) off++;
    }
  };

  let lastStats = Date.now();
  let reported = -1;
  const report = () => {
    const now = Date.now();
    if (now - lastStats < d.statsIntervalMs) return;
    lastStats = now;
    const total = stats.udpQueries + stats.internalErrors + stats.forwarded;
    if (total === reported) return;
    reported = total;
    post({ t: 'stats', stats });
  };

  post({ t: 'ready' });
  let batches = 0;
  let failures = 0;
  // After a short batch the queue was likely drained: poll() first (one syscall either way when
  // more has come, one fewer than a recvmmsg that fails when nothing has).
  let wait = false;
  while (Atomics.load(ctl, CTL_STOP) === 0) {
    if (Atomics.load(ctl, CTL_POSTED) !== seen) drain();
    if (wait) {
      // Sleep until a datagram, an event from the primary, or a second passes.
      if (c.poll(base + PFD, 2, 1000) > 0 && (dv.getInt16(PFD + 14, true) & POLLIN) !== 0)
        c.readAt(d.efd, base + SCRATCH, 8);
      wait = false;
      report();
      continue;
    }
    const n = c.recvmmsg(d.fd, base + RH, B, MSG_DONTWAIT, 0);
    if (n <= 0) {
      const e = n < 0 ? errno() : EAGAIN;
      if (e !== EAGAIN && e !== EINTR) {
        // ECONNREFUSED from an earlier send's ICMP and the like are reported once: read on.
        // A socket that keeps failing is broken; the primary logs it and starts another thread.
        if (++failures > 1000) throw new Error(`recvmmsg failed (errno ${e})`);
        continue;
      }
      failures = 0;
      wait = true;
      continue;
    }
    wait = n < B;
    failures = 0;
    out = 0;
    for (let i = 0; i < n; i++) {
      const rh = RH + i * MMSGHDR_SIZE;
      const len = dv.getUint32(rh + MH_LEN, true);
      const flags = dv.getInt32(rh + MH_FLAGS, true);
      curNameLen = dv.getUint32(rh + MH_NAMELEN, true);
      dv.setUint32(rh + MH_NAMELEN, NAME_SLOT, true);
      stats.udpQueries++;
      if ((flags & MSG_TRUNC) !== 0) {
        stats.dropped++;
        (stats.byRcode[0] as number[])[DROPPED] = ((stats.byRcode[0] as number[])[DROPPED] as number) + 1;
        continue;
      }
      cur = i;
      const at = RNAME + i * NAME_SLOT;
      server.handle(Buffer.from(ab, RBUF + i * SLOT, len), d.forwarding ? clientOf(at) : '', false, reply);
    }
    if (out > 0) sendAll(out);
    if ((++batches & 255) === 0) report();
  }
  post({ t: 'stats', stats });
}

try {
  run(workerData as BatchedThreadData);
} catch (err) {
  parentPort?.postMessage({
    t: 'failed',
    error: err instanceof Error ? err.message : String(err),
  } satisfies FromThread);
  throw err;
}
