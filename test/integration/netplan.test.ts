import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serviceMacFor as ipamServiceMacFor } from '@netspan/ipam';
import {
  bridgeName,
  desiredNft,
  execRunner,
  type HostPlumbing,
  type NetworkPlumbing,
  normalizeNft,
  observePlumbing,
  parseNftCounters,
  readActual,
  reconcile,
  serviceMacFor,
  vxlanName,
} from '@netspan/netplan';
import { waitFor } from '../harness/index.js';

// The reconciler against the real kernel. Two hosts, A and B, are network namespaces joined by a veth
// underlay (10.99.0.1/24 - 10.99.0.2/24); a guest namespace hangs off each host's bridge by a veth
// (10.20.0.11 and 10.20.0.12). Packets go only to addresses inside these namespaces, and everything
// is removed in `after`, whatever happened.
const run = promisify(execFile);
const P = `nsp${randomBytes(3).toString('hex')}`;
const [A, B, GA, GB] = [`${P}a`, `${P}b`, `${P}ga`, `${P}gb`];
const made: string[] = [];
const children: ChildProcess[] = [];

const sh = async (...argv: string[]) => (await run(argv[0] as string, argv.slice(1))).stdout;
const inNs = (ns: string, ...argv: string[]) => sh('ip', 'netns', 'exec', ns, ...argv);
const json = async (ns: string, ...argv: string[]) =>
  JSON.parse(await inNs(ns, ...argv)) as Array<Record<string, unknown>>;

const VNI = 4242;
const DB_VNI = 16777215;
const BR = bridgeName(VNI);
const VX = vxlanName(VNI);
const lab: NetworkPlumbing = {
  name: 'lab',
  vni: VNI,
  encapsulation: 'vxlan',
  mtu: 1450,
  serviceAddress: '10.20.0.1',
  serviceMac: serviceMacFor(VNI),
  peers: ['10.99.0.2', '10.99.0.3'],
};
const db: NetworkPlumbing = {
  name: 'db',
  vni: DB_VNI,
  encapsulation: 'vxlan',
  mtu: 1450,
  serviceAddress: '10.30.0.1',
  serviceMac: serviceMacFor(DB_VNI),
  peers: ['10.99.0.2'],
};
const hostA = (networks: NetworkPlumbing[]): HostPlumbing => ({
  localVtep: '10.99.0.1',
  underlayDevice: 'u0',
  networks,
});
const hostB: HostPlumbing = {
  localVtep: '10.99.0.2',
  underlayDevice: 'u0',
  networks: [{ ...lab, peers: ['10.99.0.1'] }],
};
const runnerA = execRunner({ netns: A });
const runnerB = execRunner({ netns: B });

const link = async (ns: string, dev: string) =>
  (await json(ns, 'ip', '-j', '-d', 'link', 'show', 'dev', dev))[0] ?? {};
const floodDsts = async (ns: string, dev: string) =>
  (await json(ns, 'bridge', '-j', 'fdb', 'show', 'dev', dev))
    .filter((e) => e.mac === '00:00:00:00:00:00')
    .map((e) => e.dst)
    .sort();
const ownedLinks = async (ns: string) =>
  (await json(ns, 'ip', '-j', 'link', 'show'))
    .map((l) => String(l.ifname))
    .filter((n) => n.startsWith('nsbr') || n.startsWith('nsvx'))
    .sort();
const counters = async (ns: string) =>
  parseNftCounters(await inNs(ns, 'nft', 'list', 'table', 'bridge', 'netspan'));
const DHCP_RULE = 'iifname "nsvx*" udp dport { 67, 68 } counter drop';

/** A guest namespace on `host`'s bridge with `addr`; the host side of its veth is `vm0`. */
async function addGuest(host: string, guest: string, addr: string, tag: string) {
  await sh('ip', 'link', 'add', `${P}${tag}h`, 'type', 'veth', 'peer', 'name', `${P}${tag}g`);
  await sh('ip', 'link', 'set', `${P}${tag}h`, 'netns', host, 'name', 'vm0', 'mtu', '1450');
  await sh('ip', 'link', 'set', `${P}${tag}g`, 'netns', guest, 'name', 'eth0', 'mtu', '1450');
  await sh('ip', '-n', host, 'link', 'set', 'vm0', 'master', BR, 'up');
  await sh('ip', '-n', guest, 'addr', 'add', addr, 'dev', 'eth0');
  await sh('ip', '-n', guest, 'link', 'set', 'eth0', 'up');
}

/** tcpdump in a namespace until stopped; `ip netns exec` execs, so the child's pid is tcpdump's own. */
async function capture(ns: string, dev: string, filter: string) {
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', dev, '-n', '-l', '-e', filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await waitFor(() => err.includes('listening on'), { what: `tcpdump on ${ns}/${dev}` });
  return {
    lines: () => out.split('\n').filter(Boolean),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('close', r));
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}

before(async () => {
  for (const ns of [A, B, GA, GB]) {
    await sh('ip', 'netns', 'add', ns);
    made.push(ns);
    await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  }
  await sh('ip', 'link', 'add', `${P}x`, 'type', 'veth', 'peer', 'name', `${P}y`);
  await sh('ip', 'link', 'set', `${P}x`, 'netns', A, 'name', 'u0');
  await sh('ip', 'link', 'set', `${P}y`, 'netns', B, 'name', 'u0');
  await sh('ip', '-n', A, 'addr', 'add', '10.99.0.1/24', 'dev', 'u0');
  await sh('ip', '-n', B, 'addr', 'add', '10.99.0.2/24', 'dev', 'u0');
  await sh('ip', '-n', A, 'link', 'set', 'u0', 'up');
  await sh('ip', '-n', B, 'link', 'set', 'u0', 'up');
});

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const ns of made) {
    await sh('ip', 'netns', 'del', ns).catch(() => undefined);
  }
});

describe('netplan and ipam agree', () => {
  it('derive the same anycast service MAC from a VNI', () => {
    for (const vni of [1, 100, VNI, 0xabcdef, DB_VNI])
      assert.equal(serviceMacFor(vni), ipamServiceMacFor(vni));
  });
});

describe('netplan reconcile in a real namespace', () => {
  it('builds bridges, VXLAN devices, addresses, flood entries and the nft table from nothing', async () => {
    const desired = hostA([lab, db]);
    const r = await reconcile(desired, runnerA);
    assert.deepEqual(r.problems, []);
    assert.equal(r.driftRepaired, 0);
    assert.ok(r.steps.length > 10);

    const br = await link(A, BR);
    assert.equal(br.address, '02:6e:73:00:10:92');
    assert.equal(br.mtu, 1450);
    assert.equal(br.ifalias, 'lab');
    assert.equal(br.inet6_addr_gen_mode, 'none');
    assert.ok((br.flags as string[]).includes('UP'));
    assert.equal((br.linkinfo as { info_kind: string }).info_kind, 'bridge');

    const vx = await link(A, VX);
    assert.equal(vx.master, BR);
    assert.equal(vx.mtu, 1450);
    const info = (vx.linkinfo as { info_data: Record<string, unknown> }).info_data;
    assert.equal(info.id, VNI);
    assert.equal(info.local, '10.99.0.1');
    assert.equal(info.port, 4789);
    assert.equal(info.link, 'u0');
    assert.equal(info.learning, true);

    const addrs = await json(A, 'ip', '-j', 'addr', 'show', 'dev', BR);
    const addrInfo = (addrs[0]?.addr_info ?? []) as Array<Record<string, unknown>>;
    assert.deepEqual(
      addrInfo.map((a) => `${a.family} ${a.local}/${a.prefixlen}`),
      ['inet 10.20.0.1/32'],
      'the /32 service address and no IPv6 at all',
    );
    assert.deepEqual(await floodDsts(A, VX), ['10.99.0.2', '10.99.0.3']);
    assert.deepEqual(await floodDsts(A, vxlanName(DB_VNI)), ['10.99.0.2']);

    const table = await inNs(A, 'nft', 'list', 'table', 'bridge', 'netspan');
    const want = desiredNft([
      { tunnel: VX, serviceMac: lab.serviceMac },
      { tunnel: vxlanName(DB_VNI), serviceMac: db.serviceMac },
    ]);
    assert.equal(normalizeNft(table), normalizeNft(want ?? ''));
  });

  it('changes nothing on a second pass, with guests attached (one with a smaller MTU)', async () => {
    await addGuest(A, GA, '10.20.0.11/24', 'a');
    // A port with a smaller MTU would shrink a bridge whose MTU was only given at creation.
    await inNs(A, 'ip', 'link', 'add', 'vm1', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'vm1p');
    await inNs(A, 'ip', 'link', 'set', 'vm1', 'master', BR, 'up');
    const r = await reconcile(hostA([lab, db]), runnerA);
    assert.deepEqual(
      { ...r, actual: undefined },
      { steps: [], driftRepaired: 0, problems: [], actual: undefined },
    );
    assert.equal((await link(A, BR)).mtu, 1450);
    // What the agent would report from that read (the guest ports are not tunnels).
    assert.ok(r.actual, 'a full pass returns what it read');
    assert.deepEqual(
      observePlumbing(r.actual),
      [
        { network: 'lab', vni: VNI, bridge: true, tunnel: true, floodVteps: ['10.99.0.2', '10.99.0.3'] },
        { network: 'db', vni: DB_VNI, bridge: true, tunnel: true, floodVteps: ['10.99.0.2'] },
      ].sort((x, y) => x.vni - y.vni),
    );
  });

  it('puts back a flood entry deleted by hand: driftRepaired = 1', async () => {
    await inNs(A, 'bridge', 'fdb', 'del', '00:00:00:00:00:00', 'dev', VX, 'dst', '10.99.0.3');
    assert.deepEqual(await floodDsts(A, VX), ['10.99.0.2']);
    assert.deepEqual(
      observePlumbing(await readActual(runnerA)).find((o) => o.vni === VNI)?.floodVteps,
      ['10.99.0.2'],
      'observed as the kernel has it',
    );
    const r = await reconcile(hostA([lab, db]), runnerA);
    assert.deepEqual(r.problems, []);
    assert.equal(r.driftRepaired, 1);
    assert.equal(r.steps.length, 1);
    assert.deepEqual(await floodDsts(A, VX), ['10.99.0.2', '10.99.0.3']);
  });

  it('recreates only a VXLAN device with the wrong local address; bridge and guest port stay', async () => {
    const brIndex = (await link(A, BR)).ifindex;
    await inNs(A, 'ip', 'link', 'del', 'dev', VX);
    await inNs(
      A,
      'ip',
      'link',
      'add',
      'name',
      VX,
      'type',
      'vxlan',
      'id',
      String(VNI),
      'local',
      '10.99.0.9',
      'dstport',
      '4789',
    );
    const r = await reconcile(hostA([lab, db]), runnerA);
    assert.deepEqual(r.problems, []);
    assert.equal(r.steps[0]?.argv.join(' '), `ip link del dev ${VX}`);
    assert.equal(r.driftRepaired, r.steps.length);
    assert.ok(
      !r.steps.some((s) => s.argv.includes(BR) && s.argv[2] !== 'set'),
      'the bridge is not recreated',
    );
    assert.equal((await link(A, BR)).ifindex, brIndex);
    assert.equal((await link(A, 'vm0')).master, BR);
    const info = ((await link(A, VX)).linkinfo as { info_data: Record<string, unknown> }).info_data;
    assert.equal(info.local, '10.99.0.1');
    assert.equal((await link(A, VX)).master, BR);
    assert.deepEqual((await reconcile(hostA([lab, db]), runnerA)).steps, []);
  });

  it('follows desired changes: a peer leaves, a network goes; nothing else is touched', async () => {
    const r = await reconcile(hostA([{ ...lab, peers: ['10.99.0.2'] }]), runnerA);
    assert.deepEqual(r.problems, []);
    // Removing network db is a desired change (not counted); the flood-entry removal is counted, because
    // plan cannot tell a peer that left from an entry added by hand (see Step.repair).
    assert.deepEqual(
      r.steps.map((s) => `${s.repair ? 'repair' : 'change'}: ${s.argv.join(' ')}`),
      [
        'change: nft -f -',
        `change: ip link del dev ${vxlanName(DB_VNI)}`,
        `change: ip link del dev ${bridgeName(DB_VNI)}`,
        `repair: bridge fdb del 00:00:00:00:00:00 dev ${VX} dst 10.99.0.3`,
      ],
    );
    assert.equal(r.driftRepaired, 1);
    assert.deepEqual(await floodDsts(A, VX), ['10.99.0.2']);
    assert.deepEqual(await ownedLinks(A), [BR, VX]);
    assert.equal((await link(A, 'u0')).operstate, 'UP');
    assert.equal((await link(A, 'vm0')).master, BR);
  });
});

describe('netplan between two hosts', () => {
  it('carries guest traffic across the VXLAN tunnel', async () => {
    for (const [runner, desired] of [
      [runnerA, hostA([{ ...lab, peers: ['10.99.0.2'] }])],
      [runnerB, hostB],
    ] as const) {
      const r = await reconcile(desired, runner);
      assert.deepEqual(r.problems, []);
    }
    await addGuest(B, GB, '10.20.0.12/24', 'b');
    const out = await inNs(GA, 'busybox', 'ping', '-c', '3', '-W', '2', '10.20.0.12');
    assert.match(out, / 0% packet loss/);
    const back = await inNs(GB, 'busybox', 'ping', '-c', '2', '-W', '2', '10.20.0.11');
    assert.match(back, / 0% packet loss/);
  });

  it('keeps a guest DHCP broadcast on its own host while ARP broadcasts cross', async () => {
    const before = await counters(B);
    const seenByGuestB = await capture(GB, 'eth0', 'arp or udp port 67 or udp port 68');
    const seenByHostB = await capture(B, BR, 'udp port 67 or udp port 68');
    const seenByHostA = await capture(A, BR, 'udp port 67 or udp port 68');
    try {
      // Two real DISCOVERs (broadcast to 255.255.255.255:67) from guest A; nobody answers.
      await inNs(
        GA,
        'busybox',
        'udhcpc',
        '-i',
        'eth0',
        '-n',
        '-q',
        '-t',
        '2',
        '-T',
        '1',
        '-s',
        '/bin/true',
      ).catch(() => undefined);
      await inNs(GA, 'busybox', 'arping', '-c', '1', '-w', '1', '-I', 'eth0', '10.20.0.99').catch(
        () => undefined,
      );
      await waitFor(() => seenByGuestB.lines().some((l) => /Request who-has 10\.20\.0\.99/.test(l)), {
        what: 'the ARP broadcast from guest A at guest B',
      });
      await waitFor(() => seenByHostA.lines().some((l) => /\.68 > 255\.255\.255\.255\.67/.test(l)), {
        what: 'the DISCOVER on host A’s own bridge',
      });
    } finally {
      await seenByGuestB.stop();
      await seenByHostB.stop();
      await seenByHostA.stop();
    }
    assert.deepEqual(
      seenByGuestB.lines().filter((l) => /\.6[78]\b/.test(l)),
      [],
      'guest B saw no DHCP',
    );
    assert.deepEqual(seenByHostB.lines(), [], 'host B’s bridge saw no DHCP');
    const afterCounters = await counters(B);
    for (const chain of ['dhcp_in', 'dhcp_forward']) {
      const key = `${chain}: ${DHCP_RULE}`;
      const delta = (afterCounters.get(key)?.packets ?? 0) - (before.get(key)?.packets ?? 0);
      assert.ok(delta >= 2, `${chain} dropped ${delta} DHCP packets on host B`);
    }
  });

  it('answers ARP for the service address on the guest’s own host only (anycast kept off the tunnel)', async () => {
    const key = `anycast_out: oifname "${VX}" ether saddr ${lab.serviceMac} counter drop`;
    const before = (await counters(B)).get(key)?.packets ?? 0;
    const out = await inNs(GA, 'busybox', 'arping', '-c', '1', '-w', '2', '-I', 'eth0', '10.20.0.1');
    assert.match(out, /Received 1 response/);
    assert.match(out, new RegExp(lab.serviceMac.replaceAll(':', ':?'), 'i'));
    await waitFor(async () => ((await counters(B)).get(key)?.packets ?? 0) > before, {
      what: 'host B dropping its own ARP reply at the tunnel',
    });
  });

  it('removes everything it owns when no network is desired', async () => {
    const r = await reconcile(hostA([]), runnerA);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(await ownedLinks(A), []);
    const tables = await inNs(A, 'nft', 'list', 'tables', 'bridge');
    assert.doesNotMatch(tables, /netspan/);
    assert.equal((await link(A, 'u0')).operstate, 'UP');
    assert.equal((await link(A, 'vm0')).ifname, 'vm0', 'the guest port is not ours to delete');
  });
});
