import { formatIPv6 } from '@netspan/dns';
import koffi from 'koffi';

/**
 * The libc calls behind ipamd's batched DNS I/O (`--dns-io batched`), through koffi. Addresses of
 * native memory are passed as plain numbers (intptr_t): user-space addresses on 64-bit Linux fit a
 * double exactly, and a number costs koffi less than a pointer object. Linux x86_64 and arm64 only
 * (the struct layouts below are the LP64 ones).
 */

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEPORT = 15;
export const SO_RCVBUF = 8;
export const SO_SNDBUF = 7;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const EINTR = 4;
export const EAGAIN = 11;
export const EADDRINUSE = 98;
export const POLLIN = 1;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

/** struct mmsghdr: msghdr (name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48), msg_len 56. */
export const MMSGHDR_SIZE = 64;
export const MH_NAMELEN = 8;
export const MH_FLAGS = 48;
export const MH_LEN = 56;
export const IOVEC_SIZE = 16;
/** Room for a sockaddr_in6 (28 bytes), rounded up. */
export const NAME_SLOT = 32;

export interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  close: (fd: number) => number;
  eventfd: (initval: number, flags: number) => number;
  write: (fd: number, buf: Buffer, len: number) => number;
  sendto: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrlen: number) => number;
  recvmmsg: (fd: number, vec: number, vlen: number, flags: number, timeout: number) => number;
  sendmmsg: (fd: number, vec: number, vlen: number, flags: number) => number;
  poll: (fds: number, nfds: number, timeoutMs: number) => number;
  readAt: (fd: number, buf: number, len: number) => number;
}

let libc: Libc | undefined;

/** libc's functions (loaded once per thread: koffi's handles belong to the thread that made them). */
export function loadLibc(): Libc {
  if (libc) return libc;
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64'))
    throw new Error(`batched DNS I/O needs Linux on x64 or arm64, not ${process.platform}/${process.arch}`);
  const lib = koffi.load('libc.so.6');
  libc = {
    socket: lib.func('int socket(int, int, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    bind: lib.func('int bind(int, const void *, uint32_t)'),
    close: lib.func('int close(int)'),
    eventfd: lib.func('int eventfd(unsigned int, int)'),
    write: lib.func('intptr_t write(int, const void *, size_t)'),
    sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
    recvmmsg: lib.func('int recvmmsg(int, intptr_t, unsigned int, int, intptr_t)'),
    sendmmsg: lib.func('int sendmmsg(int, intptr_t, unsigned int, int)'),
    poll: lib.func('int poll(intptr_t, unsigned long, int)'),
    readAt: lib.func('intptr_t read(int, intptr_t, size_t)'),
  };
  return libc;
}

export function errno(): number {
  return koffi.errno();
}

/** Native memory that lives as long as the process (a thread's buffers), its address and a view. */
export function allocNative(bytes: number): { address: number; buffer: ArrayBuffer } {
  const ptr = koffi.alloc('uint8_t', bytes);
  const address = Number(koffi.address(ptr));
  const buffer = koffi.view(ptr, bytes);
  new Uint8Array(buffer).fill(0);
  return { address, buffer };
}

/**
 * One native block for batched UDP: `batch` receive headers (mmsghdr), their iovecs, source
 * address slots and datagram slots of `slot` bytes, then the same for sending, then `extra`
 * bytes for the caller (at `end`). Every header points at its own address slot and iovec, and
 * every iovec at its own datagram slot; receive headers hold the room of their address slot
 * and their iovec the slot's size. Send lengths and address lengths are the sender's to set.
 */
export interface MmsgBlock {
  base: number;
  u8: Uint8Array;
  dv: DataView;
  RH: number;
  RIOV: number;
  RNAME: number;
  RBUF: number;
  SH: number;
  SIOV: number;
  SNAME: number;
  SBUF: number;
  end: number;
}

export function mmsgBlock(batch: number, slot: number, extra = 0): MmsgBlock {
  const B = batch;
  const RH = 0;
  const RIOV = RH + B * MMSGHDR_SIZE;
  const RNAME = RIOV + B * IOVEC_SIZE;
  const RBUF = RNAME + B * NAME_SLOT;
  const SH = RBUF + B * slot;
  const SIOV = SH + B * MMSGHDR_SIZE;
  const SNAME = SIOV + B * IOVEC_SIZE;
  const SBUF = SNAME + B * NAME_SLOT;
  const end = SBUF + B * slot;
  const mem = allocNative(end + extra);
  const base = mem.address;
  const u8 = new Uint8Array(mem.buffer);
  const dv = new DataView(mem.buffer);
  const ptr = (off: number, value: number) => dv.setBigUint64(off, BigInt(value), true);
  for (let i = 0; i < B; i++) {
    const rh = RH + i * MMSGHDR_SIZE;
    ptr(rh, base + RNAME + i * NAME_SLOT);
    dv.setUint32(rh + MH_NAMELEN, NAME_SLOT, true);
    ptr(rh + 16, base + RIOV + i * IOVEC_SIZE);
    ptr(rh + 24, 1);
    ptr(RIOV + i * IOVEC_SIZE, base + RBUF + i * slot);
    ptr(RIOV + i * IOVEC_SIZE + 8, slot);
    const sh = SH + i * MMSGHDR_SIZE;
    ptr(sh, base + SNAME + i * NAME_SLOT);
    ptr(sh + 16, base + SIOV + i * IOVEC_SIZE);
    ptr(sh + 24, 1);
    ptr(SIOV + i * IOVEC_SIZE, base + SBUF + i * slot);
  }
  return { base, u8, dv, RH, RIOV, RNAME, RBUF, SH, SIOV, SNAME, SBUF, end };
}

/** The client's address as dgram reports it ('::ffff:a.b.c.d' for a mapped IPv4 on a v6 socket). */
export function sockaddrText(b: Uint8Array, off: number): string {
  const family = (b[off] as number) | ((b[off + 1] as number) << 8);
  if (family === AF_INET) return `${b[off + 4]}.${b[off + 5]}.${b[off + 6]}.${b[off + 7]}`;
  const a = off + 8;
  let mapped = b[a + 10] === 0xff && b[a + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[a + i] !== 0) mapped = false;
  if (mapped) return `::ffff:${b[a + 12]}.${b[a + 13]}.${b[a + 14]}.${b[a + 15]}`;
  return formatIPv6(b.subarray(a, a + 16));
}
