#!/usr/bin/env node
// One-command local start: `npm start` (builds, then runs this).
//
// Starts a single-member etcd on 127.0.0.1 (data kept in .netspan/etcd, so leases survive restarts)
// unless NETSPAN_ETCD_ENDPOINTS points at an existing cluster, then runs ipamd against it in the
// foreground. Ctrl-C stops ipamd first, then etcd.
//
// Environment:
//   NETSPAN_ETCD_ENDPOINTS  comma-separated etcd client URLs to use instead of a local etcd
//   NETSPAN_GRPC_LISTEN     ipamd's gRPC listen address (default 127.0.0.1:7700)
//   NETSPAN_LOG_FORMAT      passed to ipamd; defaults to "pretty" when stdout is a terminal
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = path.join(root, '.netspan');
const etcdDataDir = path.join(stateDir, 'etcd');
const etcdLog = path.join(stateDir, 'etcd.log');
const etcdPidFile = path.join(stateDir, 'etcd.pid');
const ipamdMain = path.join(root, 'services/ipamd/dist/main.js');
const rel = (p) => path.relative(process.cwd(), p) || '.';

const say = (msg) => console.log(`[netspan] ${msg}`);
const fail = (msg, code = 1) => {
  console.error(`[netspan] ${msg}`);
  process.exit(code);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @type {import('node:child_process').ChildProcess | undefined} */
let etcd;
/** @type {import('node:child_process').ChildProcess | undefined} */
let ipamd;
let shuttingDown = false;

// Whatever happens to this script (uncaught error included), don't leave children behind.
process.on('exit', () => {
  for (const c of [ipamd, etcd]) {
    if (c?.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {}
    }
  }
});

// ---------- helpers ----------

function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findEtcd() {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const p = path.join(d, 'etcd');
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function portFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function pickPort(preferred, avoid) {
  if (preferred !== avoid && (await portFree(preferred))) return preferred;
  for (;;) {
    const p = await freePort();
    if (p !== avoid) return p;
  }
}

function etcdHealthy(clientUrl) {
  return new Promise((resolve) => {
    const req = http.get(`${clientUrl}/health`, { timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && JSON.parse(body).health === 'true');
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function canConnect(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

/** "127.0.0.1:7700" / "[::1]:7700" / ":7700" -> { host, port } */
function splitHostPort(addr) {
  const i = addr.lastIndexOf(':');
  if (i < 0) return undefined;
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { host, port };
}

/** Byte offset in etcd.log where this run's output starts. */
let etcdLogStart = 0;

function tailOf(file, n, from = 0) {
  try {
    return readFileSync(file).subarray(from).toString('utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

function alive(c) {
  return c !== undefined && c.exitCode === null && c.signalCode === null;
}

function waitExit(c, ms) {
  if (!alive(c)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    c.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** SIGTERM, wait up to `ms`, then SIGKILL. */
async function terminate(c, name, ms = 15_000) {
  if (!alive(c)) return;
  c.kill('SIGTERM');
  if (!(await waitExit(c, ms))) {
    say(`${name} did not exit within ${ms / 1000}s of SIGTERM; killing it`);
    c.kill('SIGKILL');
    await waitExit(c, 5000);
  }
}

// ---------- etcd ----------

function ensureEtcdInstalled() {
  const found = findEtcd();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) fail('etcd is not installed. Install it with: sudo apt-get install etcd-server');
  if (!existsSync('/usr/bin/apt-get')) {
    fail('etcd is not installed. Install etcd 3.4+ and put it on PATH, or set NETSPAN_ETCD_ENDPOINTS.');
  }
  say('etcd is not installed; installing the Debian package etcd-server:');
  say('  apt-get update && apt-get install -y etcd-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'etcd-server']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  return findEtcd() ?? fail('etcd-server was installed but no etcd binary was found on PATH');
}

/** An etcd left over from an earlier run (or another `npm start` still running) that holds our data dir. */
function runningEtcdPid() {
  let pid;
  try {
    pid = Number(readFileSync(etcdPidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(etcdDataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function startLocalEtcd() {
  const bin = ensureEtcdInstalled();
  mkdirSync(stateDir, { recursive: true });
  const reused = existsSync(path.join(etcdDataDir, 'member'));
  mkdirSync(etcdDataDir, { recursive: true, mode: 0o700 });

  const stale = runningEtcdPid();
  if (stale !== undefined) {
    fail(
      `an etcd using ${rel(etcdDataDir)} is already running (pid ${stale}): another \`npm start\`, or one left ` +
        `behind by a run that was killed. Stop it with \`kill ${stale}\` and try again.`,
    );
  }

  const clientPort = await pickPort(2379);
  const peerPort = await pickPort(2380, clientPort);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const name = 'netspan';
  const args = [
    `--name=${name}`,
    `--data-dir=${etcdDataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--initial-cluster-state=new',
    '--auto-compaction-mode=periodic',
    '--auto-compaction-retention=5m',
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
  ];
  // etcd refuses to start when an ETCD_* variable shadows a flag we pass.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_') || k === 'ETCD_UNSUPPORTED_ARCH'),
  );
  if (process.arch === 'arm64' && env.ETCD_UNSUPPORTED_ARCH === undefined)
    env.ETCD_UNSUPPORTED_ARCH = 'arm64';

  const logFd = openSync(etcdLog, 'a');
  etcdLogStart = fstatSync(logFd).size;
  writeSync(logFd, `--- ${new Date().toISOString()} npm start: ${bin} ${args.join(' ')}\n`);
  say(
    `starting etcd (${bin}) on ${clientUrl}, data in ${rel(etcdDataDir)}${reused ? ' (existing data)' : ''}`,
  );
  // detached: its own process group, so Ctrl-C reaches only this script, which then stops ipamd
  // before etcd.
  etcd = spawn(bin, args, { stdio: ['ignore', logFd, logFd], env, detached: true });
  closeSync(logFd);
  await new Promise((resolve, reject) => {
    etcd.once('spawn', resolve);
    etcd.once('error', reject);
  }).catch((err) => fail(`could not start etcd: ${err.message}`));
  writeFileSync(etcdPidFile, `${etcd.pid}\n`);

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive(etcd)) {
      rmSync(etcdPidFile, { force: true });
      fail(
        `etcd exited during startup (code ${etcd.exitCode}, signal ${etcd.signalCode}). ` +
          `Last lines of ${rel(etcdLog)}:\n${tailOf(etcdLog, 25, etcdLogStart)}`,
      );
    }
    if (await etcdHealthy(clientUrl)) break;
    if (Date.now() > deadline) {
      await terminate(etcd, 'etcd', 5000);
      rmSync(etcdPidFile, { force: true });
      fail(
        `etcd was not healthy after 30s. Last lines of ${rel(etcdLog)}:\n${tailOf(etcdLog, 25, etcdLogStart)}`,
      );
    }
    await sleep(100);
  }
  say(`etcd is healthy (pid ${etcd.pid}, log ${rel(etcdLog)})`);
  return clientUrl;
}

// ---------- shutdown ----------

async function shutdown(reason, code) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (reason) say(reason);
  await terminate(ipamd, 'ipamd');
  await terminate(etcd, 'etcd');
  if (etcd !== undefined) rmSync(etcdPidFile, { force: true });
  process.exit(code);
}

let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    signals++;
    if (signals === 1) {
      const what = etcd ? 'ipamd, then etcd' : 'ipamd';
      void shutdown(`${sig}: stopping ${what} (press Ctrl-C again to kill at once)`, 0);
    } else {
      say('killing ipamd and etcd');
      for (const c of [ipamd, etcd]) if (alive(c)) c.kill('SIGKILL');
      if (etcd !== undefined) rmSync(etcdPidFile, { force: true });
      process.exit(130);
    }
  });
}

// ---------- main ----------

if (!existsSync(ipamdMain)) {
  fail(
    `ipamd is not built (${rel(ipamdMain)} is missing). Run \`npm start\`, which builds first, or \`npm run build\`.`,
  );
}

const grpcListen = process.env.NETSPAN_GRPC_LISTEN || '127.0.0.1:7700';
const grpc = splitHostPort(grpcListen);
if (grpc === undefined) fail(`NETSPAN_GRPC_LISTEN=${grpcListen} is not HOST:PORT`);
const connectHost = ['', '0.0.0.0', '::'].includes(grpc.host) ? '127.0.0.1' : grpc.host;
const apiAddress = `${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${grpc.port}`;
if (grpc.port !== 0 && !(await portFree(grpc.port, grpc.host || '0.0.0.0'))) {
  fail(
    `${grpcListen} is already in use (is another \`npm start\` running?). ` +
      'Stop it, or choose another address: NETSPAN_GRPC_LISTEN=127.0.0.1:7701 npm start',
  );
}

let endpoints;
if (process.env.NETSPAN_ETCD_ENDPOINTS) {
  endpoints = process.env.NETSPAN_ETCD_ENDPOINTS;
  say(`using etcd at ${endpoints} (from NETSPAN_ETCD_ENDPOINTS)`);
} else {
  endpoints = await startLocalEtcd();
}

etcd?.once('exit', (code, sig) => {
  if (shuttingDown) return;
  void shutdown(
    `etcd exited unexpectedly (code ${code}, signal ${sig}); stopping ipamd. Last lines of ${rel(etcdLog)}:\n` +
      tailOf(etcdLog, 15, etcdLogStart),
    1,
  );
});

const ipamdEnv = { ...process.env };
if (process.stdout.isTTY && !ipamdEnv.NETSPAN_LOG_FORMAT) ipamdEnv.NETSPAN_LOG_FORMAT = 'pretty';
const ipamdArgs = [ipamdMain, '--etcd-endpoints', endpoints, '--grpc-listen', grpcListen];
say(`starting ipamd: node ${rel(ipamdMain)} ${ipamdArgs.slice(1).join(' ')}`);
ipamd = spawn(process.execPath, ipamdArgs, {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: ipamdEnv,
  detached: true,
});
ipamd.once('error', (err) => void shutdown(`could not start ipamd: ${err.message}`, 1));
ipamd.once('exit', (code, sig) => {
  if (shuttingDown) return;
  void shutdown(`ipamd exited unexpectedly (code ${code}, signal ${sig}); stopping etcd`, code || 1);
});

// ipamd logs its own readiness; tell the newcomer where things are once its API accepts connections.
if (grpc.port !== 0) {
  const deadline = Date.now() + 60_000;
  let up = false;
  while (!shuttingDown && alive(ipamd) && Date.now() < deadline) {
    if (await canConnect(connectHost, grpc.port)) {
      up = true;
      break;
    }
    await sleep(200);
  }
  if (up && !shuttingDown) {
    const etcdWhere = etcd
      ? `${endpoints}  (data ${rel(etcdDataDir)}, log ${rel(etcdLog)})`
      : `${endpoints}  (NETSPAN_ETCD_ENDPOINTS)`;
    console.log(
      [
        '',
        '[netspan] up and running',
        `  etcd       ${etcdWhere}`,
        `  gRPC API   ${apiAddress}`,
        `  try        npx netspanctl --server ${apiAddress} network list`,
        '  stop       Ctrl-C',
        '',
      ].join('\n'),
    );
  } else if (!up && !shuttingDown && alive(ipamd)) {
    say(`ipamd has not opened ${apiAddress} after 60s; see its log above`);
  }
}
