import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, IpamError } from './errors.js';
import {
  compileNetwork,
  DEFAULT_LEASE_TIME,
  effectiveMtu,
  effectiveRouters,
  effectiveStaticRoutes,
  isDnsLabel,
  isDnsName,
  MAX_VNI,
  type NetworkInput,
  normalizeNetwork,
  validateNetworkName,
} from './network.js';

function expectInvalid(fn: () => unknown, field: string): IpamError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof IpamError, `expected an IpamError, got ${String(caught)}`);
  assert.equal(caught.code, ErrorCode.InvalidArgument, caught.message);
  assert.equal(caught.field, field, caught.message);
  assert.ok(caught.message.startsWith(`${field}: `), `message names the field: ${caught.message}`);
  return caught;
}

const base = (extra: NetworkInput = {}): NetworkInput => ({
  name: 'blue',
  cidr: '10.0.0.0/24',
  gateway: '10.0.0.1',
  ...extra,
});

describe('isDnsLabel / isDnsName / validateNetworkName', () => {
  it('accepts labels and names', () => {
    assert.ok(isDnsLabel('a'));
    assert.ok(isDnsLabel('a-1'));
    assert.ok(isDnsLabel('x'.repeat(63)));
    assert.ok(isDnsName('example.com'));
    assert.ok(isDnsName('Example.COM.'));
    assert.ok(isDnsName('a'));
  });
  it('rejects bad labels and names', () => {
    for (const s of ['', '-a', 'a-', 'A', 'a_b', 'a.b', 'x'.repeat(64), 'é'])
      assert.equal(isDnsLabel(s), false, s);
    for (const s of ['', '.', 'a..b', '-a.com', 'a_b.com', `${'a.'.repeat(127)}ab`])
      assert.equal(isDnsName(s), false, s);
  });
  it('validateNetworkName requires a name and uses the given field', () => {
    expectInvalid(() => validateNetworkName(undefined), 'name');
    expectInvalid(() => validateNetworkName('', 'network'), 'network');
    expectInvalid(() => validateNetworkName('Blue', 'network'), 'network');
    assert.equal(validateNetworkName('blue-2'), 'blue-2');
  });
});

describe('normalizeNetwork defaults', () => {
  it('fills in pool, domain, lease time, routers, mode and encapsulation', () => {
    const n = normalizeNetwork(base(), 1234);
    assert.equal(n.name, 'blue');
    assert.equal(n.cidr, '10.0.0.0/24');
    assert.equal(n.gateway, '10.0.0.1');
    assert.deepEqual(n.pools, [{ name: 'pool0', start: '10.0.0.1', end: '10.0.0.254' }]);
    assert.deepEqual(n.exclusions, []);
    assert.equal(n.domain, 'blue.netspan.internal');
    assert.equal(n.leaseTimeSeconds, 3600);
    assert.equal(DEFAULT_LEASE_TIME, 3600);
    // Stored as given (empty); guests get the gateway through effectiveRouters.
    assert.deepEqual(n.dhcpOptions.routers, []);
    assert.deepEqual(effectiveRouters(n), ['10.0.0.1']);
    assert.deepEqual(n.dhcpOptions.staticRoutes, []);
    assert.deepEqual(n.dhcpOptions.dnsServers, []);
    assert.deepEqual(n.dhcpOptions.ntpServers, []);
    assert.deepEqual(n.dhcpOptions.domainSearch, []);
    assert.equal(n.dhcpOptions.mtu, 0);
    assert.equal(n.vni, 0);
    assert.equal(n.mode, 'isolated');
    assert.equal(n.encapsulation, 'vxlan');
    assert.equal(n.vlanId, 0);
    assert.equal(n.description, '');
    assert.equal(n.createdAtMs, 1234);
  });

  it('keeps an existing createdAtMs', () => {
    assert.equal(normalizeNetwork(base({ createdAtMs: 42 }), 1234).createdAtMs, 42);
  });

  it('defaults the pool to the whole CIDR minus network and broadcast for small and large networks', () => {
    assert.deepEqual(normalizeNetwork({ name: 'n', cidr: '192.168.5.0/30' }).pools, [
      { name: 'pool0', start: '192.168.5.1', end: '192.168.5.2' },
    ]);
    assert.deepEqual(normalizeNetwork({ name: 'n', cidr: '10.0.0.0/8' }).pools, [
      { name: 'pool0', start: '10.0.0.1', end: '10.255.255.254' },
    ]);
  });

  it('has no gateway and no routers in isolated mode without a gateway', () => {
    const n = normalizeNetwork({ name: 'iso', cidr: '10.9.0.0/16' });
    assert.equal(n.gateway, '');
    assert.deepEqual(n.dhcpOptions.routers, []);
    assert.equal(n.domain, 'iso.netspan.internal');
  });

  it('keeps explicit routers instead of the gateway', () => {
    const n = normalizeNetwork(base({ dhcpOptions: { routers: ['10.0.0.2', '10.0.0.3'] } }));
    assert.deepEqual(n.dhcpOptions.routers, ['10.0.0.2', '10.0.0.3']);
  });

  it('serves the default route with static routes (RFC 3442), via the first router', () => {
    const n = normalizeNetwork(
      base({ dhcpOptions: { staticRoutes: [{ destination: '192.168.0.0/16', gateway: '10.0.0.5' }] } }),
    );
    assert.deepEqual(n.dhcpOptions.staticRoutes, [{ destination: '192.168.0.0/16', gateway: '10.0.0.5' }]);
    assert.deepEqual(effectiveStaticRoutes(n), [
      { destination: '192.168.0.0/16', gateway: '10.0.0.5' },
      { destination: '0.0.0.0/0', gateway: '10.0.0.1' },
    ]);
  });

  it('does not add a second default route', () => {
    const n = normalizeNetwork(
      base({
        dhcpOptions: {
          staticRoutes: [
            { destination: '0.0.0.0/0', gateway: '10.0.0.9' },
            { destination: '172.16.0.0/12', gateway: '10.0.0.5' },
          ],
        },
      }),
    );
    assert.deepEqual(
      effectiveStaticRoutes(n).map((r) => r.destination),
      ['0.0.0.0/0', '172.16.0.0/12'],
    );
  });

  it('adds no default route without a router', () => {
    const n = normalizeNetwork({
      name: 'iso',
      cidr: '10.0.0.0/24',
      dhcpOptions: { staticRoutes: [{ destination: '192.168.0.0/16', gateway: '10.0.0.5' }] },
    });
    assert.deepEqual(n.dhcpOptions.staticRoutes, [{ destination: '192.168.0.0/16', gateway: '10.0.0.5' }]);
  });

  it('normalises domain, domain search, exclusions and pool names', () => {
    const n = normalizeNetwork(
      base({
        domain: 'Lab.Example.COM.',
        exclusions: [
          { start: '10.0.0.5', end: '' },
          { start: '10.0.0.10', end: '10.0.0.12' },
        ],
        pools: [
          { name: '', start: '10.0.0.20', end: '10.0.0.30' },
          { name: 'dyn', start: '10.0.0.40', end: '10.0.0.50' },
        ],
        dhcpOptions: {
          domainSearch: ['Corp.Example.'],
          dnsServers: ['1.1.1.1'],
          ntpServers: ['10.0.0.2'],
          mtu: 1400,
        },
        vni: 77,
        mode: 'nat',
        description: 'd',
      }),
    );
    assert.equal(n.domain, 'lab.example.com');
    assert.deepEqual(n.exclusions, [
      { start: '10.0.0.5', end: '10.0.0.5' },
      { start: '10.0.0.10', end: '10.0.0.12' },
    ]);
    assert.deepEqual(
      n.pools.map((p) => p.name),
      ['pool0', 'dyn'],
    );
    assert.deepEqual(n.dhcpOptions.domainSearch, ['corp.example']);
    assert.deepEqual(n.dhcpOptions.dnsServers, ['1.1.1.1']);
    assert.deepEqual(n.dhcpOptions.ntpServers, ['10.0.0.2']);
    assert.equal(n.dhcpOptions.mtu, 1400);
    assert.equal(n.vni, 77);
    assert.equal(n.mode, 'nat');
  });

  it('accepts VLAN encapsulation with an id and boundary values', () => {
    assert.equal(normalizeNetwork(base({ encapsulation: 'vlan', vlanId: 1 })).vlanId, 1);
    assert.equal(normalizeNetwork(base({ encapsulation: 'vlan', vlanId: 4094 })).vlanId, 4094);
    assert.equal(normalizeNetwork(base({ vni: MAX_VNI })).vni, MAX_VNI);
    assert.equal(normalizeNetwork(base({ leaseTimeSeconds: 60 })).leaseTimeSeconds, 60);
    assert.equal(normalizeNetwork(base({ leaseTimeSeconds: 31_536_000 })).leaseTimeSeconds, 31_536_000);
    assert.equal(normalizeNetwork(base({ description: 'x'.repeat(256) })).description.length, 256);
    assert.equal(normalizeNetwork(base({ name: 'x'.repeat(63) })).name.length, 63);
  });

  it('is idempotent: normalising a normalised network changes nothing', () => {
    const once = normalizeNetwork(
      base({
        exclusions: [{ start: '10.0.0.5', end: '10.0.0.6' }],
        dhcpOptions: { staticRoutes: [{ destination: '192.168.0.0/16', gateway: '10.0.0.5' }] },
      }),
      1,
    );
    assert.deepEqual(normalizeNetwork(structuredClone(once), 2), once);
  });
});

describe('normalizeNetwork rejects invalid input with INVALID_ARGUMENT naming the field', () => {
  const cases: Array<[string, NetworkInput, string]> = [
    ['missing name', { cidr: '10.0.0.0/24' }, 'name'],
    ['name with a bad label', base({ name: 'blue_net' }), 'name'],
    ['name with a leading dash', base({ name: '-blue' }), 'name'],
    ['name with dots', base({ name: 'blue.net' }), 'name'],
    ['uppercase name', base({ name: 'Blue' }), 'name'],
    ['name too long', base({ name: 'x'.repeat(64) }), 'name'],
    ['missing cidr', { name: 'blue' }, 'cidr'],
    ['malformed cidr', base({ cidr: '10.0.0/24' }), 'cidr'],
    ['cidr with host bits', base({ cidr: '10.0.0.1/24' }), 'cidr'],
    ['cidr /31', base({ cidr: '10.0.0.0/31' }), 'cidr'],
    ['cidr /32', base({ cidr: '10.0.0.0/32' }), 'cidr'],
    ['cidr /7', base({ cidr: '10.0.0.0/7', gateway: '10.0.0.1' }), 'cidr'],
    ['malformed gateway', base({ gateway: '10.0.0.300' }), 'gateway'],
    ['gateway outside the cidr', base({ gateway: '10.0.1.1' }), 'gateway'],
    ['gateway is the broadcast address', base({ gateway: '10.0.0.255' }), 'gateway'],
    ['gateway is the network address', base({ gateway: '10.0.0.0' }), 'gateway'],
    [
      'overlapping pools',
      base({
        pools: [
          { name: 'a', start: '10.0.0.10', end: '10.0.0.20' },
          { name: 'b', start: '10.0.0.20', end: '10.0.0.30' },
        ],
      }),
      'pools[1]',
    ],
    [
      'pool containing another',
      base({
        pools: [
          { name: 'a', start: '10.0.0.10', end: '10.0.0.20' },
          { name: 'b', start: '10.0.0.30', end: '10.0.0.40' },
          { name: 'c', start: '10.0.0.2', end: '10.0.0.100' },
        ],
      }),
      'pools[2]',
    ],
    ['reversed pool', base({ pools: [{ name: 'a', start: '10.0.0.20', end: '10.0.0.10' }] }), 'pools[0]'],
    [
      'pool start outside',
      base({ pools: [{ name: 'a', start: '10.0.1.10', end: '10.0.0.20' }] }),
      'pools[0].start',
    ],
    [
      'pool end outside',
      base({ pools: [{ name: 'a', start: '10.0.0.10', end: '10.0.1.20' }] }),
      'pools[0].end',
    ],
    [
      'pool start is the network address',
      base({ pools: [{ name: 'a', start: '10.0.0.0', end: '10.0.0.20' }] }),
      'pools[0].start',
    ],
    [
      'pool end is the broadcast address',
      base({ pools: [{ name: 'a', start: '10.0.0.10', end: '10.0.0.255' }] }),
      'pools[0].end',
    ],
    [
      'pool start malformed',
      base({ pools: [{ name: 'a', start: 'x', end: '10.0.0.20' }] }),
      'pools[0].start',
    ],
    [
      'pool name not a label',
      base({ pools: [{ name: 'Pool A', start: '10.0.0.10', end: '10.0.0.20' }] }),
      'pools[0].name',
    ],
    [
      'duplicate pool names',
      base({
        pools: [
          { name: 'a', start: '10.0.0.10', end: '10.0.0.20' },
          { name: 'a', start: '10.0.0.30', end: '10.0.0.40' },
        ],
      }),
      'pools[1].name',
    ],
    ['reversed exclusion', base({ exclusions: [{ start: '10.0.0.20', end: '10.0.0.10' }] }), 'exclusions[0]'],
    [
      'exclusion outside',
      base({ exclusions: [{ start: '10.0.0.20', end: '10.0.1.10' }] }),
      'exclusions[0].end',
    ],
    [
      'second exclusion malformed',
      base({
        exclusions: [
          { start: '10.0.0.5', end: '' },
          { start: '', end: '' },
        ],
      }),
      'exclusions[1].start',
    ],
    ['lease time 10 seconds', base({ leaseTimeSeconds: 10 }), 'lease_time_seconds'],
    ['lease time negative', base({ leaseTimeSeconds: -5 }), 'lease_time_seconds'],
    ['lease time fractional', base({ leaseTimeSeconds: 60.5 }), 'lease_time_seconds'],
    ['lease time over a year', base({ leaseTimeSeconds: 31_536_001 }), 'lease_time_seconds'],
    ['invalid domain', base({ domain: 'bad_domain.example' }), 'domain'],
    ['domain with empty label', base({ domain: 'a..b' }), 'domain'],
    ['domain of only a dot', base({ domain: '.' }), 'domain'],
    ['vni too large', base({ vni: MAX_VNI + 1 }), 'vni'],
    ['vni negative', base({ vni: -1 }), 'vni'],
    ['vni fractional', base({ vni: 1.5 }), 'vni'],
    ['vlan_id without vlan encapsulation', base({ vlanId: 100 }), 'vlan_id'],
    ['vlan encapsulation without an id', base({ encapsulation: 'vlan' }), 'vlan_id'],
    ['vlan id 4095', base({ encapsulation: 'vlan', vlanId: 4095 }), 'vlan_id'],
    ['unknown encapsulation', base({ encapsulation: 'gre' as never }), 'encapsulation'],
    ['unknown mode', base({ mode: 'bridge' as never }), 'mode'],
    ['route mode without a gateway', { name: 'blue', cidr: '10.0.0.0/24', mode: 'route' }, 'gateway'],
    ['nat mode without a gateway', { name: 'blue', cidr: '10.0.0.0/24', mode: 'nat' }, 'gateway'],
    ['mtu 100', base({ dhcpOptions: { mtu: 100 } }), 'dhcp_options.mtu'],
    ['mtu 9001', base({ dhcpOptions: { mtu: 9001 } }), 'dhcp_options.mtu'],
    [
      'bad dns server',
      base({ dhcpOptions: { dnsServers: ['1.1.1.1', 'dns.example'] } }),
      'dhcp_options.dns_servers[1]',
    ],
    ['bad ntp server', base({ dhcpOptions: { ntpServers: ['1.2.3'] } }), 'dhcp_options.ntp_servers[0]'],
    [
      'router outside the cidr',
      base({ dhcpOptions: { routers: ['192.168.0.1'] } }),
      'dhcp_options.routers[0]',
    ],
    [
      'bad domain search',
      base({ dhcpOptions: { domainSearch: ['ok.example', 'no way'] } }),
      'dhcp_options.domain_search[1]',
    ],
    [
      'static route with a bad destination',
      base({ dhcpOptions: { staticRoutes: [{ destination: '192.168.0.0', gateway: '10.0.0.1' }] } }),
      'dhcp_options.static_routes[0].destination',
    ],
    [
      'static route destination with host bits',
      base({ dhcpOptions: { staticRoutes: [{ destination: '192.168.0.1/16', gateway: '10.0.0.1' }] } }),
      'dhcp_options.static_routes[0].destination',
    ],
    [
      'static route via a gateway outside the cidr',
      base({ dhcpOptions: { staticRoutes: [{ destination: '192.168.0.0/16', gateway: '10.9.0.1' }] } }),
      'dhcp_options.static_routes[0].gateway',
    ],
    ['description too long', base({ description: 'x'.repeat(257) }), 'description'],
  ];
  for (const [what, input, field] of cases) {
    it(`${what} -> ${field}`, () => {
      expectInvalid(() => normalizeNetwork(input), field);
    });
  }

  it('suggests the network address for a CIDR with host bits', () => {
    const err = expectInvalid(() => normalizeNetwork(base({ cidr: '10.0.0.7/24' })), 'cidr');
    assert.match(err.message, /did you mean 10\.0\.0\.0\/24/);
  });
});

describe('compileNetwork', () => {
  it('sizes the default pool without network, broadcast and gateway', () => {
    const c = compileNetwork(normalizeNetwork(base()));
    assert.equal(c.cidr.size, 256);
    assert.deepEqual(c.pools, [{ name: 'pool0', start: 1, end: 254, size: 253 }]);
    assert.deepEqual(c.blocked, [
      [0, 1],
      [255, 255],
    ]);
  });

  it('does not subtract a gateway that lies outside the pool', () => {
    const c = compileNetwork(
      normalizeNetwork(base({ pools: [{ name: 'a', start: '10.0.0.100', end: '10.0.0.199' }] })),
    );
    assert.deepEqual(c.pools, [{ name: 'a', start: 100, end: 199, size: 100 }]);
  });

  it('subtracts exclusions and the gateway inside each pool, counting overlaps once', () => {
    const c = compileNetwork(
      normalizeNetwork(
        base({
          gateway: '10.0.0.15',
          pools: [
            { name: 'a', start: '10.0.0.10', end: '10.0.0.29' },
            { name: 'b', start: '10.0.0.100', end: '10.0.0.109' },
            { name: 'c', start: '10.0.0.200', end: '10.0.0.254' },
          ],
          exclusions: [
            { start: '10.0.0.14', end: '10.0.0.16' }, // overlaps the gateway
            { start: '10.0.0.28', end: '10.0.0.40' }, // straddles the end of a
            { start: '10.0.0.100', end: '10.0.0.109' }, // all of b
            { start: '10.0.0.250', end: '' },
          ],
        }),
      ),
    );
    const sizes = Object.fromEntries(c.pools.map((p) => [p.name, p.size]));
    // a: 20 addresses minus .14-.16 (3, includes the gateway) minus .28-.29 (2)
    assert.equal(sizes.a, 15);
    assert.equal(sizes.b, 0);
    // c: .200-.254 = 55 minus .250
    assert.equal(sizes.c, 54);
    assert.deepEqual(c.blocked, [
      [0, 0],
      [14, 16],
      [28, 40],
      [100, 109],
      [250, 250],
      [255, 255],
    ]);
  });

  it('merges adjacent blocked ranges', () => {
    const c = compileNetwork(
      normalizeNetwork(
        base({
          exclusions: [
            { start: '10.0.0.2', end: '10.0.0.3' },
            { start: '10.0.0.4', end: '10.0.0.4' },
            { start: '10.0.0.250', end: '10.0.0.254' },
          ],
        }),
      ),
    );
    assert.deepEqual(c.blocked, [
      [0, 4],
      [250, 255],
    ]);
    assert.equal(c.pools[0]?.size, 254 - 4 - 5);
  });
});

describe('effectiveMtu', () => {
  it('derives the MTU from the encapsulation unless set', () => {
    assert.equal(effectiveMtu(normalizeNetwork(base())), 1450);
    assert.equal(effectiveMtu(normalizeNetwork(base()), 9000), 8950);
    assert.equal(effectiveMtu(normalizeNetwork(base({ encapsulation: 'vlan', vlanId: 5 }))), 1500);
    assert.equal(effectiveMtu(normalizeNetwork(base({ dhcpOptions: { mtu: 1300 } }))), 1300);
  });
});
