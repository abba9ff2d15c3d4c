import { backoff, type Logger } from '@netspan/log';
import type { Campaign, Etcd3 } from 'etcd3';
import { GRPCOutOfRangeError } from 'etcd3';

export interface LeaderJobOptions {
  client: Etcd3;
  /** etcd prefix; the election lives at `<prefix>election/<name>`. */
  prefix: string;
  name: string;
  /** This replica's id, the campaign value (who leads is readable with election.leader()). */
  id: string;
  /** Election lease TTL in seconds: a dead leader is replaced within about this long. */
  ttlSeconds: number;
  intervalMs: number;
  log: Logger;
  run: () => Promise<void>;
}

/**
 * Runs `run` every `intervalMs` on exactly one replica: the one elected through an etcd
 * election. When leadership is lost (its lease expired while partitioned, etcd restarted)
 * the job stops at once and the replica campaigns again with jittered backoff.
 */
export class LeaderJob {
  private campaign: Campaign | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt = 0;
  leader = false;
  runs = 0;

  constructor(private readonly o: LeaderJobOptions) {}

  get name(): string {
    return this.o.name;
  }

  start(): void {
    if (this.stopped) return;
    const election = this.o.client.namespace(this.o.prefix).election(this.o.name, this.o.ttlSeconds);
    const campaign = election.campaign(this.o.id);
    this.campaign = campaign;
    campaign.on('elected', () => {
      if (this.stopped || this.campaign !== campaign) return;
      this.leader = true;
      this.attempt = 0;
      this.o.log.info({ job: this.o.name }, 'elected leader');
      this.tick();
    });
    campaign.on('error', (err: Error) => {
      if (this.campaign !== campaign) return;
      this.demote();
      if (this.stopped) return;
      this.o.log.warn(
        { job: this.o.name, err: err.message },
        'leadership campaign failed; campaigning again',
      );
      this.retry = setTimeout(() => this.start(), 250 + backoff(this.attempt++, 250, 5000));
    });
  }

  private tick(): void {
    this.timer = setTimeout(async () => {
      if (!this.leader || this.stopped) return;
      try {
        await this.o.run();
        this.runs++;
      } catch (err) {
        this.o.log.warn(
          { job: this.o.name, err: err instanceof Error ? err.message : String(err) },
          'job run failed',
        );
      }
      if (this.leader && !this.stopped) this.tick();
    }, this.o.intervalMs);
  }

  private demote(): void {
    if (this.leader && !this.stopped) this.o.log.warn({ job: this.o.name }, 'lost leadership');
    else if (this.leader) this.o.log.info({ job: this.o.name }, 'resigned leadership');
    this.leader = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resigns (revoking the campaign's lease, so another replica takes over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.demote();
    if (this.retry) clearTimeout(this.retry);
    const c = this.campaign;
    this.campaign = undefined;
    await c?.resign().catch(() => {});
  }
}

/**
 * Compacts etcd's history to `retain` revisions behind the head. Without compaction,
 * deleted keys pile up and every transaction slows down (about 3× here).
 */
export function compactor(client: Etcd3, retain: number, log: Logger): () => Promise<void> {
  let last = 0;
  return async () => {
    const head = Number((await client.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
    const target = head - retain;
    if (target <= last) return;
    try {
      await client.kv.compact({ revision: target, physical: false });
      log.info({ revision: target, head }, 'compacted etcd history');
    } catch (err) {
      // Someone (etcd's own auto-compaction, another tool) already compacted past it.
      if (!(err instanceof GRPCOutOfRangeError)) throw err;
    }
    last = target;
  };
}
