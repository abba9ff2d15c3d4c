import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from './errors.js';
import {
  allocateRequest,
  createNetworkRequest,
  getLeaseRequest,
  listLeasesRequest,
  NETWORK_FIELDS,
  networkCreateFlags,
  networkFromFlags,
  networkUpdateFlags,
  releaseRequest,
  updateNetworkRequest,
} from './requests.js';
import type { Invocation } from './spec.js';

const flags = (entries: Record<string, string | boolean | string[]>): Invocation['flags'] =>
  new Map(Object.entries(entries));

describe('network requests', () => {
  it('builds a create request from every flag', () => {
    const req = createNetworkRequest(
      'blue',
      flags({
        cidr: '10.0.0.0/24',
        gateway: '10.0.0.1',
        pool: ['10.0.0.10-10.0.0.50,web', '10.0.0.100-10.0.0.200'],
        exclude: ['10.0.0.20', '10.0.0.30-10.0.0.39'],
        'lease-time': '7200',
        domain: 'blue.example',
        vni: '1001',
        mode: 'nat',
        encap: 'vlan',
        'vlan-id': '50',
        router: ['10.0.0.1'],
        dns: ['10.0.0.1,9.9.9.9', '1.1.1.1'],
        mtu: '1400',
        search: ['a.example', 'b.example'],
        route: ['10.20.0.0/16=10.0.0.254'],
        ntp: ['10.0.0.2'],
        description: 'blue net',
      }),
    );
    assert.deepEqual(req, {
      network: {
        name: 'blue',
        cidr: '10.0.0.0/24',
        gateway: '10.0.0.1',
        pools: [
          { name: 'web', start: '10.0.0.10', end: '10.0.0.50' },
          { name: '', start: '10.0.0.100', end: '10.0.0.200' },
        ],
        exclusions: [
          { start: '10.0.0.20', end: '10.0.0.20' },
          { start: '10.0.0.30', end: '10.0.0.39' },
        ],
        leaseTimeSeconds: 7200,
        domain: 'blue.example',
        vni: 1001,
        mode: 'FORWARD_MODE_NAT',
        encapsulation: 'ENCAPSULATION_VLAN',
        vlanId: 50,
        dhcpOptions: {
          routers: ['10.0.0.1'],
          dnsServers: ['10.0.0.1', '9.9.9.9', '1.1.1.1'],
          mtu: 1400,
          domainSearch: ['a.example', 'b.example'],
          staticRoutes: [{ destination: '10.20.0.0/16', gateway: '10.0.0.254' }],
          ntpServers: ['10.0.0.2'],
        },
        description: 'blue net',
      },
    });
  });

  it('sends only the minimal network for a bare create', () => {
    assert.deepEqual(createNetworkRequest('blue', flags({ cidr: '10.0.0.0/24' })), {
      network: { name: 'blue', cidr: '10.0.0.0/24' },
    });
  });

  it('masks exactly the fields whose flags were given, as proto paths', () => {
    const req = updateNetworkRequest(
      'blue',
      flags({ mtu: '1400', 'lease-time': '600', pool: ['10.0.0.5-10.0.0.9'] }),
    );
    assert.deepEqual(req.updateMask, ['pools', 'lease_time_seconds', 'dhcp_options.mtu']);
    assert.deepEqual(req.network, {
      name: 'blue',
      pools: [{ name: '', start: '10.0.0.5', end: '10.0.0.9' }],
      leaseTimeSeconds: 600,
      dhcpOptions: { mtu: 1400 },
    });
    assert.equal(req.expectedRevision, undefined);
  });

  it('clears a list with an empty value and keeps the path in the mask', () => {
    const req = updateNetworkRequest('blue', flags({ dns: [''], gateway: '' }));
    assert.deepEqual(req.updateMask, ['gateway', 'dhcp_options.dns_servers']);
    assert.deepEqual(req.network, { name: 'blue', gateway: '', dhcpOptions: { dnsServers: [] } });
  });

  it('passes --expected-revision and ignores non-network flags', () => {
    const req = updateNetworkRequest(
      'blue',
      flags({ description: 'x', 'expected-revision': '42', output: 'json' }),
    );
    assert.deepEqual(req.updateMask, ['description']);
    assert.equal(req.expectedRevision, 42);
  });

  it('refuses an update without fields (an empty mask would replace every field)', () => {
    assert.throws(() => updateNetworkRequest('blue', flags({ 'expected-revision': '3' })), UsageError);
    assert.throws(() => updateNetworkRequest('blue', flags({})), /nothing to update/);
  });

  it('maps every network flag to a distinct path, and create/update accept them all', () => {
    const paths = Object.values(NETWORK_FIELDS).map((f) => f.path);
    assert.equal(new Set(paths).size, paths.length);
    for (const path of paths) assert.match(path, /^[a-z_]+(\.[a-z_]+)?$/);
    assert.deepEqual(Object.keys(networkCreateFlags()), Object.keys(NETWORK_FIELDS));
    assert.deepEqual(Object.keys(networkUpdateFlags()), [
      ...Object.keys(NETWORK_FIELDS),
      'expected-revision',
    ]);
    assert.equal(networkCreateFlags().cidr?.required, true);
    assert.equal(networkUpdateFlags().cidr?.required, undefined);
    assert.equal(NETWORK_FIELDS.cidr?.flag.required, undefined, 'the shared table is not mutated');
  });

  it('reports bad values through the flag name', () => {
    assert.throws(() => networkFromFlags('b', flags({ mode: 'bridge' })), /--mode: "bridge"/);
    assert.throws(() => networkFromFlags('b', flags({ mtu: 'big' })), /--mtu/);
    assert.throws(() => networkFromFlags('b', flags({ route: ['10.0.0.0/8'] })), /--route/);
    assert.throws(() => networkFromFlags('b', flags({ exclude: ['1-2-3'] })), /--exclude/);
  });
});

describe('lease requests', () => {
  it('allocates with only the given fields', () => {
    assert.deepEqual(allocateRequest('blue', flags({})), { network: 'blue' });
    assert.deepEqual(
      allocateRequest(
        'blue',
        flags({
          address: '10.0.0.5',
          'client-id': 'vm-1',
          mac: 'aa:bb:cc:dd:ee:ff',
          hostname: 'web1',
          pool: 'web',
          ttl: '60',
          output: 'json',
        }),
      ),
      {
        network: 'blue',
        address: '10.0.0.5',
        clientId: 'vm-1',
        mac: 'aa:bb:cc:dd:ee:ff',
        hostname: 'web1',
        pool: 'web',
        ttlSeconds: 60,
      },
    );
  });

  it('releases by address or client, and needs the holder or --force', () => {
    assert.deepEqual(releaseRequest('blue', undefined, flags({ 'client-id': 'vm-1' })), {
      network: 'blue',
      clientId: 'vm-1',
    });
    assert.deepEqual(releaseRequest('blue', '10.0.0.5', flags({ 'client-id': 'vm-1' })), {
      network: 'blue',
      address: '10.0.0.5',
      clientId: 'vm-1',
    });
    assert.deepEqual(releaseRequest('blue', '10.0.0.5', flags({ force: true })), {
      network: 'blue',
      address: '10.0.0.5',
      force: true,
    });
    assert.throws(() => releaseRequest('blue', undefined, flags({})), /ADDRESS .* or --client-id/);
    assert.throws(() => releaseRequest('blue', '10.0.0.5', flags({})), /--client-id .* or --force/);
  });

  it('gets by exactly one of address and client', () => {
    assert.deepEqual(getLeaseRequest('blue', '10.0.0.5', flags({})), {
      network: 'blue',
      address: '10.0.0.5',
    });
    assert.deepEqual(getLeaseRequest('blue', undefined, flags({ 'client-id': 'c' })), {
      network: 'blue',
      clientId: 'c',
    });
    assert.throws(() => getLeaseRequest('blue', undefined, flags({})), UsageError);
    assert.throws(() => getLeaseRequest('blue', '10.0.0.5', flags({ 'client-id': 'c' })), UsageError);
  });

  it('lists with filters and a page size', () => {
    assert.deepEqual(listLeasesRequest(flags({})), {});
    assert.deepEqual(
      listLeasesRequest(flags({ network: 'blue', host: 'hv1', state: 'bound', limit: '50' })),
      {
        network: 'blue',
        host: 'hv1',
        state: 'LEASE_STATE_BOUND',
        pageSize: 50,
      },
    );
    assert.throws(() => listLeasesRequest(flags({ state: 'gone' })), /--state/);
    assert.throws(() => listLeasesRequest(flags({ limit: '5000' })), /--limit: 5000 is outside 1\.\.1000/);
  });
});
