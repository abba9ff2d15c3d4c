import cluster, { type Worker } from 'node:cluster';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  addDnsStats,
  ClientAcl,
  DnsServer,
  type DnsStats,
  type Endpoint,
  emptyDnsStats,
  type LeaseInfo,
  type RecordObserver,
  type StoredRecord,
  type ZoneEvent,
  ZoneIndex,
} from '@netspan/dns';
import type { EtcdRecordStore } from '@netspan/etcd-store';
import type {
  AddressViews,
  Snapshot,
  StoredLease,
  StoredNetwork,
  StoreObserver,
  Subscription,
} from '@netspan/ipam';
import type { Logger } from '@netspan/log';
// Loaded only when batched DNS I/O starts: it brings koffi, which an ipamd without DNS never needs.
import type { BatchedUdp } from './dns-batched.js';
import { followViews } from './views-feed.js';

/** What a DNS worker process needs to serve (sent once, before any zone event). */
export interface DnsWorkerInit {
  t: 'init';
  host: string;
  port: number;
  upstreams: Endpoint[];
  allowRecursion: string[];
  logLevel: string;
  logFormat: string;
  /** How often the worker sends its counters (when they changed), in ms. */
  statsIntervalMs: number;
}

/** Messages from the primary to a DNS worker. */
export type ToWorker = DnsWorkerInit | { t: 'zone'; events: ZoneEvent[] };
/** Messages from a DNS worker to the primary. */
export type FromWorker =
  | { t: 'hello' }
  | { t: 'ready'; port: number }
  | { t: 'failed'; error: string }
  /** The worker's counters since it started (totals, not deltas: a lost message loses nothing). */
  | { t: 'stats'; stats: DnsStats; conflicts: number };

export interface DnsOptions {
  /** host:port for UDP and TCP (port 0: a port free for both). */
  listen: string;
  upstreams: Endpoint[];
  allowRecursion: string[];
  /** 0: serve in this process; n: n worker processes sharing the sockets. */
  workers: number;
  logLevel: string;
  logFormat: string;
  /** How often workers report their counters to this process (default 1000 ms). */
  statsIntervalMs?: number;
  /**
   * UDP through batched syscalls (recvmmsg/sendmmsg) in worker threads of this process, `workers`
   * of them (at least one), all reading one socket ('batched') or each its own SO_REUSEPORT socket
   * ('batched-reuseport'), TCP with DnsServer here; or all through node:dgram when unset (ipamd's
   * --dns-io says batched unless told otherwise).
   */
  io?: 'dgram' | 'batched' | 'batched-reuseport';
}

function leaseInfo(l: StoredLease): LeaseInfo {
  return {
    network: l.network,
    address: l.address,
    hostname: l.hostname,
    state: l.state,
    createdAtMs: l.createdAtMs,
    expiresAtMs: l.expiresAtMs,
    revision: l.revision,
  };
}

function networkInfo(n: StoredNetwork) {
  return { name: n.network.name, domain: n.network.domain, cidr: n.network.cidr };
}

/** A port free for both UDP and TCP on `host` (DNS serves both on one port). */
async function freeDualPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host, port: 0, exclusive: true }, () => resolve((tcp.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind({ address: host, port, exclusive: true }, () => resolve(true));
    });
    await new Promise<void>((r) => tcp.close(() => r()));
    if (ok) {
      await new Promise<void>((r) => udp.close(() => r()));
      return port;
    }
    udp.close();
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

/**
 * The DNS side of ipamd: a zone index fed by etcd watches (leases and networks through the
 * engine's views, which follow the IPAM store's watch; records through the record store's),
 * never by a read per query, and a DNS
 * server answering from it — in this process, or in worker processes (node:cluster) that share
 * the UDP socket and TCP listener and get every zone event over IPC, in order.
 */
export class IpamdDns implements StoreObserver {
  readonly index: ZoneIndex;
  address = '';
  private server: DnsServer | undefined;
  private batched: BatchedUdp | undefined;
  /** Workers that have the index and get every event. */
  private readonly workers = new Set<Worker>();
  /** Every live worker process (including ones still starting). */
  private readonly forked = new Set<Worker>();
  private leaseSub: Subscription | undefined;
  private recordSub: { close(): Promise<void> } | undefined;
  private stopping = false;
  private watching: Promise<void> | undefined;
  private init: DnsWorkerInit | undefined;
  /**
   * Each worker's counters, as it last reported them. Workers count in their own process and
   * send their totals every statsIntervalMs (only when they changed), so a query costs no IPC.
   */
  private readonly workerStats = new Map<Worker, DnsStats>();
  /** Counters of workers that exited (so the totals never go down). */
  private readonly retiredStats: DnsStats = emptyDnsStats();

  constructor(
    private readonly opts: DnsOptions,
    /** The engine's views: the index follows them (followViews) rather than a watch of its own. */
    private readonly views: AddressViews,
    readonly records: EtcdRecordStore,
    private readonly log: Logger,
  ) {
    this.index = new ZoneIndex({
      onConflict: (c) =>
        log.warn(
          { name: c.name, holder: c.holder, newcomer: c.newcomer },
          'hostname already held by another lease; the newcomer gets no DNS records',
        ),
    });
  }

  /**
   * Queries counted by this process's server or by every worker (reported within a
   * statsIntervalMs), including workers that have exited; undefined when DNS is not served.
   */
  get stats(): DnsStats | undefined {
    if (this.batched && this.server) {
      const total = addDnsStats(emptyDnsStats(), this.server.stats);
      for (const s of this.batched.stats()) addDnsStats(total, s);
      return total;
    }
    if (this.server) return this.server.stats;
    if (!this.init) return undefined;
    const total = addDnsStats(emptyDnsStats(), this.retiredStats);
    for (const s of this.workerStats.values()) addDnsStats(total, s);
    return total;
  }

  /**
   * The index's watches, started once. Without --dns-listen they start on the first DnsService
   * call, so an ipamd that serves no DNS pays nothing for it.
   */
  ready(): Promise<void> {
    this.watching ??= (async () => {
      this.leaseSub = followViews(this.views, this);
      this.recordSub = await this.records.sync(this.recordFeed);
    })().catch((err: unknown) => {
      this.watching = undefined;
      throw err;
    });
    return this.watching;
  }

  async start(): Promise<string> {
    if (!this.opts.listen) return '';
    await this.ready();
    const i = this.opts.listen.lastIndexOf(':');
    const host = this.opts.listen.slice(0, i).replace(/^\[|\]$/g, '');
    let port = Number(this.opts.listen.slice(i + 1));
    if (port === 0) port = await freeDualPort(host);
    const serverHere = (udp: boolean) =>
      new DnsServer({
        index: this.index,
        host,
        port,
        upstreams: this.opts.upstreams,
        acl: new ClientAcl(this.opts.allowRecursion),
        log: this.log,
        ...(udp ? {} : { udp: false }),
      });
    if (this.opts.io === 'batched' || this.opts.io === 'batched-reuseport') {
      // TCP (and forwarding) here; UDP in the batched I/O threads.
      const server = serverHere(false);
      this.server = server;
      await server.start();
      const { BatchedUdp } = await import('./dns-batched.js');
      this.batched = await BatchedUdp.start({
        host,
        port,
        threads: this.opts.workers,
        sockets: this.opts.io === 'batched-reuseport' ? 'reuseport' : 'shared',
        allowRecursion: this.opts.allowRecursion,
        forwarding: this.opts.upstreams.length > 0,
        server,
        index: this.index,
        log: this.log,
      });
    } else if (this.opts.workers === 0) {
      this.server = serverHere(true);
      await this.server.start();
    } else {
      this.init = {
        t: 'init',
        host,
        port,
        upstreams: this.opts.upstreams,
        allowRecursion: this.opts.allowRecursion,
        logLevel: this.opts.logLevel,
        logFormat: this.opts.logFormat,
        statsIntervalMs: this.opts.statsIntervalMs ?? 1000,
      };
      cluster.setupPrimary({ exec: fileURLToPath(new URL('./dns-worker.js', import.meta.url)), args: [] });
      await Promise.all(Array.from({ length: this.opts.workers }, () => this.fork()));
    }
    this.address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.address;
  }

  /** Starts one worker and resolves when it serves (a crashed worker is replaced). */
  private fork(): Promise<void> {
    const init = this.init as DnsWorkerInit;
    const w = cluster.fork({ NETSPAN_DNS_WORKER: '1' });
    this.forked.add(w);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('DNS worker did not start within 15 s')), 15_000);
      w.on('message', (m: FromWorker) => {
        if (m.t === 'hello') {
          // The worker listens now (messages sent before that are lost): its whole view is the
          // index as it is now, then every later event (IPC keeps order).
          w.send({ ...init } satisfies ToWorker);
          w.send({ t: 'zone', events: this.index.exportEvents() } satisfies ToWorker);
          this.workers.add(w);
        } else if (m.t === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.t === 'failed') {
          clearTimeout(timer);
          reject(new Error(`DNS worker failed: ${m.error}`));
        } else if (m.t === 'stats') this.workerStats.set(w, m.stats);
      });
      w.on('exit', (code, signal) => {
        this.workers.delete(w);
        this.forked.delete(w);
        const last = this.workerStats.get(w);
        if (last) addDnsStats(this.retiredStats, last);
        this.workerStats.delete(w);
        clearTimeout(timer);
        if (this.stopping) return;
        this.log.error({ pid: w.process.pid, code, signal }, 'DNS worker exited; starting another');
        setTimeout(() => {
          if (!this.stopping)
            this.fork().catch((err: unknown) => this.log.error({ err }, 'DNS worker restart failed'));
        }, 1000).unref();
      });
    });
  }

  /** A change this replica made itself: applied now, before its watch event arrives. */
  applyOwn(e: ZoneEvent): void {
    this.emit(e);
  }

  private emit(e: ZoneEvent): void {
    this.index.apply(e);
    this.batched?.post(e);
    if (this.workers.size === 0) return;
    const msg: ToWorker = { t: 'zone', events: [e] };
    for (const w of this.workers) if (w.isConnected()) w.send(msg);
  }

  // ---------------------------------------------------------------- StoreObserver (leases, networks)
  snapshot(s: Snapshot): void {
    this.emit({
      t: 'leases-reset',
      revision: s.revision,
      networks: s.networks.map(networkInfo),
      leases: s.leases.map(leaseInfo),
    });
  }
  networkPut(n: StoredNetwork): void {
    this.emit({ t: 'network', network: networkInfo(n), revision: n.revision });
  }
  networkDeleted(name: string): void {
    this.emit({ t: 'network-deleted', name, revision: this.index.revision });
  }
  leasePut(l: StoredLease): void {
    this.emit({ t: 'lease', lease: leaseInfo(l) });
  }
  leaseDeleted(network: string, address: string, revision: number): void {
    this.emit({ t: 'lease-deleted', network, address, revision });
  }
  reservationPut(): void {}
  reservationDeleted(): void {}

  // ---------------------------------------------------------------- records
  readonly recordFeed: RecordObserver = {
    snapshot: (records: StoredRecord[], revision: number) =>
      this.emit({ t: 'records-reset', revision, records }),
    put: (record: StoredRecord) => this.emit({ t: 'record', record }),
    deleted: (zone: string, id: string, revision: number) =>
      this.emit({ t: 'record-deleted', zone, id, revision }),
  };
  async stop(): Promise<void> {
    this.stopping = true;
    await this.batched?.stop();
    await this.server?.stop();
    await Promise.all(
      [...this.forked].map(
        (w) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => w.process.kill('SIGKILL'), 5000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await this.watching?.catch(() => {});
    await this.recordSub?.close();
    await this.leaseSub?.close();
  }
}
