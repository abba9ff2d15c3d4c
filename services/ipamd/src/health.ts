import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { netspanDefinition } from '@netspan/api/reflection';
import type { EtcdIpamStore } from '@netspan/etcd-store';
import type { Logger } from '@netspan/log';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';

/** The gRPC services whose health ipamd reports (besides '', the whole server). */
export const SERVED = [
  'netspan.v1.NetworkService',
  'netspan.v1.IpamService',
  'netspan.v1.AdminService',
  'netspan.v1.AgentService',
  'netspan.v1.DnsService',
];

/**
 * The standard gRPC health service (grpc.health.v1.Health), fed by a probe loop: every
 * `intervalMs` one cheap etcd read with a short deadline. A service is SERVING only while
 * etcd answers and the watch follows it (reads come from the watch-fed view, writes need
 * etcd); NOT_SERVING while etcd is unreachable, the watch is disconnected or resyncing,
 * and from the start of shutdown.
 */
export class HealthReporter {
  readonly impl: HealthImplementation;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private status: ServingStatus = 'NOT_SERVING';
  etcdUp = false;
  headRevision = 0;

  constructor(
    private readonly store: EtcdIpamStore,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.impl = new HealthImplementation(Object.fromEntries(['', ...SERVED].map((s) => [s, 'NOT_SERVING'])));
  }

  /** True while every service is SERVING. */
  get serving(): boolean {
    return this.status === 'SERVING';
  }

  addToServer(server: grpc.Server): void {
    this.impl.addToServer(server);
  }

  /** Probes once now, then every interval. */
  async start(): Promise<void> {
    await this.probe();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.probe();
      this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    let why = '';
    try {
      this.headRevision = await this.store.headRevision(Math.max(200, this.intervalMs - 100));
      this.etcdUp = true;
    } catch (err) {
      this.etcdUp = false;
      why = `etcd unreachable: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!why && this.store.watchState !== 'live') why = `watch ${this.store.watchState}`;
    this.set(why ? 'NOT_SERVING' : 'SERVING', why);
  }

  private set(status: ServingStatus, why: string): void {
    if (this.stopped || status === this.status) return;
    this.status = status;
    for (const s of ['', ...SERVED]) this.impl.setStatus(s, status);
    if (status === 'SERVING') this.log.info('health: serving');
    else this.log.warn({ reason: why }, 'health: not serving');
  }

  /** Reports NOT_SERVING (so load balancers drain this replica) and stops probing. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.set('NOT_SERVING', 'shutting down');
    this.stopped = true;
  }
}

/**
 * Server reflection (grpc.reflection.v1 and v1alpha) over every netspan.v1 service and the
 * health service, so `grpcurl -plaintext HOST:PORT list` and `describe` work and grpcurl can
 * call any method without the .proto files.
 */
export function addReflection(server: grpc.Server): void {
  const health = protoLoader.loadSync(healthProtoPath, { keepCase: true });
  new ReflectionService({ ...netspanDefinition(), ...health }).addToServer(server);
}
