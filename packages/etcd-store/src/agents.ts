import type { Encapsulation } from '@netspan/ipam';
import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import { decodeNetwork } from './codec.js';
import { etcdFailure } from './errors.js';
import type { Keys } from './keys.js';

/** A live agent as registered under `agents/<host>` (bound to the holding replica's lease). */
export interface AgentRecord {
  hostId: string;
  vtepAddress: string;
  underlayMtu: number;
  /** Networks the host asked to carry; empty = every network. */
  networks: string[];
  /** Random per agent process; lets a reconnecting agent take over its own key. */
  instanceId: string;
  agentVersion: string;
  /** ipamd replica holding the session. */
  serverId: string;
  registeredAtMs: number;
}

export interface StoredAgent {
  record: AgentRecord;
  modRevision: number;
}

/** What the agents part of the audit reads, all at one revision. */
export interface AgentsAt {
  revision: number;
  agents: StoredAgent[];
  /** `agent-reports/<host>` values (JSON written by `saveReport`), by host. */
  reports: Map<string, string>;
  /** Every network, as agents are told about it. */
  networks: Array<{ name: string; vni: number; encapsulation: Encapsulation }>;
}

export type RegisterResult = { ok: true; modRevision: number } | { ok: false; holder: AgentRecord };

export interface AgentWatchHandlers {
  /** The whole set at a revision (initial list, and after a resync). */
  snapshot(agents: Map<string, StoredAgent>, revision: number): void;
  put(agent: StoredAgent): void;
  deleted(hostId: string): void;
  onResync?(reason: string): void;
}

function decodeAgent(kv: IKeyValue): StoredAgent | undefined {
  try {
    const v = JSON.parse(kv.value.toString()) as AgentRecord;
    if (typeof v.hostId !== 'string' || typeof v.vtepAddress !== 'string') return undefined;
    return {
      record: { ...v, networks: Array.isArray(v.networks) ? v.networks : [] },
      modRevision: Number(kv.mod_revision),
    };
  } catch {
    return undefined;
  }
}

/**
 * The agents registry in etcd. Every session a replica holds is bound to ONE etcd lease of
 * that replica (TTL a few seconds): a session that ends deletes its key at once; a replica
 * that dies takes all its keys with it within the TTL, and the agents re-register
 * elsewhere. One lease per replica instead of one per agent keeps keep-alive traffic flat
 * however many agents connect.
 */
export class EtcdAgentRegistry {
  private lease: Lease | undefined;
  private leaseId: Promise<string> | undefined;
  private closed = false;
  /** Keys we hold: re-put under a fresh lease if ours is lost. */
  private readonly held = new Map<string, AgentRecord>();
  /** Report keys we hold (value as written), re-put with the registrations. */
  private readonly reports = new Map<string, string>();

  constructor(
    private readonly client: Etcd3,
    private readonly keys: Keys,
    private readonly opts: { ttlSeconds: number; onLeaseLost?: (err: Error) => void },
  ) {}

  get ttlSeconds(): number {
    return this.opts.ttlSeconds;
  }

  private currentLease(): Promise<string> {
    if (this.leaseId) return this.leaseId;
    const lease = this.client.lease(this.opts.ttlSeconds, { autoKeepAlive: true });
    this.lease = lease;
    const id = lease.grant();
    this.leaseId = id;
    id.catch(() => {
      if (this.leaseId === id) this.leaseId = undefined;
    });
    lease.on('lost', (err) => {
      if (this.lease !== lease) return;
      this.lease = undefined;
      this.leaseId = undefined;
      this.opts.onLeaseLost?.(err);
      if (!this.closed) void this.reattach();
    });
    return id;
  }

  /** After a lost lease: put every held key again under a new one (same instance only). */
  private async reattach(): Promise<void> {
    for (let attempt = 0; !this.closed && this.held.size > 0; attempt++) {
      try {
        for (const rec of [...this.held.values()]) await this.register(rec, { onlyIfAbsent: true });
        for (const [host, value] of [...this.reports]) {
          const rec = this.held.get(host);
          if (rec) await this.saveReport(host, rec.instanceId, value);
        }
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** attempt)).unref());
      }
    }
  }

  /**
   * Registers `rec` if the host id is free, or held by the same agent instance (a
   * reconnect). Another live instance holding it is `{ ok: false }`.
   */
  async register(rec: AgentRecord, opts: { onlyIfAbsent?: boolean } = {}): Promise<RegisterResult> {
    const key = this.keys.agent(rec.hostId);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const leaseId = await this.currentLease();
        const current = await this.client.get(key).exec();
        const kv = current.kvs[0];
        const put = this.client.put(key).value(JSON.stringify(rec)).lease(leaseId);
        let res: Awaited<ReturnType<ReturnType<Etcd3['if']>['commit']>>;
        if (!kv) {
          res = await this.client.if(key, 'Create', '==', 0).then(put).commit();
        } else {
          const existing = decodeAgent(kv);
          if (existing && existing.record.instanceId !== rec.instanceId) {
            return { ok: false, holder: existing.record };
          }
          // Re-attaching after a lost lease: a key that survived it is on another replica's
          // lease, so the agent has moved there meanwhile. It is that replica's now.
          if (opts.onlyIfAbsent) {
            this.held.delete(rec.hostId);
            this.reports.delete(rec.hostId);
            return { ok: false, holder: existing?.record ?? rec };
          }
          res = await this.client.if(key, 'Mod', '==', Number(kv.mod_revision)).then(put).commit();
        }
        if (res.succeeded) {
          this.held.set(rec.hostId, rec);
          return { ok: true, modRevision: Number(res.header.revision) };
        }
      }
    } catch (err) {
      throw etcdFailure(err, `register agent ${rec.hostId}`);
    }
    throw etcdFailure(new Error('registration kept racing'), `register agent ${rec.hostId}`);
  }

  /**
   * Stores (or, with `undefined`, removes) what an agent's last report said was wrong, under
   * `agent-reports/<host>` on the same lease as its registration, while the registration is
   * still this instance's. Any replica's audit reads it; it goes away with the registration.
   */
  async saveReport(hostId: string, instanceId: string, value: string | undefined): Promise<void> {
    const key = this.keys.agentReport(hostId);
    const rec = this.held.get(hostId);
    if (!rec || rec.instanceId !== instanceId) return;
    try {
      if (value === undefined) {
        this.reports.delete(hostId);
        await this.client.delete().key(key).exec();
        return;
      }
      this.reports.set(hostId, value);
      const leaseId = await this.currentLease();
      const agentKey = this.keys.agent(hostId);
      const current = await this.client.get(agentKey).exec();
      const kv = current.kvs[0];
      if (!kv || decodeAgent(kv)?.record.instanceId !== instanceId) return;
      await this.client
        .if(agentKey, 'Mod', '==', Number(kv.mod_revision))
        .then(this.client.put(key).value(value).lease(leaseId))
        .commit();
    } catch (err) {
      throw etcdFailure(err, `save agent report ${hostId}`);
    }
  }

  /** Registrations, reports and networks at one revision (0: now), for the audit. */
  async readAt(revision: number): Promise<AgentsAt> {
    try {
      const at = <T extends { revision(r: number): T }>(b: T) => (revision ? b.revision(revision) : b);
      const agentsRes = await at(this.client.getAll().prefix(this.keys.agents())).exec();
      const rev = revision || Number(agentsRes.header.revision);
      const [reportsRes, networksRes] = await Promise.all([
        this.client.getAll().prefix(this.keys.agentReports()).revision(rev).exec(),
        this.client.getAll().prefix(this.keys.networks()).revision(rev).exec(),
      ]);
      const agents: StoredAgent[] = [];
      for (const kv of agentsRes.kvs) {
        const a = decodeAgent(kv);
        if (a) agents.push(a);
      }
      const reports = new Map<string, string>();
      for (const kv of reportsRes.kvs) {
        const parsed = this.keys.parse(kv.key.toString());
        if (parsed?.kind === 'agent-report') reports.set(parsed.host, kv.value.toString());
      }
      const networks: AgentsAt['networks'] = [];
      for (const kv of networksRes.kvs) {
        const n = decodeNetwork(kv.value, Number(kv.mod_revision), Number(kv.create_revision));
        if (n)
          networks.push({ name: n.network.name, vni: n.network.vni, encapsulation: n.network.encapsulation });
      }
      return { revision: rev, agents, reports, networks };
    } catch (err) {
      throw etcdFailure(err, 'read agents for the audit');
    }
  }

  /** Removes the host's key if it still belongs to `instanceId` (a newer session keeps it). */
  async unregister(hostId: string, instanceId: string): Promise<void> {
    const held = this.held.get(hostId);
    if (held?.instanceId === instanceId) {
      this.held.delete(hostId);
      this.reports.delete(hostId);
    }
    const key = this.keys.agent(hostId);
    try {
      const current = await this.client.get(key).exec();
      const kv = current.kvs[0];
      if (!kv) return;
      const existing = decodeAgent(kv);
      if (existing && existing.record.instanceId !== instanceId) return;
      // Only a registration on this replica's lease is this replica's to remove: the same
      // instance may have reconnected to another replica while its old stream here lingered.
      const ours = await this.leaseId?.catch(() => undefined);
      if (ours === undefined || kv.lease !== ours) return;
      await this.client
        .if(key, 'Mod', '==', Number(kv.mod_revision))
        .then(this.client.delete().key(key), this.client.delete().key(this.keys.agentReport(hostId)))
        .commit();
    } catch (err) {
      throw etcdFailure(err, `unregister agent ${hostId}`);
    }
  }

  async list(): Promise<{ agents: Map<string, StoredAgent>; revision: number }> {
    try {
      const res = await this.client.getAll().prefix(this.keys.agents()).exec();
      const agents = new Map<string, StoredAgent>();
      for (const kv of res.kvs) {
        const a = decodeAgent(kv);
        if (a) agents.set(a.record.hostId, a);
      }
      return { agents, revision: Number(res.header.revision) };
    } catch (err) {
      throw etcdFailure(err, 'list agents');
    }
  }

  /** Lists at revision R, then watches from R+1; lists again if the watch fails. */
  async watch(h: AgentWatchHandlers): Promise<{ close(): Promise<void> }> {
    let closed = false;
    let watcher: Watcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    const start = async (reason?: string) => {
      const { agents, revision } = await this.list();
      if (closed) return;
      if (reason) h.onResync?.(reason);
      h.snapshot(agents, revision);
      const w = await this.client
        .watch()
        .prefix(this.keys.agents())
        .startRevision(String(revision + 1))
        .create();
      if (closed) {
        await w.cancel();
        return;
      }
      watcher = w;
      w.on('put', (kv) => {
        const a = decodeAgent(kv);
        if (a) h.put(a);
      });
      w.on('delete', (kv) => {
        const parsed = this.keys.parse(kv.key.toString());
        if (parsed?.kind === 'agent') h.deleted(parsed.host);
      });
      w.on('error', (err) => {
        if (closed || watcher !== w) return;
        watcher = undefined;
        void w.cancel().catch(() => {});
        restart(`agents watch failed: ${err.message}`, 0);
      });
    };
    const restart = (reason: string, delay: number) => {
      if (closed) return;
      timer = setTimeout(() => {
        start(reason).catch(() => restart(reason, Math.min(5000, delay * 2 || 200)));
      }, delay);
    };
    // etcd may be down right now (a replica restarting during an outage): keep trying in
    // the background rather than failing the caller; the snapshot arrives when etcd does.
    await start().catch((err: unknown) =>
      restart(`agents list failed: ${err instanceof Error ? err.message : String(err)}`, 200),
    );
    return {
      close: async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        await watcher?.cancel().catch(() => {});
      },
    };
  }

  /** Revokes the lease: every session key this replica holds disappears at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    this.reports.clear();
    const lease = this.lease;
    this.lease = undefined;
    this.leaseId = undefined;
    await lease?.revoke().catch(() => {});
  }
}
