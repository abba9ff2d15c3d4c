/**
 * Chaos: three ipamd replicas on one etcd, DHCP clients doing DORA, renewals and releases
 * through a relay that forwards every packet to every replica (as dhcrelay does with several
 * servers), while replicas are SIGKILLed and restarted and etcd itself is stopped once. At
 * the end every ACK the clients saw is checked against etcd:
 *
 *   duplicates  an address ACKed to two clients at overlapping times     (must be 0)
 *   lost        an ACKed, unreleased lease missing from etcd              (must be 0)
 *   orphans     client-index keys without their lease, or the reverse     (must be 0)
 *
 * Bounded in count and time; everything runs on loopback.
 */
import dgram from 'node:dgram';
import { createClients, NetspanClientError, unary } from '@netspan/api';
import { chaddrFromMac, type DhcpPacket, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import { connectEtcd, decodeLease } from '@netspan/etcd-store';
import { type EtcdHandle, freePorts, type IpamdHandle, startEtcd, startIpamd } from '../harness/index.js';

export interface ChaosOptions {
  clients: number;
  /** Total run time, ms (the client loop stops after it). */
  durationMs: number;
  /** Kill one replica every this many ms. */
  killEveryMs: number;
  /** When (ms into the run) etcd is stopped, and for how long. */
  etcdStopAtMs: number;
  etcdStopForMs: number;
  /** Exchanges in flight at once. */
  concurrency: number;
  progress?: (line: string) => void;
}

export interface ChaosReport {
  clients: number;
  requests: number;
  acks: number;
  naks: number;
  releases: number;
  kills: number;
  duplicates: string[];
  lost: string[];
  orphans: string[];
  /**
   * ACKs clients saw while etcd was down, from half a second after it died (replies in
   * flight may still land) until it was back: must be 0, nothing is committed then.
   */
  acksWhileEtcdDown: number;
  /** How long a gRPC call took to fail while etcd was down, ms (fast UNAVAILABLE). */
  grpcFailFastMs: number;
  grpcStatusWhileEtcdDown: string;
  /** From etcd's restart to the next ACK, ms. */
  recoveryMs: number;
  durationMs: number;
}

const SERVER_ID = '10.140.0.1';
const NETWORK = 'chaos';
const LEASE_SECONDS = 3600;

export interface Ack {
  client: string;
  address: string;
  at: number;
}
export type Release = Ack;

/**
 * Addresses ACKed to two clients at overlapping times. A client's hold on an address runs
 * from an ACK until its next RELEASE of that address (leases outlive the run, so nothing
 * expires in between).
 */
export function findDuplicates(acks: readonly Ack[], releases: readonly Release[]): string[] {
  const events = new Map<string, Array<{ at: number; client: string; kind: 'ack' | 'release' }>>();
  const add = (e: Ack, kind: 'ack' | 'release') => {
    const list = events.get(e.address) ?? [];
    list.push({ at: e.at, client: e.client, kind });
    events.set(e.address, list);
  };
  for (const a of acks) add(a, 'ack');
  for (const r of releases) add(r, 'release');
  const out: string[] = [];
  for (const [address, list] of events) {
    // Same instant: the release first (a client may be ACKed right after another released).
    list.sort((a, b) => a.at - b.at || (a.kind === 'release' ? -1 : 1));
    let holder: string | undefined;
    for (const e of list) {
      if (e.kind === 'release') {
        if (holder === e.client) holder = undefined;
      } else if (holder === undefined || holder === e.client) holder = e.client;
      else out.push(`${address}: ACKed to ${e.client} while ${holder} held it`);
    }
  }
  return out;
}

function poolEnd(clients: number): string {
  const last = 0x0a8c0000 + 10 + Math.floor(clients * 0.9) - 1;
  return [24, 16, 8, 0].map((s) => (last >>> s) & 255).join('.');
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const say = o.progress ?? (() => {});
  const etcd: EtcdHandle = await startEtcd({ name: 'chaos' });
  const ports = await freePorts(3);
  const replicas: Array<IpamdHandle | undefined> = [];
  const args = (port: number) => [
    '--dhcp-listen',
    `127.0.0.1:${port}`,
    '--dhcp-server-id',
    SERVER_ID,
    '--election-ttl',
    '2',
    '--reclaim-interval',
    '0',
  ];
  const stopAll = async () => {
    await Promise.all(replicas.map((r) => r?.kill().catch(() => {})));
    await etcd.stop().catch(() => {});
  };
  try {
    for (const port of ports)
      replicas.push(await startIpamd({ etcdEndpoints: etcd.endpoints, args: args(port) }));
    const admin = createClients((replicas[0] as IpamdHandle).grpcAddress);
    const size = Math.max(256, 2 ** Math.ceil(Math.log2(o.clients * 1.3 + 16)));
    const prefix = 32 - Math.log2(size);
    await unary(admin.network, admin.network.CreateNetwork, {
      network: {
        name: NETWORK,
        cidr: `10.140.0.0/${prefix}`,
        gateway: SERVER_ID,
        // Fewer addresses than clients: released addresses are reused at once, and the last
        // free ones are fought over by every replica.
        pools: [{ start: '10.140.0.10', end: poolEnd(o.clients) }],
        leaseTimeSeconds: LEASE_SECONDS,
        relayAddresses: ['127.0.0.1'],
      },
    });
    admin.close();
    say(`chaos: ${o.clients} clients, 3 replicas, a /${prefix}, ${o.durationMs / 1000} s`);

    // ---------------------------------------------------------------- the relay
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const waiters = new Map<number, (p: DhcpPacket) => void>();
    sock.on('message', (msg) => {
      try {
        const p = decode(msg);
        waiters.get(p.xid)?.(p);
      } catch {
        // not ours to judge
      }
    });
    let requests = 0;
    const sendAll = (p: DhcpPacket) => {
      requests++;
      const bytes = encode(p);
      for (const port of ports) sock.send(bytes, port, '127.0.0.1');
    };
    let xidSeq = 1;
    /** Sends to every replica, returns the first reply of an accepted type (or none in time). */
    const exchange = (build: (xid: number) => DhcpPacket, accept: number[], timeoutMs = 1500) =>
      new Promise<DhcpPacket | undefined>((resolve) => {
        const xid = xidSeq++;
        const t = setTimeout(() => {
          waiters.delete(xid);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(xid, (r) => {
          if (!accept.includes(r.options.messageType ?? 0)) return;
          clearTimeout(t);
          waiters.delete(xid);
          resolve(r);
        });
        sendAll(build(xid));
      });

    // ---------------------------------------------------------------- clients
    const acks: Ack[] = [];
    const releaseLog: Release[] = [];
    const holding = new Map<string, string>(); // client -> address it holds now
    let naks = 0;
    let etcdDown = false;
    let etcdDownSince = 0;
    let acksWhileDown = 0;
    let etcdBackAt = 0;
    let recoveryMs = -1;
    const macOf = (i: number) =>
      `02:c4:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    const base = (xid: number, mac: string, type: number, options: DhcpPacket['options'] = {}) =>
      newPacket({
        xid,
        giaddr: '127.0.0.1',
        hops: 1,
        chaddr: chaddrFromMac(mac),
        options: { messageType: type, ...options },
      });
    const onAck = (client: string, address: string) => {
      const at = Date.now();
      acks.push({ client, address, at });
      holding.set(client, address);
      // Replies already in flight when etcd died still arrive: allow them half a second.
      if (etcdDown && at - etcdDownSince > 500) acksWhileDown++;
      if (etcdBackAt && recoveryMs < 0) recoveryMs = at - etcdBackAt;
    };

    const dora = async (mac: string): Promise<void> => {
      const offer = await exchange((x) => base(x, mac, MessageType.Discover), [MessageType.Offer]);
      if (!offer) return;
      const ack = await exchange(
        (x) => base(x, mac, MessageType.Request, { requestedIp: offer.yiaddr, serverId: SERVER_ID }),
        [MessageType.Ack, MessageType.Nak],
      );
      if (ack?.options.messageType === MessageType.Ack) onAck(mac, ack.yiaddr);
      else if (ack) naks++;
    };
    const renew = async (mac: string, address: string): Promise<void> => {
      const ack = await exchange(
        (x) => ({ ...base(x, mac, MessageType.Request), ciaddr: address }),
        [MessageType.Ack, MessageType.Nak],
      );
      if (ack?.options.messageType === MessageType.Ack) onAck(mac, ack.yiaddr);
      else if (ack) {
        naks++;
        holding.delete(mac);
      }
    };
    const release = (mac: string, address: string) => {
      // RELEASE has no reply: from now on the client no longer claims the address.
      releaseLog.push({ client: mac, address, at: Date.now() });
      holding.delete(mac);
      sendAll({ ...base(xidSeq++, mac, MessageType.Release, { serverId: SERVER_ID }), ciaddr: address });
    };

    const t0 = Date.now();
    const deadline = t0 + o.durationMs;
    let next = 0;
    const worker = async () => {
      while (Date.now() < deadline) {
        const i = next++ % o.clients;
        const mac = macOf(i + 1);
        const held = holding.get(mac);
        if (!held) await dora(mac);
        else if ((i + next) % 7 === 0) release(mac, held);
        else await renew(mac, held);
      }
    };

    // ---------------------------------------------------------------- faults
    let kills = 0;
    const restarts: Promise<void>[] = [];
    let grpcFailFastMs = -1;
    let grpcStatus = '';
    const faults = (async () => {
      let victim = 0;
      let etcdDone = false;
      while (Date.now() < deadline - o.killEveryMs / 2) {
        await new Promise((r) => setTimeout(r, Math.min(o.killEveryMs, Math.max(0, deadline - Date.now()))));
        if (Date.now() >= deadline) break;
        if (!etcdDone && Date.now() - t0 >= o.etcdStopAtMs) {
          etcdDone = true;
          say('chaos: stopping etcd');
          await etcd.kill();
          etcdDown = true;
          etcdDownSince = Date.now();
          // While etcd is down a gRPC call fails fast with UNAVAILABLE.
          const live = replicas.find((r) => r !== undefined) as IpamdHandle;
          const c = createClients(live.grpcAddress);
          const s = Date.now();
          try {
            await unary(
              // A write that must reach etcd (an allocation could be refused from memory).
              c.network,
              c.network.CreateNetwork,
              { network: { name: 'probe', cidr: '10.141.0.0/24' } },
              { timeoutMs: 10_000 },
            );
            grpcStatus = 'OK';
          } catch (err) {
            grpcStatus = NetspanClientError.from(err).statusName;
          }
          grpcFailFastMs = Date.now() - s;
          c.close();
          await new Promise((r) => setTimeout(r, Math.max(0, o.etcdStopForMs - (Date.now() - s))));
          // The window closes when etcd is spawned again: it serves as soon as it has loaded,
          // before restart() has polled it healthy, and a replica may claim in between.
          etcdDown = false;
          await etcd.restart();
          etcdBackAt = Date.now();
          say(`chaos: etcd back (gRPC failed in ${grpcFailFastMs} ms with ${grpcStatus})`);
          continue;
        }
        const i = victim++ % replicas.length;
        const r = replicas[i];
        if (!r) continue; // still restarting
        replicas[i] = undefined;
        await r.kill();
        kills++;
        say(`chaos: SIGKILL replica ${i + 1}`);
        // Restart in the background: the next kill keeps its cadence.
        restarts.push(
          startIpamd({ etcdEndpoints: etcd.endpoints, args: args(ports[i] as number) }).then((h) => {
            replicas[i] = h;
          }),
        );
      }
    })();

    await Promise.all([...Array.from({ length: o.concurrency }, worker), faults]);
    await Promise.allSettled(restarts);
    sock.close();
    const ran = Date.now() - t0;
    say(`chaos: ${acks.length} ACKs, ${kills} kills in ${ran} ms; checking against etcd`);

    // ---------------------------------------------------------------- the checker
    const duplicates = findDuplicates(acks, releaseLog);
    const client = connectEtcd({ endpoints: etcd.endpoints });
    const lost: string[] = [];
    const orphans: string[] = [];
    try {
      const leases = await client.getAll().prefix(`/netspan/v1/leases/${NETWORK}/`).buffers();
      const index = await client.getAll().prefix(`/netspan/v1/clients/${NETWORK}/`).strings();
      const leaseByAddress = new Map<string, string>();
      for (const [k, v] of Object.entries(leases)) {
        const address = k.slice(k.lastIndexOf('/') + 1);
        const l = decodeLease(NETWORK, address, v, 0);
        if (!l) orphans.push(`lease ${address} cannot be decoded`);
        else leaseByAddress.set(address, l.clientId);
      }
      for (const [mac, address] of holding) {
        const holder = leaseByAddress.get(address);
        if (holder !== `mac:${mac}`)
          lost.push(`${mac} holds ${address} (ACKed) but etcd has ${holder ?? 'nothing'}`);
      }
      const indexed = new Set(Object.values(index));
      for (const [k, address] of Object.entries(index)) {
        if (!leaseByAddress.has(address)) orphans.push(`index ${k} -> ${address} without a lease`);
      }
      for (const address of leaseByAddress.keys()) {
        if (!indexed.has(address)) orphans.push(`lease ${address} without an index key`);
      }
    } finally {
      client.close();
    }
    return {
      clients: o.clients,
      requests,
      acks: acks.length,
      naks,
      releases: releaseLog.length,
      kills,
      duplicates,
      lost,
      orphans,
      acksWhileEtcdDown: acksWhileDown,
      grpcFailFastMs,
      grpcStatusWhileEtcdDown: grpcStatus,
      recoveryMs,
      durationMs: ran,
    };
  } finally {
    await stopAll();
  }
}
