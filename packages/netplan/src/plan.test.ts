import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLinks } from './actual.js';
import { NetplanError } from './errors.js';
import { serviceMacFor } from './names.js';
import { plan, planPeerChange } from './plan.js';
import { actualOf, loadFixture } from './test-fixtures.js';
import type { ActualState, HostPlumbing, NetworkPlumbing, Step } from './types.js';

// Real listings captured by scripts/capture-fixtures.mjs: `empty` is a host with only lo and its
// underlay u0; `converged` is that host after reconciling fixture.desired (networks lab/VNI 100 and
// db/VNI 16777215), with a guest port vm0 on nsbr100 and entries learned from a ping across the tunnel.
const emptyFx = loadFixture('empty');
const convergedFx = loadFixture('converged');
const desired = convergedFx.desired;
const empty = () => actualOf(emptyFx);
const converged = () => actualOf(convergedFx);

const cmd = (s: Step) => s.argv.join(' ');
const cmds = (steps: Step[]) => steps.map(cmd);
const withNetworks = (networks: NetworkPlumbing[]): HostPlumbing => ({ ...desired, networks });
const lab = desired.networks.find((n) => n.vni === 100) as NetworkPlumbing;
const db = desired.networks.find((n) => n.vni === 16777215) as NetworkPlumbing;

describe('plan: empty host', () => {
  it('builds everything, nft table first', () => {
    const steps = plan(desired, empty());
    assert.deepEqual(cmds(steps), [
      'nft -f -',
      'ip link add name nsbr100 address 02:6e:73:00:00:64 type bridge',
      'ip link set dev nsbr100 mtu 1450',
      'ip link set dev nsbr100 addrgenmode none',
      'ip link set dev nsbr100 alias lab',
      'ip link set dev nsbr100 up',
      'ip addr add 10.20.0.1/32 dev nsbr100',
      'ip link add name nsvx100 mtu 1450 type vxlan id 100 local 10.99.0.1 dstport 4789 dev u0',
      'ip link set dev nsvx100 addrgenmode none',
      'ip link set dev nsvx100 master nsbr100',
      'ip link set dev nsvx100 up',
      'bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.2',
      'bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.3',
      'bridge fdb replace 52:54:00:aa:bb:cc dev nsvx100 dst 10.99.0.3 static',
      'ip link add name nsbr16777215 address 02:6e:73:ff:ff:ff type bridge',
      'ip link set dev nsbr16777215 mtu 1450',
      'ip link set dev nsbr16777215 addrgenmode none',
      'ip link set dev nsbr16777215 alias db',
      'ip link set dev nsbr16777215 up',
      'ip addr add 10.30.0.1/32 dev nsbr16777215',
      'ip link add name nsvx16777215 mtu 1450 type vxlan id 16777215 local 10.99.0.1 dstport 4789 dev u0',
      'ip link set dev nsvx16777215 addrgenmode none',
      'ip link set dev nsvx16777215 master nsbr16777215',
      'ip link set dev nsvx16777215 up',
      'bridge fdb append 00:00:00:00:00:00 dev nsvx16777215 dst 10.99.0.2',
    ]);
    assert.ok(
      steps.every((s) => !s.repair),
      'building is not repairing',
    );
    assert.match(
      steps[0]?.input ?? '',
      /^table bridge netspan\ndelete table bridge netspan\ntable bridge netspan \{/,
    );
    assert.ok(steps.every((s) => s.why.length > 0));
  });

  it('leaves out `dev` when no underlay device is given, and never floods to itself', () => {
    const host: HostPlumbing = {
      localVtep: '10.99.0.1',
      networks: [{ ...lab, peers: ['10.99.0.1', '10.99.0.2', '10.99.0.2'], remoteMacs: [] }],
    };
    const steps = cmds(plan(host, empty()));
    assert.ok(
      steps.includes('ip link add name nsvx100 mtu 1450 type vxlan id 100 local 10.99.0.1 dstport 4789'),
    );
    assert.deepEqual(
      steps.filter((s) => s.startsWith('bridge')),
      ['bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.2'],
    );
  });

  it('with no network and no table, does nothing', () => {
    assert.deepEqual(plan(withNetworks([]), empty()), []);
  });
});

describe('plan: converged host', () => {
  it('plans zero steps (guest ports and learned entries are left alone)', () => {
    assert.deepEqual(plan(desired, converged()), []);
  });

  it('is independent of the order networks are given in', () => {
    assert.deepEqual(plan(withNetworks([db, lab]), converged()), []);
  });
});

describe('plan: drift', () => {
  it('re-adds a missing flood entry, and only that', () => {
    const actual = converged();
    actual.fdb = actual.fdb.filter(
      (e) => !(e.dev === 'nsvx100' && e.mac === '00:00:00:00:00:00' && e.dst === '10.99.0.3'),
    );
    const steps = plan(desired, actual);
    assert.deepEqual(cmds(steps), ['bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.3']);
    assert.equal(steps[0]?.repair, true);
  });

  it('fixes bridge MAC, MTU, alias, IPv6 and state in place without recreating anything', () => {
    const actual = converged();
    const br = actual.links.find((l) => l.name === 'nsbr100');
    assert.ok(br);
    Object.assign(br, {
      mac: '02:00:00:00:00:01',
      mtu: 1500,
      alias: undefined,
      addrGenMode: 'eui64',
      up: false,
    });
    actual.addresses.push({
      dev: 'nsbr100',
      family: 'inet6',
      local: 'fe80::1',
      prefixlen: 64,
      scope: 'link',
    });
    const steps = plan(desired, actual);
    assert.deepEqual(cmds(steps), [
      'ip link set dev nsbr100 address 02:6e:73:00:00:64',
      'ip link set dev nsbr100 mtu 1450',
      'ip link set dev nsbr100 alias lab',
      'ip link set dev nsbr100 addrgenmode none',
      'ip -6 addr flush dev nsbr100',
      'ip link set dev nsbr100 up',
    ]);
    assert.ok(steps.every((s) => s.repair));
  });

  it('replaces a wrong address on the bridge with the /32 service address', () => {
    const actual = converged();
    const a = actual.addresses.find((x) => x.dev === 'nsbr100' && x.family === 'inet');
    assert.ok(a);
    Object.assign(a, { local: '10.20.0.9', prefixlen: 24 });
    assert.deepEqual(cmds(plan(desired, actual)), [
      'ip addr del 10.20.0.9/24 dev nsbr100',
      'ip addr add 10.20.0.1/32 dev nsbr100',
    ]);
  });

  it('re-enslaves and brings up a VXLAN port that left its bridge', () => {
    const actual = converged();
    const vx = actual.links.find((l) => l.name === 'nsvx100');
    assert.ok(vx);
    Object.assign(vx, { master: undefined, up: false, mtu: 1500 });
    assert.deepEqual(cmds(plan(desired, actual)), [
      'ip link set dev nsvx100 mtu 1450',
      'ip link set dev nsvx100 master nsbr100',
      'ip link set dev nsvx100 up',
    ]);
  });

  it('replaces an nft table that was edited by hand, as a repair', () => {
    const actual = converged();
    actual.nft = (actual.nft ?? '').replace('oifname "nsvx100"', 'oifname "eth0"');
    const steps = plan(desired, actual);
    assert.deepEqual(cmds(steps), ['nft -f -']);
    assert.equal(steps[0]?.repair, true);
  });

  it('makes a learned entry for a desired remote MAC static, and moves one that points elsewhere', () => {
    const actual = converged();
    const s = actual.fdb.find((e) => e.mac === '52:54:00:aa:bb:cc');
    assert.ok(s);
    s.state = undefined;
    assert.deepEqual(cmds(plan(desired, actual)), [
      'bridge fdb replace 52:54:00:aa:bb:cc dev nsvx100 dst 10.99.0.3 static',
    ]);
    const moved = withNetworks([
      { ...lab, remoteMacs: [{ mac: '52:54:00:AA:BB:CC', vtep: '10.99.0.2' }] },
      db,
    ]);
    assert.deepEqual(cmds(plan(moved, converged())), [
      'bridge fdb replace 52:54:00:aa:bb:cc dev nsvx100 dst 10.99.0.2 static',
    ]);
  });
});

describe('plan: desired changes', () => {
  it('removes the flood entry of a peer that left', () => {
    const steps = plan(withNetworks([{ ...lab, peers: ['10.99.0.2'] }, db]), converged());
    assert.deepEqual(cmds(steps), ['bridge fdb del 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.3']);
  });

  it('removes stale static entries it owns but never learned ones', () => {
    const steps = plan(withNetworks([{ ...lab, remoteMacs: [] }, db]), converged());
    assert.deepEqual(cmds(steps), ['bridge fdb del 52:54:00:aa:bb:cc dev nsvx100 dst 10.99.0.3']);
  });

  it('deletes the devices of a network no longer desired (port before bridge) and rewrites the table', () => {
    const steps = plan(withNetworks([lab]), converged());
    assert.deepEqual(cmds(steps), [
      'nft -f -',
      'ip link del dev nsvx16777215',
      'ip link del dev nsbr16777215',
    ]);
    assert.doesNotMatch(steps[0]?.input ?? '', /nsvx16777215/);
    assert.ok(
      steps.every((s) => !s.repair),
      'a removal is a desired change, not drift',
    );
  });

  it('with no network left, deletes every owned device and the table', () => {
    assert.deepEqual(cmds(plan(withNetworks([]), converged())), [
      'nft delete table bridge netspan',
      'ip link del dev nsvx100',
      'ip link del dev nsvx16777215',
      'ip link del dev nsbr100',
      'ip link del dev nsbr16777215',
    ]);
  });

  it('recreates only the VXLAN device when its local address is wrong', () => {
    const actual = converged();
    const vx = actual.links.find((l) => l.name === 'nsvx100');
    assert.ok(vx?.vxlan);
    vx.vxlan.local = '10.99.0.77';
    const steps = plan(desired, actual);
    assert.deepEqual(cmds(steps), [
      'ip link del dev nsvx100',
      'ip link add name nsvx100 mtu 1450 type vxlan id 100 local 10.99.0.1 dstport 4789 dev u0',
      'ip link set dev nsvx100 addrgenmode none',
      'ip link set dev nsvx100 master nsbr100',
      'ip link set dev nsvx100 up',
      'bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.2',
      'bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.3',
      'bridge fdb replace 52:54:00:aa:bb:cc dev nsvx100 dst 10.99.0.3 static',
    ]);
    assert.ok(!steps.some((s) => s.argv.includes('nsbr100') && s.argv.includes('del')), 'bridge kept');
    assert.ok(!steps.some((s) => s.argv.includes('vm0')), 'guest port untouched');
  });

  it('recreates the VXLAN device when its id, port, learning or underlay device differ', () => {
    const mutations: Array<(v: NonNullable<ActualState['links'][number]['vxlan']>) => void> = [
      (v) => {
        v.id = 101;
      },
      (v) => {
        v.port = 8472;
      },
      (v) => {
        v.learning = false;
      },
      (v) => {
        v.link = 'eth9';
      },
    ];
    for (const mutate of mutations) {
      const actual = converged();
      const vx = actual.links.find((l) => l.name === 'nsvx16777215');
      assert.ok(vx?.vxlan);
      mutate(vx.vxlan);
      const steps = cmds(plan(desired, actual));
      assert.equal(steps[0], 'ip link del dev nsvx16777215');
      assert.equal(steps.length, 6);
    }
  });

  it('recreates a device with an owned name but the wrong type', () => {
    const actual = converged();
    const br = actual.links.find((l) => l.name === 'nsbr16777215');
    assert.ok(br);
    br.kind = 'veth';
    const steps = cmds(plan(desired, actual));
    assert.deepEqual(steps.slice(0, 3), [
      'ip link del dev nsbr16777215',
      'ip link add name nsbr16777215 address 02:6e:73:ff:ff:ff type bridge',
      'ip link set dev nsbr16777215 mtu 1450',
    ]);
  });

  it('never touches devices it does not own', () => {
    const actual = converged();
    const foreign = parseLinks(convergedFx.links).filter((l) => l.name === 'nsbr100' || l.name === 'nsvx100');
    for (const l of foreign) l.name = l.kind === 'bridge' ? 'virbr0' : 'vxlan0';
    actual.links.push(...foreign);
    const steps = plan(withNetworks([]), actual);
    assert.ok(!steps.some((s) => s.argv.some((a) => ['virbr0', 'vxlan0', 'u0', 'vm0', 'lo'].includes(a))));
  });
});

describe('plan: VLAN mode (planning only: this kernel has no 8021q)', () => {
  const vlanNet: NetworkPlumbing = {
    name: 'legacy',
    vni: 30,
    encapsulation: 'vlan',
    vlanId: 30,
    mtu: 1500,
    serviceAddress: '10.40.0.1',
    serviceMac: serviceMacFor(30),
    peers: ['10.99.0.2'],
  };
  const host: HostPlumbing = { localVtep: '10.99.0.1', uplink: 'eth0', networks: [vlanNet] };

  it('puts <uplink>.<vid> into the bridge, with no VXLAN device and no flood entries', () => {
    const steps = plan(host, empty());
    assert.deepEqual(cmds(steps), [
      'nft -f -',
      'ip link add name nsbr30 address 02:6e:73:00:00:1e type bridge',
      'ip link set dev nsbr30 mtu 1500',
      'ip link set dev nsbr30 addrgenmode none',
      'ip link set dev nsbr30 alias legacy',
      'ip link set dev nsbr30 up',
      'ip addr add 10.40.0.1/32 dev nsbr30',
      'ip link add link eth0 name eth0.30 mtu 1500 type vlan id 30',
      'ip link set dev eth0.30 addrgenmode none',
      'ip link set dev eth0.30 master nsbr30',
      'ip link set dev eth0.30 up',
    ]);
    assert.match(steps[0]?.input ?? '', /iifname "eth0\.30" udp dport \{ 67, 68 \} counter drop/);
    assert.match(steps[0]?.input ?? '', /oifname "eth0\.30" ether saddr 02:6e:73:00:00:1e counter drop/);
  });

  // A VLAN device as `ip -j -d link show` prints one, hand-made from the captured VXLAN entry
  // (iproute2 prints `link` at the top level and `id` under info_data for kind vlan).
  function withVlanDevice(id: number): ActualState {
    const after = actualOf(emptyFx);
    const raw = JSON.parse(convergedFx.links) as Array<Record<string, unknown>>;
    const keep = raw.filter((l) => l.ifname === 'nsbr100' || l.ifname === 'nsvx100' || l.ifname === 'u0');
    const text = JSON.stringify(
      keep.map((l) => {
        if (l.ifname === 'u0') return { ...l, ifname: 'eth0' };
        if (l.ifname === 'nsbr100')
          return { ...l, ifname: 'nsbr30', address: '02:6e:73:00:00:1e', mtu: 1500, ifalias: 'legacy' };
        return {
          ...l,
          ifname: 'eth0.30',
          link: 'eth0',
          master: 'nsbr30',
          mtu: 1500,
          linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id, flags: ['REORDER_HDR'] } },
        };
      }),
    );
    after.links = parseLinks(text);
    after.addresses = [{ dev: 'nsbr30', family: 'inet', local: '10.40.0.1', prefixlen: 32, scope: 'global' }];
    after.nft = actualOf(convergedFx).nft;
    return after;
  }

  it('is converged when the VLAN device matches (apart from the table)', () => {
    assert.deepEqual(cmds(plan(host, withVlanDevice(30))), ['nft -f -']);
  });

  it('recreates a VLAN device with the wrong id', () => {
    const steps = cmds(plan(host, withVlanDevice(31)));
    assert.deepEqual(steps.slice(1, 3), [
      'ip link del dev eth0.30',
      'ip link add link eth0 name eth0.30 mtu 1500 type vlan id 30',
    ]);
  });

  it('deletes a VLAN device in one of its bridges when the network goes', () => {
    assert.deepEqual(cmds(plan({ ...host, networks: [] }, withVlanDevice(30))), [
      'nft delete table bridge netspan',
      'ip link del dev eth0.30',
      'ip link del dev nsbr30',
    ]);
  });

  it('requires an uplink and a VLAN id, and a device name of at most 15 characters', () => {
    assert.throws(() => plan({ ...host, uplink: undefined }, empty()), /uplink/);
    assert.throws(() => plan({ ...host, networks: [{ ...vlanNet, vlanId: 4095 }] }, empty()), /vlanId/);
    assert.throws(() => plan({ ...host, uplink: 'enx001122334455' }, empty()), /longer than 15/);
  });
});

describe('plan: invalid desired state', () => {
  const cases: Array<[string, HostPlumbing, string]> = [
    ['bad local VTEP', { ...desired, localVtep: '10.99.0' }, 'localVtep'],
    ['VNI 0', withNetworks([{ ...lab, vni: 0 }]), 'networks[0].vni'],
    ['VNI too large', withNetworks([{ ...lab, vni: 16777216 }]), 'networks[0].vni'],
    ['duplicate VNI', withNetworks([lab, { ...db, vni: 100 }]), 'networks[1].vni'],
    ['name not a DNS label', withNetworks([{ ...lab, name: 'bad name' }]), 'networks[0].name'],
    ['name too long', withNetworks([{ ...lab, name: 'a'.repeat(64) }]), 'networks[0].name'],
    ['mtu', withNetworks([{ ...lab, mtu: 40 }]), 'networks[0].mtu'],
    ['service address', withNetworks([{ ...lab, serviceAddress: 'x' }]), 'networks[0].serviceAddress'],
    ['multicast MAC', withNetworks([{ ...lab, serviceMac: '01:00:5e:00:00:01' }]), 'networks[0].serviceMac'],
    ['peer', withNetworks([{ ...lab, peers: ['10.0.0.300'] }]), 'networks[0].peers[0]'],
    [
      'remote MAC',
      withNetworks([{ ...lab, remoteMacs: [{ mac: 'zz', vtep: '10.0.0.1' }] }]),
      'networks[0].remoteMacs[0].mac',
    ],
    [
      'remote MAC on two VTEPs',
      withNetworks([
        {
          ...lab,
          remoteMacs: [
            { mac: '52:54:00:00:00:01', vtep: '10.0.0.1' },
            { mac: '52:54:00:00:00:01', vtep: '10.0.0.2' },
          ],
        },
      ]),
      'networks[0].remoteMacs[1].mac',
    ],
    ['underlay device name', { ...desired, underlayDevice: 'a-very-long-device-name' }, 'underlayDevice'],
  ];
  for (const [what, host, field] of cases) {
    it(`rejects ${what} naming ${field}`, () => {
      assert.throws(
        () => plan(host, empty()),
        (e: unknown) => e instanceof NetplanError && e.code === 'INVALID_ARGUMENT' && e.field === field,
      );
    });
  }
});

describe('planPeerChange', () => {
  const withLab = (change: Partial<NetworkPlumbing>) => withNetworks([{ ...lab, ...change }, db]);

  it('a peer that joins is one flood entry; one that leaves, one delete', () => {
    assert.deepEqual(cmds(planPeerChange(desired, withLab({ peers: [...lab.peers, '10.99.0.9'] })) ?? []), [
      'bridge fdb append 00:00:00:00:00:00 dev nsvx100 dst 10.99.0.9',
    ]);
    assert.deepEqual(cmds(planPeerChange(desired, withLab({ peers: lab.peers.slice(1) })) ?? []), [
      `bridge fdb del 00:00:00:00:00:00 dev nsvx100 dst ${lab.peers[0]}`,
    ]);
  });

  it('remote MACs: moved ones are replaced, gone ones deleted from their old VTEP', () => {
    const [first] = lab.remoteMacs ?? [];
    assert.ok(first);
    const moved = planPeerChange(desired, withLab({ remoteMacs: [{ mac: first.mac, vtep: '10.99.0.2' }] }));
    assert.deepEqual(cmds(moved ?? []), [`bridge fdb replace ${first.mac} dev nsvx100 dst 10.99.0.2 static`]);
    const gone = planPeerChange(desired, withLab({ remoteMacs: [] }));
    assert.deepEqual(cmds(gone ?? []), [`bridge fdb del ${first.mac} dev nsvx100 dst ${first.vtep}`]);
  });

  it('nothing changed (peers reordered, our own VTEP listed): no step', () => {
    assert.deepEqual(
      planPeerChange(desired, withLab({ peers: [desired.localVtep, ...lab.peers].reverse() })),
      [],
    );
  });

  it('anything but peers changed: undefined, a full reconcile is needed', () => {
    assert.equal(planPeerChange(desired, withLab({ mtu: 1400, peers: [] })), undefined);
    assert.equal(planPeerChange(desired, withNetworks([lab])), undefined);
    assert.equal(planPeerChange(desired, { ...desired, localVtep: '10.99.0.7' }), undefined);
    assert.equal(planPeerChange({ ...desired, localVtep: 'nope' }, desired), undefined, 'invalid previous');
  });

  it('rejects an invalid desired state', () => {
    assert.throws(
      () => planPeerChange(desired, withLab({ peers: ['nope'] })),
      (e: unknown) => e instanceof NetplanError && e.code === 'INVALID_ARGUMENT',
    );
  });
});
