import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { pb } from '@netspan/api';
import {
  dataText,
  isData,
  leaseDetail,
  leasesTable,
  leaseWatchHeader,
  leaseWatchLine,
  networkDetail,
  networksTable,
  usageTable,
} from './output.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

function network(over: Partial<pb.Network> = {}): pb.Network {
  return {
    name: 'blue',
    cidr: '10.0.0.0/24',
    gateway: '10.0.0.1',
    pools: [{ name: 'web', start: '10.0.0.10', end: '10.0.0.50' }],
    exclusions: [],
    leaseTimeSeconds: 3600,
    domain: 'blue.netspan.internal',
    dhcpOptions: { routers: [], dnsServers: [], mtu: 0, domainSearch: [], staticRoutes: [], ntpServers: [] },
    vni: 1001,
    mode: 'FORWARD_MODE_NAT',
    encapsulation: 'ENCAPSULATION_VXLAN',
    vlanId: 0,
    description: '',
    relayAddresses: [],
    serviceAddress: '',
    revision: 7,
    createdAtMs: NOW,
    ...over,
  };
}

function lease(over: Partial<pb.Lease> = {}): pb.Lease {
  return {
    network: 'blue',
    address: '10.0.0.10',
    clientId: 'vm-1',
    mac: '52:54:00:00:00:01',
    hostname: 'web1',
    state: 'LEASE_STATE_BOUND',
    location: { host: 'hv1', via: 'agent' },
    createdAtMs: NOW - 60_000,
    updatedAtMs: NOW - 60_000,
    expiresAtMs: NOW + 3_540_000,
    pool: 'web',
    revision: 12,
    ...over,
  };
}

const usage: pb.NetworkUsage = {
  network: 'blue',
  cidr: '10.0.0.0/24',
  leases: 24,
  reservations: 1,
  pools: [
    {
      name: 'web',
      start: '10.0.0.10',
      end: '10.0.0.50',
      size: 41,
      used: 23,
      reserved: 1,
      utilization: 24 / 41,
    },
  ],
};

describe('network output', () => {
  it('lists networks with lease counts and pool use', () => {
    const text = networksTable(
      [network(), network({ name: 'red', vni: 0, mode: 'FORWARD_MODE_UNSPECIFIED' })],
      new Map([['blue', usage]]),
      false,
    );
    assert.equal(
      text,
      [
        'NAME  CIDR         GATEWAY   VNI   POOLS  LEASES  USED  MODE  ENCAP',
        'blue  10.0.0.0/24  10.0.0.1  1001  1      24      59%   nat   vxlan',
        'red   10.0.0.0/24  10.0.0.1  -     1      -       -     -     vxlan',
      ].join('\n'),
    );
  });

  it('adds columns in wide mode', () => {
    const [header, row] = networksTable([network({ vlanId: 5, description: 'lab' })], undefined, true).split(
      '\n',
    );
    assert.match(header ?? '', /VLAN +MTU +LEASE-TIME +DOMAIN +DESCRIPTION$/);
    assert.match(row ?? '', /5 +auto +1h +blue\.netspan\.internal +lab$/);
  });

  it('shows one network as key: value lines', () => {
    const text = networkDetail(
      network({
        dhcpOptions: {
          routers: ['10.0.0.1'],
          dnsServers: ['10.0.0.1', '9.9.9.9'],
          mtu: 1400,
          domainSearch: [],
          staticRoutes: [{ destination: '10.20.0.0/16', gateway: '10.0.0.254' }],
          ntpServers: [],
        },
        exclusions: [{ start: '10.0.0.20', end: '' }],
      }),
    );
    assert.match(text, /^name: +blue$/m);
    assert.match(text, /^pools: +web 10\.0\.0\.10-10\.0\.0\.50$/m);
    assert.match(text, /^exclusions: +10\.0\.0\.20$/m);
    assert.match(text, /^lease-time: +3600s \(1h\)$/m);
    assert.match(text, /^dns: +10\.0\.0\.1\n +9\.9\.9\.9$/m);
    assert.match(text, /^routes: +10\.20\.0\.0\/16 via 10\.0\.0\.254$/m);
    assert.match(text, /^mtu: +1400$/m);
    assert.match(text, /^created: +2024-05-01T12:00:00Z$/m);
  });

  it('draws a utilisation bar per pool', () => {
    const text = usageTable(
      [usage, { network: 'empty', cidr: '10.9.0.0/24', leases: 0, reservations: 0, pools: [] }],
      false,
    );
    assert.equal(
      text,
      [
        'NETWORK  POOL  RANGE                SIZE  USED  RESERVED  UTILISATION',
        'blue     web   10.0.0.10-10.0.0.50  41    23    1         [#######-----] 59%',
        'empty    -     -                    -     -     -         -',
      ].join('\n'),
    );
  });
});

describe('lease output', () => {
  it('lists leases with the columns operators scan for', () => {
    const text = leasesTable(
      [
        lease(),
        lease({
          address: '10.0.0.11',
          clientId: 'api-1',
          mac: '',
          hostname: '',
          location: { host: '', via: 'api' },
          expiresAtMs: 0,
        }),
      ],
      NOW,
      false,
    );
    assert.equal(
      text,
      [
        'NETWORK  ADDRESS    CLIENT  MAC                HOSTNAME  STATE  HOST  EXPIRES',
        'blue     10.0.0.10  vm-1    52:54:00:00:00:01  web1      bound  hv1   in 59m',
        'blue     10.0.0.11  api-1   -                  -         bound  -     never',
      ].join('\n'),
    );
    assert.match(leasesTable([lease()], NOW, true).split('\n')[0] ?? '', /POOL +VIA +CREATED +UPDATED$/);
  });

  it('shows one lease as key: value lines', () => {
    const text = leaseDetail(lease(), NOW);
    assert.match(text, /^client-id: +vm-1$/m);
    assert.match(text, /^expires: +2024-05-01T12:59:00Z \(in 59m\)$/m);
    assert.match(text, /^via: +agent$/m);
  });
});

describe('data formats and lease watch lines', () => {
  const message = { network: { name: 'blue', pools: [{ start: '10.0.0.1', end: '10.0.0.9' }], vni: 7 } };

  it('-o yaml prints the same fields and names as -o json', () => {
    assert.equal(dataText('json', message), JSON.stringify(message, null, 2));
    assert.equal(
      dataText('yaml', message),
      [
        'network:',
        '  name: blue',
        '  pools:',
        '    - start: 10.0.0.1',
        '      end: 10.0.0.9',
        '  vni: 7',
      ].join('\n'),
    );
    assert.ok(isData('yaml') && isData('json') && !isData('wide') && !isData('table'));
  });

  it('prints one aligned line per event, header first', () => {
    const header = leaseWatchHeader();
    assert.match(header, /^TIME\s+EVENT\s+NETWORK\s+ADDRESS\s+CLIENT\s+MAC\s+HOSTNAME\s+STATE\s+HOST$/);
    const put = leaseWatchLine(
      {
        type: 'TYPE_PUT',
        revision: 9,
        lease: {
          network: 'blue',
          address: '10.0.0.5',
          clientId: 'vm-1',
          mac: '52:54:00:00:00:01',
          hostname: 'web1',
          state: 'LEASE_STATE_BOUND',
          location: { host: 'hv-1', via: 'api' },
        } as pb.Lease,
      },
      NOW,
    );
    assert.equal(put.indexOf('blue'), header.indexOf('NETWORK'));
    assert.equal(put.indexOf('10.0.0.5'), header.indexOf('ADDRESS'));
    assert.match(
      put,
      /^2024-05-01T12:00:00Z\s+PUT\s+blue\s+10\.0\.0\.5\s+vm-1\s+52:54:00:00:00:01\s+web1\s+bound\s+hv-1$/,
    );
    const del = leaseWatchLine(
      { type: 'TYPE_DELETE', revision: 10, lease: { network: 'blue', address: '10.0.0.5' } as pb.Lease },
      NOW,
    );
    assert.match(del, /^2024-05-01T12:00:00Z\s+DELETE\s+blue\s+10\.0\.0\.5\s+-\s+-\s+-\s+-\s+-$/);
  });
});
