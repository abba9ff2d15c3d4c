import dgram from 'node:dgram';
import { type DhcpPacket, decode } from '@netspan/dhcp-codec';
import type { DhcpServer, Reply } from '@netspan/dhcp-server';
import { cidrContains, type IpamEngine, type Network, parseIPv4 } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import { type ReadControl, readControl, UdpBatch } from './udp-batch.js';

export interface DhcpUdpOptions {
  /** host:port to receive relayed DHCP on (standard relays use :67). */
  listen: string;
  /** Server identifier (option 54) to hand out; default the listen host. */
  serverId?: string;
  log: Logger;
  /** Per-client-MAC rate limit (a chatty or hostile client is dropped and counted). */
  clientLimiter?: { allow(network: string, chaddr: Uint8Array, hlen: number): boolean };
  /**
   * `batched`: datagrams are read with recvmmsg and replies sent with sendmmsg, in batches, on
   * the socket the event loop watches (Linux x64/arm64; elsewhere it falls back to dgram).
   * `dgram`: one libuv read and one send per datagram. Default: batched where it works.
   */
  io?: 'batched' | 'dgram';
  /** Batched I/O: after a wakeup, read again only after this many ms (0: whenever a datagram arrives). */
  coalesceMs?: number;
  /** Batched I/O: replies leave at most at this percentage of the arrival rate (0 or unset: unpaced). */
  pacePercent?: number;
}

/**
 * Datagrams read per readiness of the socket before the event loop gets a turn (32 per
 * recvmmsg, so one call). Short turns let a returning claim transaction's ACKs out sooner and
 * keep replies interleaved: in bench/dhcp (4 interleaved A/B runs, ipamd against ipamd) 32
 * instead of 256 had fewer drops at 5,000 and 5,500/s in 7 of 8 paired steps (e.g. 0.29 against
 * 1.02%, 0.87 against 2.01%); past the knee neither was better.
 */
const DRAIN_BUDGET = 32;

/**
 * DHCP from standard relays (RFC 2131 / 3046): a UDP socket on port 67. The relay's giaddr
 * — or option 82 link-selection, or option 118 subnet-selection, when present — picks
 * the network; replies go back to the relay. Packets that are not relayed (giaddr 0)
 * have no network to belong to here and are dropped and counted.
 */
/**
 * The socket's receive buffer bounds how long a request can wait in the kernel. Linux doubles
 * the figure and charges about 1,280 bytes per relayed DHCP datagram, so 1 MiB holds about
 * 1,600 of them: a burst of 800 booting clients, or 160 ms of backlog at 5,000 exchanges/s.
 * Past that the kernel drops (and counts) what a saturated replica could only answer late.
 * With 8 MiB, requests waited over a second in overload (bench/dhcp at 5,500/s: 3,227 ACKs/s,
 * 1.1 s average delay); with 1 MiB, 4,147 ACKs/s at 255 ms.
 */
const RECV_BUFFER_BYTES = 1 << 20;
const SEND_BUFFER_BYTES = 8 << 20;

/** Whether ipamd's libc bindings work here (Linux on x64 and arm64). */
function batchedIoWorks(): boolean {
  return process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
}

export class DhcpUdpListener {
  private socket: dgram.Socket | undefined;
  private io: UdpBatch | undefined;
  /** (selector, giaddr) -> network, as `networkFor` found it; cleared when networks change. */
  private readonly networkCache = new Map<string, Network | null>();
  private unwatchNetworks: (() => void) | undefined;
  /** Option 54 when configured or bound to a specific address; else each packet's giaddr. */
  private fixedServerId = '';
  private inflight = 0;
  private drainWaiters: Array<() => void> = [];
  readonly stats = {
    received: 0,
    replied: 0,
    notRelayed: 0,
    unknownNetwork: 0,
    malformed: 0,
    errors: 0,
    rateLimited: 0,
    /** Longer than ipamd reads (2,048 bytes): dropped. */
    truncated: 0,
    /** Replies the kernel would not send. */
    sendFailed: 0,
  };
  address = '';

  constructor(
    private readonly server: DhcpServer,
    private readonly engine: IpamEngine,
    private readonly o: DhcpUdpOptions,
  ) {}

  async start(): Promise<string> {
    const i = this.o.listen.lastIndexOf(':');
    const host = this.o.listen.slice(0, i);
    const port = Number(this.o.listen.slice(i + 1));
    const batched = (this.o.io ?? 'batched') === 'batched' && batchedIoWorks();
    const io = batched
      ? UdpBatch.open(host, port, {
          recvBufferBytes: RECV_BUFFER_BYTES,
          sendBufferBytes: SEND_BUFFER_BYTES,
          stats: this.stats,
        })
      : undefined;
    const socket = dgram.createSocket({
      type: 'udp4',
      reuseAddr: false,
      ...(io ? {} : { recvBufferSize: RECV_BUFFER_BYTES, sendBufferSize: SEND_BUFFER_BYTES }),
    });
    this.socket = socket;
    this.io = io;
    if (io && (this.o.pacePercent ?? 0) > 0)
      io.pace({ factor: (this.o.pacePercent as number) / 100, minPerSecond: 1000 });
    const coalesceMs = io ? (this.o.coalesceMs ?? 0) : 0;
    if (coalesceMs > 0) {
      this.readCtl = readControl(socket);
      if (!this.readCtl)
        this.o.log.warn('--dhcp-coalesce-ms has no effect: this Node cannot pause a UDP socket');
    }
    socket.on('message', (msg, rinfo) => {
      this.onMessage(msg, rinfo.address, rinfo.port);
      // Whatever else arrived is read in batches (libuv then finds the socket empty).
      io?.drain(DRAIN_BUDGET, this.onMessage);
      if (coalesceMs > 0) this.pauseReading(coalesceMs);
    });
    socket.on('error', (err) => this.o.log.error({ err: err.message }, 'DHCP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      const bound = () => {
        socket.off('error', reject);
        resolve();
      };
      if (io) socket.bind({ fd: io.fd }, bound);
      else socket.bind(port, host, bound);
    });
    const a = socket.address();
    this.address = `${a.address}:${a.port}`;
    this.fixedServerId = this.o.serverId || (a.address !== '0.0.0.0' ? a.address : '');
    this.unwatchNetworks = this.engine.views.onNetworksChange(() => this.networkCache.clear());
    return this.address;
  }

  private paused = false;
  private readCtl: ReadControl | undefined;
  /**
   * Stops libuv reading the socket for `ms`, then reads what arrived meanwhile in one go and
   * resumes: fewer wakeups, each answering more datagrams (a timer's wakeup and a datagram's
   * instead of one per datagram or two).
   */
  private pauseReading(ms: number): void {
    const handle = this.readCtl;
    if (this.paused || !handle || !this.io) return;
    this.paused = true;
    handle.recvStop();
    setTimeout(() => {
      this.paused = false;
      if (!this.socket || !this.io) return;
      this.io.drain(DRAIN_BUDGET * 8, this.onMessage);
      handle.recvStart();
    }, ms);
  }

  private serverIdFor(packet: DhcpPacket): string {
    return this.fixedServerId || packet.giaddr;
  }

  /** The network a relayed packet belongs to. */
  networkFor(packet: DhcpPacket): Network | undefined {
    const selector =
      packet.options.relayAgentInfo?.linkSelection ?? packet.options.subnetSelection ?? packet.giaddr;
    // A handful of relays send everything: remember what their selectors resolved to.
    const key = selector === packet.giaddr ? selector : `${selector}/${packet.giaddr}`;
    const known = this.networkCache.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.findNetwork(selector, packet.giaddr);
    if (this.networkCache.size >= 4096) this.networkCache.clear();
    this.networkCache.set(key, found ?? null);
    return found;
  }

  private findNetwork(selector: string, giaddr: string): Network | undefined {
    const ip = parseIPv4(selector);
    if (ip === undefined) return undefined;
    for (const view of this.engine.views.networks.values()) {
      if (cidrContains(view.compiled.cidr, ip)) return view.stored.network;
    }
    for (const view of this.engine.views.networks.values()) {
      if (view.stored.network.relayAddresses?.includes(giaddr)) return view.stored.network;
    }
    return undefined;
  }

  /** One datagram (a bound arrow: it is also drain's callback). */
  private readonly onMessage = (msg: Buffer, fromAddress: string, fromPort: number): void => {
    this.stats.received++;
    this.io?.arrived();
    let packet: DhcpPacket;
    try {
      packet = decode(msg);
    } catch {
      this.stats.malformed++;
      return;
    }
    if (packet.giaddr === '0.0.0.0') {
      this.stats.notRelayed++;
      return;
    }
    const network = this.networkFor(packet);
    if (!network) {
      this.stats.unknownNetwork++;
      return;
    }
    if (this.o.clientLimiter && !this.o.clientLimiter.allow(network.name, packet.chaddr, packet.hlen)) {
      this.stats.rateLimited++;
      return;
    }
    this.inflight++;
    // One then() with the inflight count in both handlers, rather than then().finally(): finally
    // adds two promises and three closures per packet.
    this.server
      .handle(packet, {
        network,
        serverId: this.serverIdFor(packet),
        location: { host: '', via: `relay:${packet.giaddr}` },
      })
      .then(
        (reply) => {
          try {
            if (reply) this.sendReply(reply, packet.giaddr, fromAddress, fromPort);
          } finally {
            this.settled();
          }
        },
        (err: unknown) => {
          try {
            // Store unavailable and the like: stay silent, the client retries.
            this.stats.errors++;
            this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'DHCP request failed');
          } finally {
            this.settled();
          }
        },
      );
  };

  private sendReply(reply: Reply, giaddr: string, fromAddress: string, fromPort: number): void {
    if (!this.socket) return;
    // Back to the relay: its source port when the datagram came from giaddr (test relays
    // such as perfdhcp use a high port), else the server port 67.
    const port = fromAddress === giaddr ? fromPort : 67;
    if (this.io?.send(reply.bytes, port, giaddr)) {
      this.stats.replied++;
      return;
    }
    this.socket.send(reply.bytes, port, giaddr, (err) => {
      if (err) this.stats.sendFailed++;
      else this.stats.replied++;
    });
  }

  /** Replies held back by the pace (--dhcp-pace), not yet sent. */
  get repliesWaiting(): number {
    return this.io?.waiting ?? 0;
  }

  /** Replies per second the pace allows now (undefined: replies are not paced). */
  get replyPacePerSecond(): number | undefined {
    return this.io?.pacePerSecond;
  }

  /** An exchange is over. */
  private settled(): void {
    this.inflight--;
    if (this.inflight === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Stops receiving, then waits for exchanges in progress to finish. */
  async stop(): Promise<void> {
    const s = this.socket;
    if (!s) return;
    s.removeAllListeners('message');
    this.unwatchNetworks?.();
    this.networkCache.clear();
    if (this.inflight > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
    this.io?.close();
    this.io = undefined;
    this.socket = undefined;
    await new Promise<void>((r) => s.close(() => r()));
  }
}
