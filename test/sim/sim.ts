/**
 * A multi-host netspan deployment made of network namespaces, for people (`npm run sim`) and
 * for the end-to-end tests:
 *
 *   <p>ul          the underlay: one bridge, every "machine" plugged into it (172.30.0.0/24)
 *   <p>ctl         etcd (its loopback) + ipamd on 172.30.0.2:7700
 *   <p>h1..hN      hosts: eth0 on the underlay (172.30.0.10+i), a netspan agent each
 *   <p>g-<name>    guests: eth0 is a veth whose peer sits in the host's bridge; busybox udhcpc
 *
 * Everything is named with one random prefix, so runs never collide, and recorded in
 * `.netspan/sim/<prefix>.json`, so `npm run sim -- down` removes what any run made. Traffic
 * stays inside these namespaces.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClients, type NetspanClients, unary } from '@netspan/api';
import { repoRoot } from '../harness/ipamd.js';
import { waitFor } from '../harness/wait.js';

const run = promisify(execFile);

export const UNDERLAY_CIDR = '172.30.0.0/24';
export const CTL_ADDRESS = '172.30.0.2';
export const GRPC_PORT = 7700;
/** Every agent's Prometheus endpoint, on its host namespace's loopback. */
export const AGENT_METRICS_PORT = 9701;

export interface SimNetwork {
  name: string;
  cidr: string;
}

export interface SimOptions {
  hosts: number;
  guestsPerHost: number;
  networks?: SimNetwork[];
  /** Agents program remote guests' MACs from lease locations. */
  remoteMacs?: boolean;
  /** Agent resync interval (drift repair), seconds. */
  resyncSeconds?: number;
  /** Prefix for every name; default "ns" + 5 random hex digits. */
  prefix?: string;
  /** Where state and logs go; default <repo>/.netspan/sim. */
  stateDir?: string;
  /** Progress lines for people. */
  progress?: (line: string) => void;
}

export interface SimGuest {
  name: string;
  host: string;
  network: string;
  mac: string;
  ns: string;
  /** Address from DHCP ('' until bound). */
  address: string;
  hostname: string;
  udhcpcPid: number;
  /** Index for veth names. */
  index: number;
}

interface SimState {
  prefix: string;
  namespaces: string[];
  pids: number[];
  dir: string;
}

export const BOOTSTRAP_TOKEN = 'simboot01.simulation-secret-0123456789';

export async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

export const inNs = (ns: string, cmd: string, ...args: string[]) =>
  sh('ip', ['netns', 'exec', ns, cmd, ...args]);

function macFor(i: number): string {
  return `52:54:00:5e:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
}

export class Sim {
  readonly hosts: string[] = [];
  readonly guests: SimGuest[] = [];
  readonly networks: SimNetwork[];
  readonly agentPids = new Map<string, number>();
  private readonly children: ChildProcess[] = [];
  private readonly state: SimState;
  private clients: NetspanClients | undefined;
  private guestCount = 0;
  ipamdPid = 0;
  etcdPid = 0;

  private constructor(
    readonly prefix: string,
    readonly dir: string,
    private readonly o: SimOptions,
  ) {
    this.networks = o.networks ?? [{ name: 'sim', cidr: '10.250.0.0/24' }];
    this.state = { prefix, namespaces: [], pids: [], dir };
  }

  get ul(): string {
    return `${this.prefix}ul`;
  }
  get ctl(): string {
    return `${this.prefix}ctl`;
  }
  hostNs(host: string): string {
    return `${this.prefix}${host}`;
  }
  vtepOf(host: string): string {
    return `172.30.0.${10 + this.hosts.indexOf(host) + 1}`;
  }
  get grpc(): string {
    return `${CTL_ADDRESS}:${GRPC_PORT}`;
  }

  private note(line: string): void {
    this.o.progress?.(line);
  }

  private save(): void {
    mkdirSync(path.dirname(this.dir), { recursive: true });
    writeFileSync(`${this.dir}.json`, JSON.stringify(this.state, null, 2));
  }

  private async addNs(ns: string): Promise<void> {
    await sh('ip', ['netns', 'add', ns]);
    this.state.namespaces.push(ns);
    this.save();
    await inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  }

  /** Starts a long-lived program inside a namespace, detached, logging to <dir>/<log>. */
  spawnIn(
    ns: string,
    log: string,
    cmd: string,
    args: string[],
    env: Record<string, string> = {},
  ): ChildProcess {
    const fd = openSync(path.join(this.dir, log), 'a');
    // `ip netns exec` execs the program: the child's pid is the program's own.
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', fd, fd],
      detached: true,
      env: { ...process.env, ...env },
    });
    child.unref();
    if (child.pid) {
      this.state.pids.push(child.pid);
      this.save();
    }
    this.children.push(child);
    return child;
  }

  static async up(o: SimOptions): Promise<Sim> {
    const prefix = o.prefix ?? `ns${randomBytes(3).toString('hex').slice(0, 5)}`;
    const stateDir = o.stateDir ?? path.join(repoRoot, '.netspan', 'sim');
    const sim = new Sim(prefix, path.join(stateDir, prefix), o);
    mkdirSync(sim.dir, { recursive: true });
    sim.save();
    try {
      await sim.build();
    } catch (err) {
      await sim.down();
      throw err;
    }
    return sim;
  }

  private async build(): Promise<void> {
    const o = this.o;
    this.note(`sim ${this.prefix}: underlay and control plane`);
    await this.addNs(this.ul);
    await inNs(this.ul, 'ip', 'link', 'add', 'ul0', 'type', 'bridge');
    await inNs(this.ul, 'ip', 'link', 'set', 'ul0', 'up');
    await this.plug(this.ctl, 'c', `${CTL_ADDRESS}/24`);

    const etcdData = path.join(this.dir, 'etcd');
    this.etcdPid =
      this.spawnIn(this.ctl, 'etcd.log', 'etcd', [
        `--data-dir=${etcdData}`,
        '--listen-client-urls=http://127.0.0.1:2379',
        '--advertise-client-urls=http://127.0.0.1:2379',
        '--listen-peer-urls=http://127.0.0.1:2380',
        '--auto-compaction-mode=revision',
        '--auto-compaction-retention=1000',
      ]).pid ?? 0;
    this.ipamdPid =
      this.spawnIn(this.ctl, 'ipamd.log', process.execPath, [
        path.join(repoRoot, 'services/ipamd/dist/main.js'),
        '--etcd-endpoints',
        'http://127.0.0.1:2379',
        '--grpc-listen',
        `0.0.0.0:${GRPC_PORT}`,
        '--bootstrap-token',
        BOOTSTRAP_TOKEN,
        '--agent-ttl',
        '3',
        '--replica-id',
        `${this.prefix}-ipamd`,
      ]).pid ?? 0;
    await this.plugRoot();
    this.clients = createClients(this.apiAddress);
    await waitFor(
      async () => {
        try {
          await unary(this.api.network, this.api.network.ListNetworks, {}, { timeoutMs: 500 });
          return true;
        } catch {
          return false;
        }
      },
      { what: 'ipamd to answer', timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const n of this.networks) {
      await unary(this.api.network, this.api.network.CreateNetwork, {
        network: { name: n.name, cidr: n.cidr, leaseTimeSeconds: 600 },
      });
    }

    this.note(`sim ${this.prefix}: ${o.hosts} hosts with agents`);
    for (let i = 1; i <= o.hosts; i++) {
      const host = `host${i}`;
      this.hosts.push(host);
      await this.plug(this.hostNs(host), `h${i}`, `${this.vtepOf(host)}/24`);
      this.startAgent(host);
    }
    await this.waitForPeers();
    this.note(`sim ${this.prefix}: ${o.hosts * o.guestsPerHost} guests`);
    for (const host of this.hosts) {
      for (let g = 0; g < o.guestsPerHost; g++) {
        // Guests go on the first network; tests add guests on the others themselves.
        const network = this.networks[0] as SimNetwork;
        await this.addGuest(`${host.replace('host', 'g')}-${g + 1}`, host, network.name);
      }
    }
    await Promise.all(this.guests.map((g) => this.waitBound(g)));
  }

  get api(): NetspanClients {
    if (!this.clients) throw new Error('sim is not up');
    return this.clients;
  }

  /** A namespace on the underlay with eth0 = `address`. */
  private async plug(ns: string, tag: string, address: string): Promise<void> {
    await this.addNs(ns);
    const a = `${this.prefix}${tag}u`;
    await sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', `${this.prefix}${tag}x`]);
    await sh('ip', ['link', 'set', a, 'netns', this.ul]);
    await sh('ip', ['link', 'set', `${this.prefix}${tag}x`, 'netns', ns, 'name', 'eth0']);
    await inNs(this.ul, 'ip', 'link', 'set', a, 'master', 'ul0', 'up');
    await inNs(ns, 'ip', 'addr', 'add', address, 'dev', 'eth0');
    await inNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
  }

  /**
   * A veth from the root namespace straight into the control namespace, so this process
   * can call ipamd: a link-local /30 picked per run (checked against addresses in use), so
   * concurrent runs never share an address or a route.
   */
  private async plugRoot(): Promise<void> {
    const inUse = await sh('ip', ['-4', '-o', 'addr', 'show']);
    let base = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const x = 1 + Math.floor(Math.random() * 254);
      const y = Math.floor(Math.random() * 64) * 4;
      if (!inUse.includes(`169.254.${x}.${y + 1}/`) && !inUse.includes(`169.254.${x}.${y + 2}/`)) {
        base = (x << 8) | y;
        break;
      }
    }
    if (!base) throw new Error('no free link-local /30 for the sim');
    const ip = (n: number) => `169.254.${(base >> 8) & 0xff}.${(base & 0xff) + n}`;
    const a = `${this.prefix}ru`;
    const b = `${this.prefix}rx`;
    await sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    this.state.namespaces.push(`link:${a}`);
    this.save();
    await sh('ip', ['link', 'set', b, 'netns', this.ctl]);
    await inNs(this.ctl, 'ip', 'addr', 'add', `${ip(2)}/30`, 'dev', b);
    await inNs(this.ctl, 'ip', 'link', 'set', b, 'up');
    await sh('ip', ['addr', 'add', `${ip(1)}/30`, 'dev', a]);
    await sh('ip', ['link', 'set', a, 'up']);
    this.apiAddress = `${ip(2)}:${GRPC_PORT}`;
  }

  /** Where this process reaches ipamd (the root-namespace link). */
  apiAddress = '';

  startAgent(host: string, extraArgs: string[] = []): number {
    const child = this.spawnIn(this.hostNs(host), `agent-${host}.log`, process.execPath, [
      agentEntry(),
      '--host-id',
      host,
      '--vtep',
      'eth0',
      '--ipamd',
      this.grpc,
      '--join-token',
      BOOTSTRAP_TOKEN,
      '--resync-interval',
      String(this.o.resyncSeconds ?? 5),
      ...(this.o.remoteMacs ? ['--remote-macs'] : []),
      // Each host namespace has its own loopback: the same port on every host never collides.
      '--metrics-listen',
      `127.0.0.1:${AGENT_METRICS_PORT}`,
      ...extraArgs,
    ]);
    this.agentPids.set(host, child.pid ?? 0);
    return child.pid ?? 0;
  }

  /** Sends `signal` to the host's agent and waits for it to exit. */
  async stopAgent(host: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.agentPids.get(host);
    if (!pid) return;
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    await waitFor(() => !alive(pid), { what: `agent ${host} to exit`, timeoutMs: 10_000, intervalMs: 50 });
    this.agentPids.delete(host);
  }

  /** Every host's agent registered and sees every other host (flood entries in place). */
  async waitForPeers(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const h of this.hosts)
          if ((await this.floodTargets(h)).length !== this.hosts.length - 1) return false;
        return true;
      },
      { what: 'every agent to flood to every peer', timeoutMs, intervalMs: 100 },
    );
  }

  /** VTEPs `host`'s first network floods to (bridge fdb 00:00:00:00:00:00 entries). */
  async floodTargets(host: string, network = this.networks[0]?.name ?? 'sim'): Promise<string[]> {
    const vni = await this.vniOf(network);
    try {
      const out = await inNs(this.hostNs(host), 'bridge', '-j', 'fdb', 'show', 'dev', `nsvx${vni}`);
      const entries = JSON.parse(out || '[]') as Array<{ mac: string; dst?: string }>;
      return entries
        .filter((e) => e.mac === '00:00:00:00:00:00' && e.dst)
        .map((e) => e.dst as string)
        .sort();
    } catch {
      return [];
    }
  }

  private vnis = new Map<string, number>();
  async vniOf(network: string): Promise<number> {
    let vni = this.vnis.get(network);
    if (vni === undefined) {
      const res = await unary(this.api.network, this.api.network.GetNetwork, { name: network });
      vni = res.network?.vni ?? 0;
      this.vnis.set(network, vni);
    }
    return vni;
  }

  /** Plugs a new guest into `host`'s bridge for `network` and starts its DHCP client. */
  async addGuest(
    name: string,
    host: string,
    network: string,
    mac = macFor(++this.guestCount),
  ): Promise<SimGuest> {
    const ns = `${this.prefix}g-${name}`;
    await this.addNs(ns);
    const guest: SimGuest = {
      name,
      host,
      network,
      mac,
      ns,
      address: '',
      hostname: name,
      udhcpcPid: 0,
      index: this.guestCount,
    };
    this.guests.push(guest);
    await this.attach(guest, host);
    return guest;
  }

  private async attach(g: SimGuest, host: string): Promise<void> {
    const bridge = `nsbr${await this.vniOf(g.network)}`;
    const hostNs = this.hostNs(host);
    await waitFor(
      async () => {
        try {
          await inNs(hostNs, 'ip', 'link', 'show', bridge);
          return true;
        } catch {
          return false;
        }
      },
      { what: `bridge ${bridge} on ${host}`, timeoutMs: 20_000, intervalMs: 100 },
    );
    const port = `${this.prefix}p${g.index}`;
    const tmp = `${this.prefix}q${g.index}`;
    await sh('ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', tmp]);
    await sh('ip', ['link', 'set', port, 'netns', hostNs]);
    await sh('ip', ['link', 'set', tmp, 'netns', g.ns, 'name', 'eth0']);
    await inNs(g.ns, 'ip', 'link', 'set', 'eth0', 'address', g.mac);
    await inNs(hostNs, 'ip', 'link', 'set', port, 'master', bridge, 'up');
    await inNs(g.ns, 'ip', 'link', 'set', 'eth0', 'up');
    g.host = host;
    this.startDhcp(g);
  }

  private startDhcp(g: SimGuest): void {
    const events = path.join(this.dir, `${g.name}.events`);
    rmSync(events, { force: true });
    const script = path.join(this.dir, 'udhcpc.sh');
    if (!existsSync(script)) {
      // Records what the client was told and configures eth0; never touches resolv.conf.
      writeFileSync(
        script,
        `#!/bin/sh
echo "$1 ip=$ip mask=$mask mtu=$mtu serverid=$serverid lease=$lease" >> "$EVENTS"
case "$1" in
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu" ;;
  deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
`,
      );
      chmodSync(script, 0o755);
    }
    const pidFile = path.join(this.dir, `${g.name}.udhcpc.pid`);
    const child = this.spawnIn(
      g.ns,
      `${g.name}.udhcpc.log`,
      'busybox',
      [
        'udhcpc',
        '-f',
        '-i',
        'eth0',
        '-s',
        script,
        '-p',
        pidFile,
        '-t',
        '20',
        '-T',
        '1',
        '-A',
        '1',
        '-x',
        `hostname:${g.hostname}`,
      ],
      { EVENTS: events },
    );
    g.udhcpcPid = child.pid ?? 0;
    g.address = '';
  }

  events(g: SimGuest): string[] {
    const f = path.join(this.dir, `${g.name}.events`);
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean) : [];
  }

  async waitBound(g: SimGuest, timeoutMs = 40_000): Promise<string> {
    await waitFor(() => this.events(g).some((e) => e.startsWith('bound ')), {
      what: `${g.name} to get a lease`,
      timeoutMs,
      intervalMs: 100,
    });
    const bound = this.events(g)
      .filter((e) => e.startsWith('bound '))
      .pop() as string;
    g.address = /ip=(\S+)/.exec(bound)?.[1] ?? '';
    return g.address;
  }

  /** Moves a guest to another host: new port on the new host's bridge, same MAC, DHCP again. */
  async migrate(g: SimGuest, toHost: string): Promise<number> {
    this.killPid(g.udhcpcPid);
    await inNs(g.ns, 'ip', 'link', 'del', 'eth0').catch(() => {});
    const t0 = Date.now();
    await this.attach(g, toHost);
    await this.waitBound(g);
    return Date.now() - t0;
  }

  /** One ICMP echo from guest `from` to `address`, with busybox ping. */
  async ping(from: SimGuest, address: string, timeoutS = 1): Promise<boolean> {
    try {
      await inNs(from.ns, 'busybox', 'ping', '-c', '1', '-W', String(timeoutS), address);
      return true;
    } catch {
      return false;
    }
  }

  async pingMatrix(): Promise<Array<{ from: string; to: string; ok: boolean }>> {
    const out: Array<{ from: string; to: string; ok: boolean }> = [];
    for (const a of this.guests) {
      for (const b of this.guests) {
        if (a === b) continue;
        // Guests of different networks are isolated: the result says so.
        let ok = await this.ping(a, b.address);
        if (!ok && a.network === b.network) ok = await this.ping(a, b.address, 2); // first ARP may be slow
        out.push({ from: a.name, to: b.name, ok });
      }
    }
    return out;
  }

  killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!pid) return;
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }

  async down(): Promise<void> {
    this.clients?.close();
    this.clients = undefined;
    await teardown(this.state);
    rmSync(`${this.dir}.json`, { force: true });
  }
}

let entry: string | undefined;
/**
 * What the hosts run: the one-file bundle `npm run build` makes (as the netspan-agent bin runs it;
 * it starts faster), unless a `tsc -b` since then left it older than the modules it was made from.
 */
function agentEntry(): string {
  if (entry) return entry;
  const main = path.join(repoRoot, 'services/agent/dist/main.js');
  const bundle = path.join(repoRoot, 'services/agent/dist/netspan-agent.cjs');
  if (!existsSync(bundle)) {
    entry = main;
    return entry;
  }
  const built = statSync(bundle).mtimeMs;
  const newer = (dir: string): boolean => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() ? newer(p) : e.name.endsWith('.js') && statSync(p).mtimeMs > built) return true;
    }
    return false;
  };
  const dists = [path.join(repoRoot, 'services/agent/dist')];
  for (const d of readdirSync(path.join(repoRoot, 'packages')))
    if (existsSync(path.join(repoRoot, 'packages', d, 'dist')))
      dists.push(path.join(repoRoot, 'packages', d, 'dist'));
  entry = dists.some(newer) ? main : bundle;
  return entry;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a sim's processes (only the pids it recorded) and deletes its namespaces and links. */
async function teardown(state: SimState): Promise<void> {
  for (const pid of state.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await waitFor(() => state.pids.every((p) => !alive(p)), {
    what: 'sim processes to exit',
    timeoutMs: 5000,
    intervalMs: 50,
  }).catch(() => {});
  for (const ns of [...state.namespaces].reverse()) {
    if (ns.startsWith('link:')) await sh('ip', ['link', 'del', ns.slice(5)]).catch(() => {});
    else await sh('ip', ['netns', 'del', ns]).catch(() => {});
  }
}

/** Removes every sim recorded under `stateDir` (what `npm run sim -- down` does). */
export async function downAll(stateDir = path.join(repoRoot, '.netspan', 'sim')): Promise<string[]> {
  const removed: string[] = [];
  if (!existsSync(stateDir)) return removed;
  for (const f of readdirSync(stateDir)) {
    if (!f.endsWith('.json')) continue;
    const state = JSON.parse(readFileSync(path.join(stateDir, f), 'utf8')) as SimState;
    await teardown(state);
    rmSync(path.join(stateDir, f), { force: true });
    rmSync(state.dir, { recursive: true, force: true });
    removed.push(state.prefix);
  }
  return removed;
}
