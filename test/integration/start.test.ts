import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type EtcdHandle,
  etcdHealthy,
  freePort,
  netspanctl,
  repoRoot,
  startEtcd,
  waitFor,
} from '../harness/index.js';

// `npm start` is `tsc -b && node scripts/start.mjs`; this suite runs the script itself, as a child.
//
// start.mjs keeps its state in <root>/.netspan, where <root> is the directory above the script as
// node sees it, and has no setting to move it. To leave a developer's .netspan alone, each test runs
// the script from a scratch directory whose scripts/ and services/ are symlinks into the repository:
// with --preserve-symlinks-main node keeps the symlinked path, so .netspan lands in the scratch
// directory, while ipamd (spawned by path, without that flag) resolves to the real build and its
// node_modules.

interface Run {
  /** The start.mjs process. */
  child: ChildProcess;
  output: () => string;
  /** "127.0.0.1:PORT" from the "up and running" banner. */
  api: string;
  etcdPid: number | undefined;
  ipamdPid: number;
}

const scratchDirs: string[] = [];
/** Processes a failed test may leave behind: [pid, a string its command line must contain]. */
const leftovers: Array<[number, string]> = [];

async function scratchRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'netspan-start-'));
  scratchDirs.push(dir);
  await symlink(path.join(repoRoot, 'scripts'), path.join(dir, 'scripts'));
  await symlink(path.join(repoRoot, 'services'), path.join(dir, 'services'));
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Parent pid from /proc/<pid>/stat (the field after the parenthesised command name). */
function ppid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The pid in ipamd's `{"msg":"ipamd ready",...}` log line, once it has been written. */
function readyPid(stdout: string): number | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"ipamd ready"')) continue;
    try {
      const rec = JSON.parse(line) as { msg?: unknown; pid?: unknown };
      if (rec.msg === 'ipamd ready' && typeof rec.pid === 'number') return rec.pid;
    } catch {
      // the line is still being written
    }
  }
  return undefined;
}

/** Runs `node scripts/start.mjs` from `root` and waits for its "up and running" banner. */
async function start(root: string, env: Record<string, string>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // ipamd's JSON log line gives its pid; a developer's pretty-print setting or endpoints must not leak in.
  for (const k of ['NETSPAN_LOG_FORMAT', 'NETSPAN_ETCD_ENDPOINTS', 'NETSPAN_GRPC_LISTEN', 'NETSPAN_CONFIG'])
    delete childEnv[k];
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['--preserve-symlinks-main', path.join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) leftovers.push([child.pid, 'start.mjs']);
  // Both streams, for failure messages; stdout alone for parsing, so a stderr chunk can never
  // land inside a JSON line.
  let out = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const output = () => out;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  // The banner comes once the API accepts connections, which can be a moment before ipamd logs
  // "ipamd ready" (with its pid): wait for both.
  let ipamdPid: number | undefined;
  await waitFor(
    () => {
      if (exited) throw new Error(`start.mjs exited (code ${child.exitCode})`);
      ipamdPid ??= readyPid(stdout);
      return ipamdPid !== undefined && stdout.includes('[netspan] up and running');
    },
    {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'the "up and running" banner and the "ipamd ready" log line',
    },
  ).catch((err: unknown) => {
    child.kill('SIGINT');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- start.mjs output ---\n${out}`);
  });
  assert.ok(ipamdPid);

  const api = /^ {2}gRPC API {3}(\S+)$/m.exec(stdout)?.[1];
  assert.ok(api, `no "gRPC API" line in:\n${out}`);
  const etcdMatch = /etcd is healthy \(pid (\d+),/.exec(stdout);
  const etcdPid = etcdMatch ? Number(etcdMatch[1]) : undefined;
  // Both really are this script's children, not a stray process that happens to match.
  assert.equal(ppid(ipamdPid), child.pid);
  leftovers.push([ipamdPid, 'ipamd']);
  if (etcdPid !== undefined) {
    assert.equal(ppid(etcdPid), child.pid);
    leftovers.push([etcdPid, 'etcd']);
  }
  return { child, output, api, etcdPid, ipamdPid };
}

/** SIGINT (Ctrl-C) the script by pid; asserts it exits 0 and its children are gone. */
async function stop(run: Run): Promise<void> {
  const pid = run.child.pid as number;
  process.kill(pid, 'SIGINT');
  const { code, signal } = await exitOf(run.child);
  assert.equal(signal, null, run.output());
  assert.equal(code, 0, run.output());
  assert.match(run.output(), /\[netspan\] SIGINT: stopping ipamd/);
  assert.equal(alive(run.ipamdPid), false, `ipamd (pid ${run.ipamdPid}) outlived start.mjs`);
  if (run.etcdPid !== undefined) {
    assert.equal(alive(run.etcdPid), false, `etcd (pid ${run.etcdPid}) outlived start.mjs`);
  }
}

interface Ctl {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ctl(args: string[]): Promise<Ctl> {
  return netspanctl(args);
}

async function ok(args: string[]): Promise<string> {
  const r = await ctl(args);
  assert.equal(r.code, 0, `netspanctl ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

after(async () => {
  // Only after a failure is anything left; kill by pid, and only a process that is still ours.
  for (const [pid, name] of leftovers) {
    if (alive(pid) && cmdline(pid).includes(name)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
});

describe('scripts/start.mjs (npm start)', () => {
  it('starts a local etcd and ipamd, stops both on SIGINT, and keeps the leases for the next start', async () => {
    const root = await scratchRoot();
    const port = await freePort();
    const env = { NETSPAN_GRPC_LISTEN: `127.0.0.1:${port}` };

    const one = await start(root, env);
    assert.equal(one.api, `127.0.0.1:${port}`);
    assert.ok(one.etcdPid, `no local etcd was started:\n${one.output()}`);
    assert.ok(
      cmdline(one.etcdPid).includes(path.join(root, '.netspan/etcd')),
      'etcd data is not in the scratch root',
    );
    assert.ok(existsSync(path.join(root, '.netspan/etcd/member')));
    assert.ok(existsSync(path.join(root, '.netspan/etcd.pid')));
    assert.match(
      one.output(),
      new RegExp(`try {8}npx netspanctl --server 127\\.0\\.0\\.1:${port} network list`),
    );

    await ok(['--server', one.api, 'network', 'create', 'keep', '--cidr', '10.99.0.0/24']);
    const first = JSON.parse(
      await ok(['--server', one.api, 'lease', 'allocate', 'keep', '--client-id', 'survivor', '-o', 'json']),
    ) as { lease: { address: string }; created: boolean };
    assert.equal(first.created, true);

    await stop(one);
    assert.equal(existsSync(path.join(root, '.netspan/etcd.pid')), false, 'etcd.pid was left behind');

    const two = await start(root, env);
    assert.match(two.output(), /data in \.netspan\/etcd \(existing data\)/);
    const got = JSON.parse(
      await ok(['--server', two.api, 'lease', 'get', 'keep', '--client-id', 'survivor', '-o', 'json']),
    ) as {
      lease: { address: string };
    };
    assert.equal(got.lease.address, first.lease.address);
    const again = JSON.parse(
      await ok(['--server', two.api, 'lease', 'allocate', 'keep', '--client-id', 'survivor', '-o', 'json']),
    ) as { lease: { address: string }; created: boolean };
    assert.equal(again.created, false);
    assert.equal(again.lease.address, first.lease.address);
    await stop(two);
  });

  describe('with NETSPAN_ETCD_ENDPOINTS', () => {
    let etcd: EtcdHandle;
    before(async () => {
      etcd = await startEtcd({ name: 'start-external' });
    });
    after(async () => {
      await etcd?.stop();
    });

    it('uses that etcd, starts none of its own, and leaves it running on SIGINT', async () => {
      const root = await scratchRoot();
      const port = await freePort();
      const env = { NETSPAN_GRPC_LISTEN: `127.0.0.1:${port}`, NETSPAN_ETCD_ENDPOINTS: etcd.clientUrl };

      const one = await start(root, env);
      assert.equal(one.etcdPid, undefined, one.output());
      assert.doesNotMatch(one.output(), /starting etcd/);
      assert.match(one.output(), /using etcd at http:\/\/127\.0\.0\.1:\d+ \(from NETSPAN_ETCD_ENDPOINTS\)/);
      assert.equal(existsSync(path.join(root, '.netspan')), false, 'an external etcd needs no .netspan');

      await ok(['--server', one.api, 'network', 'create', 'ext', '--cidr', '10.98.0.0/24']);
      const first = JSON.parse(
        await ok(['--server', one.api, 'lease', 'allocate', 'ext', '--client-id', 'survivor', '-o', 'json']),
      ) as { lease: { address: string } };

      await stop(one);
      assert.equal(await etcdHealthy(etcd.clientUrl), true, 'start.mjs stopped an etcd it does not own');

      const two = await start(root, env);
      const got = JSON.parse(
        await ok(['--server', two.api, 'lease', 'get', 'ext', '--client-id', 'survivor', '-o', 'json']),
      ) as {
        lease: { address: string };
      };
      assert.equal(got.lease.address, first.lease.address);
      await stop(two);
    });
  });
});
