import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClients, type pb } from '@netspan/api';
import type { Logger } from '@netspan/log';
import type { AgentConfig } from './config.js';

export const AGENT_VERSION = '0.1.0';

/** Statuses after which retrying soon is pointless: the operator has to act. */
const NEEDS_OPERATOR = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.INVALID_ARGUMENT,
]);

export interface ControlEvents {
  connected: [endpoint: string, welcome: pb.Welcome];
  desired: [state: pb.DesiredState];
  disconnected: [reason: string];
}

/** Jittered exponential backoff: full jitter over [base·2^n / 2, base·2^n], capped. */
export function jittered(attempt: number, baseMs: number, maxMs: number, rand = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (rand() * ceiling) / 2);
}

/**
 * The agent's Session with ipamd: hello, heartbeats, desired state. Reconnects with
 * jittered backoff, moving to the next endpoint after each failure, and keeps going until
 * stopped. The current channel is shared with the relay stream.
 */
export class ControlClient extends EventEmitter<ControlEvents> {
  private call: grpc.ClientDuplexStream<pb.AgentMessage__Input, pb.ControlMessage> | undefined;
  private current: { endpoint: string; clients: NetspanClients } | undefined;
  private stopped = false;
  private attempt = 0;
  private endpointIndex = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  connected = false;
  readonly stats = { connects: 0, failures: 0, desiredStates: 0 };

  constructor(
    private readonly cfg: AgentConfig,
    private readonly log: Logger,
    readonly instanceId: string,
  ) {
    super();
  }

  /** The channel of the live session, if any (the relay stream rides on it). */
  get clients(): NetspanClients | undefined {
    return this.connected ? this.current?.clients : undefined;
  }

  start(): void {
    this.connect();
  }

  report(r: pb.PlumbingReport__Input): void {
    if (this.connected) this.call?.write({ report: r });
  }

  private connect(): void {
    if (this.stopped) return;
    const endpoint = this.cfg.ipamdEndpoints[this.endpointIndex % this.cfg.ipamdEndpoints.length] as string;
    if (this.current?.endpoint !== endpoint) {
      this.current?.clients.close();
      this.current = {
        endpoint,
        clients: createClients(endpoint, {
          tls: { ca: this.cfg.tlsCa, cert: this.cfg.tlsCert, key: this.cfg.tlsKey },
          channelOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
        }),
      };
    }
    const call = this.current.clients.agent.Session();
    this.call = call;
    let welcomed = false;
    let ttlMs = 5000;
    call.on('data', (m: pb.ControlMessage) => {
      this.lastHeard = Date.now();
      if (m.welcome) {
        welcomed = true;
        this.connected = true;
        this.attempt = 0;
        this.stats.connects++;
        ttlMs = Math.max(1000, Number(m.welcome.leaseTtlSeconds) * 1000);
        this.startHeartbeat(call, ttlMs);
        this.log.info(
          { endpoint, server: m.welcome.serverId, ttlSeconds: Number(m.welcome.leaseTtlSeconds) },
          'registered',
        );
        this.emit('connected', endpoint, m.welcome);
      } else if (m.desiredState) {
        this.stats.desiredStates++;
        this.emit('desired', m.desiredState);
      }
    });
    call.on('error', () => {}); // the status event carries it
    call.on('status', (s: grpc.StatusObject) => {
      if (this.call !== call) return;
      this.call = undefined;
      this.stopHeartbeat();
      const was = this.connected;
      this.connected = false;
      if (this.stopped) return;
      this.stats.failures++;
      const reason = `${grpc.status[s.code] ?? s.code}: ${s.details}`;
      if (was) this.emit('disconnected', reason);
      let delay: number;
      if (NEEDS_OPERATOR.has(s.code)) {
        this.log.error({ endpoint, status: grpc.status[s.code], err: s.details }, 'ipamd refused this agent');
        delay = jittered(this.attempt + 4, 1000, 30_000);
      } else if (s.code === grpc.status.ALREADY_EXISTS) {
        // Another instance holds our host id, or our own previous registration has not
        // expired yet (its replica died): try again after about a TTL.
        this.log.warn({ endpoint, err: s.details }, 'host id in use; retrying');
        delay = jittered(this.attempt, 1000, 10_000);
      } else {
        this.log.warn(
          { endpoint, status: grpc.status[s.code], err: s.details, welcomed },
          'session ended; reconnecting',
        );
        delay = jittered(this.attempt, 200, 10_000);
        this.endpointIndex++; // next endpoint: this one may be down
      }
      this.attempt++;
      this.retry = setTimeout(() => this.connect(), delay);
    });
    call.write({
      hello: {
        hostId: this.cfg.hostId,
        vtepAddress: this.cfg.vtepAddress,
        joinToken: this.cfg.joinToken,
        agentVersion: AGENT_VERSION,
        underlayMtu: this.cfg.underlayMtu,
        uplink: this.cfg.uplink,
        networks: this.cfg.networks,
        instanceId: this.instanceId,
        wantGuestLocations: this.cfg.remoteMacs,
      },
    });
  }

  private startHeartbeat(
    call: grpc.ClientDuplexStream<pb.AgentMessage__Input, pb.ControlMessage>,
    ttlMs: number,
  ): void {
    this.stopHeartbeat();
    const every = Math.max(300, Math.floor(ttlMs / 3));
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > ttlMs * 2) {
        // ipamd stopped answering (our heartbeats are echoed): move on.
        this.log.warn({ silentMs: Date.now() - this.lastHeard }, 'ipamd silent; reconnecting');
        call.cancel();
        return;
      }
      call.write({ heartbeat: { sentAtMs: Date.now() } });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Ends the session cleanly: ipamd removes our registration at once and peers converge. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeat();
    const call = this.call;
    if (call) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          call.cancel();
          resolve();
        }, 2000);
        call.on('status', () => {
          clearTimeout(t);
          resolve();
        });
        call.end();
      });
    }
    this.connected = false;
    this.current?.clients.close();
  }
}
