import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadNetspan } from '@netspan/api';
import { DhcpServer, type Outcome } from '@netspan/dhcp-server';
import {
  connectEtcd,
  EtcdAgentRegistry,
  EtcdIpamStore,
  EtcdRecordStore,
  EtcdTokenStore,
  LeanKv,
  type LeanKvOptions,
  type ReplicaRegistration,
  registerReplica,
  ThreadedKv,
} from '@netspan/etcd-store';
import { DhcpLeases, ErrorCode, IpamEngine, IpamError } from '@netspan/ipam';
import { createLogger, type Logger, withTimeout } from '@netspan/log';
import { type MetricsServer, startMetricsServer } from '@netspan/metrics';
import { ClientRateLimiter, HostQuota } from './abuse.js';
import { adminService } from './admin.js';
import { AgentHub, preEncodedAgentService } from './agents.js';
import { agentDriftCheck, auditService } from './audit.js';
import type { IpamdConfig } from './config.js';
import { DhcpUdpListener } from './dhcp-udp.js';
import { IpamdDns } from './dns.js';
import { dnsService } from './dns-handlers.js';
import { InflightTracker, ipamService, networkService } from './handlers.js';
import { addReflection, HealthReporter } from './health.js';
import { compactor, LeaderJob } from './leader.js';
import { IpamdMetrics } from './metrics.js';
import { requestLogFields } from './request-context.js';
import { JoinTokens } from './tokens.js';

/** The gRPC handlers, for tests that drive them without a socket (fuzzing). */
export { InflightTracker, ipamService, networkService } from './handlers.js';

export interface RunningIpamd {
  log: Logger;
  dhcpServer: DhcpServer;
  dhcpUdp: DhcpUdpListener | undefined;
  dhcp: DhcpLeases;
  jobs: LeaderJob[];
  engine: IpamEngine;
  store: EtcdIpamStore;
  agents: AgentHub;
  tokens: JoinTokens;
  /** Zone index and DNS server (the server only with --dns-listen). */
  dns: IpamdDns;
  /** Bound gRPC address, host:port. */
  grpcAddress: string;
  /** Bound metrics address, host:port, when --metrics-listen is set. */
  metricsAddress: string | undefined;
  health: HealthReporter;
  stop(): Promise<void>;
}

function serverCredentials(cfg: IpamdConfig): grpc.ServerCredentials {
  if (!cfg.tlsCert) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    cfg.tlsCa ? readFileSync(cfg.tlsCa) : null,
    [{ cert_chain: readFileSync(cfg.tlsCert), private_key: readFileSync(cfg.tlsKey) }],
    Boolean(cfg.tlsCa),
  );
}

/** Wires etcd → store → engine → gRPC and starts serving. */
export async function startIpamd(
  cfg: IpamdConfig,
  log = createLogger({
    name: 'ipamd',
    level: cfg.logLevel,
    format: cfg.logFormat,
    mixin: requestLogFields,
  }),
): Promise<RunningIpamd> {
  // Metrics cost nothing on the hot paths unless they are served.
  const metrics = cfg.metricsListen ? new IpamdMetrics(cfg.replicaId) : undefined;
  const etcd = connectEtcd({
    endpoints: cfg.etcdEndpoints,
    ...(cfg.etcdUsername ? { auth: { username: cfg.etcdUsername, password: cfg.etcdPassword } } : {}),
    ...(cfg.etcdTlsCa ? { tls: { ca: cfg.etcdTlsCa, cert: cfg.etcdTlsCert, key: cfg.etcdTlsKey } } : {}),
  });
  // Transactions (every grouped DHCP claim) and the state watch take the lean path; with etcd
  // auth they stay on etcd3's client, which owns the token.
  const leanOptions: LeanKvOptions = {
    endpoints: cfg.etcdEndpoints,
    ...(cfg.etcdTlsCa
      ? {
          tls: {
            ca: readFileSync(cfg.etcdTlsCa),
            ...(cfg.etcdTlsCert ? { cert: readFileSync(cfg.etcdTlsCert) } : {}),
            ...(cfg.etcdTlsKey ? { key: readFileSync(cfg.etcdTlsKey) } : {}),
          },
        }
      : {}),
  };
  const leanKv = cfg.etcdUsername ? undefined : new LeanKv(leanOptions);
  // By default the claims and the watch run in a worker thread: the main thread is the limit
  // of a replica serving DHCP, and that path was a fifth of its work.
  const threadedKv =
    leanKv && cfg.etcdClientThread ? new ThreadedKv({ ...leanOptions, prefix: cfg.etcdPrefix }) : undefined;
  const store = new EtcdIpamStore(etcd, {
    prefix: cfg.etcdPrefix,
    ...(leanKv ? { txnClient: leanKv, watchClient: threadedKv ?? leanKv } : {}),
    ...(threadedKv ? { claimClient: threadedKv } : {}),
    onCorrupt: (key) => log.warn({ key }, 'skipped a value that cannot be decoded'),
    onResync: (reason) => log.warn({ reason }, 'watch re-established from a fresh snapshot'),
    ...(metrics
      ? {
          onTxn: (op, outcome, seconds) => metrics.observeTxn(op, outcome, seconds),
          onConflicts: (op, n) => metrics.observeConflicts(op, n),
        }
      : {}),
  });
  const engine = new IpamEngine(store, {
    maxBatch: cfg.maxBatch,
    maxInflight: cfg.maxInflight,
    lingerMs: cfg.claimLingerMs,
  });
  log.info({ etcd: cfg.etcdEndpoints, prefix: cfg.etcdPrefix }, 'loading state from etcd');
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.start();
      break;
    } catch (err) {
      if (attempt >= 30) throw err;
      log.warn(
        { err: err instanceof Error ? err.message : String(err), attempt },
        'etcd not ready; retrying',
      );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const counts = [...engine.views.networks.values()].reduce((n, v) => n + v.leases.size, 0);
  log.info(
    { networks: engine.views.networks.size, leases: counts, revision: engine.views.revision },
    'state loaded',
  );

  const dhcp = new DhcpLeases(engine);
  const dhcpOutcomes = new Map<string, number>();
  const dhcpServer = new DhcpServer(dhcp, {
    declineQuarantineSeconds: cfg.declineQuarantineSeconds,
    onOutcome: (type: string, outcome: Outcome, detail?: string) => {
      const k = `${type}:${outcome}`;
      dhcpOutcomes.set(k, (dhcpOutcomes.get(k) ?? 0) + 1);
      metrics?.observeDhcp(type, outcome);
      if (log.isLevelEnabled('debug')) log.debug({ type, outcome, detail }, 'dhcp');
    },
    wantsDetail: () => log.isLevelEnabled('debug'),
  });

  const clientLimiter = new ClientRateLimiter(cfg.clientDhcpRate, Math.max(1, cfg.clientDhcpRate * 2));
  const pkg = loadNetspan();
  const agentService = preEncodedAgentService(pkg.AgentService.service);
  const tokens = new JoinTokens(new EtcdTokenStore(etcd, store.keys));
  if (cfg.bootstrapToken) {
    // A malformed token is a configuration error (fatal); etcd being away is not: retry.
    const ensure = async (attempt: number): Promise<void> => {
      try {
        await tokens.ensure(cfg.bootstrapToken);
      } catch (err) {
        if (IpamError.from(err).code !== ErrorCode.Unavailable || attempt >= 1000) throw err;
        if (attempt === 0)
          log.warn({ err: IpamError.from(err).message }, 'bootstrap token not stored yet; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)).unref());
        return ensure(attempt + 1);
      }
    };
    const first = ensure(0);
    // Wait for it while etcd answers; if it does not, go on and let it land later.
    await Promise.race([first, new Promise((r) => setTimeout(r, 2000).unref())]);
    first.catch((err: unknown) =>
      log.error({ err: IpamError.from(err).message }, 'bootstrap token rejected'),
    );
  }
  const agentRegistry = new EtcdAgentRegistry(etcd, store.keys, {
    ttlSeconds: cfg.agentTtlSeconds,
    onLeaseLost: (err) => log.warn({ err: err.message }, 'agent sessions lease lost; re-registering them'),
  });
  const agents = new AgentHub({
    engine,
    registry: agentRegistry,
    tokens,
    dhcpServer,
    leases: dhcp,
    quota: new HostQuota(engine.views, cfg.maxLeasesPerHost),
    agentDhcpRate: cfg.agentDhcpRate,
    clientLimiter,
    serverId: cfg.replicaId,
    log,
    encodeControl: agentService.encodeControl,
  });
  await agents.start();

  const dns = new IpamdDns(
    {
      listen: cfg.dnsListen,
      upstreams: cfg.dnsUpstreams,
      allowRecursion: cfg.dnsAllowRecursion,
      workers: cfg.dnsWorkers,
      io: cfg.dnsIo,
      logLevel: cfg.logLevel,
      logFormat: cfg.logFormat,
    },
    engine.views,
    new EtcdRecordStore(etcd, {
      prefix: cfg.etcdPrefix,
      onCorrupt: (key) => log.warn({ key }, 'skipped a DNS record that cannot be decoded'),
      onResync: (reason) => log.warn({ reason }, 'record watch re-established from a fresh snapshot'),
    }),
    log,
  );
  await dns.start();

  const inflight = new InflightTracker();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  if (metrics) inflight.observe = (method, code, seconds) => metrics.observeCall(method, code, seconds);
  server.addService(pkg.NetworkService.service, networkService(engine, log, inflight));
  server.addService(pkg.IpamService.service, ipamService(engine, log, inflight));
  server.addService(pkg.DnsService.service, dnsService(dns, log, inflight));
  server.addService(agentService.definition, { Session: agents.session, Relay: agents.relay });
  server.addService(pkg.AdminService.service, {
    ...adminService(tokens, agents, log, inflight),
    ...auditService(store, log, inflight, [agentDriftCheck(agentRegistry, store.keys)]),
  });
  const health = new HealthReporter(store, log);
  health.addToServer(server);
  addReflection(server);
  await health.start();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(cfg.grpcListen, serverCredentials(cfg), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = cfg.grpcListen.slice(0, cfg.grpcListen.lastIndexOf(':'));
  const grpcAddress = `${host}:${port}`;

  let replica: ReplicaRegistration | undefined;
  try {
    replica = await registerReplica(
      etcd,
      store.keys,
      cfg.replicaId,
      { grpc: grpcAddress, pid: process.pid },
      10,
      (err) => log.warn({ err: err.message }, 'replica registration lease lost; re-registering'),
    );
  } catch (err) {
    log.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'could not register replica (continuing)',
    );
  }
  const jobs: LeaderJob[] = [];
  if (cfg.compactIntervalSeconds > 0) {
    jobs.push(
      new LeaderJob({
        client: etcd,
        prefix: cfg.etcdPrefix,
        name: 'compactor',
        id: cfg.replicaId,
        ttlSeconds: cfg.electionTtlSeconds,
        intervalMs: cfg.compactIntervalSeconds * 1000,
        log,
        run: compactor(etcd, cfg.compactRetainRevisions, log),
      }),
    );
  }
  if (cfg.reclaimIntervalSeconds > 0) {
    jobs.push(
      new LeaderJob({
        client: etcd,
        prefix: cfg.etcdPrefix,
        name: 'reclaimer',
        id: cfg.replicaId,
        ttlSeconds: cfg.electionTtlSeconds,
        intervalMs: cfg.reclaimIntervalSeconds * 1000,
        log,
        run: async () => {
          const n = await dhcp.reclaim();
          if (n > 0) log.info({ reclaimed: n }, 'reclaimed expired leases');
        },
      }),
    );
  }
  for (const j of jobs) j.start();
  let dhcpUdp: DhcpUdpListener | undefined;
  if (cfg.dhcpListen) {
    dhcpUdp = new DhcpUdpListener(dhcpServer, engine, {
      listen: cfg.dhcpListen,
      io: cfg.dhcpIo,
      coalesceMs: cfg.dhcpCoalesceMs,
      pacePercent: cfg.dhcpPacePercent,
      ...(cfg.dhcpServerId ? { serverId: cfg.dhcpServerId } : {}),
      log,
      clientLimiter,
    });
    await dhcpUdp.start();
  }
  let metricsServer: MetricsServer | undefined;
  if (metrics) {
    metrics.bind({
      engine,
      store,
      jobs,
      dhcpUdp,
      dns,
      agents: { registered: () => agents.agents.size, held: () => agents.sessionCount },
      headRevision: () => health.headRevision,
      etcdUp: () => health.etcdUp,
    });
    metricsServer = await startMetricsServer({
      listen: cfg.metricsListen,
      registry: metrics.registry,
      ready: () => health.serving,
    });
  }
  log.info(
    {
      grpc: grpcAddress,
      dhcp: dhcpUdp?.address,
      dns: dns.address || undefined,
      metrics: metricsServer?.address,
      replica: cfg.replicaId,
      tls: Boolean(cfg.tlsCert),
    },
    'ipamd ready',
  );

  let stopped: Promise<void> | undefined;
  return {
    log,
    dhcpServer,
    dhcpUdp,
    dhcp,
    jobs,
    engine,
    store,
    agents,
    tokens,
    dns,
    grpcAddress,
    metricsAddress: metricsServer?.address,
    health,
    stop: () => {
      stopped ??= (async () => {
        // Agents first: their sessions never end on their own. Ending them (UNAVAILABLE) and
        // revoking the sessions lease makes them re-register with another replica at once.
        health.stop();
        await withTimeout(agents.stop(), 3000, undefined);
        // Refuse new calls, let in-flight ones finish (bounded), then let go of etcd.
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            log.warn({ inflight: inflight.size }, 'forcing shutdown with calls still in flight');
            server.forceShutdown();
            resolve();
          }, 10_000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        await withTimeout(inflight.drained(), 10_000, undefined);
        if (dhcpUdp) await withTimeout(dhcpUdp.stop(), 10_000, undefined);
        await withTimeout(dns.stop(), 10_000, undefined);
        log.info({ dns: dns.stats, conflicts: dns.index.stats.conflicts }, 'DNS counters');
        log.info({ dhcp: Object.fromEntries(dhcpOutcomes) }, 'DHCP outcomes');
        // Resign first: another replica takes the background jobs over at once. Each step
        // is bounded: with etcd unreachable they cannot complete, and shutdown must not hang.
        const step = async (what: string, p: Promise<unknown>) => {
          if (
            (await withTimeout(
              p.then(() => 'done'),
              3000,
              'timeout',
            )) === 'timeout'
          ) {
            log.warn({ step: what }, 'shutdown step timed out (etcd unreachable?); going on');
          }
        };
        await step('resign leadership', Promise.all(jobs.map((j) => j.stop())));
        await step('stop watches', engine.stop());
        if (replica) await step('revoke replica lease', replica.close());
        await threadedKv?.close();
        leanKv?.close();
        etcd.close();
        await metricsServer?.close();
        log.info('stopped');
      })();
      return stopped;
    },
  };
}

export { ClientRateLimiter, RateLimiter } from './abuse.js';
export { DhcpUdpListener } from './dhcp-udp.js';
