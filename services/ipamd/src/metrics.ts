import { RCODE_LABELS } from '@netspan/dns';
import type { EtcdIpamStore, TxnOutcome } from '@netspan/etcd-store';
import { type IpamEngine, LEASE_STATES } from '@netspan/ipam';
import { Counter, counterFrom, Gauge, Histogram, newRegistry, type Registry } from '@netspan/metrics';
import type { DhcpUdpListener } from './dhcp-udp.js';
import type { IpamdDns } from './dns.js';
import type { LeaderJob } from './leader.js';

/** What the scrape-time collectors read; bound once the pieces exist. */
export interface MetricSources {
  engine: IpamEngine;
  store: EtcdIpamStore;
  jobs: readonly LeaderJob[];
  dhcpUdp: DhcpUdpListener | undefined;
  /** The DNS side (its counters exist only with --dns-listen). */
  dns: IpamdDns;
  /** Live agents: every replica's registrations (the watch), and the sessions this one holds. */
  agents: { registered(): number; held(): number };
  /** etcd's head revision at the last health probe (0 before the first answer). */
  headRevision(): number;
  /** Whether the last health probe reached etcd. */
  etcdUp(): boolean;
}

const GRPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ETCD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Every ipamd metric, in one place, with HELP text that says what it means (the README's
 * metric table is written from it). Hot paths update counters through the few `observe*`
 * methods; everything that ipamd already keeps (views, stats) is read at scrape time.
 *
 * DNS counters live where queries are answered (this process, or each DNS worker process,
 * which reports its totals every second): a query never costs a call into prom-client or IPC.
 */
export class IpamdMetrics {
  readonly registry: Registry;
  private sources: MetricSources | undefined;
  private readonly grpcSeconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly etcdTxns: Counter<'op' | 'outcome'>;
  private readonly etcdTxnSeconds: Histogram<'op'>;
  private readonly etcdConflicts: Counter<'op'>;

  constructor(replica: string) {
    const registry = newRegistry({ replica });
    this.registry = registry;
    const registers = [registry];
    const src = () => this.sources;

    this.grpcSeconds = new Histogram({
      name: 'netspan_grpc_server_handling_seconds',
      help:
        'Time from receiving a gRPC call to answering it, by service, method and status code ' +
        '(AllocateStream: per message). Its _count is the number of calls handled.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      buckets: GRPC_BUCKETS,
      registers,
    });
    // Counted in a plain map on the hot path and handed to prom-client at scrape time: its
    // inc() hashes the label set on every call, even through a bound child.
    const dhcpFeed = counterFrom();
    const dhcpCounts = this.dhcpCounts;
    new Counter({
      name: 'netspan_dhcp_messages_total',
      help:
        'DHCP messages handled, by message type (discover, request, …) and outcome (offer, ack, ' +
        'nak, silent, malformed, …) as the DHCP server decided it.',
      labelNames: ['type', 'outcome'],
      registers,
      collect() {
        for (const c of dhcpCounts.values()) dhcpFeed(this, c.n, { type: c.type, outcome: c.outcome });
      },
    });
    const udpFeed = counterFrom();
    new Counter({
      name: 'netspan_dhcp_relay_datagrams_dropped_total',
      help:
        'DHCP datagrams from relays dropped before the DHCP server saw them, by reason: ' +
        'malformed, not_relayed (giaddr 0), unknown_network (no network for the relay), ' +
        'truncated (longer than 2,048 bytes).',
      labelNames: ['reason'],
      registers,
      collect() {
        const s = src()?.dhcpUdp?.stats;
        if (!s) return;
        udpFeed(this, s.malformed, { reason: 'malformed' });
        udpFeed(this, s.notRelayed, { reason: 'not_relayed' });
        udpFeed(this, s.unknownNetwork, { reason: 'unknown_network' });
        udpFeed(this, s.truncated, { reason: 'truncated' });
      },
    });
    new Counter({
      name: 'netspan_dhcp_relay_replies_total',
      help: 'DHCP replies to relays, by outcome: sent, or failed (the kernel would not send it).',
      labelNames: ['outcome'],
      registers,
      collect() {
        const s = src()?.dhcpUdp?.stats;
        if (!s) return;
        udpFeed(this, s.replied, { outcome: 'sent' });
        udpFeed(this, s.sendFailed, { outcome: 'failed' });
      },
    });
    new Gauge({
      name: 'netspan_dhcp_relay_replies_waiting',
      help:
        'DHCP replies to relays held back by --dhcp-pace, waiting to be sent (steadily high: ' +
        'the pace is too slow for the load).',
      registers,
      collect() {
        this.set(src()?.dhcpUdp?.repliesWaiting ?? 0);
      },
    });
    new Gauge({
      name: 'netspan_dhcp_relay_reply_pace',
      help:
        'Replies per second to relays that --dhcp-pace allows now (1.3 times the arrival rate by ' +
        'default; absent when replies are not paced).',
      registers,
      collect() {
        this.reset();
        const pace = src()?.dhcpUdp?.replyPacePerSecond;
        if (pace !== undefined) this.set(Math.round(pace));
      },
    });
    this.etcdTxns = new Counter({
      name: 'netspan_etcd_txns_total',
      help:
        'etcd transactions, by operation and outcome: succeeded, failed (a compare did not hold: ' +
        'a conflict) or error (etcd did not answer).',
      labelNames: ['op', 'outcome'],
      registers,
    });
    this.etcdTxnSeconds = new Histogram({
      name: 'netspan_etcd_txn_duration_seconds',
      help: 'Round-trip time of etcd transactions, by operation.',
      labelNames: ['op'],
      buckets: ETCD_BUCKETS,
      registers,
    });
    this.etcdConflicts = new Counter({
      name: 'netspan_etcd_subtxn_conflicts_total',
      help:
        'Claims and renewals inside grouped transactions whose compares failed (the address or ' +
        'client changed under them); each is then re-read and retried or answered.',
      labelNames: ['op'],
      registers,
    });
    const engineFeed = counterFrom();
    new Counter({
      name: 'netspan_ipam_claims_total',
      help: 'Address claims sent to etcd (first tries and retries).',
      registers,
      collect() {
        const e = src()?.engine;
        if (e) engineFeed(this, e.stats.claims);
      },
    });
    new Counter({
      name: 'netspan_ipam_claim_retries_total',
      help:
        'Claims proposed again because the proposed address turned out taken or reserved ' +
        '(a stale view or a race with another replica); never a duplicate lease.',
      registers,
      collect() {
        const e = src()?.engine;
        if (e) engineFeed(this, e.stats.conflicts);
      },
    });
    new Gauge({
      name: 'netspan_leases',
      help: 'Leases in this replica’s view of etcd, by network and state (bound, offered, declined, expired).',
      labelNames: ['network', 'state'],
      registers,
      collect() {
        this.reset();
        const views = src()?.engine.views;
        if (!views) return;
        // Counted as leases come and go: a scrape must not walk a million leases on the
        // event loop that answers DHCP (it took 0.3 s per scrape in bench/dhcp).
        for (const [network, view] of views.networks) {
          const counts = view.leaseStates();
          for (const state of LEASE_STATES) this.set({ network, state }, counts.get(state) ?? 0);
        }
      },
    });
    const pools = (fill: (g: Gauge<'network' | 'pool'>, network: string, c: PoolSample) => void) =>
      function collect(this: Gauge<'network' | 'pool'>) {
        this.reset();
        const views = src()?.engine.views;
        if (!views) return;
        for (const [network, view] of views.networks)
          for (const c of view.poolCounts()) fill(this, network, c);
      };
    new Gauge({
      name: 'netspan_pool_addresses',
      help: 'Addresses in each DHCP/IPAM pool, by network and pool.',
      labelNames: ['network', 'pool'],
      registers,
      collect: pools((g, network, c) => g.set({ network, pool: c.name }, c.size)),
    });
    new Gauge({
      name: 'netspan_pool_used_addresses',
      help: 'Addresses of each pool that are leased or reserved, by network and pool.',
      labelNames: ['network', 'pool'],
      registers,
      collect: pools((g, network, c) => g.set({ network, pool: c.name }, c.used + c.reserved)),
    });
    new Gauge({
      name: 'netspan_pool_utilization_ratio',
      help: 'Leased or reserved share of each pool, 0 to 1 (1 = nothing left to hand out).',
      labelNames: ['network', 'pool'],
      registers,
      collect: pools((g, network, c) =>
        g.set({ network, pool: c.name }, c.size ? Math.min(1, (c.used + c.reserved) / c.size) : 0),
      ),
    });
    new Gauge({
      name: 'netspan_etcd_up',
      help: '1 when the last health probe (every second) reached etcd, else 0.',
      registers,
      collect() {
        const s = src();
        if (s) this.set(s.etcdUp() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'netspan_etcd_head_revision',
      help: 'etcd’s revision at the last health probe.',
      registers,
      collect() {
        const s = src();
        if (s) this.set(s.headRevision());
      },
    });
    new Gauge({
      name: 'netspan_watch_revision',
      help: 'The last etcd revision this replica’s watch delivered (its view is current up to it).',
      registers,
      collect() {
        const s = src();
        if (s) this.set(s.store.stats.watchRevision);
      },
    });
    new Gauge({
      name: 'netspan_watch_lag_revisions',
      help:
        'Revisions between etcd’s head at the last probe and the last one the watch delivered. ' +
        'Writes outside the watched keys (client index, elections) count too, so small values ' +
        'are normal; a value that keeps growing means the view is falling behind.',
      registers,
      collect() {
        const s = src();
        if (s) this.set(Math.max(0, s.headRevision() - s.store.stats.watchRevision));
      },
    });
    new Gauge({
      name: 'netspan_watch_live',
      help: '1 while the watch follows etcd; 0 while starting, disconnected or resyncing.',
      registers,
      collect() {
        const s = src();
        if (s) this.set(s.store.watchState === 'live' ? 1 : 0);
      },
    });
    const storeFeed = counterFrom();
    new Counter({
      name: 'netspan_watch_resyncs_total',
      help: 'Times the watch was lost (e.g. compacted past) and rebuilt from a fresh snapshot.',
      registers,
      collect() {
        const s = src();
        if (s) storeFeed(this, s.store.stats.resyncs);
      },
    });
    new Counter({
      name: 'netspan_etcd_corrupt_values_total',
      help: 'Stored values that could not be decoded and were skipped (run netspanctl audit).',
      registers,
      collect() {
        const s = src();
        if (s) storeFeed(this, s.store.stats.corrupt);
      },
    });
    new Gauge({
      name: 'netspan_leader',
      help: '1 when this replica is the elected leader of the background job, else 0.',
      labelNames: ['job'],
      registers,
      collect() {
        for (const j of src()?.jobs ?? []) this.set({ job: j.name }, j.leader ? 1 : 0);
      },
    });
    const jobFeed = counterFrom();
    new Counter({
      name: 'netspan_leader_job_runs_total',
      help: 'Completed runs of a background job on this replica while it led.',
      labelNames: ['job'],
      registers,
      collect() {
        for (const j of src()?.jobs ?? []) jobFeed(this, j.runs, { job: j.name });
      },
    });

    const dnsFeed = counterFrom();
    new Counter({
      name: 'netspan_dns_queries_total',
      help:
        'DNS queries by transport (udp, tcp) and the RCODE of the answer (NOERROR, NXDOMAIN, ' +
        'REFUSED, SERVFAIL, FORMERR, NOTIMP, BADVERS; forwarded queries: the upstream answer), ' +
        'or dropped (no answer: not a DNS query). With DNS workers, up to a second behind.',
      labelNames: ['transport', 'rcode'],
      registers,
      collect() {
        const st = src()?.dns.stats;
        if (!st) return;
        st.byRcode.forEach((row, t) => {
          const transport = t === 0 ? 'udp' : 'tcp';
          row.forEach((n, i) => {
            const labels = { transport, rcode: RCODE_LABELS[i] ?? String(i) };
            if (n > 0) dnsFeed(this, n, labels);
            // Zero series for the usual RCODEs, so rate() works from the first query.
            else if (i <= 5) this.inc(labels, 0);
          });
        });
      },
    });
    new Counter({
      name: 'netspan_dns_forwarded_total',
      help: 'DNS queries outside our zones forwarded to --dns-upstream (their answers count in netspan_dns_queries_total).',
      registers,
      collect() {
        const st = src()?.dns.stats;
        if (st) dnsFeed(this, st.forwarded);
      },
    });
    new Counter({
      name: 'netspan_dns_forward_failures_total',
      help: 'Forwarded DNS queries no upstream answered in time (each was answered SERVFAIL).',
      registers,
      collect() {
        const st = src()?.dns.stats;
        if (st) dnsFeed(this, st.forwardFailed);
      },
    });
    new Counter({
      name: 'netspan_dns_truncated_total',
      help: 'DNS answers over UDP that did not fit and were sent truncated (TC: the client retries over TCP).',
      registers,
      collect() {
        const st = src()?.dns.stats;
        if (st) dnsFeed(this, st.truncated);
      },
    });
    new Counter({
      name: 'netspan_dns_hostname_conflicts_total',
      help:
        'Times a lease asked for a hostname another lease of the network holds: the newcomer ' +
        'gets no DNS records (the log names both).',
      registers,
      collect() {
        const d = src()?.dns;
        if (d) dnsFeed(this, d.index.stats.conflicts);
      },
    });
    new Gauge({
      name: 'netspan_agents_registered',
      help: 'Live host agents registered with any replica (this replica’s view of etcd).',
      registers,
      collect() {
        const a = src()?.agents;
        if (a) this.set(a.registered());
      },
    });
    new Gauge({
      name: 'netspan_agent_sessions',
      help: 'Agent sessions this replica holds (sum over replicas = netspan_agents_registered).',
      registers,
      collect() {
        const a = src()?.agents;
        if (a) this.set(a.held());
      },
    });
  }

  bind(sources: MetricSources): void {
    this.sources = sources;
  }

  /** A finished gRPC call (or AllocateStream message): `method` is `Service/Method`. */
  observeCall(method: string, code: string, seconds: number): void {
    const slash = method.indexOf('/');
    this.grpcSeconds.observe(
      { grpc_service: method.slice(0, slash), grpc_method: method.slice(slash + 1), grpc_code: code },
      seconds,
    );
  }

  /** DHCP messages by type and outcome (closed sets), counted here, read at scrape time. */
  private readonly dhcpCounts = new Map<string, { type: string; outcome: string; n: number }>();

  observeDhcp(type: string, outcome: string): void {
    const k = `${type}\u0000${outcome}`;
    const c = this.dhcpCounts.get(k);
    if (c) c.n++;
    else if (this.dhcpCounts.size < 1000) this.dhcpCounts.set(k, { type, outcome, n: 1 });
  }

  observeTxn(op: string, outcome: TxnOutcome, seconds: number): void {
    const label = this.opLabel(op);
    this.etcdTxns.inc({ op: label, outcome });
    this.etcdTxnSeconds.observe({ op: label }, seconds);
  }

  observeConflicts(op: string, count: number): void {
    this.etcdConflicts.inc({ op: this.opLabel(op) }, count);
  }

  private readonly opLabels = new Map<string, string>();
  /** The store names operations in words (`claim addresses`); labels use snake_case. */
  private opLabel(op: string): string {
    let label = this.opLabels.get(op);
    if (label === undefined) {
      label = op.replace(/[^a-zA-Z0-9]+/g, '_');
      this.opLabels.set(op, label);
    }
    return label;
  }
}

interface PoolSample {
  name: string;
  size: number;
  used: number;
  reserved: number;
}
