/**
 * bench/dhcp/store-path: the etcd half of a DHCP ACK, alone. Claims go through IpamEngine's
 * batcher into EtcdIpamStore on a real etcd (fsync on), while the store's watch feeds the
 * address views as in ipamd; a window of concurrent claims keeps batches as large as under
 * perfdhcp. Prints this process's CPU and etcd's CPU per claim: an A/B figure for changes
 * to the etcd client path that the full benchmark would blur in noise.
 *
 *   node bench/dist/dhcp/store-path.js [--claims 20000 --window 256 --prefill 300000]
 */
import { parseArgs } from 'node:util';
import { connectEtcd, EtcdIpamStore, LeanKv, ThreadedKv } from '@netspan/etcd-store';
import { IpamEngine, type Lease } from '@netspan/ipam';
import { startEtcd } from '@netspan/test/harness';
import { cpuSeconds } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    claims: { type: 'string', default: '20000' },
    window: { type: 'string', default: '256' },
    warmup: { type: 'string', default: '2000' },
    // Leases made (closed loop, not measured) before the warm-up: the store's size is part of its
    // cost per claim (etcd's index and database, ipamd's views).
    prefill: { type: 'string', default: '0' },
    inflight: { type: 'string', default: '8' },
    // Open loop: claims arrive at this rate per second, as perfdhcp's do (0: closed loop of --window).
    rate: { type: 'string', default: '0' },
    linger: { type: 'string', default: '0' },
    // Transactions and the watch through etcd3's client instead of the lean one ipamd uses (A/B).
    etcd3: { type: 'boolean', default: false },
    // Claims and the watch through ThreadedKv (a worker thread), as ipamd's default.
    thread: { type: 'boolean', default: false },
    // Extra etcd flags, e.g. "--enable-pprof" to profile etcd during the run (space-separated).
    'etcd-args': { type: 'string', default: '' },
  },
});
const total = Number(values.claims);
const windowSize = Number(values.window);
const warmup = Number(values.warmup);
const prefill = Number(values.prefill);

async function main(): Promise<void> {
  const etcd = await startEtcd({
    name: 'bench-store-path',
    extraArgs: String(values['etcd-args']).split(' ').filter(Boolean),
  });
  console.log(`etcd at ${etcd.endpoints[0]}`);
  const client = connectEtcd({ endpoints: etcd.endpoints });
  const lean = values.etcd3 ? undefined : new LeanKv({ endpoints: etcd.endpoints });
  const threaded = lean && values.thread ? new ThreadedKv({ endpoints: etcd.endpoints }) : undefined;
  const store = new EtcdIpamStore(
    client,
    lean
      ? { txnClient: lean, watchClient: threaded ?? lean, ...(threaded ? { claimClient: threaded } : {}) }
      : {},
  );
  const engine = new IpamEngine(store, {
    maxInflight: Number(values.inflight),
    lingerMs: Number(values.linger),
  });
  try {
    await engine.start();
    await engine.createNetwork({
      name: 'bench',
      cidr: '10.192.0.0/12',
      gateway: '10.192.0.1',
      pools: [{ start: '10.192.0.10', end: '10.207.255.250' }],
    } as never);
    const view = await engine.viewOf('bench');
    const base = ((10 << 24) | (192 << 16)) >>> 0;
    let next = 0;
    const one = async (i: number): Promise<void> => {
      const off = 10 + i;
      const a = base + off;
      const address = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
      const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const now = Date.now();
      const lease: Lease = {
        network: 'bench',
        address,
        clientId: `01${mac.replaceAll(':', '')}`,
        mac,
        hostname: `h${i}`,
        state: 'bound',
        location: 'relay 127.0.0.1',
        createdAtMs: now,
        updatedAtMs: now,
        expiresAtMs: now + 3_600_000,
        pool: '',
      } as unknown as Lease;
      const out = await engine.claim({ lease, networkRevision: view.stored.revision });
      if (out.kind !== 'claimed') throw new Error(`claim ${address}: ${out.kind}`);
      engine.views.leasePut(out.lease);
    };
    const latencies: number[] = [];
    const rate = Number(values.rate);
    const openLoop = async (from: number, to: number): Promise<void> => {
      const started = performance.now();
      let sent = from;
      const pending: Promise<void>[] = [];
      while (sent < to) {
        const due = from + Math.floor(((performance.now() - started) * rate) / 1000);
        while (sent < Math.min(due, to)) {
          const t = performance.now();
          pending.push(one(sent++).then(() => void latencies.push(performance.now() - t)));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(pending);
    };
    /** Claims [from, to): at --rate (open loop) unless `closed`, else --window at a time. */
    const run = async (from: number, to: number, closed = false): Promise<void> => {
      if (rate > 0 && !closed) return openLoop(from, to);
      next = from;
      const worker = async (): Promise<void> => {
        while (next < to) await one(next++);
      };
      await Promise.all(Array.from({ length: windowSize }, worker));
    };
    await run(0, prefill, true); // as fast as the window allows
    await run(prefill, prefill + warmup);
    latencies.length = 0;
    const c0 = process.cpuUsage();
    const m0 = cpuSeconds(process.pid, { mainThread: true });
    const e0 = cpuSeconds(etcd.pid);
    const b0 = engine.stats.batches;
    const t0 = performance.now();
    await run(prefill + warmup, prefill + warmup + total);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const mainCpu = cpuSeconds(process.pid, { mainThread: true }) - m0;
    const ecpu = cpuSeconds(etcd.pid) - e0;
    const batches = engine.stats.batches - b0;
    latencies.sort((a, b) => a - b);
    const pct = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    console.log(
      `store-path (${threaded ? 'threaded lean client' : lean ? 'lean txn client' : 'etcd3 txn client'}): ${total} claims in ${ms.toFixed(0)} ms (${((1000 * total) / ms).toFixed(0)}/s), ` +
        `${(total / batches).toFixed(1)} per txn; CPU µs/claim: node ${((c.user + c.system) / total).toFixed(0)} ` +
        `(user ${(c.user / total).toFixed(0)}, main thread ${((1e6 * mainCpu) / total).toFixed(0)}), etcd ${((1e6 * ecpu) / total).toFixed(0)}` +
        (latencies.length ? `; latency ms p50 ${pct(0.5).toFixed(1)} p99 ${pct(0.99).toFixed(1)}` : ''),
    );
  } finally {
    await engine.stop();
    await threaded?.close();
    lean?.close();
    client.close();
    await etcd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
