import { readFileSync } from 'node:fs';

/** Percentile of an unsorted sample (nearest rank). */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = Float64Array.from(sample).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface LoadResult {
  ops: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  firstError?: string;
}

/**
 * Runs `op` with `concurrency` in flight until `durationMs` passes or `maxOps` start
 * (both bounds always apply, so every loop stops by itself).
 */
export async function closedLoop(
  op: (i: number) => Promise<unknown>,
  opts: { concurrency: number; durationMs: number; maxOps: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const worker = async () => {
    while (started < opts.maxOps && performance.now() < deadline) {
      const i = started++;
      const s = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - s);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return {
    ops: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    ...(firstError ? { firstError } : {}),
  };
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** CPU seconds (user+system) a process has used so far, from /proc; 0 without a pid or once it is gone. */
export function cpuSeconds(pid: number | undefined, opts: { mainThread?: boolean } = {}): number {
  if (pid === undefined) return 0;
  let stat: string;
  try {
    // The main thread's own figure is its task's (its tid is the pid); the process's sums all threads.
    stat = readFileSync(opts.mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
