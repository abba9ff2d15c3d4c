/**
 * docker/guest.sh, the compose file's guest, without Docker: run in a namespace standing in for
 * a host container (a bridge `nsbr100` and busybox udhcpd on it, in place of the agent and
 * ipamd), it must make its own namespace, plug a veth into the bridge, get an address and MTU
 * over DHCP through docker/udhcpc.script, answer `guest.sh exec`, and leave nothing behind when
 * it stops. Everything stays inside the namespace, which is removed afterwards.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, waitFor } from '../harness/index.js';

const run = promisify(execFile);
const ns = `cg${randomBytes(4).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'netspan-compose-guest-'));
const guestEnv = {
  ...process.env,
  GUEST_NAME: 'gtest',
  GUEST_BRIDGE: 'nsbr100',
  GUEST_WAIT: '10',
  GUEST_PIDFILE: join(work, 'guest.pid'),
  GUEST_DHCP_SCRIPT: join(repoRoot, 'docker/udhcpc.script'),
};
const inNs = (...args: string[]) => run('ip', ['netns', 'exec', ns, ...args], { env: guestEnv });
let udhcpd: ChildProcess | undefined;
let guest: ChildProcess | undefined;
let guestLog = '';

before(async () => {
  await run('ip', ['netns', 'add', ns]);
  await inNs('ip', 'link', 'set', 'lo', 'up');
  await inNs('ip', 'link', 'add', 'nsbr100', 'type', 'bridge');
  await inNs('ip', 'addr', 'add', '10.100.0.1/24', 'dev', 'nsbr100');
  await inNs('ip', 'link', 'set', 'nsbr100', 'up');
  const conf = join(work, 'udhcpd.conf');
  writeFileSync(join(work, 'leases'), '');
  writeFileSync(
    conf,
    [
      'start 10.100.0.50',
      'end 10.100.0.60',
      'interface nsbr100',
      `lease_file ${join(work, 'leases')}`,
      `pidfile ${join(work, 'udhcpd.pid')}`,
      'option subnet 255.255.255.0',
      'option router 10.100.0.1',
      'option mtu 1450',
      '',
    ].join('\n'),
  );
  udhcpd = spawn('ip', ['netns', 'exec', ns, 'busybox', 'udhcpd', '-f', conf], { stdio: 'ignore' });
});

after(async () => {
  for (const child of [guest, udhcpd]) {
    if (child?.pid && child.exitCode === null) child.kill('SIGTERM');
  }
  await waitFor(() => [guest, udhcpd].every((c) => !c || c.exitCode !== null || c.signalCode !== null), {
    what: 'guest and udhcpd to exit',
    timeoutMs: 5000,
  }).catch(() => {
    for (const c of [guest, udhcpd]) if (c?.pid && c.exitCode === null) c.kill('SIGKILL');
  });
  guest?.stdout?.destroy();
  guest?.stderr?.destroy();
  await run('ip', ['netns', 'del', ns]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

it('gets an address through the bridge in a namespace of its own, and cleans up after itself', async () => {
  guest = spawn('ip', ['netns', 'exec', ns, 'sh', join(repoRoot, 'docker/guest.sh')], {
    env: guestEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the guest leaves a process behind, it must not hold this test open through the pipes.
  guest.unref();
  guest.stdout?.on('data', (d: Buffer) => (guestLog += d.toString()));
  guest.stderr?.on('data', (d: Buffer) => (guestLog += d.toString()));
  await waitFor(() => /bound 10\.100\.0\.\d+\/24 mtu 1450/.test(guestLog), {
    what: `the guest to bind (log so far: ${guestLog})`,
    timeoutMs: 20_000,
  });
  const exec = (...cmd: string[]) => inNs('sh', join(repoRoot, 'docker/guest.sh'), 'exec', ...cmd);
  const addr = (await exec('ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0')).stdout;
  assert.match(addr, /inet 10\.100\.0\.\d+\/24/);
  assert.match((await exec('ip', '-o', 'link', 'show', 'dev', 'eth0')).stdout, /mtu 1450/);
  assert.match((await exec('ip', 'route', 'show', 'default')).stdout, /default via 10\.100\.0\.1 dev eth0/);
  // The host side: one veth port in the bridge; the guest's address is not in the host namespace.
  assert.match((await inNs('ip', '-o', 'link', 'show', 'master', 'nsbr100')).stdout, /gv-gtest@/);
  assert.doesNotMatch((await inNs('ip', '-4', '-o', 'addr', 'show')).stdout, /10\.100\.0\.(5\d|60)\//);
  await exec('busybox', 'ping', '-c', '1', '-W', '2', '10.100.0.1');

  const holder = Number(readFileSync(guestEnv.GUEST_PIDFILE, 'utf8').trim());
  const exited = new Promise((r) => guest?.once('close', r));
  guest.kill('SIGTERM'); // what `docker compose stop` sends
  await exited;
  await waitFor(async () => !(await inNs('ip', '-o', 'link', 'show')).stdout.includes('gv-gtest'), {
    what: 'the veth to go with the guest',
    timeoutMs: 10_000,
  });
  // Gone, or a zombie until init reaps it (its parent, the script, has exited).
  const gone = () => {
    try {
      return /^State:\s+Z/m.test(readFileSync(`/proc/${holder}/status`, 'utf8'));
    } catch {
      return true;
    }
  };
  await waitFor(gone, { what: `the namespace holder (pid ${holder}) to exit`, timeoutMs: 5000 });
});
