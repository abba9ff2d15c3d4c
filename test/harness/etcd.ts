import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './ports.js';
import { atExit, hasExited, LineRing, signal, track, waitExit } from './procs.js';

export interface EtcdOptions {
  /** Data directory to use (kept on stop). Default: a fresh temp dir, removed on stop(). */
  dataDir?: string;
  /** Member name. Default: 'netspan-test'. */
  name?: string;
  /** Extra etcd command-line arguments. */
  extraArgs?: string[];
  /** etcd binary. Default: $NETSPAN_ETCD_BIN or 'etcd' on PATH. */
  bin?: string;
  /** How long to wait for /health. Default 15 s. */
  healthTimeoutMs?: number;
  /**
   * Serve clients over TLS with this server certificate and require client certificates signed
   * by `ca` (file paths). The health check presents `clientCert`/`clientKey`.
   */
  tls?: { ca: string; cert: string; key: string; clientCert: string; clientKey: string };
}

export interface EtcdHandle {
  /** ['http://127.0.0.1:PORT'] */
  endpoints: string[];
  clientUrl: string;
  peerUrl: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  /** pid of the current etcd process (changes on restart). */
  readonly pid: number;
  /** SIGTERM, wait for exit, then remove the data dir if the harness created it. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit; keeps the data. */
  kill(): Promise<void>;
  /** Start again on the same ports and data dir and wait until healthy (stops it first if running). */
  restart(): Promise<void>;
  /** SIGSTOP: etcd stops answering but keeps its sockets. */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** Last lines etcd wrote (stderr and stdout). */
  logs(): string[];
}

const HOST = '127.0.0.1';

/** True when /proc says the process is stopped (state T), e.g. after SIGSTOP. */
function isStopped(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return true; // gone: nothing will answer either
  }
}

/** GET url; resolves with status and body, rejects on connection errors or after timeoutMs. */
export function httpGet(
  url: string,
  timeoutMs = 1000,
  tls?: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: timeoutMs, ...(tls ?? {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** POST a JSON body; resolves with status and parsed JSON (or raw text if it isn't JSON). */
export function httpPostJson(
  url: string,
  body: unknown,
  timeoutMs = 5000,
): Promise<{ status: number; json: unknown; body: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, body: text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** True if GET <clientUrl>/health answers {"health":"true"}. Never throws. */
export async function etcdHealthy(
  clientUrl: string,
  tls?: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<boolean> {
  try {
    const { status, body } = await httpGet(`${clientUrl}/health`, 1000, tls);
    if (status !== 200) return false;
    const parsed = JSON.parse(body) as { health?: unknown };
    return parsed.health === 'true';
  } catch {
    return false;
  }
}

function childEnv(): NodeJS.ProcessEnv {
  // etcd 3.4 refuses to start when an ETCD_* variable shadows a flag we pass; keep only the ones
  // that cannot conflict.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ETCD_') || k === 'ETCD_UNSUPPORTED_ARCH') env[k] = v;
  }
  return env;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Config {
  bin: string;
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  extraArgs: string[];
  healthTimeoutMs: number;
  tls: EtcdOptions['tls'];
}

const schemeOf = (c: Config) => (c.tls ? 'https' : 'http');

function etcdArgs(c: Config): string[] {
  const clientUrl = `${schemeOf(c)}://${HOST}:${c.clientPort}`;
  const peerUrl = `http://${HOST}:${c.peerPort}`;
  return [
    `--name=${c.name}`,
    `--data-dir=${c.dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${c.name}=${peerUrl}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=netspan-test-${c.clientPort}`,
    '--auto-compaction-mode=revision',
    '--auto-compaction-retention=1000',
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
    ...(c.tls
      ? [
          `--cert-file=${c.tls.cert}`,
          `--key-file=${c.tls.key}`,
          `--trusted-ca-file=${c.tls.ca}`,
          '--client-cert-auth',
        ]
      : []),
    ...c.extraArgs,
  ];
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

/** Spawn etcd with `c` and wait for /health; on failure the process is killed and a StartError thrown. */
async function launch(c: Config, ring: LineRing): Promise<ChildProcess> {
  const child = spawn(c.bin, etcdArgs(c), { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  child.stdout?.on('data', (d: Buffer) => ring.push(d));
  child.stderr?.on('data', (d: Buffer) => ring.push(d));
  child.stdout?.on('end', () => ring.end());
  child.stderr?.on('end', () => ring.end());
  if (child.pid !== undefined) track(child);

  const clientUrl = `${schemeOf(c)}://${HOST}:${c.clientPort}`;
  const healthTls = c.tls
    ? { ca: readFileSync(c.tls.ca), cert: readFileSync(c.tls.clientCert), key: readFileSync(c.tls.clientKey) }
    : undefined;
  const deadline = Date.now() + c.healthTimeoutMs;
  const fail = async (why: string): Promise<never> => {
    signal(child, 'SIGKILL');
    await waitExit(child);
    const all = ring.tail();
    const tailLines = all.slice(-40);
    // Errors scrolled out of the tail (e.g. above a long usage text) are worth repeating.
    const earlier = all
      .slice(0, -40)
      .filter((l) => /flag provided|error|fatal|panic/i.test(l))
      .slice(-10);
    const tail = [...earlier, ...(earlier.length > 0 ? ['...'] : []), ...tailLines].join('\n');
    throw new StartError(
      `etcd (${c.bin}, client ${clientUrl}, data ${c.dataDir}) ${why}\n--- etcd output (tail) ---\n${tail}`,
      /address already in use/i.test(tail),
    );
  };

  for (;;) {
    if (spawnError !== undefined) {
      // spawn failed (e.g. ENOENT); there is no process to wait for.
      throw new StartError(`could not start etcd (${c.bin}): ${spawnError.message}`, false);
    }
    if (hasExited(child)) {
      return fail(`exited before becoming healthy (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await etcdHealthy(clientUrl, healthTls)) return child;
    if (Date.now() > deadline) return fail(`was not healthy after ${c.healthTimeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Start a real single-member etcd on free loopback ports and wait until GET /health answers
 * {"health":"true"}. The process is SIGKILLed if the test process exits first.
 */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdHandle> {
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'netspan-etcd-')));
  // A crashed or interrupted test run must not litter the temp dir with etcd data dirs.
  const cancelDirCleanup = ownsDir
    ? atExit(() => rmSync(dataDir, { recursive: true, force: true }))
    : () => {};
  const ring = new LineRing(200);
  const base = {
    bin: opts.bin ?? process.env.NETSPAN_ETCD_BIN ?? 'etcd',
    name: opts.name ?? 'netspan-test',
    dataDir,
    extraArgs: opts.extraArgs ?? [],
    healthTimeoutMs: opts.healthTimeoutMs ?? 15_000,
    tls: opts.tls,
  };

  let config: Config | undefined;
  let child: ChildProcess | undefined;
  // Free ports can be taken between probing and etcd's bind; retry with fresh ones in that case.
  for (let attempt = 1; child === undefined; attempt++) {
    const [clientPort, peerPort] = (await freePorts(2, HOST)) as [number, number];
    config = { ...base, clientPort, peerPort };
    try {
      child = await launch(config, ring);
    } catch (err) {
      // Only retry in a dir we own: wiping a half-initialised member dir is safe there, and
      // only there.
      const retry = ownsDir && err instanceof StartError && err.addressInUse && attempt < 3;
      if (!retry) {
        if (ownsDir) await rm(dataDir, { recursive: true, force: true });
        cancelDirCleanup();
        throw err;
      }
      await rm(path.join(dataDir, 'member'), { recursive: true, force: true });
    }
  }
  const cfg = config as Config;
  let current: ChildProcess = child;
  const clientUrl = `${schemeOf(cfg)}://${HOST}:${cfg.clientPort}`;

  const handle: EtcdHandle = {
    endpoints: [clientUrl],
    clientUrl,
    peerUrl: `http://${HOST}:${cfg.peerPort}`,
    clientPort: cfg.clientPort,
    peerPort: cfg.peerPort,
    dataDir,
    get pid(): number {
      return current.pid ?? -1;
    },
    async stop() {
      signal(current, 'SIGCONT'); // a paused etcd would never act on SIGTERM
      signal(current, 'SIGTERM');
      await waitExit(current);
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
      cancelDirCleanup();
    },
    async kill() {
      signal(current, 'SIGKILL');
      await waitExit(current);
    },
    async restart() {
      if (!hasExited(current)) {
        signal(current, 'SIGCONT');
        signal(current, 'SIGTERM');
        await waitExit(current);
      }
      current = await launch(cfg, ring);
    },
    pause() {
      signal(current, 'SIGSTOP');
      // SIGSTOP is delivered asynchronously: wait (bounded) until the kernel reports the
      // process stopped, so that a request sent right after pause() cannot be answered.
      const deadline = Date.now() + 2000;
      const nap = new Int32Array(new SharedArrayBuffer(4));
      while (Date.now() < deadline && !isStopped(current.pid)) Atomics.wait(nap, 0, 0, 2);
    },
    resume() {
      signal(current, 'SIGCONT');
    },
    logs() {
      return ring.tail();
    },
  };
  return handle;
}
