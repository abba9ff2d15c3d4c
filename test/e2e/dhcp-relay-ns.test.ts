import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, waitFor } from '../harness/index.js';

// A real client behind a real relay, each in a network namespace of its own:
//   ns C: busybox udhcpc on c0
//   ns R: ISC dhcrelay between r0 (192.0.2.1/24, the guests' link) and r1 (198.18.0.2/30)
//   ns S: etcd and ipamd, DHCP on 198.18.0.1:67
// Everything stays inside these namespaces; they are removed afterwards.
const run = promisify(execFile);
const P = `nse${randomBytes(3).toString('hex')}`;
const [S, R, C] = [`${P}s`, `${P}r`, `${P}c`];
const work = mkdtempSync(join(tmpdir(), 'netspan-e2e-relay-'));
const children: ChildProcess[] = [];
let udhcpcPid = 0;

const ip = (...args: string[]) => run('ip', args);
const inNs = (ns: string, cmd: string, args: string[], log: string) => {
  // `ip netns exec` execs the command, so the child's pid is the program's own.
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    writeFileSync(join(work, log), out);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return { child, output: () => out };
};
const cli = async (...args: string[]) =>
  (
    await run('ip', [
      'netns',
      'exec',
      S,
      process.execPath,
      join(repoRoot, 'packages/cli/dist/main.js'),
      ...args,
    ])
  ).stdout;
const events = () => {
  try {
    return readFileSync(join(work, 'events'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

before(async () => {
  for (const ns of [S, R, C]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip('link', 'add', `${P}a`, 'type', 'veth', 'peer', 'name', `${P}b`);
  await ip('link', 'set', `${P}a`, 'netns', S, 'name', 's0');
  await ip('link', 'set', `${P}b`, 'netns', R, 'name', 'r1');
  await ip('link', 'add', `${P}c`, 'type', 'veth', 'peer', 'name', `${P}d`);
  await ip('link', 'set', `${P}c`, 'netns', R, 'name', 'r0');
  await ip('link', 'set', `${P}d`, 'netns', C, 'name', 'c0');
  await ip('-n', S, 'addr', 'add', '198.18.0.1/30', 'dev', 's0');
  await ip('-n', R, 'addr', 'add', '198.18.0.2/30', 'dev', 'r1');
  await ip('-n', R, 'addr', 'add', '192.0.2.1/24', 'dev', 'r0');
  for (const [ns, dev] of [
    [S, 's0'],
    [R, 'r1'],
    [R, 'r0'],
    [C, 'c0'],
  ] as const) {
    await ip('-n', ns, 'link', 'set', dev, 'up');
  }
  // Renewals are unicast from the guest to the server identifier, routed by the relay host.
  await ip('-n', S, 'route', 'add', '192.0.2.0/24', 'via', '198.18.0.2');
  await run('ip', ['netns', 'exec', R, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);

  inNs(
    S,
    'etcd',
    [
      '--data-dir',
      join(work, 'etcd'),
      '--listen-client-urls',
      'http://127.0.0.1:2379',
      '--advertise-client-urls',
      'http://127.0.0.1:2379',
      '--listen-peer-urls',
      'http://127.0.0.1:2380',
      '--log-level',
      'warn',
      '--logger',
      'zap',
    ],
    'etcd.log',
  );
  const ipamd = inNs(
    S,
    process.execPath,
    [
      join(repoRoot, 'services/ipamd/dist/main.js'),
      '--etcd-endpoints',
      'http://127.0.0.1:2379',
      '--grpc-listen',
      '127.0.0.1:7700',
      '--dhcp-listen',
      '198.18.0.1:67',
      '--dhcp-server-id',
      '198.18.0.1',
    ],
    'ipamd.log',
  );
  await waitFor(() => ipamd.output().includes('"ipamd ready"'), {
    what: 'ipamd in its namespace',
    timeoutMs: 30_000,
  });
  await cli(
    'network',
    'create',
    'lab',
    '--cidr',
    '192.0.2.0/24',
    '--gateway',
    '192.0.2.1',
    '--pool',
    '192.0.2.100-192.0.2.199',
    '--lease-time',
    '120',
  );
  inNs(R, 'dhcrelay', ['-d', '-4', '-id', 'r0', '-iu', 'r1', '198.18.0.1'], 'relay.log');

  // The client's script only records what it is told and configures c0 (never resolv.conf).
  const script = join(work, 'udhcpc.sh');
  writeFileSync(
    script,
    `#!/bin/sh
echo "$1 ip=$ip router=$router mtu=$mtu serverid=$serverid lease=$lease" >> ${join(work, 'events')}
case "$1" in
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface" ;;
  deconfig) ip addr flush dev "$interface" ;;
esac
`,
  );
  chmodSync(script, 0o755);
  inNs(
    C,
    'udhcpc',
    [
      '-f',
      '-i',
      'c0',
      '-s',
      script,
      '-p',
      join(work, 'udhcpc.pid'),
      '-t',
      '10',
      '-T',
      '1',
      '-x',
      'hostname:guest-1',
    ],
    'udhcpc.log',
  );
  await waitFor(() => events().some((e) => e.startsWith('bound ')), {
    what: 'udhcpc to bind',
    timeoutMs: 30_000,
  });
  udhcpcPid = Number(readFileSync(join(work, 'udhcpc.pid'), 'utf8').trim());
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  for (const ns of [S, R, C]) await ip('netns', 'del', ns).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

interface PbLease {
  address: string;
  hostname: string;
  mac: string;
  updatedAtMs: number;
  location: { via: string };
}
const leases = async () =>
  (JSON.parse(await cli('lease', 'list', '--network', 'lab', '-o', 'json')) as { leases: PbLease[] }).leases;

it('udhcpc behind dhcrelay gets a lease with the network options, renews it and releases it', async () => {
  const bound = events().find((e) => e.startsWith('bound ')) as string;
  const addr = /ip=(\S+)/.exec(bound)?.[1] as string;
  const n = Number(addr.split('.')[3]);
  assert.ok(addr.startsWith('192.0.2.') && n >= 100 && n <= 199, bound);
  assert.match(bound, /router=192\.0\.2\.1 /);
  assert.match(bound, /mtu=1450 /, 'VXLAN MTU through option 26');
  assert.match(bound, /serverid=198\.18\.0\.1 /);
  assert.match(bound, /lease=120$/);
  // The client's script logs the event before it configures c0: wait for the address.
  const inet = new RegExp(`inet ${addr.replace(/\./g, '\\.')}/24`);
  await waitFor(async () => inet.test((await run('ip', ['-n', C, '-4', 'addr', 'show', 'c0'])).stdout), {
    what: `${addr} on c0`,
    timeoutMs: 5000,
  });

  const [lease] = await leases();
  assert.equal(lease?.address, addr);
  assert.equal(lease?.hostname, 'guest-1');
  assert.equal(lease?.location.via, 'relay:192.0.2.1');

  // SIGUSR1: renew now (unicast REQUEST to the server identifier, through the relay host).
  const before = lease?.updatedAtMs ?? 0;
  process.kill(udhcpcPid, 'SIGUSR1');
  await waitFor(async () => ((await leases())[0]?.updatedAtMs ?? 0) > before, {
    what: 'the renewal',
    timeoutMs: 15_000,
  });
  assert.equal((await leases())[0]?.address, addr, 'same address after renewal');

  // SIGUSR2: release.
  process.kill(udhcpcPid, 'SIGUSR2');
  await waitFor(async () => (await leases()).length === 0, { what: 'the release', timeoutMs: 15_000 });
});

it('dhclient behind dhcrelay binds, gets the same address back on INIT-REBOOT, and releases it', async () => {
  const script = join(work, 'dhclient.sh');
  const evFile = join(work, 'dhclient-events');
  writeFileSync(
    script,
    `#!/bin/sh
echo "$reason ip=$new_ip_address router=$new_routers mtu=$new_interface_mtu serverid=$new_dhcp_server_identifier" >> ${evFile}
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT) ip addr flush dev "$interface"; ip addr add "$new_ip_address/24" dev "$interface"
    ip route replace default via "\${new_routers%% *}" dev "$interface" ;;
  RELEASE|EXPIRE|STOP) ip addr flush dev "$interface" ;;
esac
`,
  );
  chmodSync(script, 0o755);
  const dhEvents = () => {
    try {
      return readFileSync(evFile, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const leaseFile = join(work, 'dhclient.leases');
  const dhclient = (extra: string[], tag: string) =>
    inNs(
      C,
      'dhclient',
      [
        '-4',
        '-d',
        '-v',
        '-sf',
        script,
        '-lf',
        leaseFile,
        '-pf',
        join(work, `dhclient-${tag}.pid`),
        ...extra,
        'c0',
      ],
      `dhclient-${tag}.log`,
    );

  // First run: DISCOVER/OFFER/REQUEST/ACK.
  const first = dhclient([], 'first');
  await waitFor(() => dhEvents().some((e) => e.startsWith('BOUND ')), {
    what: 'dhclient to bind',
    timeoutMs: 30_000,
  });
  const bound = dhEvents().find((e) => e.startsWith('BOUND ')) as string;
  const addr = /ip=(\S+)/.exec(bound)?.[1] as string;
  assert.ok(addr.startsWith('192.0.2.'), bound);
  assert.match(bound, /mtu=1450 /);
  assert.match(bound, /serverid=198\.18\.0\.1$/);
  assert.ok((await leases()).some((l) => l.address === addr));
  first.child.kill('SIGTERM');
  await new Promise((r) => first.child.once('close', r));

  // Second run with the same lease file: INIT-REBOOT (REQUEST for the address it had).
  const second = dhclient([], 'second');
  await waitFor(() => dhEvents().some((e) => e.startsWith('REBOOT ')), {
    what: 'dhclient INIT-REBOOT',
    timeoutMs: 30_000,
  });
  assert.match(
    dhEvents().find((e) => e.startsWith('REBOOT ')) as string,
    new RegExp(`ip=${addr.replace(/\./g, '\\.')} `),
  );
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('close', r));

  // dhclient -r: RELEASE, and the lease is gone.
  const release = dhclient(['-r'], 'release');
  await new Promise((r) => release.child.once('close', r));
  await waitFor(async () => !(await leases()).some((l) => l.address === addr), {
    what: 'the release',
    timeoutMs: 15_000,
  });
});
