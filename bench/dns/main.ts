/**
 * bench/dns: queries per second and latency through dnsperf against ipamd serving 10,000 names
 * (leases with hostnames, allocated through the API, answered from the watch-fed index), against
 * dnsmasq serving the same names from an addn-hosts file and unbound serving them as local-data;
 * same machine, same run, same query file, at 1 and 8 dnsperf clients.
 *
 *   npm run bench:dns [-- --seconds 10 --clients 1,8 --workers 2 --names 10000 --repeat 1]
 *                     [--io batched,dgram]   (or e.g. --io batched:1,batched:2,batched-reuseport:2,dgram)
 *
 * Each (server, clients) pair gets a throughput pass (dnsperf -l seconds, unthrottled, at most
 * 100 queries outstanding) and a latency pass (-v, per-query times) throttled to dnsmasq's rate
 * at that client count, so p99 is "at that rate". All traffic stays on 127.0.0.1; every process
 * is started here and stopped by its pid. One ipamd per I/O mode in --io serves the same etcd, all
 * measured in the same run: `ipamd-batched` (--dns-io batched, --workers I/O threads, or n with
 * `batched:n`: `ipamd-batched-<n>t`; `batched-reuseport` likewise, a SO_REUSEPORT socket per thread) and
 * `ipamd` (--dns-io dgram, --workers worker processes). The last line is
 * `dns ratio ipamd/dnsmasq: <x.xx> p99 ms: <n>` (8 clients, or the largest count given), for the
 * first I/O mode given.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClients, unary } from '@netspan/api';
import { freePorts, repoRoot, startEtcd, startIpamd, waitFor } from '@netspan/test/harness';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1,8' },
    workers: { type: 'string', default: '2' },
    names: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '1' },
    io: { type: 'string', default: 'batched,dgram' },
  },
});
const seconds = Number(values.seconds);
const clientCounts = String(values.clients).split(',').map(Number);
const workers = Number(values.workers);
const names = Number(values.names);
const repeat = Number(values.repeat);
const ioModes = String(values.io).split(',');
for (const m of ioModes) if (!/^(dgram|batched(-reuseport)?(:\d+)?)$/.test(m)) throw new Error(`--io: ${m}?`);
/** The bench's name for the ipamd serving with I/O mode `m` ('batched:2' → 'ipamd-batched-2t'). */
const ipamdName = (m: string) =>
  m === 'dgram' ? 'ipamd' : `ipamd-${m.replace(/:(\d+)$/, (_: string, n: string) => `-${n}t`)}`;
/** Worker processes (dgram) or I/O threads (batched) for mode `m`. */
const workersOf = (m: string) => Number(m.split(':')[1] ?? workers);
const DOMAIN = 'bench.netspan.internal';
const log = (...a: unknown[]) => console.log(...a);

/** The i-th name's address: 10.100.0.10 onwards. */
function addressOf(i: number): string {
  const n = (10 << 24) | (100 << 16);
  const a = (n + 10 + i) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  onLine?: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let partial = '';
    p.stdout.on('data', (d: Buffer) => {
      if (!onLine) {
        out += d.toString();
        return;
      }
      const text = partial + d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('>')) onLine(l);
        else out += `${l}\n`;
      }
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
  });
}

/** CPU seconds (user + system) of `pid` and its children (ipamd's DNS workers), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const stat = (p: string) => {
    try {
      const text = readFileSync(`/proc/${p}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  let ticks = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const f = stat(p);
    // Fields after the command: state(0) ppid(1) … utime(11) stime(12).
    if (!f || (Number(p) !== pid && Number(f[1]) !== pid)) continue;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

const load1 = () => (loadavg()[0] as number).toFixed(2);

interface Pass {
  qps: number;
  avgMs: number;
  lostPct: number;
  completed: number;
  /** The server's CPU per answered query, µs (its process and children). */
  cpuUsPerQuery?: number;
  /** 1-minute load average when the pass ended. */
  load?: number;
}
interface Latency {
  rate: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lostPct: number;
}

function parsePerf(out: string): Pass {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lostPct: num(/Queries lost:\s+\d+ \(([\d.]+)%\)/),
    completed: num(/Queries completed:\s+(\d+)/),
  };
}

/** dnsperf's flags common to both passes: server, query file, duration, clients, outstanding. */
const dnsperfArgs = (port: number, qfile: string, clients: number): string[] => [
  '-s',
  '127.0.0.1',
  '-p',
  String(port),
  '-d',
  qfile,
  '-l',
  String(seconds),
  '-c',
  String(clients),
  '-q',
  '100',
];

async function throughput(port: number, qfile: string, clients: number): Promise<Pass> {
  const out = await run('dnsperf', dnsperfArgs(port, qfile, clients), (seconds + 30) * 1000);
  return parsePerf(out);
}

async function latency(port: number, qfile: string, clients: number, rate: number): Promise<Latency> {
  const times: number[] = [];
  const out = await run(
    'dnsperf',
    [...dnsperfArgs(port, qfile, clients), '-Q', String(Math.max(1, Math.round(rate))), '-v'],
    (seconds + 30) * 1000,
    (line) => {
      const t = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(t)) times.push(t * 1000);
    },
  );
  times.sort((x, y) => x - y);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  const pass = parsePerf(out);
  return { rate, qps: pass.qps, p50Ms: pct(0.5), p99Ms: pct(0.99), lostPct: pass.lostPct };
}

function started(p: ChildProcess, what: string): ChildProcess {
  p.on('error', (err) => log(`${what}: ${err.message}`));
  return p;
}

async function stopProcess(p: ChildProcess | undefined): Promise<void> {
  if (!p?.pid || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function answers(port: number, name: string): Promise<boolean> {
  const out = await run(
    'dig',
    ['@127.0.0.1', '-p', String(port), '+short', '+tries=1', '+time=1', name],
    5000,
  );
  return /^\d+\.\d+\.\d+\.\d+$/m.test(out);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'netspan-bench-dns-'));
  const qfile = join(dir, 'queries.txt');
  const hosts: string[] = [];
  const localData: string[] = [];
  const queries: string[] = [];
  for (let i = 0; i < names; i++) {
    hosts.push(`${addressOf(i)} h${i}.${DOMAIN}`);
    localData.push(`  local-data: "h${i}.${DOMAIN}. 60 IN A ${addressOf(i)}"`);
  }
  // Every name once, in a fixed shuffled order (dnsperf loops over the file).
  let seed = 12345;
  const order = Array.from({ length: names }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  for (const i of order) queries.push(`h${i}.${DOMAIN} A`);
  writeFileSync(qfile, `${queries.join('\n')}\n`);
  writeFileSync(join(dir, 'hosts'), `${hosts.join('\n')}\n`);

  const [dnsmasqPort, unboundPort, ...ipamdPorts] = await freePorts(2 + ioModes.length);
  writeFileSync(
    join(dir, 'unbound.conf'),
    [
      'server:',
      '  interface: 127.0.0.1',
      `  port: ${unboundPort}`,
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      '  pidfile: ""',
      '  do-daemonize: no',
      '  use-syslog: no',
      '  do-ip6: no',
      '  num-threads: 1',
      '  access-control: 127.0.0.0/8 allow',
      `  local-zone: "${DOMAIN}." static`,
      ...localData,
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n'),
  );

  const etcd = await startEtcd({ name: 'bench-dns', extraArgs: ['--quota-backend-bytes', String(4 << 30)] });
  let dnsmasq: ChildProcess | undefined;
  let unbound: ChildProcess | undefined;
  const ipamds: Array<Awaited<ReturnType<typeof startIpamd>>> = [];
  try {
    for (const [i, mode] of ioModes.entries()) {
      ipamds.push(
        await startIpamd({
          etcdEndpoints: etcd.endpoints,
          args: [
            '--dns-listen',
            `127.0.0.1:${ipamdPorts[i]}`,
            '--dns-workers',
            String(workersOf(mode)),
            '--dns-io',
            mode.split(':')[0] as string,
            '--reclaim-interval',
            '0',
          ],
        }),
      );
    }
    const c = createClients((ipamds[0] as { grpcAddress: string }).grpcAddress);
    await unary(c.network, c.network.CreateNetwork, {
      network: { name: 'bench', cidr: '10.100.0.0/16', domain: DOMAIN, leaseTimeSeconds: 86_400 },
    });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = next++; i < names; i = next++) {
          await unary(c.ipam, c.ipam.Allocate, {
            network: 'bench',
            clientId: `bench-${i}`,
            hostname: `h${i}`,
            address: addressOf(i),
          });
        }
      }),
    );
    c.close();
    log(`allocated ${names} leases with hostnames in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const p of ipamdPorts)
      await waitFor(() => answers(p as number, `h${names - 1}.${DOMAIN}`), {
        timeoutMs: 10_000,
        what: 'ipamd to answer the last name',
      });

    dnsmasq = started(
      spawn(
        'dnsmasq',
        [
          '--keep-in-foreground',
          '--no-hosts',
          '--no-resolv',
          '--bind-interfaces',
          '--listen-address=127.0.0.1',
          `--port=${dnsmasqPort}`,
          `--addn-hosts=${join(dir, 'hosts')}`,
          '--pid-file=',
          '--user=root',
          '--conf-file=/dev/null',
          '--log-facility=/dev/null',
        ],
        { stdio: 'ignore' },
      ),
      'dnsmasq',
    );
    unbound = started(
      spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { stdio: 'ignore' }),
      'unbound',
    );
    await waitFor(() => answers(dnsmasqPort as number, `h1.${DOMAIN}`), {
      timeoutMs: 10_000,
      what: 'dnsmasq',
    });
    await waitFor(() => answers(unboundPort as number, `h1.${DOMAIN}`), {
      timeoutMs: 10_000,
      what: 'unbound',
    });

    const servers: Array<[string, number]> = [
      ...ioModes.map((m, i): [string, number] => [ipamdName(m), ipamdPorts[i] as number]),
      ['dnsmasq', dnsmasqPort as number],
      ['unbound', unboundPort as number],
    ];
    const pids: Record<string, number | undefined> = {
      dnsmasq: dnsmasq.pid,
      unbound: unbound.pid,
    };
    for (const [i, m] of ioModes.entries()) pids[ipamdName(m)] = ipamds[i]?.pid;
    const runs: Array<Record<string, unknown>> = [];
    for (let r = 0; r < repeat; r++) {
      const perRun: Record<string, Record<string, { throughput: Pass; latency?: Latency }>> = {};
      for (const clients of clientCounts) {
        const key = `c${clients}`;
        perRun[key] = {};
        // Throughput first for all three (interleaved in time), then latency at dnsmasq's rate.
        for (const [name, port] of servers) {
          const cpu0 = cpuSeconds(pids[name]);
          const t = await throughput(port, qfile, clients);
          t.cpuUsPerQuery = ((cpuSeconds(pids[name]) - cpu0) / t.completed) * 1e6;
          t.load = loadavg()[0] as number;
          (perRun[key] as Record<string, { throughput: Pass }>)[name] = { throughput: t };
          log(
            `run ${r + 1} clients ${clients} ${name.padEnd(16)} ${t.qps.toFixed(0).padStart(7)} qps  avg ${t.avgMs.toFixed(3)} ms  lost ${t.lostPct}%  cpu ${t.cpuUsPerQuery.toFixed(1)} µs/query  load ${load1()}`,
          );
        }
        const rate = perRun[key]?.dnsmasq?.throughput.qps ?? 0;
        for (const [name, port] of servers) {
          const l = await latency(port, qfile, clients, rate);
          (perRun[key]?.[name] as { latency?: Latency }).latency = l;
          log(
            `run ${r + 1} clients ${clients} ${name.padEnd(16)} at ${rate.toFixed(0)} qps: got ${l.qps.toFixed(0)}  p50 ${l.p50Ms.toFixed(3)} ms  p99 ${l.p99Ms.toFixed(3)} ms  lost ${l.lostPct}%  load ${load1()}`,
          );
        }
      }
      runs.push(perRun);
    }

    // Ratios from the same run (the last one); all runs are kept in the JSON.
    const last = runs[runs.length - 1] as Record<
      string,
      Record<string, { throughput: Pass; latency?: Latency }>
    >;
    log('');
    log(
      'server            clients  ipamd qps  dnsmasq qps  unbound qps  ipamd/dnsmasq  ipamd/unbound  ipamd p99 ms (at dnsmasq rate)',
    );
    let finalRatio = 0;
    let finalP99 = Number.NaN;
    for (const [i, mode] of ioModes.entries()) {
      const name = ipamdName(mode);
      for (const clients of clientCounts) {
        const row = last[`c${clients}`] as Record<string, { throughput: Pass; latency?: Latency }>;
        const q = (s: string) => row[s]?.throughput.qps ?? 0;
        const ratio = q(name) / q('dnsmasq');
        const ratioU = q(name) / q('unbound');
        const p99 = row[name]?.latency?.p99Ms ?? Number.NaN;
        log(
          `${name.padEnd(16)}  ${String(clients).padStart(7)}  ${q(name).toFixed(0).padStart(9)}  ${q('dnsmasq').toFixed(0).padStart(11)}  ${q('unbound').toFixed(0).padStart(11)}  ${ratio.toFixed(2).padStart(13)}  ${ratioU.toFixed(2).padStart(13)}  ${p99.toFixed(3)}`,
        );
        if (i === 0) {
          finalRatio = ratio;
          finalP99 = p99;
        }
      }
    }
    const results = {
      date: new Date().toISOString(),
      seconds,
      names,
      workers,
      io: ioModes,
      loadavg: loadavg(),
      clients: clientCounts,
      dnsperf: '-q 100; latency pass: -v -Q <dnsmasq qps>',
      runs,
      ratio: finalRatio,
      p99Ms: finalP99,
    };
    mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench/results/dns-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`dns ratio ipamd/dnsmasq: ${finalRatio.toFixed(2)} p99 ms: ${finalP99.toFixed(2)}`);
  } finally {
    await stopProcess(dnsmasq);
    await stopProcess(unbound);
    for (const h of ipamds) await h.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
