import dgram from 'node:dgram';

/**
 * UDP sockets pinned to one network device (SO_BINDTODEVICE), which Node cannot do by
 * itself: the socket is made through libc (koffi), then handed to `dgram` by fd. Several
 * such sockets share port 67, one per bridge, and each hears only its own bridge, so the
 * agent always knows which network a guest's packet came from — the guest cannot say.
 */

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_BROADCAST = 6;
const SO_BINDTODEVICE = 25;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  close: (fd: number) => number;
}

let libc: (Libc & { errno: () => number }) | undefined;
/** koffi (a native addon) is loaded on first use: the agent registers before it opens a socket. */
async function load(): Promise<Libc & { errno: () => number }> {
  if (libc) return libc;
  const { default: koffi } = await import('koffi');
  const lib = koffi.load('libc.so.6');
  libc = {
    errno: () => koffi.errno(),
    socket: lib.func('int socket(int, int, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    bind: lib.func('int bind(int, const void *, uint32_t)'),
    close: lib.func('int close(int)'),
  };
  return libc;
}

export class BoundSocketError extends Error {
  override name = 'BoundSocketError';
  constructor(
    readonly step: string,
    readonly errno: number,
    readonly device: string,
  ) {
    super(`${step} on ${device} failed (errno ${errno})`);
  }
}

/** Opens a UDP socket on 0.0.0.0:`port` that sends and receives only through `device`. */
export async function openBoundSocket(device: string, port: number): Promise<dgram.Socket> {
  const c = await load();
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new BoundSocketError('socket', c.errno(), device);
  const fail = (step: string): never => {
    const errno = c.errno();
    c.close(fd);
    throw new BoundSocketError(step, errno, device);
  };
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  if (c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4) !== 0) fail('SO_REUSEADDR');
  if (c.setsockopt(fd, SOL_SOCKET, SO_BROADCAST, one, 4) !== 0) fail('SO_BROADCAST');
  const name = Buffer.from(`${device}\0`);
  if (c.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) !== 0) fail('SO_BINDTODEVICE');
  const sa = Buffer.alloc(16);
  sa.writeUInt16LE(AF_INET, 0);
  sa.writeUInt16BE(port, 2);
  if (c.bind(fd, sa, 16) !== 0) fail('bind');
  const socket = dgram.createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ fd }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}
