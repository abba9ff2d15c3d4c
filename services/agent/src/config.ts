import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { ConfigError, type FlagSpec, flagUsage, readFlags } from '@netspan/log';

/** Agent settings: flags win over environment variables, which win over the config file. */
export interface AgentConfig {
  hostId: string;
  /** Underlay IPv4 other hosts send VXLAN to. */
  vtepAddress: string;
  /** The interface the VTEP address sits on, when known (its MTU is the underlay MTU). */
  vtepInterface: string;
  underlayMtu: number;
  ipamdEndpoints: string[];
  joinToken: string;
  networks: string[];
  uplink: string;
  resyncIntervalSeconds: number;
  remoteMacs: boolean;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
  logLevel: string;
  logFormat: string;
  metricsListen: string;
}

type Flag = FlagSpec;

/** Every setting, its environment variable and default: the single source for --help. */
export const FLAGS: Record<string, Flag> = {
  'host-id': { env: 'NETSPAN_HOST_ID', def: '', help: 'this host, a DNS label (default: the hostname)' },
  vtep: {
    env: 'NETSPAN_VTEP',
    def: '',
    help: 'underlay IPv4 for VXLAN, or the interface to take it from (e.g. eth0)',
  },
  ipamd: {
    env: 'NETSPAN_IPAMD',
    def: '127.0.0.1:7700',
    help: 'comma-separated ipamd gRPC endpoints, tried in turn',
  },
  'join-token': {
    env: 'NETSPAN_JOIN_TOKEN',
    def: '',
    help: 'join token from `netspanctl token create` (not needed with mutual TLS)',
  },
  'join-token-file': { env: 'NETSPAN_JOIN_TOKEN_FILE', def: '', help: 'read the join token from this file' },
  networks: {
    env: 'NETSPAN_NETWORKS',
    def: '',
    help: 'comma-separated networks to carry (default: every network)',
  },
  'underlay-mtu': {
    env: 'NETSPAN_UNDERLAY_MTU',
    def: '0',
    help: 'underlay MTU (default: the VTEP interface MTU, else 1500); guests get this - 50',
  },
  uplink: { env: 'NETSPAN_UPLINK', def: '', help: 'uplink interface for VLAN-encapsulated networks' },
  'resync-interval': {
    env: 'NETSPAN_RESYNC_INTERVAL',
    def: '30',
    help: 'seconds between full reconciles that repair drift',
  },
  'remote-macs': {
    env: 'NETSPAN_REMOTE_MACS',
    def: 'false',
    boolean: true,
    help: "program remote guests' MACs from lease locations (no unknown-unicast flooding)",
  },
  'tls-ca': { env: 'NETSPAN_TLS_CA', def: '', help: 'CA that signed ipamd (enables TLS)' },
  'tls-cert': { env: 'NETSPAN_TLS_CERT', def: '', help: 'client certificate (mutual TLS; CN = host id)' },
  'tls-key': { env: 'NETSPAN_TLS_KEY', def: '', help: 'client key (mutual TLS)' },
  'log-level': { env: 'NETSPAN_LOG_LEVEL', def: 'info', help: 'trace, debug, info, warn, error' },
  'log-format': { env: 'NETSPAN_LOG_FORMAT', def: 'json', help: 'json or pretty' },
  'metrics-listen': {
    env: 'NETSPAN_METRICS_LISTEN',
    def: '',
    help: 'host:port for Prometheus /metrics, /healthz and /readyz, e.g. 127.0.0.1:9701 (empty = off)',
  },
};

export { ConfigError };

export function usage(): string {
  return flagUsage('Usage: netspan-agent [flags]', FLAGS);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The VTEP address and its interface from `--vtep` (an address, or an interface name). */
export function resolveVtep(
  spec: string,
  ifaces: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]> = networkInterfaces(),
): { address: string; iface: string } {
  const v4 = (name: string) => (ifaces[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
  if (IPV4.test(spec)) {
    for (const [name, addrs] of Object.entries(ifaces)) {
      if ((addrs ?? []).some((a) => a.family === 'IPv4' && a.address === spec))
        return { address: spec, iface: name };
    }
    return { address: spec, iface: '' };
  }
  if (spec) {
    const a = v4(spec);
    if (!a) throw new ConfigError(`--vtep: interface ${spec} has no IPv4 address`);
    return { address: a.address, iface: spec };
  }
  // Default: the only non-loopback IPv4 interface, if there is exactly one.
  const candidates = Object.keys(ifaces).filter((n) => v4(n) && !n.startsWith('nsbr'));
  if (candidates.length !== 1)
    throw new ConfigError(
      `--vtep is required: found ${candidates.length} interfaces with IPv4 (${candidates.join(', ') || 'none'})`,
    );
  const iface = candidates[0] as string;
  return { address: (v4(iface) as { address: string }).address, iface };
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig | 'help' {
  const flags = readFlags(FLAGS, argv, env, 'NETSPAN_AGENT_CONFIG');
  if (flags === 'help') return 'help';
  const { get, int, list } = flags;

  const hostId = (get('host-id') || hostname().split('.')[0] || '').toLowerCase();
  if (!LABEL.test(hostId))
    throw new ConfigError(`--host-id: ${JSON.stringify(hostId)} is not a DNS label (set --host-id)`);
  const vtep = resolveVtep(get('vtep'));
  const endpoints = list('ipamd');
  if (endpoints.length === 0) throw new ConfigError('--ipamd: at least one endpoint is required');
  for (const e of endpoints)
    if (!/^[^\s/]+:\d{1,5}$/.test(e)) throw new ConfigError(`--ipamd: ${e} is not host:port`);
  let joinToken = get('join-token');
  const tokenFile = get('join-token-file');
  if (!joinToken && tokenFile) {
    try {
      joinToken = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`--join-token-file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const networks = list('networks');
  for (const n of networks)
    if (!LABEL.test(n)) throw new ConfigError(`--networks: ${n} is not a network name`);
  let underlayMtu = int('underlay-mtu', 0, 65535);
  if (underlayMtu === 0) underlayMtu = interfaceMtu(vtep.iface) ?? 1500;
  const cfg: AgentConfig = {
    hostId,
    vtepAddress: vtep.address,
    vtepInterface: vtep.iface,
    underlayMtu,
    ipamdEndpoints: endpoints,
    joinToken,
    networks,
    uplink: get('uplink'),
    resyncIntervalSeconds: int('resync-interval', 1, 86_400),
    remoteMacs: get('remote-macs') === 'true',
    tlsCa: get('tls-ca'),
    tlsCert: get('tls-cert'),
    tlsKey: get('tls-key'),
    logLevel: get('log-level'),
    logFormat: get('log-format'),
    metricsListen: get('metrics-listen'),
  };
  if (cfg.metricsListen && !/^[^\s]+:\d{1,5}$/.test(cfg.metricsListen))
    throw new ConfigError(`--metrics-listen: ${cfg.metricsListen} is not host:port`);
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey))
    throw new ConfigError('--tls-cert and --tls-key go together');
  if (cfg.tlsCert && !cfg.tlsCa)
    throw new ConfigError('--tls-cert needs --tls-ca (the CA that signed ipamd)');
  if (!cfg.joinToken && !cfg.tlsCert)
    throw new ConfigError('a join token is required: --join-token, --join-token-file, or mutual TLS');
  return cfg;
}

function interfaceMtu(iface: string): number | undefined {
  if (!iface) return undefined;
  try {
    const v = Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim());
    return Number.isInteger(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}
