/**
 * bench/alloc: allocation throughput and latency through gRPC → ipamd → etcd, against
 * etcd's own create-if-absent transaction ceiling measured from Node in the same run.
 *
 *   npm run bench:alloc [-- --seconds 5]
 *
 * etcd runs with fsync on and revision auto-compaction, from a temp dir on disk.
 * The last line is `alloc ratio vs etcd txn ceiling: <x.xx>` (AllocateStream at the top level
 * over the etcd3-client ceiling; unary figures are printed too).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClients, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import { repoRoot, startEtcd, startIpamd } from '@netspan/test/harness';
import { loadTypes, RawGrpcClient } from '../lib/raw-grpc.js';
import { closedLoop, cpuSeconds, fmt, type LoadResult, percentile, rssMb } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'fill-leases': { type: 'string', default: '60000' },
    'rss-leases': { type: 'string', default: '100000' },
    levels: { type: 'string', default: '1,64,256' },
    rounds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const durationMs = seconds * 1000;
const levels = String(values.levels).split(',').map(Number);
const fillTarget = Number(values['fill-leases']);
const rssTarget = Number(values['rss-leases']);
const rounds = Number(values.rounds);

const log = (...a: unknown[]) => console.log(...a);

async function etcdCeiling(endpoints: string[], concurrency: number, ms: number): Promise<LoadResult> {
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
      { concurrency, durationMs: ms, maxOps: 2_000_000 },
    );
  } finally {
    client.close();
  }
}

/** The same ceiling through the lean HTTP/2 gRPC client the allocation load uses. */
async function etcdCeilingLean(clientUrl: string, concurrency: number, ms: number): Promise<LoadResult> {
  const root = loadTypes(['rpc.proto'], join(repoRoot, 'node_modules/etcd3/proto'));
  const Txn = root.lookupType('etcdserverpb.TxnRequest');
  const TxnRes = root.lookupType('etcdserverpb.TxnResponse');
  const client = new RawGrpcClient(clientUrl.replace(/^https?:\/\//, ''));
  const prefix = `/bench/ceiling-lean/${concurrency}/${Date.now()}/`;
  try {
    return await closedLoop(
      async (i) => {
        const key = Buffer.from(`${prefix}${i}`);
        const req = Txn.encode({
          compare: [{ key, target: 1, result: 0, create_revision: 0 }],
          success: [{ request_put: { key, value: Buffer.from('{"clientId":"x"}') } }],
        }).finish();
        const res = TxnRes.decode(await client.unary('/etcdserverpb.KV/Txn', req)) as unknown as {
          succeeded: boolean;
        };
        if (!res.succeeded) throw new Error('unexpected conflict');
      },
      { concurrency, durationMs: ms, maxOps: 2_000_000 },
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
    log(`etcd ${etcd.clientUrl} (fsync on, revision auto-compaction, data ${etcd.dataDir})`);

    // ipamd and every client first, so that all of them are warm before anything is measured.
    ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
    const clients = createClients(ipamd.grpcAddress);
    const lean = new RawGrpcClient(ipamd.grpcAddress);
    const root = loadTypes(['netspan/v1/ipam.proto'], join(repoRoot, 'proto'));
    const AllocReq = root.lookupType('netspan.v1.AllocateRequest');
    const AllocRes = root.lookupType('netspan.v1.AllocateResponse');
    const create = (name: string, cidr: string) =>
      unary(clients.network, clients.network.CreateNetwork, { network: { name, cidr } });
    const allocGrpcJs = async (network: string, clientId: string) => {
      const r = await unary(
        clients.ipam,
        clients.ipam.Allocate,
        { network, clientId },
        { timeoutMs: 30_000 },
      );
      if (!r.lease?.address) throw new Error('reply without an address');
    };
    const allocLean = async (network: string, clientId: string) => {
      const body = await lean.unary(
        '/netspan.v1.IpamService/Allocate',
        AllocReq.encode({ network, client_id: clientId }).finish(),
      );
      const r = AllocRes.decode(body) as unknown as { lease?: { address?: string } };
      if (!r.lease?.address) throw new Error('reply without an address');
    };
    // AllocateStream: one gRPC stream, allocations in flight on it, answered by id.
    const stream = clients.ipam.AllocateStream();
    type StreamReply = {
      id: number;
      response?: { lease?: { address?: string } | null } | null;
      error?: { code: string } | null;
    };
    const streamWaiters = new Map<number, (m: StreamReply) => void>();
    let streamId = 1;
    stream.on('data', (m: StreamReply) => {
      const w = streamWaiters.get(Number(m.id));
      streamWaiters.delete(Number(m.id));
      w?.(m);
    });
    stream.on('error', () => {});
    const allocStream = (network: string, clientId: string) =>
      new Promise<void>((resolve, reject) => {
        const id = streamId++;
        streamWaiters.set(id, (m) => {
          if (m.error) reject(new Error(m.error.code));
          else if (!m.response?.lease?.address) reject(new Error('reply without an address'));
          else resolve();
        });
        stream.write({ id, request: { network, clientId } });
      });
    const allocators = { 'grpc-js': allocGrpcJs, lean: allocLean, 'grpc-js stream': allocStream } as const;
    let netIndex = 0;
    const freshNetwork = async (tag: string) => {
      const name = `${tag}-${netIndex}`;
      await create(name, `10.${16 + netIndex * 4}.0.0/14`);
      netIndex++;
      return name;
    };
    const warm = await freshNetwork('warm');
    const warmMs = Math.min(2000, durationMs);
    await etcdCeiling(etcd.endpoints, 64, warmMs);
    await etcdCeilingLean(etcd.clientUrl, 64, warmMs);
    await closedLoop((i) => allocGrpcJs(warm, `w${i}`), {
      concurrency: 64,
      durationMs: warmMs,
      maxOps: 20_000,
    });
    await closedLoop((i) => allocStream(warm, `ws${i}`), {
      concurrency: 64,
      durationMs: warmMs,
      maxOps: 20_000,
    });
    await closedLoop((i) => allocLean(warm, `wl${i}`), {
      concurrency: 64,
      durationMs: warmMs,
      maxOps: 20_000,
    });

    const measureAlloc = async (clientName: keyof typeof allocators, c: number) => {
      const net = await freshNetwork(`tput-${clientName.replace(/[^a-z0-9]+/g, '-')}-${c}`);
      const alloc = allocators[clientName];
      const cpu0 = cpuSeconds((ipamd as { pid: number }).pid);
      const r = await closedLoop((i) => alloc(net, `c${c}-${i}`), {
        concurrency: c,
        durationMs,
        maxOps: 1_000_000,
      });
      const ipamdCpu = (cpuSeconds((ipamd as { pid: number }).pid) - cpu0) / r.seconds;
      log(
        `ipamd allocate (${clientName} client) @${c} in flight: ${fmt(r.perSecond, 0)}/s p50 ${fmt(r.p50ms, 2)} ms` +
          ` p99 ${fmt(r.p99ms, 2)} ms errors ${r.errors} ipamd cpu ${fmt(ipamdCpu, 2)} cores${r.firstError ? ` (${r.firstError})` : ''}`,
      );
      return { ...r, ipamdCpu };
    };
    const logCeiling = (k: string, r: LoadResult) =>
      log(
        `etcd txn ceiling ${k}: ${fmt(r.perSecond, 0)}/s p50 ${fmt(r.p50ms, 2)} ms p99 ${fmt(r.p99ms, 2)} ms`,
      );

    // 1. Latency-bound levels, once each.
    const allocRes: Record<string, Array<LoadResult & { ipamdCpu: number }>> = {};
    const top = levels[levels.length - 1] as number;
    for (const c of levels.slice(0, -1)) {
      for (const name of ['grpc-js', 'lean', 'grpc-js stream'] as const) {
        allocRes[`${name}@${c}`] = [await measureAlloc(name, c)];
      }
    }
    // 2. The ratio: etcd's ceiling (plain create-if-absent transactions from Node, one per
    //    request, through the etcd3 client the service uses and through the lean client) and
    //    ipamd at the top level, interleaved over rounds so drift hits both; medians reported.
    const ceiling: Record<string, LoadResult[]> = { 'etcd3@64': [], 'etcd3@256': [], 'lean@256': [] };
    allocRes[`grpc-js@${top}`] = [];
    allocRes[`lean@${top}`] = [];
    allocRes[`grpc-js stream@${top}`] = [];
    for (let round = 0; round < rounds; round++) {
      log(`-- round ${round + 1} of ${rounds}`);
      for (const c of [64, 256]) {
        const r = await etcdCeiling(etcd.endpoints, c, durationMs);
        ceiling[`etcd3@${c}`]?.push(r);
        logCeiling(`etcd3@${c}`, r);
      }
      const l = await etcdCeilingLean(etcd.clientUrl, 256, durationMs);
      ceiling['lean@256']?.push(l);
      logCeiling('lean@256', l);
      for (const name of ['grpc-js', 'lean', 'grpc-js stream'] as const) {
        allocRes[`${name}@${top}`]?.push(await measureAlloc(name, top));
      }
    }
    const median = (xs: Array<{ perSecond: number }> | undefined) =>
      percentile(
        (xs ?? []).map((x) => x.perSecond),
        50,
      );
    const etcd3Ceiling = Math.max(median(ceiling['etcd3@64']), median(ceiling['etcd3@256']));
    const leanCeiling = median(ceiling['lean@256']);
    results.etcdCeiling = ceiling;
    results.allocate = allocRes;

    // 3. Latency on an empty /16 versus one filled to 60,000 leases, interleaved in rounds
    //    so drift and noise hit both alike; the figure is the median of the rounds' p99.
    await create('full16', '10.201.0.0/16');
    const t0 = performance.now();
    const fill = await closedLoop((i) => allocLean('full16', `f${i}`), {
      concurrency: 256,
      durationMs: 600_000,
      maxOps: fillTarget,
    });
    log(
      `filled full16 with ${fill.ops} leases in ${fmt((performance.now() - t0) / 1000)} s (${fmt(fill.perSecond, 0)}/s)`,
    );
    const probeRounds = 5;
    const perRound = Math.floor(Math.min(1000, (65533 - fill.ops) / probeRounds));
    const emptyP99: number[] = [];
    const fullP99: number[] = [];
    for (let k = 0; k < probeRounds; k++) {
      await create(`empty16-${k}`, `10.${210 + k}.0.0/16`);
      const e = await closedLoop((i) => allocLean(`empty16-${k}`, `p${k}-${i}`), {
        concurrency: 64,
        durationMs: 60_000,
        maxOps: perRound,
      });
      const f = await closedLoop((i) => allocLean('full16', `p${k}-${i}`), {
        concurrency: 64,
        durationMs: 60_000,
        maxOps: perRound,
      });
      emptyP99.push(e.p99ms);
      fullP99.push(f.p99ms);
    }
    const emptyMed = percentile(emptyP99, 50);
    const fullMed = percentile(fullP99, 50);
    const p99Ratio = fullMed / emptyMed;
    log(
      `allocation p99 @64 (median of ${probeRounds} rounds of ${perRound}): empty /16 ${fmt(emptyMed, 2)} ms;` +
        ` /16 holding ${fill.ops}+ leases ${fmt(fullMed, 2)} ms (×${fmt(p99Ratio, 2)}, target ≤ 1.5)`,
    );
    results.fillLatency = {
      filled: fill.ops,
      emptyP99,
      fullP99,
      emptyMedianP99: emptyMed,
      fullMedianP99: fullMed,
      p99Ratio,
    };

    // 4. RSS with 100,000 leases held in ipamd's views.
    const usage = await unary(clients.network, clients.network.GetNetworkUsage, {});
    const held = usage.networks.reduce((sum, u) => sum + u.leases, 0);
    if (held < rssTarget) {
      await create('rss', '10.202.0.0/15');
      await closedLoop((i) => allocLean('rss', `r${i}`), {
        concurrency: 256,
        durationMs: 600_000,
        maxOps: rssTarget - held,
      });
    }
    const after = await unary(clients.network, clients.network.GetNetworkUsage, {});
    const total = after.networks.reduce((sum, u) => sum + u.leases, 0);
    const rss = rssMb(ipamd.pid);
    log(`ipamd RSS holding ${total} leases: ${fmt(rss, 0)} MB`);
    results.rss = { leases: total, mb: rss };
    stream.end();
    clients.close();
    lean.close();

    const leanTop = median(allocRes[`lean@${top}`]);
    const streamTop = median(allocRes[`grpc-js stream@${top}`]);
    const grpcTop = median(allocRes[`grpc-js@${top}`]);
    const ratios = {
      streamVsEtcd3Ceiling: streamTop / etcd3Ceiling,
      leanVsEtcd3Ceiling: leanTop / etcd3Ceiling,
      grpcJsVsEtcd3Ceiling: grpcTop / etcd3Ceiling,
      leanVsLeanCeiling: leanTop / leanCeiling,
    };
    results.ratios = ratios;
    results.elapsedSeconds = (Date.now() - started) / 1000;
    const dir = join(repoRoot, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'alloc-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(
      `medians over ${rounds} rounds: etcd3 ceiling ${fmt(etcd3Ceiling, 0)}/s, lean-client etcd ceiling ${fmt(leanCeiling, 0)}/s,` +
        ` ipamd @${top}: AllocateStream ${fmt(streamTop, 0)}/s (grpc-js client); unary Allocate ${fmt(leanTop, 0)}/s (lean client), ${fmt(grpcTop, 0)}/s (grpc-js client)`,
    );
    log(
      `ratios @${top}: AllocateStream / etcd3 ceiling ${fmt(ratios.streamVsEtcd3Ceiling, 2)};` +
        ` unary, lean client / etcd3 ceiling ${fmt(ratios.leanVsEtcd3Ceiling, 2)};` +
        ` grpc-js client / etcd3 ceiling ${fmt(ratios.grpcJsVsEtcd3Ceiling, 2)};` +
        ` lean / lean-client etcd ceiling ${fmt(ratios.leanVsLeanCeiling, 2)}`,
    );
    log(`alloc ratio vs etcd txn ceiling: ${ratios.streamVsEtcd3Ceiling.toFixed(2)}`);
  } finally {
    await ipamd?.stop();
    await etcd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
