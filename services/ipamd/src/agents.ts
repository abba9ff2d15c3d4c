import { performance } from 'node:perf_hooks';
import type * as grpc from '@grpc/grpc-js';
import { networkToPb, type pb, toServiceError } from '@netspan/api';
import { type DhcpPacket, decode, MessageType } from '@netspan/dhcp-codec';
import { clientIdentity, type DhcpServer, type LeaseBackend } from '@netspan/dhcp-server';
import type { AgentRecord, EtcdAgentRegistry, StoredAgent } from '@netspan/etcd-store';
import {
  ErrorCode,
  effectiveServiceAddress,
  type IpamEngine,
  IpamError,
  invalid,
  isDnsLabel,
  parseIPv4,
  validateNetworkName,
} from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import { type ClientRateLimiter, type HostQuota, RateLimiter } from './abuse.js';
import { expectedFromDesired, judgePlumbing, type StoredAgentReport } from './agent-drift.js';
import type { JoinTokens } from './tokens.js';

export const AGENT_VERSION_MAX = 64;

type SessionCall = grpc.ServerDuplexStream<pb.AgentMessage, pb.ControlMessage__Input>;
type RelayCall = grpc.ServerDuplexStream<pb.RelayRequest, pb.RelayReply__Input>;

interface Session {
  record: AgentRecord;
  call: SessionCall;
  tokenId: string;
  wantGuests: boolean;
  lastSeenMs: number;
  /** Key of the last DesiredState written (skip identical ones). */
  lastSentKey: string;
  /** A write was refused by flow control: send the latest state on 'drain'. */
  blocked: boolean;
  lastReport: pb.PlumbingReport | undefined;
  /** The last DesiredState sent: what a report answering it is judged against. */
  lastState: pb.DesiredState__Input | undefined;
  /** Drift and problems as last stored in etcd (JSON; '' = none stored). */
  storedReport: string;
  /** The drift last judged from a report that read the host back (kept across quick reports). */
  lastDrift: ReturnType<typeof judgePlumbing>;
  /** Report writes, in order (each waits for the one before). */
  reportWrite: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  ended: boolean;
}

/** Bounds on what one report may make us store (a hostile agent cannot bloat etcd). */
const MAX_STORED_PROBLEMS = 20;
const MAX_STORED_DRIFT = 100;
const MAX_PROBLEM_LENGTH = 300;

export interface AgentHubOptions {
  engine: IpamEngine;
  registry: EtcdAgentRegistry;
  tokens: JoinTokens;
  dhcpServer: DhcpServer;
  /** The lease layer behind dhcpServer (who holds what), for the per-host cap. */
  leases: Pick<LeaseBackend, 'leaseOf'>;
  /** Addresses per host and network (0 = unlimited). */
  quota: HostQuota;
  /** DHCP packets per second one agent may relay (0 = unlimited); bursts of twice that. */
  agentDhcpRate?: number;
  /** DHCP packets per second one client MAC may send (0 = unlimited); bursts of twice that. */
  clientLimiter: ClientRateLimiter;
  /** This replica's id (Welcome.server_id, Host.server_id). */
  serverId: string;
  log: Logger;
  /** A session with no message for this long is ended (the agent heartbeats every TTL/3). */
  heartbeatTimeoutMs?: number;
  /** How often a session re-checks that its join token was not revoked. */
  tokenRecheckMs?: number;
  /** Coalescing delay between a change and the desired-state fan-out. */
  fanoutDelayMs?: number;
  /**
   * Encodes a ControlMessage as the Session method's serializer would. Given (with the service
   * definition from `preEncodedAgentService`), one DesiredState is encoded once per fan-out for
   * every session that gets the same one, instead of once per session.
   */
  encodeControl?: (m: pb.ControlMessage__Input) => Buffer;
}

/**
 * The AgentService definition with Session's response serializer passing Buffers through, and
 * the original serializer to encode them with (`AgentHubOptions.encodeControl`).
 *
 * Why: every agent that carries the same networks gets the same DesiredState (peers include the
 * agent itself), and with N agents each registration changes all N of them. Encoding per session
 * made a fan-out O(N²) protobuf work (500 agents: 250 000 Peer messages per fan-out).
 */
export function preEncodedAgentService(definition: grpc.ServiceDefinition): {
  definition: grpc.ServiceDefinition;
  encodeControl: (m: pb.ControlMessage__Input) => Buffer;
} {
  const session = definition.Session;
  if (!session) throw new Error('AgentService definition has no Session method');
  const encode = session.responseSerialize as (m: pb.ControlMessage__Input) => Buffer;
  return {
    definition: {
      ...definition,
      Session: {
        ...session,
        responseSerialize: (m: unknown) => (Buffer.isBuffer(m) ? m : encode(m as pb.ControlMessage__Input)),
      },
    },
    encodeControl: encode,
  };
}

/** What every session's DesiredState shares in one fan-out: the peers and the revision. */
interface SharedState {
  all: string[];
  peers: pb.Peer__Input[];
  peersKey: string;
  revision: number;
}

/** A DesiredState for one network filter, and its key; `bytes` when pre-encoded. */
interface GroupState {
  key: string;
  message: pb.ControlMessage__Input;
  bytes: Buffer | undefined;
}

export interface HostInfo {
  hostId: string;
  vtepAddress: string;
  registeredAtMs: number;
  lastHeartbeatMs: number;
  networks: string[];
  agentVersion: string;
  serverId: string;
  lastReport: pb.PlumbingReport | undefined;
}

/**
 * Ends a server stream with an error status. (grpc-js sends the status from the stream's
 * 'error' handler; `destroy()` would drop the call without one.)
 */
function endWith(call: grpc.ServerDuplexStream<unknown, unknown>, err: grpc.ServiceError): void {
  if (call.writableEnded) return;
  call.emit('error', err);
}

function fail(code: ErrorCode, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), toServiceError(new IpamError(code, message))) as grpc.ServiceError;
}

function validateHello(h: pb.AgentHello): AgentRecord & { joinToken: string; wantGuests: boolean } {
  const hostId = h.hostId ?? '';
  if (!isDnsLabel(hostId)) throw invalid('hello.host_id', `${JSON.stringify(hostId)} is not a DNS label`);
  if (parseIPv4(h.vtepAddress ?? '') === undefined)
    throw invalid('hello.vtep_address', `${JSON.stringify(h.vtepAddress)} is not an IPv4 address`);
  const mtu = h.underlayMtu || 1500;
  if (mtu < 576 || mtu > 65535) throw invalid('hello.underlay_mtu', `${mtu} is outside 576..65535`);
  const networks = (h.networks ?? []).map((n, i) => validateNetworkName(n, `hello.networks[${i}]`));
  const version = h.agentVersion ?? '';
  if (version.length > AGENT_VERSION_MAX) throw invalid('hello.agent_version', 'is too long');
  const instanceId = h.instanceId ?? '';
  if (instanceId.length > 64) throw invalid('hello.instance_id', 'is longer than 64 characters');
  return {
    hostId,
    vtepAddress: h.vtepAddress,
    underlayMtu: mtu,
    networks: [...new Set(networks)].sort(),
    instanceId,
    agentVersion: version,
    serverId: '',
    registeredAtMs: Date.now(),
    joinToken: h.joinToken ?? '',
    wantGuests: Boolean(h.wantGuestLocations),
  };
}

/** The mTLS client certificate's common name, when the server verified one. */
function certificateHost(call: grpc.ServerDuplexStream<unknown, unknown>): string | undefined {
  const cert = call.getAuthContext?.()?.sslPeerCertificate;
  const cn = cert?.subject?.CN;
  return typeof cn === 'string' && cn ? cn : undefined;
}

/**
 * Agents' side of ipamd: sessions (registration bound to this replica's etcd lease,
 * heartbeats, level-triggered desired state) and the DHCP relay stream.
 *
 * Every replica mirrors the registry (`agents/`) with a watch, so any replica can compute
 * any agent's peers; a replica fans desired state out only to the sessions it holds.
 */
export class AgentHub {
  /** Every live agent, from the registry watch (all replicas' sessions). */
  readonly agents = new Map<string, StoredAgent>();
  /** Sessions held by this replica. */
  private readonly sessions = new Map<string, Session>();
  private agentsRevision = 0;
  /** Held sessions that asked for guest locations (recounted when sessions come and go). */
  private guestWatchers = 0;
  private fanoutTimer: NodeJS.Timeout | undefined;
  /** How long the last fan-out took, and when it ended (performance.now()). */
  private lastFanoutMs = 0;
  private lastFanoutEnd = 0;
  /** States computed since the last change, by network filter (reused by sessions that open). */
  private shared: SharedState | undefined;
  private readonly groups = new Map<string, GroupState>();
  private unsubscribe: Array<() => void> = [];
  private watch: { close(): Promise<void> } | undefined;
  private stopping = false;
  readonly stats = {
    sessionsOpened: 0,
    sessionsRefused: 0,
    desiredStatesSent: 0,
    relayPackets: 0,
    relayReplies: 0,
    relayDropped: 0,
    relayMalformed: 0,
    relayErrors: 0,
    relayRateLimited: 0,
    relayClientRateLimited: 0,
    relayOverHostCap: 0,
  };
  private readonly agentLimiter: RateLimiter;
  private readonly heartbeatTimeoutMs: number;
  private readonly tokenRecheckMs: number;
  private readonly fanoutDelayMs: number;

  constructor(private readonly o: AgentHubOptions) {
    this.heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? o.registry.ttlSeconds * 1000;
    this.tokenRecheckMs = o.tokenRecheckMs ?? 30_000;
    this.fanoutDelayMs = o.fanoutDelayMs ?? 10;
    const rate = o.agentDhcpRate ?? 0;
    this.agentLimiter = new RateLimiter(rate, Math.max(1, rate * 2), 10_000);
  }

  async start(): Promise<void> {
    this.watch = await this.o.registry.watch({
      snapshot: (agents, revision) => {
        this.agents.clear();
        for (const [k, v] of agents) this.agents.set(k, v);
        this.agentsRevision = revision;
        this.schedule();
      },
      put: (a) => {
        this.agents.set(a.record.hostId, a);
        this.agentsRevision = Math.max(this.agentsRevision, a.modRevision);
        this.schedule();
      },
      deleted: (host) => {
        this.agents.delete(host);
        this.schedule();
      },
      onResync: (reason) => this.o.log.warn({ reason }, 'agents watch re-established'),
    });
    this.unsubscribe.push(this.o.engine.views.onNetworksChange(() => this.schedule()));
    this.unsubscribe.push(
      // Lease changes matter only to sessions that asked for guest locations.
      this.o.engine.views.onChange(() => {
        if (this.guestWatchers > 0) this.schedule();
      }),
    );
  }

  /** Ends every session (agents reconnect to another replica) and drops the registry lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.fanoutTimer) clearTimeout(this.fanoutTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    for (const s of [...this.sessions.values()]) {
      this.endSession(s, fail(ErrorCode.Unavailable, 'ipamd replica is shutting down; reconnect to another'));
    }
    await this.watch?.close();
    await this.o.registry.close();
  }

  /** Sessions this replica holds. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  hosts(): HostInfo[] {
    const all = this.allNetworkNames();
    return [...this.agents.values()]
      .map(({ record }) => {
        const s = this.sessions.get(record.hostId);
        return {
          hostId: record.hostId,
          vtepAddress: record.vtepAddress,
          registeredAtMs: record.registeredAtMs,
          lastHeartbeatMs: s && s.record.instanceId === record.instanceId ? s.lastSeenMs : 0,
          networks: record.networks.length ? record.networks : all,
          agentVersion: record.agentVersion,
          serverId: record.serverId,
          lastReport: s?.lastReport,
        };
      })
      .sort((a, b) => a.hostId.localeCompare(b.hostId));
  }

  // ------------------------------------------------------------------ sessions

  readonly session = (call: SessionCall): void => {
    if (this.stopping) {
      endWith(call, fail(ErrorCode.Unavailable, 'ipamd replica is shutting down'));
      return;
    }
    let session: Session | undefined;
    const helloTimer = setTimeout(() => {
      if (!session) endWith(call, fail(ErrorCode.InvalidArgument, 'no AgentHello within 10 s'));
    }, 10_000);
    let helloSeen = false;
    call.on('data', (msg: pb.AgentMessage) => {
      if (!helloSeen) {
        helloSeen = true;
        if (!msg.hello) {
          clearTimeout(helloTimer);
          endWith(call, fail(ErrorCode.InvalidArgument, 'the first message must be an AgentHello'));
          return;
        }
        this.open(call, msg.hello).then(
          (s) => {
            clearTimeout(helloTimer);
            session = s;
          },
          (err: unknown) => {
            clearTimeout(helloTimer);
            this.stats.sessionsRefused++;
            const e = IpamError.from(err);
            this.o.log.info(
              { code: e.code, err: e.message, host: msg.hello?.hostId },
              'agent session refused',
            );
            endWith(call, Object.assign(new Error(e.message), toServiceError(e)) as grpc.ServiceError);
          },
        );
        return;
      }
      if (!session) return; // still registering
      session.lastSeenMs = Date.now();
      if (msg.heartbeat) {
        call.write({ heartbeat: { sentAtMs: msg.heartbeat.sentAtMs } });
      } else if (msg.report) {
        session.lastReport = msg.report;
        const r = msg.report;
        this.judgeReport(session, r);
        if ((r.driftRepaired ?? 0) > 0 || (r.problems ?? []).length > 0) {
          this.o.log.info(
            {
              host: session.record.hostId,
              revision: Number(r.desiredRevision),
              driftRepaired: r.driftRepaired,
              problems: r.problems,
            },
            'agent plumbing report',
          );
        }
      }
    });
    const closed = () => {
      clearTimeout(helloTimer);
      if (session) this.closeSession(session);
    };
    call.on('end', () => {
      closed();
      call.end();
    });
    call.on('cancelled', closed);
    call.on('error', closed);
    call.on('close', closed);
  };

  private async open(call: SessionCall, hello: pb.AgentHello): Promise<Session> {
    const h = validateHello(hello);
    let tokenId = '';
    const certHost = certificateHost(call);
    if (certHost !== undefined) {
      if (certHost !== h.hostId)
        throw new IpamError(
          ErrorCode.PermissionDenied,
          `client certificate is for host ${certHost}, not ${h.hostId}`,
        );
    } else {
      tokenId = (await this.o.tokens.verify(h.joinToken, h.hostId)).id;
    }
    if (!h.instanceId) h.instanceId = `anon-${Date.now().toString(36)}`;
    const record: AgentRecord = {
      hostId: h.hostId,
      vtepAddress: h.vtepAddress,
      underlayMtu: h.underlayMtu,
      networks: h.networks,
      instanceId: h.instanceId,
      agentVersion: h.agentVersion,
      serverId: this.o.serverId,
      registeredAtMs: h.registeredAtMs,
    };
    const res = await this.o.registry.register(record);
    if (!res.ok) {
      throw new IpamError(
        ErrorCode.AlreadyExists,
        `host id ${h.hostId} is registered by another live agent (vtep ${res.holder.vtepAddress}, ` +
          `via replica ${res.holder.serverId}); stop that agent or start this one with another --host-id`,
      );
    }
    if (call.cancelled || this.stopping) {
      await this.o.registry.unregister(record.hostId, record.instanceId).catch(() => {});
      throw new IpamError(ErrorCode.Unavailable, 'session ended while registering');
    }
    const previous = this.sessions.get(record.hostId);
    if (previous) {
      previous.ended = true; // its registration now belongs to the new session
      clearInterval(previous.timer);
      endWith(previous.call, fail(ErrorCode.Aborted, 'replaced by a newer session of the same agent'));
    }
    // The watch will also deliver this; apply it now so the first state includes us, and tell
    // this replica's other sessions without waiting for the watch to come round.
    this.agents.set(record.hostId, { record, modRevision: res.modRevision });
    this.agentsRevision = Math.max(this.agentsRevision, res.modRevision);
    this.schedule();
    const s: Session = {
      record,
      call,
      tokenId,
      wantGuests: h.wantGuests,
      lastSeenMs: Date.now(),
      lastSentKey: '',
      blocked: false,
      lastReport: undefined,
      lastState: undefined,
      storedReport: '',
      lastDrift: [],
      reportWrite: Promise.resolve(),
      timer: undefined,
      ended: false,
    };
    this.sessions.set(record.hostId, s);
    this.countGuestWatchers();
    this.stats.sessionsOpened++;
    let lastTokenCheck = Date.now();
    s.timer = setInterval(
      () => {
        const now = Date.now();
        if (now - s.lastSeenMs > this.heartbeatTimeoutMs) {
          this.o.log.warn(
            { host: record.hostId, silentMs: now - s.lastSeenMs },
            'agent silent; ending session',
          );
          this.endSession(s, fail(ErrorCode.DeadlineExceeded, 'no heartbeat within the registration TTL'));
          return;
        }
        if (s.tokenId && now - lastTokenCheck >= this.tokenRecheckMs) {
          lastTokenCheck = now;
          this.o.tokens.verify(h.joinToken, record.hostId).catch((err: unknown) => {
            const e = IpamError.from(err);
            if (e.code === ErrorCode.Unavailable) return; // etcd blip: check again later
            this.o.log.warn(
              { host: record.hostId, err: e.message },
              'join token no longer valid; ending session',
            );
            this.endSession(s, Object.assign(new Error(e.message), toServiceError(e)) as grpc.ServiceError);
          });
        }
      },
      Math.max(200, Math.min(1000, this.heartbeatTimeoutMs / 4)),
    );
    s.timer.unref();
    call.on('drain', () => {
      if (!s.blocked) return;
      s.blocked = false;
      s.lastSentKey = '';
      this.sendState(s, this.allNetworkNames());
    });
    this.o.log.info(
      {
        host: record.hostId,
        vtep: record.vtepAddress,
        networks: record.networks,
        instance: record.instanceId,
      },
      'agent registered',
    );
    call.write({
      welcome: {
        hostId: record.hostId,
        leaseTtlSeconds: this.o.registry.ttlSeconds,
        serverId: this.o.serverId,
      },
    });
    this.sendState(s, this.allNetworkNames());
    return s;
  }

  /**
   * Judges a report's observed plumbing against the desired state it answers, and keeps what
   * disagrees (with the agent's own problems) in etcd for the audit, only when that changed:
   * a healthy agent's reports cost no write. A report about an older state is skipped: the
   * newer one is on its way, and so is the report answering it.
   */
  private judgeReport(s: Session, r: pb.PlumbingReport): void {
    const state = s.lastState;
    if (s.ended || !state || Number(r.desiredRevision) !== Number(state.revision)) return;
    // A report without a read of the host (the agent applied a peer change as its flood
    // entries alone) says nothing about drift: what the last full read found still stands.
    const drift = r.observed
      ? judgePlumbing(expectedFromDesired(s.record, state), r.networks ?? []).slice(0, MAX_STORED_DRIFT)
      : s.lastDrift;
    s.lastDrift = drift;
    const problems = (r.problems ?? [])
      .slice(0, MAX_STORED_PROBLEMS)
      .map((p) => (p.length > MAX_PROBLEM_LENGTH ? `${p.slice(0, MAX_PROBLEM_LENGTH)}…` : p));
    const content = drift.length > 0 || problems.length > 0 ? JSON.stringify({ drift, problems }) : '';
    if (content === s.storedReport) return;
    s.storedReport = content;
    if (drift.length > 0)
      this.o.log.warn(
        { host: s.record.hostId, revision: Number(r.desiredRevision), drift: drift.map((d) => d.detail) },
        'agent plumbing disagrees with the desired state',
      );
    const stored: StoredAgentReport | undefined = content
      ? {
          instanceId: s.record.instanceId,
          desiredRevision: Number(r.desiredRevision),
          reportedAtMs: Date.now(),
          drift,
          problems,
        }
      : undefined;
    const { hostId, instanceId } = s.record;
    s.reportWrite = s.reportWrite
      .then(() => this.o.registry.saveReport(hostId, instanceId, stored && JSON.stringify(stored)))
      .catch((err: unknown) => {
        s.storedReport = '?'; // unknown: the next report writes again
        this.o.log.warn(
          { host: hostId, err: err instanceof Error ? err.message : String(err) },
          'could not store the agent report',
        );
      });
  }

  private endSession(s: Session, err: grpc.ServiceError): void {
    this.closeSession(s);
    endWith(s.call, err);
  }

  private closeSession(s: Session): void {
    if (s.ended) return;
    s.ended = true;
    clearInterval(s.timer);
    if (this.sessions.get(s.record.hostId) === s) {
      this.sessions.delete(s.record.hostId);
      this.countGuestWatchers();
    }
    this.o.log.info({ host: s.record.hostId }, 'agent session closed');
    // Delete the key at once so peers converge now, not after the TTL.
    this.o.registry.unregister(s.record.hostId, s.record.instanceId).catch((err: unknown) => {
      this.o.log.warn(
        { host: s.record.hostId, err: err instanceof Error ? err.message : String(err) },
        'could not remove agent registration (it expires with the replica lease)',
      );
    });
  }

  // ------------------------------------------------------------------ desired state

  private countGuestWatchers(): void {
    let n = 0;
    for (const s of this.sessions.values()) if (s.wantGuests) n++;
    this.guestWatchers = n;
  }

  private schedule(): void {
    this.invalidate();
    if (this.fanoutTimer || this.stopping) return;
    // While changes keep coming (many agents joining at once), keep fan-outs to a fifth of the
    // time: wait four times as long as the last one took, since it ended. Every fan-out sends the
    // latest state, so the ones skipped were superseded anyway, and registrations and heartbeats
    // keep being served. (bench/agents, 500 agents joining at once: the join took 25 s with the
    // gap equal to the last fan-out's duration, 15 s with four times it, and a fifth of the bytes.)
    // A lone change after a quiet spell still goes out after fanoutDelayMs.
    const sinceLast = performance.now() - this.lastFanoutEnd;
    const delay = Math.max(this.fanoutDelayMs, Math.min(1000, 4 * this.lastFanoutMs - sinceLast));
    this.fanoutTimer = setTimeout(() => {
      this.fanoutTimer = undefined;
      this.fanout();
    }, delay);
  }

  /** Drops the cached states: agents or networks changed. */
  private invalidate(): void {
    this.shared = undefined;
    this.groups.clear();
  }

  private allNetworkNames(): string[] {
    return [...this.o.engine.views.networks.keys()].sort();
  }

  /** Sends every held session its desired state, where it changed. */
  fanout(): void {
    const t0 = performance.now();
    const all = this.allNetworkNames();
    for (const s of this.sessions.values()) this.sendState(s, all);
    this.lastFanoutEnd = performance.now();
    this.lastFanoutMs = this.lastFanoutEnd - t0;
  }

  private networksFor(record: AgentRecord, all: string[]): string[] {
    if (record.networks.length === 0) return all;
    const have = new Set(all);
    return record.networks.filter((n) => have.has(n));
  }

  /** Peers and revision, computed once per change for every session. */
  private sharedState(all: string[]): SharedState {
    const cached = this.shared;
    if (cached && cached.all.join(',') === all.join(',')) return cached;
    const peers: pb.Peer__Input[] = [];
    const keyParts: string[] = [];
    for (const { record } of this.agents.values()) {
      const carried = this.networksFor(record, all);
      peers.push({ hostId: record.hostId, vtepAddress: record.vtepAddress, networks: carried });
      keyParts.push(`p:${record.hostId}=${record.vtepAddress}:${carried.join(',')}`);
    }
    const shared: SharedState = {
      all,
      peers,
      peersKey: keyParts.join('|'),
      revision: Math.max(this.o.engine.views.revision, this.agentsRevision),
    };
    this.shared = shared;
    this.groups.clear();
    return shared;
  }

  /** The networks part of a session's state: their definitions and key. */
  private networksState(names: string[]): { key: string; networks: pb.Network__Input[] } {
    const views = this.o.engine.views;
    const keyParts: string[] = [];
    const networks: pb.Network__Input[] = [];
    for (const n of names) {
      const v = views.get(n);
      if (!v) continue;
      networks.push(networkToPb(v.stored));
      keyParts.push(`${n}@${v.stored.revision}`);
    }
    return { key: keyParts.join('|'), networks };
  }

  /** The state of every session with this network filter (agents without guest locations). */
  private groupState(record: AgentRecord, shared: SharedState): GroupState {
    const filter = record.networks.join(',');
    const cached = this.groups.get(filter);
    if (cached) return cached;
    const nets = this.networksState(this.networksFor(record, shared.all));
    const message: pb.ControlMessage__Input = {
      desiredState: { revision: shared.revision, networks: nets.networks, peers: shared.peers, guests: [] },
    };
    const group: GroupState = {
      key: `${nets.key}|${shared.peersKey}`,
      message,
      bytes: this.o.encodeControl?.(message),
    };
    this.groups.set(filter, group);
    return group;
  }

  private sendState(s: Session, all: string[]): void {
    if (s.ended || s.blocked) return;
    const shared = this.sharedState(all);
    let key: string;
    let message: pb.ControlMessage__Input | Buffer;
    let stateOf: pb.DesiredState__Input;
    if (!s.wantGuests) {
      const group = this.groupState(s.record, shared);
      key = group.key;
      message = group.bytes ?? group.message;
      stateOf = group.message.desiredState as pb.DesiredState__Input;
    } else {
      // Guest locations leave out the agent's own guests: this state is the agent's alone.
      const views = this.o.engine.views;
      const names = this.networksFor(s.record, all);
      const nets = this.networksState(names);
      const guests: pb.GuestLocation__Input[] = [];
      const keyParts: string[] = [];
      for (const n of names) {
        const v = views.get(n);
        if (!v) continue;
        for (const l of v.leasesInOrder()) {
          const host = l.location?.host;
          if (!host || host === s.record.hostId || !l.mac || l.state !== 'bound') continue;
          guests.push({ network: n, mac: l.mac, address: l.address, hostId: host });
          keyParts.push(`g:${n}/${l.mac}=${l.address}@${host}`);
        }
      }
      key = `${nets.key}|${shared.peersKey}|${keyParts.join('|')}`;
      stateOf = {
        revision: Math.max(views.revision, this.agentsRevision),
        networks: nets.networks,
        peers: shared.peers,
        guests,
      };
      message = { desiredState: stateOf };
    }
    if (key === s.lastSentKey) return;
    s.lastSentKey = key;
    s.lastState = stateOf;
    // A Buffer is passed through by the Session serializer (preEncodedAgentService).
    const ok = s.call.write(message as pb.ControlMessage__Input);
    this.stats.desiredStatesSent++;
    if (!ok) s.blocked = true;
  }

  // ------------------------------------------------------------------ relay

  readonly relay = (call: RelayCall): void => {
    const md = call.metadata;
    const hostId = md.get('netspan-host-id')[0]?.toString() ?? '';
    const auth = md.get('authorization')[0]?.toString() ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    let ready: Promise<AgentRecord> | undefined;
    const authorize = async (): Promise<AgentRecord> => {
      const certHost = certificateHost(call);
      if (certHost !== undefined) {
        if (certHost !== hostId)
          throw new IpamError(
            ErrorCode.PermissionDenied,
            `client certificate is for host ${certHost}, not ${hostId}`,
          );
      } else await this.o.tokens.verify(token, hostId);
      return this.liveRecord(hostId);
    };
    let pending = 0;
    let ended = false;
    const maybeEnd = () => {
      if (ended && pending === 0) call.end();
    };
    call.on('data', (req: pb.RelayRequest) => {
      ready ??= authorize();
      pending++;
      ready
        .then(() => this.relayOne(this.liveRecord(hostId), req))
        .then(
          (reply) => {
            if (!call.cancelled && !call.writableEnded) call.write(reply);
          },
          (err: unknown) => {
            const e = IpamError.from(err);
            this.o.log.info({ host: hostId, code: e.code, err: e.message }, 'relay stream refused');
            endWith(call, Object.assign(new Error(e.message), toServiceError(e)) as grpc.ServiceError);
          },
        )
        .finally(() => {
          pending--;
          maybeEnd();
        });
    });
    call.on('end', () => {
      ended = true;
      maybeEnd();
    });
    call.on('error', () => {});
  };

  private liveRecord(hostId: string): AgentRecord {
    const a = this.agents.get(hostId);
    if (!a)
      throw new IpamError(
        ErrorCode.PermissionDenied,
        `host ${JSON.stringify(hostId)} has no live session; open a Session first`,
      );
    return a.record;
  }

  private async relayOne(record: AgentRecord, req: pb.RelayRequest): Promise<pb.RelayReply__Input> {
    const id = req.id;
    const drop = (): pb.RelayReply__Input => {
      this.stats.relayDropped++;
      return { id, delivery: 'DELIVERY_DROP' };
    };
    this.stats.relayPackets++;
    if (!this.agentLimiter.allow(record.hostId)) {
      this.stats.relayRateLimited++;
      return drop();
    }
    const name = req.network ?? '';
    if (record.networks.length > 0 && !record.networks.includes(name))
      throw new IpamError(ErrorCode.PermissionDenied, `host ${record.hostId} does not carry network ${name}`);
    const view = this.o.engine.views.get(name);
    if (!view) throw new IpamError(ErrorCode.PermissionDenied, `network ${name} does not exist`);
    let packet: DhcpPacket;
    try {
      packet = decode(req.packet);
    } catch {
      this.stats.relayMalformed++;
      return drop();
    }
    // Agents relay what guests sent on their bridge: a packet that claims to have passed a
    // relay already would pick its own network by giaddr. Not ours to trust.
    if (packet.giaddr !== '0.0.0.0') return drop();
    if (!this.o.clientLimiter.allow(name, packet.chaddr, packet.hlen)) {
      this.stats.relayClientRateLimited++;
      return drop();
    }
    // A client without an address is a claim on the pool: count it against the host's cap.
    const type = packet.options.messageType;
    const clientId = clientIdentity(packet);
    const newClient =
      clientId !== undefined &&
      (type === MessageType.Discover || type === MessageType.Request) &&
      this.o.leases.leaseOf(name, clientId) === undefined;
    if (newClient && !this.o.quota.admit(name, record.hostId, clientId as string)) {
      this.stats.relayOverHostCap++;
      return drop();
    }
    const network = view.stored.network;
    let reply: Awaited<ReturnType<DhcpServer['handle']>>;
    try {
      reply = await this.o.dhcpServer.handle(packet, {
        network,
        serverId: effectiveServiceAddress(network),
        location: { host: record.hostId, via: 'agent' },
        underlayMtu: record.underlayMtu,
      });
    } catch (err) {
      // etcd unavailable and the like: stay silent, the guest retries.
      this.stats.relayErrors++;
      if (newClient) this.o.quota.release(name, record.hostId, clientId as string);
      this.o.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'relayed DHCP request failed',
      );
      return drop();
    }
    const offered = reply?.packet.options.messageType === MessageType.Offer;
    if (newClient && !offered && reply?.packet.options.messageType !== MessageType.Ack)
      this.o.quota.release(name, record.hostId, clientId as string);
    if (!reply) return drop();
    this.stats.relayReplies++;
    const d = reply.delivery;
    if (d.kind === 'unicast')
      return { id, packet: reply.bytes, delivery: 'DELIVERY_UNICAST', dstAddress: d.address, dstMac: d.mac };
    return {
      id,
      packet: reply.bytes,
      delivery: 'DELIVERY_BROADCAST',
      dstMac: d.kind === 'broadcast' ? d.mac : '',
    };
  }
}
