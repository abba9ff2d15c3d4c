import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { NetspanClients, pb } from '@netspan/api';
import type { Logger } from '@netspan/log';
import { openBoundSocket } from './bound-socket.js';

const SERVER_PORT = 67;
const CLIENT_PORT = 68;
const REPLY_TIMEOUT_MS = 5000;

/** The relay stream to ipamd (one per channel), replies matched by id. */
export class RelayStream {
  private call: grpc.ClientDuplexStream<pb.RelayRequest__Input, pb.RelayReply> | undefined;
  private owner: NetspanClients | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: pb.RelayReply | undefined) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly hostId: string,
    private readonly joinToken: string,
    private readonly log: Logger,
  ) {}

  /** Relays one packet; undefined when ipamd cannot be reached in time (the guest retries). */
  send(clients: NetspanClients, req: Omit<pb.RelayRequest__Input, 'id'>): Promise<pb.RelayReply | undefined> {
    const call = this.stream(clients);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      call.write({ ...req, id });
    });
  }

  private stream(clients: NetspanClients) {
    if (this.call && this.owner === clients) return this.call;
    this.call?.cancel();
    const md = new grpc.Metadata();
    md.set('netspan-host-id', this.hostId);
    if (this.joinToken) md.set('authorization', `Bearer ${this.joinToken}`);
    const call = clients.agent.Relay(md);
    this.call = call;
    this.owner = clients;
    call.on('data', (r: pb.RelayReply) => {
      const p = this.pending.get(Number(r.id));
      if (!p) return;
      this.pending.delete(Number(r.id));
      clearTimeout(p.timer);
      p.resolve(r);
    });
    call.on('error', () => {});
    call.on('status', (s: grpc.StatusObject) => {
      if (this.call === call) {
        this.call = undefined;
        this.owner = undefined;
      }
      if (s.code !== grpc.status.OK && s.code !== grpc.status.CANCELLED)
        this.log.warn({ status: grpc.status[s.code], err: s.details }, 'relay stream ended');
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.resolve(undefined);
        this.pending.delete(id);
      }
    });
    return call;
  }

  close(): void {
    this.call?.cancel();
    this.call = undefined;
  }
}

interface BridgeSocket {
  network: string;
  bridge: string;
  ifindex: number;
  socket: dgram.Socket;
}

function ifindexOf(dev: string): number | undefined {
  try {
    return Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Guests' DHCP, per bridge: one socket pinned to each bridge hears only that bridge's
 * guests; every packet goes to ipamd with the network the bridge belongs to, and the reply
 * leaves through the same bridge. A bridge that was recreated (new ifindex) gets a fresh
 * socket: a pinned socket would otherwise go deaf.
 */
export class DhcpRelay {
  private readonly sockets = new Map<string, BridgeSocket>();
  readonly stats = { received: 0, relayed: 0, replies: 0, dropped: 0, unreachable: 0, sendErrors: 0 };

  constructor(
    private readonly stream: RelayStream,
    private readonly clients: () => NetspanClients | undefined,
    private readonly log: Logger,
  ) {}

  /** Makes the set of sockets match `bridges` (network → bridge device). */
  async sync(bridges: Map<string, string>): Promise<string[]> {
    const problems: string[] = [];
    for (const [network, s] of this.sockets) {
      const wanted = bridges.get(network);
      if (wanted !== s.bridge || ifindexOf(s.bridge) !== s.ifindex) {
        s.socket.close();
        this.sockets.delete(network);
        this.log.info({ network, bridge: s.bridge }, 'DHCP socket closed');
      }
    }
    for (const [network, bridge] of bridges) {
      if (this.sockets.has(network)) continue;
      const ifindex = ifindexOf(bridge);
      if (ifindex === undefined) {
        problems.push(`bridge ${bridge} of network ${network} does not exist; DHCP not relayed`);
        continue;
      }
      try {
        const socket = await openBoundSocket(bridge, SERVER_PORT);
        const entry: BridgeSocket = { network, bridge, ifindex, socket };
        socket.on('message', (msg, rinfo) => this.onPacket(entry, msg, rinfo));
        socket.on('error', (err) => {
          this.log.warn({ bridge, err: err.message }, 'DHCP socket error; reopening at next reconcile');
          if (this.sockets.get(network) === entry) this.sockets.delete(network);
          socket.close();
        });
        this.sockets.set(network, entry);
        this.log.info({ network, bridge }, 'DHCP relay listening');
      } catch (err) {
        problems.push(`DHCP socket on ${bridge}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return problems;
  }

  private onPacket(s: BridgeSocket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.stats.received++;
    const clients = this.clients();
    if (!clients) {
      this.stats.unreachable++;
      return;
    }
    this.stats.relayed++;
    this.stream
      .send(clients, { network: s.network, packet: msg, srcAddress: rinfo.address, ingress: s.bridge })
      .then((reply) => {
        if (!reply) {
          this.stats.unreachable++;
          return;
        }
        if (reply.delivery === 'DELIVERY_DROP' || reply.packet.length === 0) {
          this.stats.dropped++;
          return;
        }
        const dst =
          reply.delivery === 'DELIVERY_UNICAST' && reply.dstAddress ? reply.dstAddress : '255.255.255.255';
        if (this.sockets.get(s.network) !== s) return; // socket replaced meanwhile
        s.socket.send(reply.packet, CLIENT_PORT, dst, (err) => {
          if (err) {
            this.stats.sendErrors++;
            this.log.warn({ bridge: s.bridge, dst, err: err.message }, 'could not deliver DHCP reply');
          } else this.stats.replies++;
        });
      });
  }

  close(): void {
    for (const s of this.sockets.values()) s.socket.close();
    this.sockets.clear();
    this.stream.close();
  }
}
