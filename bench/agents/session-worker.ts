/**
 * A child process of bench/agents that holds a share of the simulated agents: one HTTP/2
 * connection and one AgentService.Session stream per agent, as a real agent opens them, over
 * the lean client in ../lib/raw-grpc.ts (grpc-js would spend the client's CPU, not the server's).
 *
 * It answers the parent over the IPC channel (see `Command` and `Reply`). Every timer it starts
 * is bounded by the `deadlineMs` the parent gives, so a lost parent never leaves it running.
 */
import { join } from 'node:path';
import { repoRoot } from '@netspan/test/harness';
import { loadTypes, RawGrpcClient, RawGrpcStream } from '../lib/raw-grpc.js';

export interface SimAgent {
  hostId: string;
  vtep: string;
}

export type Command =
  | {
      type: 'open';
      address: string;
      token: string;
      agents: SimAgent[];
      /** Peers a session must see to count as converged (every simulated agent, itself included). */
      expectPeers: number;
      heartbeatMs: number;
      /** Wall-clock ms after which the worker closes everything and exits on its own. */
      deadlineMs: number;
    }
  | { type: 'status' }
  | { type: 'watch'; network: string }
  | { type: 'close' };

export interface SessionStatus {
  welcomedAt: number;
  convergedAt: number;
  states: number;
  bytes: number;
  ended: boolean;
}

export type Reply =
  | { type: 'opened'; at: number }
  | {
      type: 'status';
      sessions: SessionStatus[];
      cpuSeconds: number;
    }
  | { type: 'watched'; network: string; times: number[] }
  | { type: 'closed'; cpuSeconds: number };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

const root = loadTypes(['netspan/v1/agent.proto'], join(repoRoot, 'proto'));
const AgentMessage = root.lookupType('netspan.v1.AgentMessage');

/**
 * What the bench needs of a ControlMessage, read off the protobuf wire without decoding it:
 * which oneof it carries, how many peers a DesiredState lists and its networks' names. 500
 * simulated agents fully decoding every 20 KB DesiredState would make these client processes,
 * not ipamd, the bottleneck on a small machine (a real agent decodes on its own host). The
 * field numbers are agent.proto's: ControlMessage welcome = 1, desired_state = 2; DesiredState
 * networks = 2, peers = 3; Network name = 1.
 */
export interface ControlSummary {
  welcome: boolean;
  desiredState: boolean;
  peers: number;
  networks: string[];
}

function varint(buf: Buffer, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
    if (shift > 63 || pos >= buf.length) throw new Error('bad varint');
  }
}

/** Calls `each(field, start, end)` for the length-delimited fields of buf[from, to). */
function fields(
  buf: Buffer,
  from: number,
  to: number,
  each: (field: number, start: number, end: number) => void,
): void {
  let pos = from;
  while (pos < to) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const wire = tag & 7;
    if (wire === 0) pos = varint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      each(Math.floor(tag / 8), q, q + len);
      pos = q + len;
    } else throw new Error(`wire type ${wire}`);
  }
}

export function summarize(buf: Buffer): ControlSummary {
  const out: ControlSummary = { welcome: false, desiredState: false, peers: 0, networks: [] };
  fields(buf, 0, buf.length, (f, s, e) => {
    if (f === 1) out.welcome = true;
    if (f !== 2) return;
    out.desiredState = true;
    fields(buf, s, e, (g, s2, e2) => {
      if (g === 3) out.peers++;
      else if (g === 2)
        fields(buf, s2, e2, (h, s3, e3) => {
          if (h === 1) out.networks.push(buf.toString('utf8', s3, e3));
        });
    });
  });
  return out;
}

interface Sim {
  client: RawGrpcClient;
  stream: RawGrpcStream;
  status: SessionStatus;
  /** First time a DesiredState naming the watched network arrived (0 = not yet). */
  watchedAt: number;
}

const sims: Sim[] = [];
let watching: string | undefined;
let heartbeat: NodeJS.Timeout | undefined;
let deadline: NodeJS.Timeout | undefined;

function send(r: Reply): void {
  process.send?.(r);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function checkWatched(): void {
  if (!watching) return;
  if (sims.every((s) => s.watchedAt > 0 || s.status.ended)) {
    const network = watching;
    watching = undefined;
    send({ type: 'watched', network, times: sims.map((s) => s.watchedAt) });
  }
}

function open(cmd: Extract<Command, { type: 'open' }>): void {
  deadline = setTimeout(() => close(), Math.max(0, cmd.deadlineMs - Date.now()));
  deadline.unref();
  for (const a of cmd.agents) {
    const client = new RawGrpcClient(cmd.address);
    const status: SessionStatus = { welcomedAt: 0, convergedAt: 0, states: 0, bytes: 0, ended: false };
    const sim: Sim = { client, status, watchedAt: 0, stream: undefined as unknown as RawGrpcStream };
    sim.stream = new RawGrpcStream(client, '/netspan.v1.AgentService/Session', (buf) => {
      const at = nowMs();
      const m = summarize(buf);
      if (m.welcome) status.welcomedAt = at;
      if (!m.desiredState) return;
      status.states++;
      status.bytes += buf.length;
      if (!status.convergedAt && m.peers >= cmd.expectPeers) status.convergedAt = at;
      if (watching && !sim.watchedAt && m.networks.includes(watching)) {
        sim.watchedAt = at;
        checkWatched();
      }
    });
    void sim.stream.closed.then(() => {
      status.ended = true;
      checkWatched();
    });
    sim.stream.send(
      AgentMessage.encode({
        hello: {
          host_id: a.hostId,
          vtep_address: a.vtep,
          join_token: cmd.token,
          agent_version: 'bench',
          instance_id: `${a.hostId}-${Math.random().toString(36).slice(2)}`,
          networks: [],
        },
      }).finish(),
    );
    sims.push(sim);
  }
  heartbeat = setInterval(() => {
    const msg = AgentMessage.encode({ heartbeat: { sent_at_ms: Date.now() } }).finish();
    for (const s of sims) if (!s.status.ended) s.stream.send(msg);
  }, cmd.heartbeatMs);
  send({ type: 'opened', at: nowMs() });
}

function close(): void {
  clearInterval(heartbeat);
  clearTimeout(deadline);
  for (const s of sims) {
    void s.stream.end();
    s.client.close();
  }
  send({ type: 'closed', cpuSeconds: cpuSeconds() });
  // Give the IPC message a moment to leave, then go; open sockets must not keep us alive.
  setTimeout(() => process.exit(0), 200).unref();
  process.disconnect?.();
}

process.on('message', (cmd: Command) => {
  switch (cmd.type) {
    case 'open':
      open(cmd);
      break;
    case 'status':
      send({ type: 'status', sessions: sims.map((s) => s.status), cpuSeconds: cpuSeconds() });
      break;
    case 'watch':
      watching = cmd.network;
      for (const s of sims) s.watchedAt = 0;
      break;
    case 'close':
      close();
      break;
  }
});
process.on('disconnect', () => {
  clearInterval(heartbeat);
  clearTimeout(deadline);
  setTimeout(() => process.exit(0), 200).unref();
});
