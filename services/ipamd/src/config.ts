import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { ConfigError, type FlagSpec, flagUsage, readFlags } from '@netspan/log';

/** ipamd settings: flags win over environment variables, which win over the config file. */
export interface IpamdConfig {
  etcdEndpoints: string[];
  etcdPrefix: string;
  etcdUsername: string;
  etcdPassword: string;
  etcdTlsCa: string;
  etcdTlsCert: string;
  etcdTlsKey: string;
  grpcListen: string;
  dhcpListen: string;
  dhcpServerId: string;
  dhcpIo: 'batched' | 'dgram';
  dhcpCoalesceMs: number;
  /** DHCP replies leave at most at this percentage of the arrival rate (0: unpaced). */
  dhcpPacePercent: number;
  declineQuarantineSeconds: number;
  dnsListen: string;
  dnsUpstreams: Array<{ host: string; port: number }>;
  dnsAllowRecursion: string[];
  dnsWorkers: number;
  dnsIo: 'dgram' | 'batched' | 'batched-reuseport';
  etcdClientThread: boolean;
  tlsCert: string;
  tlsKey: string;
  tlsCa: string;
  logLevel: string;
  logFormat: string;
  replicaId: string;
  maxBatch: number;
  maxInflight: number;
  claimLingerMs: number;
  compactIntervalSeconds: number;
  reclaimIntervalSeconds: number;
  compactRetainRevisions: number;
  electionTtlSeconds: number;
  agentTtlSeconds: number;
  bootstrapToken: string;
  agentDhcpRate: number;
  clientDhcpRate: number;
  maxLeasesPerHost: number;
  metricsListen: string;
}

type Flag = FlagSpec;

/** Every setting, its environment variable and default: the single source for --help. */
export const FLAGS: Record<string, Flag> = {
  'etcd-endpoints': {
    env: 'NETSPAN_ETCD_ENDPOINTS',
    def: 'http://127.0.0.1:2379',
    help: 'comma-separated etcd client URLs',
  },
  'etcd-prefix': {
    env: 'NETSPAN_ETCD_PREFIX',
    def: '/netspan/v1/',
    help: 'key prefix for all netspan state',
  },
  'etcd-username': {
    env: 'NETSPAN_ETCD_USERNAME',
    def: '',
    help: 'etcd user (password in NETSPAN_ETCD_PASSWORD)',
  },
  'etcd-password': {
    env: 'NETSPAN_ETCD_PASSWORD',
    def: '',
    help: 'etcd password (prefer the environment variable)',
  },
  'etcd-tls-ca': { env: 'NETSPAN_ETCD_TLS_CA', def: '', help: 'CA bundle for etcd over TLS' },
  'etcd-tls-cert': { env: 'NETSPAN_ETCD_TLS_CERT', def: '', help: 'client certificate for etcd' },
  'etcd-tls-key': { env: 'NETSPAN_ETCD_TLS_KEY', def: '', help: 'client key for etcd' },
  'grpc-listen': {
    env: 'NETSPAN_GRPC_LISTEN',
    def: '127.0.0.1:7700',
    help: 'gRPC API address (port 0 = any free port)',
  },
  'dhcp-listen': {
    env: 'NETSPAN_DHCP_LISTEN',
    def: '',
    help: 'host:port for DHCP from standard relays, e.g. 0.0.0.0:67 (empty = off)',
  },
  'dhcp-server-id': {
    env: 'NETSPAN_DHCP_SERVER_ID',
    def: '',
    help: 'DHCP server identifier (option 54) for relayed clients (default the --dhcp-listen host)',
  },
  'decline-quarantine': {
    env: 'NETSPAN_DECLINE_QUARANTINE',
    def: '600',
    help: 'seconds a DHCPDECLINEd address stays out of use',
  },
  'dns-listen': {
    env: 'NETSPAN_DNS_LISTEN',
    def: '',
    help: 'host:port for DNS over UDP and TCP, e.g. 0.0.0.0:53 (port 0 = any free port; empty = off)',
  },
  'dns-upstream': {
    env: 'NETSPAN_DNS_UPSTREAM',
    def: '',
    help: 'comma-separated resolvers (IP or IP:port) for names outside our zones (empty = REFUSED)',
  },
  'dns-allow-recursion': {
    env: 'NETSPAN_DNS_ALLOW_RECURSION',
    def: '127.0.0.0/8,::1,networks',
    help: 'client prefixes whose queries outside our zones are forwarded; "networks" = every network\'s CIDR',
  },
  'dns-workers': {
    env: 'NETSPAN_DNS_WORKERS',
    def: '0',
    help: 'DNS worker processes sharing the DNS sockets (0 = answer in the ipamd process); with --dns-io batched, I/O threads (at least 1)',
  },
  'dhcp-io': {
    env: 'NETSPAN_DHCP_IO',
    def: 'batched',
    help: 'DHCP over UDP: datagrams read with recvmmsg and replies sent with sendmmsg in batches ("batched", Linux x64/arm64), or one node:dgram call each ("dgram")',
  },
  'dhcp-coalesce-ms': {
    env: 'NETSPAN_DHCP_COALESCE_MS',
    def: '0',
    help: 'with --dhcp-io batched, after a wakeup read DHCP again only after this many ms, so each wakeup reads and answers more datagrams at once (0 = read whenever one arrives)',
  },
  'dhcp-pace': {
    env: 'NETSPAN_DHCP_PACE',
    def: '130',
    help: 'with --dhcp-io batched, DHCP replies leave at most at this percentage of the rate requests arrive at (at least 1,000/s), spread out rather than in bursts (0 = as soon as ready)',
  },
  'dns-io': {
    env: 'NETSPAN_DNS_IO',
    def: 'batched',
    help: 'DNS over UDP through recvmmsg/sendmmsg in threads of ipamd reading one socket ("batched", Linux x64/arm64) or a SO_REUSEPORT socket each ("batched-reuseport"), or node:dgram ("dgram")',
  },
  'etcd-client': {
    env: 'NETSPAN_ETCD_CLIENT',
    def: 'thread',
    help: 'where DHCP claim transactions and the state watch are encoded and sent: a worker thread ("thread", uses a second core) or the main thread ("main")',
  },
  'tls-cert': { env: 'NETSPAN_TLS_CERT', def: '', help: 'server certificate for the gRPC API (enables TLS)' },
  'tls-key': { env: 'NETSPAN_TLS_KEY', def: '', help: 'server key for the gRPC API' },
  'tls-ca': { env: 'NETSPAN_TLS_CA', def: '', help: 'CA for client certificates (enables mutual TLS)' },
  'log-level': { env: 'NETSPAN_LOG_LEVEL', def: 'info', help: 'trace, debug, info, warn, error' },
  'log-format': { env: 'NETSPAN_LOG_FORMAT', def: 'json', help: 'json or pretty' },
  'replica-id': { env: 'NETSPAN_REPLICA_ID', def: '', help: 'name of this replica (default hostname-pid)' },
  'max-batch': {
    env: 'NETSPAN_MAX_BATCH',
    def: '128',
    help: 'most claims grouped into one etcd transaction (etcd --max-txn-ops bounds it)',
  },
  'compact-interval': {
    env: 'NETSPAN_COMPACT_INTERVAL',
    def: '300',
    help: 'seconds between etcd history compactions by the elected replica (0 = never; use when etcd compacts itself)',
  },
  'compact-retain': {
    env: 'NETSPAN_COMPACT_RETAIN',
    def: '10000',
    help: 'revisions of history kept behind the head when compacting',
  },
  'reclaim-interval': {
    env: 'NETSPAN_RECLAIM_INTERVAL',
    def: '10',
    help: 'seconds between passes of the elected replica that deletes expired leases (0 = never)',
  },
  'election-ttl': {
    env: 'NETSPAN_ELECTION_TTL',
    def: '5',
    help: 'seconds before a dead leader of background jobs is replaced',
  },
  'max-inflight': { env: 'NETSPAN_MAX_INFLIGHT', def: '8', help: 'claim transactions in flight at once' },
  'claim-linger-ms': {
    env: 'NETSPAN_CLAIM_LINGER_MS',
    def: '25',
    help:
      'under load, how long a small group of claims waits for more before its etcd transaction ' +
      '(0: never wait); an idle replica never waits',
  },
  'agent-ttl': {
    env: 'NETSPAN_AGENT_TTL',
    def: '5',
    help: 'seconds a silent agent (or a dead replica) keeps its registration; peers drop it after',
  },
  'agent-dhcp-rate': {
    env: 'NETSPAN_AGENT_DHCP_RATE',
    def: '500',
    help: 'DHCP packets per second one agent may relay, bursts of twice that (0 = unlimited)',
  },
  'client-dhcp-rate': {
    env: 'NETSPAN_CLIENT_DHCP_RATE',
    def: '10',
    help: 'DHCP packets per second one client MAC may send, bursts of twice that (0 = unlimited)',
  },
  'max-leases-per-host': {
    env: 'NETSPAN_MAX_LEASES_PER_HOST',
    def: '1024',
    help: 'addresses (leases and pending offers) one agent host may hold per network (0 = unlimited)',
  },
  'bootstrap-token': {
    env: 'NETSPAN_BOOTSTRAP_TOKEN',
    def: '',
    help: 'join token <id>.<secret> made to exist at start, for first agents (revoke it later)',
  },
  'metrics-listen': {
    env: 'NETSPAN_METRICS_LISTEN',
    def: '',
    help: 'host:port for Prometheus /metrics, /healthz and /readyz over HTTP, e.g. 127.0.0.1:9700 (empty = off)',
  },
};

export { ConfigError };

export function usage(): string {
  return flagUsage('Usage: ipamd [flags]', FLAGS);
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): IpamdConfig | 'help' {
  const flags = readFlags(FLAGS, argv, env, 'NETSPAN_CONFIG');
  if (flags === 'help') return 'help';
  const { get, int } = flags;
  const endpoints = get('etcd-endpoints')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^https?:\/\//.test(s) ? s : `http://${s}`));
  if (endpoints.length === 0) throw new ConfigError('--etcd-endpoints: at least one endpoint is required');
  const listen = get('grpc-listen');
  if (!/^[^\s]+:\d{1,5}$/.test(listen)) throw new ConfigError(`--grpc-listen: ${listen} is not host:port`);
  const dhcpListen = get('dhcp-listen');
  if (dhcpListen && !/^[^\s]+:\d{1,5}$/.test(dhcpListen))
    throw new ConfigError(`--dhcp-listen: ${dhcpListen} is not host:port`);
  const metricsListen = get('metrics-listen');
  if (metricsListen && !/^[^\s]+:\d{1,5}$/.test(metricsListen))
    throw new ConfigError(`--metrics-listen: ${metricsListen} is not host:port`);
  const serverId = get('dhcp-server-id');
  if (serverId && !/^\d+\.\d+\.\d+\.\d+$/.test(serverId))
    throw new ConfigError(`--dhcp-server-id: ${serverId} is not an IPv4 address`);
  const dhcpIo = get('dhcp-io');
  if (dhcpIo !== 'batched' && dhcpIo !== 'dgram')
    throw new ConfigError(`--dhcp-io: ${dhcpIo} is not batched or dgram`);
  const dnsIo = get('dns-io');
  if (dnsIo !== 'dgram' && dnsIo !== 'batched' && dnsIo !== 'batched-reuseport')
    throw new ConfigError(`--dns-io: ${dnsIo} is not dgram, batched or batched-reuseport`);
  const etcdClient = get('etcd-client');
  if (etcdClient !== 'thread' && etcdClient !== 'main')
    throw new ConfigError(`--etcd-client: ${etcdClient} is not thread or main`);
  const dnsListen = get('dns-listen');
  if (dnsListen && !/^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/.test(dnsListen))
    throw new ConfigError(`--dns-listen: ${dnsListen} is not host:port`);
  const dnsUpstreams = get('dns-upstream')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      const m =
        /^(?:\[([0-9a-fA-F:.]+)\]|(\d+\.\d+\.\d+\.\d+))(?::(\d{1,5}))?$/.exec(u) ??
        /^([0-9a-fA-F:]+)$/.exec(u);
      const host = m?.[1] ?? m?.[2];
      const port = m?.[3] === undefined ? 53 : Number(m[3]);
      if (!host || !isIP(host) || port < 1 || port > 65535)
        throw new ConfigError(`--dns-upstream: ${u} is not IP or IP:port (names are not resolved)`);
      return { host, port };
    });
  const dnsAllowRecursion = get('dns-allow-recursion')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of dnsAllowRecursion) {
    const [addr, len, extra] = a.split('/');
    const max = addr && isIP(addr) === 6 ? 128 : 32;
    if (a === 'networks') continue;
    if (
      !addr ||
      !isIP(addr) ||
      extra !== undefined ||
      (len !== undefined && !(/^\d{1,3}$/.test(len) && Number(len) <= max))
    )
      throw new ConfigError(`--dns-allow-recursion: ${a} is not an address prefix or "networks"`);
  }
  const prefix = get('etcd-prefix');
  if (!prefix.endsWith('/')) throw new ConfigError(`--etcd-prefix: ${prefix} must end with '/'`);
  const cfg: IpamdConfig = {
    etcdEndpoints: endpoints,
    etcdPrefix: prefix,
    etcdUsername: get('etcd-username'),
    etcdPassword: get('etcd-password'),
    etcdTlsCa: get('etcd-tls-ca'),
    etcdTlsCert: get('etcd-tls-cert'),
    etcdTlsKey: get('etcd-tls-key'),
    grpcListen: listen,
    dhcpListen: get('dhcp-listen'),
    dhcpServerId: get('dhcp-server-id'),
    declineQuarantineSeconds: int('decline-quarantine', 0, 31_536_000),
    dnsListen,
    dnsUpstreams,
    dnsAllowRecursion,
    dnsWorkers: int('dns-workers', 0, 64),
    dnsIo,
    dhcpIo,
    dhcpCoalesceMs: int('dhcp-coalesce-ms', 0, 100),
    dhcpPacePercent: int('dhcp-pace', 0, 10_000),
    etcdClientThread: etcdClient === 'thread',
    tlsCert: get('tls-cert'),
    tlsKey: get('tls-key'),
    tlsCa: get('tls-ca'),
    logLevel: get('log-level'),
    logFormat: get('log-format'),
    replicaId: get('replica-id') || `${hostname()}-${process.pid}`,
    maxBatch: int('max-batch', 1, 128),
    maxInflight: int('max-inflight', 1, 64),
    claimLingerMs: int('claim-linger-ms', 0, 1000),
    compactIntervalSeconds: int('compact-interval', 0, 86_400),
    reclaimIntervalSeconds: int('reclaim-interval', 0, 86_400),
    compactRetainRevisions: int('compact-retain', 100, 100_000_000),
    electionTtlSeconds: int('election-ttl', 2, 600),
    agentTtlSeconds: int('agent-ttl', 2, 600),
    bootstrapToken: get('bootstrap-token'),
    agentDhcpRate: int('agent-dhcp-rate', 0, 1_000_000),
    clientDhcpRate: int('client-dhcp-rate', 0, 1_000_000),
    maxLeasesPerHost: int('max-leases-per-host', 0, 16_777_216),
    metricsListen,
  };
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey))
    throw new ConfigError('--tls-cert and --tls-key go together');
  if (cfg.tlsCa && !cfg.tlsCert)
    throw new ConfigError('--tls-ca (mutual TLS) needs --tls-cert and --tls-key');
  return cfg;
}
