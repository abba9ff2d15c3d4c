/**
 * bench/agents: how ipamd carries many host agents.
 *
 *   npm run bench:agents [-- --agents 500 --workers 4 --rounds 5 --hosts 10 --joins 20 --cpu-prof DIR]
 *
 * Fan-out (this file): a real etcd (fsync on) and one ipamd from the test harness; `--agents`
 * agents simulated as plain AgentService.Session streams (one HTTP/2 connection each, hello then
 * a heartbeat every second), spread over `--workers` child processes so that the client side is
 * not the bottleneck. It measures
 *   - join: from the first hello until every session has a DesiredState listing every agent
 *     (peers include the agent itself);
 *   - fan-out: for `--rounds` network changes (NetworkService.CreateNetwork), the time from the
 *     request until each session receives a DesiredState naming the new network (p50/p99/max
 *     across sessions);
 *   - ipamd's RSS (VmRSS, sampled) and CPU seconds (utime+stime), and the clients' CPU.
 * `--cpu-prof DIR` runs ipamd under `node --cpu-prof` and leaves the profile in DIR.
 *
 * Join convergence (`joinConvergence`): `--hosts` (10) host namespaces with real agents, and for
 * `--joins` (20) agent restarts the time from spawn until every peer floods to the new agent
 * (p50/p99; peers watched with `bridge monitor fdb`), with where the time went (start-up,
 * registration) from the agent's log; needs root, and prints `n/a` without it. `--joins 0` skips it.
 *
 * The last line is `agents join p99 ms: <n> fanout ms: <n> rss MB: <n>`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClients, unary } from '@netspan/api';
import { type IpamdHandle, repoRoot, startEtcd, startIpamd, waitFor } from '@netspan/test/harness';
import { Sim } from '@netspan/test/sim';
import { cpuSeconds, fmt, percentile, rssMb } from '../lib/stats.js';
import { FloodWatch } from './flood-watch.js';
import { type Command, nowMs, type Reply, type SessionStatus, type SimAgent } from './session-worker.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '500' },
    workers: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '5' },
    'join-timeout': { type: 'string', default: '60' },
    'cpu-prof': { type: 'string' },
    hosts: { type: 'string', default: '10' },
    joins: { type: 'string', default: '20' },
  },
});
const AGENTS = Number(values.agents);
const WORKERS = Math.max(1, Math.min(Number(values.workers), AGENTS));
const ROUNDS = Number(values.rounds);
const JOIN_TIMEOUT_MS = Number(values['join-timeout']) * 1000;
/** Everything (workers included) stops by itself after this long. */
const RUN_LIMIT_MS = JOIN_TIMEOUT_MS + ROUNDS * 15_000 + 60_000;
const BOOTSTRAP = 'benchagents.0123456789abcdef0123456789';
const HOSTS = Number(values.hosts);
const JOINS = Number(values.joins);

const log = (...a: unknown[]) => console.log(...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One child process holding a share of the sessions, and a way to ask it things. */
class Worker {
  private readonly child: ChildProcess;
  private waiters: Array<{ type: Reply['type']; resolve: (r: Reply) => void }> = [];
  readonly exited: Promise<void>;

  constructor() {
    const file = fileURLToPath(new URL('./session-worker.js', import.meta.url));
    this.child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
    this.child.on('message', (r: Reply) => {
      const i = this.waiters.findIndex((w) => w.type === r.type);
      if (i < 0) return;
      const [w] = this.waiters.splice(i, 1);
      w?.resolve(r);
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  send(cmd: Command): void {
    if (this.child.connected) this.child.send(cmd);
  }

  ask<T extends Reply['type']>(
    cmd: Command,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`worker ${this.pid}: no ${type} reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (r: Reply) => {
          clearTimeout(timer);
          resolve(r as Extract<Reply, { type: T }>);
        },
      };
      this.waiters.push(waiter);
      this.send(cmd);
    });
  }

  async stop(): Promise<number> {
    let cpu = Number.NaN;
    try {
      cpu = (await this.ask({ type: 'close' }, 'closed', 5000)).cpuSeconds;
    } catch {
      // fall through to the kill below
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
    return cpu;
  }
}

async function statusAll(workers: Worker[]): Promise<{ sessions: SessionStatus[]; cpu: number }> {
  const replies = await Promise.all(workers.map((w) => w.ask({ type: 'status' }, 'status', 10_000)));
  return {
    sessions: replies.flatMap((r) => r.sessions),
    cpu: replies.reduce((a, r) => a + r.cpuSeconds, 0),
  };
}

/** Samples a process's RSS until stopped; `peak` is the largest value seen. */
function rssSampler(pid: number, everyMs = 100) {
  let peak = rssMb(pid);
  const t = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // process gone
    }
  }, everyMs);
  return {
    get peak() {
      return peak;
    },
    stop: () => clearInterval(t),
  };
}

interface Spread {
  p50: number;
  p99: number;
  max: number;
}
const spread = (xs: number[]): Spread => ({
  p50: percentile(xs, 50),
  p99: percentile(xs, 99),
  max: xs.length ? Math.max(...xs) : Number.NaN,
});

export interface FanoutResult {
  agents: number;
  workers: number;
  joinAllMs: number;
  joinPerSession: Spread;
  joinIpamdCpuSeconds: number;
  joinClientCpuSeconds: number;
  desiredStatesDuringJoin: number;
  bytesDuringJoin: number;
  steadyIpamdCpuPerSecond: number;
  rounds: Array<Spread & { rpcMs: number; ipamdCpuSeconds: number; missing: number }>;
  fanoutMs: Spread & { maxOfRounds: number; medianOfRoundMax: number };
  ipamdRssMb: { before: number; peak: number; after: number };
  ipamdCpuSeconds: number;
  clientCpuSeconds: number;
}

/** 500 (or `--agents`) simulated agents against one ipamd: join, then fan-out of network changes. */
async function fanout(ipamd: IpamdHandle): Promise<FanoutResult> {
  const clients = createClients(ipamd.grpcAddress);
  const workers: Worker[] = [];
  const rss = rssSampler(ipamd.pid);
  try {
    await unary(clients.network, clients.network.CreateNetwork, {
      network: { name: 'bench0', cidr: '10.200.0.0/24' },
    });
    const token = await unary(clients.admin, clients.admin.CreateToken, {
      ttlSeconds: 3600,
      description: 'bench/agents',
    });
    const secret = token.token?.secret;
    if (!secret) throw new Error('CreateToken returned no secret');

    const agents: SimAgent[] = Array.from({ length: AGENTS }, (_, i) => ({
      hostId: `bench-host-${i}`,
      vtep: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    }));
    for (let w = 0; w < WORKERS; w++) workers.push(new Worker());
    await sleep(300); // let the workers load their code before the clock starts
    const rssBefore = rssMb(ipamd.pid);
    const cpu0 = cpuSeconds(ipamd.pid);
    const deadlineMs = Date.now() + RUN_LIMIT_MS;

    // ---- join: every session sees every agent
    const t0 = nowMs();
    await Promise.all(
      workers.map((w, wi) =>
        w.ask(
          {
            type: 'open',
            address: ipamd.grpcAddress,
            token: secret,
            agents: agents.filter((_, i) => i % WORKERS === wi),
            expectPeers: AGENTS,
            heartbeatMs: 1000,
            deadlineMs,
          },
          'opened',
          30_000,
        ),
      ),
    );
    let st = await statusAll(workers);
    const joinDeadline = Date.now() + JOIN_TIMEOUT_MS;
    while (st.sessions.some((s) => !s.convergedAt) && Date.now() < joinDeadline) {
      await sleep(100);
      st = await statusAll(workers);
    }
    const converged = st.sessions.filter((s) => s.convergedAt > 0);
    const ended = st.sessions.filter((s) => s.ended).length;
    if (converged.length < AGENTS)
      throw new Error(
        `only ${converged.length}/${AGENTS} sessions converged within ${JOIN_TIMEOUT_MS} ms (${ended} ended)`,
      );
    const joinTimes = converged.map((s) => s.convergedAt - t0);
    const welcomeTimes = st.sessions.map((s) => s.welcomedAt - t0);
    log(
      `welcome (registered): p50 ${fmt(percentile(welcomeTimes, 50), 0)} p99 ${fmt(percentile(welcomeTimes, 99), 0)}` +
        ` max ${fmt(Math.max(...welcomeTimes), 0)} ms after the first hello`,
    );
    const joinAllMs = Math.max(...joinTimes);
    const joinIpamdCpu = cpuSeconds(ipamd.pid) - cpu0;
    const joinClientCpu = st.cpu;
    const desiredStatesDuringJoin = st.sessions.reduce((a, s) => a + s.states, 0);
    const bytesDuringJoin = st.sessions.reduce((a, s) => a + s.bytes, 0);
    log(
      `join: ${AGENTS} sessions converged (each sees ${AGENTS} peers) in ${fmt(joinAllMs, 0)} ms;` +
        ` per session p50 ${fmt(percentile(joinTimes, 50), 0)} p99 ${fmt(percentile(joinTimes, 99), 0)} ms;` +
        ` ${desiredStatesDuringJoin} DesiredStates, ${fmt(bytesDuringJoin / 1e6)} MB;` +
        ` ipamd cpu ${fmt(joinIpamdCpu, 2)} s, clients cpu ${fmt(joinClientCpu, 2)} s`,
    );

    // ---- steady state: 500 sessions heartbeating, nothing changing
    await sleep(1000);
    const steadyCpu0 = cpuSeconds(ipamd.pid);
    const steadyT0 = nowMs();
    await sleep(3000);
    const steadyIpamdCpuPerSecond = (cpuSeconds(ipamd.pid) - steadyCpu0) / ((nowMs() - steadyT0) / 1000);
    log(`steady (heartbeats only): ipamd cpu ${fmt(steadyIpamdCpuPerSecond * 100, 1)}% of a core`);

    // ---- fan-out: one network change at a time reaches every session
    const rounds: FanoutResult['rounds'] = [];
    const all: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const network = `fanout${r}`;
      const watched = workers.map((w) => w.ask({ type: 'watch', network }, 'watched', 15_000));
      await sleep(200);
      const c0 = cpuSeconds(ipamd.pid);
      const tChange = nowMs();
      await unary(clients.network, clients.network.CreateNetwork, {
        network: { name: network, cidr: `10.201.${r}.0/24` },
      });
      const rpcMs = nowMs() - tChange;
      const replies = await Promise.allSettled(watched);
      const times = replies.flatMap((x) => (x.status === 'fulfilled' ? x.value.times : []));
      const got = times.filter((t) => t > 0).map((t) => t - tChange);
      const ipamdCpuSeconds = cpuSeconds(ipamd.pid) - c0;
      const s = spread(got);
      rounds.push({ ...s, rpcMs, ipamdCpuSeconds, missing: AGENTS - got.length });
      all.push(...got);
      log(
        `fan-out round ${r}: CreateNetwork ${fmt(rpcMs, 1)} ms; reached ${got.length}/${AGENTS} sessions:` +
          ` p50 ${fmt(s.p50, 1)} p99 ${fmt(s.p99, 1)} max ${fmt(s.max, 1)} ms; ipamd cpu ${fmt(ipamdCpuSeconds * 1000, 0)} ms`,
      );
      await sleep(500);
    }
    const roundMax = rounds.map((r) => r.max);
    const fan = {
      ...spread(all),
      maxOfRounds: Math.max(...roundMax),
      medianOfRoundMax: percentile(roundMax, 50),
    };
    const final = await statusAll(workers);
    const ipamdCpuSeconds = cpuSeconds(ipamd.pid) - cpu0;
    const rssAfter = rssMb(ipamd.pid);
    const clientCpuSeconds = final.cpu;
    return {
      agents: AGENTS,
      workers: WORKERS,
      joinAllMs,
      joinPerSession: spread(joinTimes),
      joinIpamdCpuSeconds: joinIpamdCpu,
      joinClientCpuSeconds: joinClientCpu,
      desiredStatesDuringJoin,
      bytesDuringJoin,
      steadyIpamdCpuPerSecond,
      rounds,
      fanoutMs: fan,
      ipamdRssMb: { before: rssBefore, peak: rss.peak, after: rssAfter },
      ipamdCpuSeconds,
      clientCpuSeconds,
    };
  } finally {
    rss.stop();
    await Promise.all(workers.map((w) => w.stop()));
    clients.close();
  }
}

/** One join: the sample and where its time went (from the agents' log lines). */
export interface JoinSample {
  host: string;
  /** Spawn until the last peer's flood entry to the new agent was announced. */
  ms: number;
  /** Spawn until the agent logged 'agent starting' (Node start-up and module loading). */
  startedMs: number;
  /** Spawn until the agent logged 'registered' (ipamd welcomed it). */
  registeredMs: number;
  /** Peers whose entry was seen by `bridge monitor` (the rest by the fallback poll, late). */
  byMonitor: number;
  /** When the agent was spawned (nowMs). */
  t0: number;
}

/** Epoch ms of the first line with each message in a pino log, at or after `since`. */
function firstLogTimes(file: string, since: number): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const { time, msg } = JSON.parse(line) as { time?: number; msg?: string };
      if (typeof time === 'number' && typeof msg === 'string' && time >= Math.floor(since) && !out.has(msg))
        out.set(msg, time);
    } catch {
      // not a log line
    }
  }
  return out;
}

/**
 * Join convergence with real agents: `--hosts` host namespaces of the namespace simulation
 * (test/sim: an underlay bridge, etcd + ipamd in a control namespace, a real agent per host);
 * then, `--joins` times, one host's agent is stopped, its flood entries are awaited gone from
 * every peer, it is started again, and the time from the agent's start (spawn) until every peer
 * floods to its VTEP (`bridge fdb ... 00:00:00:00:00:00 dst <vtep>` on nsvx<vni>) is one sample.
 *
 * Every host's flood entries are watched by one `bridge monitor fdb` in its namespace, started
 * once (FloodWatch): a peer counts when the kernel announces the entry, so the sample includes
 * the agent's Node start-up and nothing of the bench's own. A poll of the peers not yet seen
 * every second backs the monitors up (rarely enough not to load the machine it measures); it can
 * only be late, and each sample says how many peers the monitors saw.
 *
 * Needs root (network namespaces), iproute2, nftables and etcd; returns undefined where it
 * cannot run (not root) so the rest of the bench still reports.
 */
async function joinConvergence(): Promise<JoinSample[] | undefined> {
  const POLL_MS = 1000;
  if (process.getuid?.() !== 0) {
    log('join convergence: skipped (needs root for network namespaces)');
    return undefined;
  }
  const sim = await Sim.up({ hosts: HOSTS, guestsPerHost: 0, progress: (line) => log(line) });
  const samples: JoinSample[] = [];
  const watches = new Map<string, FloodWatch>();
  let wake: (() => void) | undefined;
  /** Resolves at the next flood-entry announcement on any host, or after `ms`. */
  const nextChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });
  try {
    const network = sim.networks[0]?.name ?? 'sim';
    const device = `nsvx${await sim.vniOf(network)}`;
    for (const h of sim.hosts) watches.set(h, new FloodWatch(sim.hostNs(h), device, () => wake?.()));
    const targets = (h: string) => sim.floodTargets(h, network);
    for (let j = 0; j < JOINS; j++) {
      const host = sim.hosts[j % sim.hosts.length] as string;
      const vtep = sim.vtepOf(host);
      const others = sim.hosts.filter((h) => h !== host);
      await sim.stopAgent(host);
      await waitFor(async () => (await Promise.all(others.map(targets))).every((t) => !t.includes(vtep)), {
        what: `peers to drop ${host}`,
        timeoutMs: 15_000,
        intervalMs: 100,
      });
      const t0 = nowMs();
      sim.startAgent(host);
      const seenAt = new Map<string, number>();
      let byMonitor = 0;
      let nextPoll = t0 + POLL_MS;
      while (seenAt.size < others.length && nowMs() - t0 < 15_000) {
        for (const h of others) {
          const at = seenAt.has(h) ? undefined : watches.get(h)?.addedSince(vtep, t0);
          if (at !== undefined) {
            seenAt.set(h, at);
            byMonitor++;
          }
        }
        if (seenAt.size === others.length) break;
        if (nowMs() >= nextPoll) {
          for (const h of others.filter((x) => !seenAt.has(x))) {
            if (!(await targets(h)).includes(vtep)) continue;
            // The monitor may have announced it while the poll ran: its time is the earlier one.
            const at = watches.get(h)?.addedSince(vtep, t0);
            seenAt.set(h, at ?? nowMs());
            if (at !== undefined) byMonitor++;
          }
          nextPoll = nowMs() + POLL_MS;
          continue;
        }
        await nextChange(Math.max(1, nextPoll - nowMs()));
      }
      if (seenAt.size < others.length)
        throw new Error(
          `join ${j + 1}: only ${seenAt.size}/${others.length} peers flood to ${host} after 15 s`,
        );
      // Read back: every peer really has the entry (the monitor's word is not taken alone).
      for (const h of others)
        if (!(await targets(h)).includes(vtep))
          throw new Error(`join ${j + 1}: ${h} lost its entry to ${host}`);
      const ms = Math.max(...seenAt.values()) - t0;
      samples.push({ host, ms, startedMs: Number.NaN, registeredMs: Number.NaN, byMonitor, t0 });
      log(
        `join ${j + 1}/${JOINS}: ${host} flooded to by all ${others.length} peers ${fmt(ms, 0)} ms after its start` +
          ` (${byMonitor}/${others.length} peers seen by the monitor)`,
      );
    }
    // Where the time went, from the agents' logs, read now: an agent may log 'registered' after
    // its peers were told (its event loop is busy starting), and its log is written asynchronously.
    await sleep(500);
    for (const s of samples) {
      const times = firstLogTimes(join(sim.dir, `agent-${s.host}.log`), s.t0);
      s.startedMs = (times.get('agent starting') ?? Number.NaN) - s.t0;
      s.registeredMs = (times.get('registered') ?? Number.NaN) - s.t0;
      log(
        `  ${s.host}: started ${fmt(s.startedMs, 0)} ms, registered ${fmt(s.registeredMs, 0)} ms,` +
          ` all peers ${fmt(s.ms, 0)} ms after spawn`,
      );
    }
    return samples;
  } finally {
    await Promise.all([...watches.values()].map((w) => w.stop()));
    await sim.down();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const etcd = await startEtcd({ name: 'bench-agents' });
  // The machine may be shared: the load average says how much of it this run had.
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    agents: AGENTS,
    loadAverageAtStart: loadavg(),
  };
  let ipamd: IpamdHandle | undefined;
  let fan: FanoutResult | undefined;
  let joins: JoinSample[] | undefined;
  try {
    log(`etcd ${etcd.clientUrl} (fsync on, data ${etcd.dataDir})`);
    const nodeArgs: string[] = [];
    if (values['cpu-prof']) {
      mkdirSync(values['cpu-prof'], { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`);
    }
    ipamd = await startIpamd({
      etcdEndpoints: etcd.endpoints,
      args: ['--bootstrap-token', BOOTSTRAP],
      nodeArgs,
    });
    log(`ipamd pid ${ipamd.pid} on ${ipamd.grpcAddress}; ${AGENTS} agents over ${WORKERS} client processes`);
    fan = await fanout(ipamd);
    results.fanout = fan;
  } finally {
    await ipamd?.stop();
    await etcd.stop();
  }
  // Its own deployment (namespaces, etcd, ipamd), after the fan-out's is gone.
  if (JOINS > 0) {
    joins = await joinConvergence();
    results.join = joins
      ? {
          hosts: HOSTS,
          joins: JOINS,
          samples: joins.map((x) => x.ms),
          ...spread(joins.map((x) => x.ms)),
          startedMs: spread(joins.map((x) => x.startedMs)),
          registeredMs: spread(joins.map((x) => x.registeredMs)),
          peersSeenByMonitor: joins.reduce((a, x) => a + x.byMonitor, 0),
          peersSeen: joins.length * (HOSTS - 1),
          detail: joins,
        }
      : 'n/a: needs root (see joinConvergence)';
  }
  if (!fan) throw new Error('fan-out produced no result');
  results.seconds = (Date.now() - started) / 1000;
  results.loadAverageAtEnd = loadavg();
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/agents-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(
    `ipamd rss MB: before ${fmt(fan.ipamdRssMb.before)} peak ${fmt(fan.ipamdRssMb.peak)} after ${fmt(fan.ipamdRssMb.after)};` +
      ` ipamd cpu ${fmt(fan.ipamdCpuSeconds, 2)} s, clients cpu ${fmt(fan.clientCpuSeconds, 2)} s`,
  );
  log(
    `fan-out over ${ROUNDS} rounds: p50 ${fmt(fan.fanoutMs.p50, 1)} p99 ${fmt(fan.fanoutMs.p99, 1)} max ${fmt(fan.fanoutMs.max, 1)} ms`,
  );
  const joinMs = joins?.map((x) => x.ms);
  if (joins && joinMs) {
    const ms = joinMs;
    const started = joins.map((x) => x.startedMs);
    const registered = joins.map((x) => x.registeredMs);
    log(
      `join over ${joins.length} joins: p50 ${fmt(percentile(ms, 50), 0)} p99 ${fmt(percentile(ms, 99), 0)} ms;` +
        ` agent started (spawn → 'agent starting') p50 ${fmt(percentile(started, 50), 0)},` +
        ` registered p50 ${fmt(percentile(registered, 50), 0)} ms`,
    );
  }
  const joinP99 = joinMs ? fmt(percentile(joinMs, 99), 0) : 'n/a';
  log(
    `agents join p99 ms: ${joinP99} fanout ms: ${fmt(fan.fanoutMs.maxOfRounds, 0)} rss MB: ${fmt(fan.ipamdRssMb.peak, 0)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
