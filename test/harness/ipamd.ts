import { type ChildProcess, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineRing, signal, track, waitExit, waitExitFor } from './procs.js';

/** Repository root: this file is test/dist/harness/ipamd.js, so three levels up. */
export const repoRoot: string =
  process.env.NETSPAN_REPO_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface IpamdOptions {
  etcdEndpoints: string[];
  /** Extra command-line arguments, appended after the defaults (so they can override them). */
  args?: string[];
  /** Options for node itself, before main.js (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Extra environment variables (merged over the test process's environment). */
  env?: Record<string, string>;
  /** Path to ipamd's main.js. Default: <repo>/services/ipamd/dist/main.js. */
  main?: string;
  /** How long to wait for the "ipamd ready" line. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface IpamdHandle {
  /** "127.0.0.1:PORT", the bound gRPC address from the ready line. */
  grpcAddress: string;
  pid: number;
  /** The parsed "ipamd ready" log record (may carry other bound addresses, e.g. dns/dhcp). */
  ready: Record<string, unknown>;
  /** SIGTERM, wait up to 10 s, then SIGKILL; resolves with the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Last 200 lines of stdout+stderr. */
  logs(): string[];
  /** Parsed JSON log records among logs() (non-JSON lines are skipped). */
  records(): Record<string, unknown>[];
  /**
   * Resolves with the first log record (already seen or future) for which `pred` is true;
   * rejects after timeoutMs (default 10 s) or if ipamd exits first.
   */
  waitForLog(
    pred: (rec: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function waitForRecord(
  child: ChildProcess,
  closed: Promise<void>,
  ring: LineRing,
  pred: (rec: Record<string, unknown>) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Record<string, unknown>> {
  for (const line of ring.tail()) {
    const rec = parseRecord(line);
    if (rec !== undefined && pred(rec)) return Promise.resolve(rec);
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const cleanup = (): void => {
      done = true;
      clearTimeout(timer);
      off();
    };
    const failWith = (why: string): void => {
      if (done) return;
      cleanup();
      reject(
        new Error(
          `ipamd (pid ${child.pid}) ${why} while waiting for ${what}\n--- ipamd output (last 30 lines) ---\n${ring.tail(30).join('\n')}`,
        ),
      );
    };
    const off = ring.onLine((line) => {
      const rec = parseRecord(line);
      if (!done && rec !== undefined && pred(rec)) {
        cleanup();
        resolve(rec);
      }
    });
    const timer = setTimeout(() => failWith(`timed out after ${timeoutMs} ms`), timeoutMs);
    // 'close' comes after the pipes have drained, so the tail holds the process's last words.
    void closed.then(() => failWith(`exited (code ${child.exitCode}, signal ${child.signalCode})`));
  });
}

/**
 * Spawn `node services/ipamd/dist/main.js --etcd-endpoints ... --grpc-listen 127.0.0.1:0 --log-level info`
 * and wait for its `{"msg":"ipamd ready","grpc":"127.0.0.1:PORT"}` log line.
 */
export async function startIpamd(opts: IpamdOptions): Promise<IpamdHandle> {
  const main = opts.main ?? path.join(repoRoot, 'services/ipamd/dist/main.js');
  const args = [
    ...(opts.nodeArgs ?? []),
    main,
    '--etcd-endpoints',
    opts.etcdEndpoints.join(','),
    '--grpc-listen',
    '127.0.0.1:0',
    '--log-level',
    'info',
    ...(opts.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The harness parses JSON log lines; don't let a developer's pretty-print setting leak in.
  delete env.NETSPAN_LOG_FORMAT;
  Object.assign(env, opts.env ?? {});

  try {
    await access(main);
  } catch {
    throw new Error(`ipamd is not built: ${main} does not exist (run \`npx tsc -b\` from the repo root)`);
  }

  const ring = new LineRing(200);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: repoRoot });
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
    ring.push(`[harness] spawn error: ${err.message}\n`);
  });
  child.stdout?.on('data', (d: Buffer) => ring.push(d));
  child.stderr?.on('data', (d: Buffer) => ring.push(d));
  child.stdout?.on('end', () => ring.end());
  child.stderr?.on('end', () => ring.end());
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid === undefined) {
    await new Promise((r) => setImmediate(r));
    throw new Error(`could not spawn ipamd (${main}): ${spawnError?.message ?? 'unknown error'}`);
  }
  track(child);
  const pid = child.pid;

  let ready: Record<string, unknown>;
  try {
    ready = await waitForRecord(
      child,
      closed,
      ring,
      (rec) => rec.msg === 'ipamd ready',
      opts.readyTimeoutMs ?? 20_000,
      'the "ipamd ready" log line',
    );
  } catch (err) {
    signal(child, 'SIGKILL');
    await waitExit(child);
    throw err;
  }
  const grpc = ready.grpc;
  if (typeof grpc !== 'string' || !/^[^:]+:\d+$|^\[.*\]:\d+$/.test(grpc) || grpc.endsWith(':0')) {
    signal(child, 'SIGKILL');
    await waitExit(child);
    throw new Error(`ipamd ready line has no usable "grpc" address: ${JSON.stringify(ready)}`);
  }

  return {
    grpcAddress: grpc,
    pid,
    ready,
    async stop() {
      signal(child, 'SIGTERM');
      if (!(await waitExitFor(child, 10_000))) signal(child, 'SIGKILL');
      const { code } = await waitExit(child);
      return code;
    },
    async kill() {
      signal(child, 'SIGKILL');
      await waitExit(child);
    },
    logs() {
      return ring.tail();
    },
    records() {
      const out: Record<string, unknown>[] = [];
      for (const line of ring.tail()) {
        const rec = parseRecord(line);
        if (rec !== undefined) out.push(rec);
      }
      return out;
    },
    waitForLog(pred, timeoutMs = 10_000) {
      return waitForRecord(child, closed, ring, pred, timeoutMs, 'a matching log line');
    },
    exited() {
      return waitExit(child);
    },
  };
}
