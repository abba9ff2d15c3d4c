/**
 * bench/alloc: allocation throughput and latency through gRPC → ipamd → etcd, against
 * etcd's own create-if-absent transaction ceiling measured from Node in the same run.
 *
 *   npm run bench:alloc [-- --seconds 5]
 *
 * etcd runs with fsync on and revision auto-compaction, from a temp dir on disk.
 * The last line is `alloc ratio vs etcd txn ceiling: <x.xx>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClients, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import { repoRoot, startEtcd, startIpamd } from '@netspan/test/harness';
import { closedLoop, cpuSeconds, fmt, type LoadResult, rssMb } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'fill-leases': { type: 'string', default: '60000' },
    'rss-leases': { type: 'string', default: '100000' },
    levels: { type: 'string', default: '1,64,256' },
  },
});
const seconds = Number(values.seconds);
const durationMs = seconds * 1000;
const levels = String(values.levels).split(',').map(Number);
const fillTarget = Number(values['fill-leases']);
const rssTarget = Number(values['rss-leases']);

const log = (...a: unknown[]) => console.log(...a);

async function etcdCeiling(endpoints: string[], concurrency: number): Promise<LoadResult> {
  const client = connectEtcd({ endpoints });
  const prefix = `/bench/ceiling/${concurrency}/${Date.now()}/`;
  try {
    return await closedLoop(
      async (i) => {
        const key = Buffer.from(`${prefix}${i}`);
        const res = await client.kv.txn({
          compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
          success: [{ request_put: { key, value: Buffer.from('{"clientId":"x"}') } }],
          failure: [],
        });
        if (!res.succeeded) throw new Error('unexpected conflict');
      },
      { concurrency, durationMs, maxOps: 2_000_000 },
    );
  } finally {
    client.close();
  }
}

async function main() {
  const started = Date.now();
  const etcd = await startEtcd({ name: 'bench-alloc' });
  const results: Record<string, unknown> = { date: new Date().toISOString(), seconds };
  let ipamd: Awaited<ReturnType<typeof startIpamd>> | undefined;
  try {
    log(`etcd ${etcd.clientUrl} (fsync on, data ${etcd.dataDir})`);

    // 1. etcd's ceiling: plain create-if-absent transactions from Node, one per request.
    const ceiling: Record<string, LoadResult> = {};
    for (const c of [64, 256]) {
      ceiling[c] = await etcdCeiling(etcd.endpoints, c);
      log(
        `etcd txn ceiling @${c} in flight: ${fmt(ceiling[c].perSecond, 0)}/s p50 ${fmt(ceiling[c].p50ms, 2)} ms p99 ${fmt(ceiling[c].p99ms, 2)} ms`,
      );
    }
    const ceilingRate = Math.max(...Object.values(ceiling).map((r) => r.perSecond));
    results.etcdCeiling = ceiling;

    // 2. Allocations through ipamd at each concurrency level.
    ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
    const clients = createClients(ipamd.grpcAddress);
    const create = (name: string, cidr: string) =>
      unary(clients.network, clients.network.CreateNetwork, { network: { name, cidr } });
    const alloc = (network: string, clientId: string) =>
      unary(clients.ipam, clients.ipam.Allocate, { network, clientId }, { timeoutMs: 30_000 });
    // Warm up the channel and JIT.
    await create('warm', '10.250.0.0/16');
    await closedLoop((i) => alloc('warm', `w${i}`), { concurrency: 64, durationMs: 1000, maxOps: 3000 });

    const alloc_: Record<string, LoadResult & { ipamdCpu: number }> = {};
    for (const c of levels) {
      const net = `tput-${c}`;
      await create(net, `10.${16 + levels.indexOf(c) * 16}.0.0/12`);
      const cpu0 = cpuSeconds(ipamd.pid);
      const r = await closedLoop((i) => alloc(net, `c${c}-${i}`), {
        concurrency: c,
        durationMs,
        maxOps: 1_000_000,
      });
      const ipamdCpu = (cpuSeconds(ipamd.pid) - cpu0) / r.seconds;
      alloc_[c] = { ...r, ipamdCpu };
      log(
        `ipamd allocate @${c} in flight: ${fmt(r.perSecond, 0)}/s p50 ${fmt(r.p50ms, 2)} ms p99 ${fmt(r.p99ms, 2)} ms` +
          ` errors ${r.errors} ipamd cpu ${fmt(ipamdCpu, 2)} cores${r.firstError ? ` (${r.firstError})` : ''}`,
      );
    }
    results.allocate = alloc_;

    // 3. Latency on an empty /16 versus one filled to 60,000 leases.
    const probe = (net: string, tag: string) =>
      closedLoop((i) => alloc(net, `${tag}-${i}`), {
        concurrency: 64,
        durationMs: durationMs * 2,
        maxOps: 4000,
      });
    await create('empty16', '10.200.0.0/16');
    const empty = await probe('empty16', 'p');
    await create('full16', '10.201.0.0/16');
    const t0 = performance.now();
    const fill = await closedLoop((i) => alloc('full16', `f${i}`), {
      concurrency: 256,
      durationMs: 600_000,
      maxOps: fillTarget,
    });
    log(
      `filled full16 with ${fill.ops} leases in ${fmt((performance.now() - t0) / 1000)} s (${fmt(fill.perSecond, 0)}/s)`,
    );
    const full = await probe('full16', 'p');
    const p99Ratio = full.p99ms / empty.p99ms;
    log(
      `p99 @64 on empty /16: ${fmt(empty.p99ms, 2)} ms; on /16 with ${fill.ops} leases: ${fmt(full.p99ms, 2)} ms (×${fmt(p99Ratio, 2)}, target ≤ 1.5)`,
    );
    results.fillLatency = { empty, full, filled: fill.ops, p99Ratio };

    // 4. RSS with 100,000 leases held in ipamd's views.
    const usage = await unary(clients.network, clients.network.GetNetworkUsage, {});
    const held = usage.networks.reduce((n, u) => n + u.leases, 0);
    if (held < rssTarget) {
      await create('rss', '10.202.0.0/15');
      await closedLoop((i) => alloc('rss', `r${i}`), {
        concurrency: 256,
        durationMs: 600_000,
        maxOps: rssTarget - held,
      });
    }
    const after = await unary(clients.network, clients.network.GetNetworkUsage, {});
    const total = after.networks.reduce((n, u) => n + u.leases, 0);
    const rss = rssMb(ipamd.pid);
    log(`ipamd RSS with ${total} leases: ${fmt(rss, 0)} MB`);
    results.rss = { leases: total, mb: rss };
    clients.close();

    const at256 = alloc_[256]?.perSecond ?? alloc_[levels[levels.length - 1] as number]?.perSecond ?? 0;
    const ratio = at256 / ceilingRate;
    results.ratio = ratio;
    results.elapsedSeconds = (Date.now() - started) / 1000;
    const dir = join(repoRoot, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'alloc-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`alloc ratio vs etcd txn ceiling: ${ratio.toFixed(2)}`);
  } finally {
    await ipamd?.stop();
    await etcd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
