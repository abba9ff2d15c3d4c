import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { pb } from '@netspan/api';
import { plumbingFor } from './agent.js';
import type { AgentConfig } from './config.js';
import { jittered } from './control.js';

const cfg: AgentConfig = {
  hostId: 'h1',
  vtepAddress: '192.0.2.1',
  vtepInterface: 'eth0',
  underlayMtu: 1500,
  ipamdEndpoints: ['127.0.0.1:7700'],
  joinToken: 'x',
  networks: [],
  uplink: '',
  resyncIntervalSeconds: 30,
  remoteMacs: false,
  tlsCa: '',
  tlsCert: '',
  tlsKey: '',
  logLevel: 'info',
  logFormat: 'json',
  metricsListen: '',
};

function net(over: Partial<pb.Network>): pb.Network {
  return {
    name: 'blue',
    cidr: '10.0.0.0/24',
    gateway: '',
    pools: [],
    exclusions: [],
    leaseTimeSeconds: 3600,
    domain: '',
    dhcpOptions: null,
    vni: 100,
    mode: 'FORWARD_MODE_ISOLATED',
    encapsulation: 'ENCAPSULATION_VXLAN',
    vlanId: 0,
    description: '',
    relayAddresses: [],
    serviceAddress: '',
    revision: 1,
    createdAtMs: 1,
    ...over,
  } as pb.Network;
}

const peer = (hostId: string, vtepAddress: string, networks: string[]): pb.Peer => ({
  hostId,
  vtepAddress,
  networks,
});

function state(over: Partial<pb.DesiredState>): pb.DesiredState {
  return { revision: 5, networks: [], peers: [], guests: [], ...over } as pb.DesiredState;
}

describe('plumbingFor', () => {
  it('maps networks to bridges with the service address, anycast MAC, MTU and peers carrying them', () => {
    const p = plumbingFor(
      state({
        networks: [net({}), net({ name: 'red', cidr: '10.1.0.0/24', vni: 7, gateway: '10.1.0.1' })],
        peers: [
          peer('h1', '192.0.2.1', ['blue', 'red']),
          peer('h2', '192.0.2.2', ['blue']),
          peer('h3', '192.0.2.3', ['blue', 'red']),
        ],
      }),
      cfg,
    );
    assert.deepEqual(p.problems, []);
    assert.equal(p.host.localVtep, '192.0.2.1');
    assert.equal(p.host.underlayDevice, 'eth0');
    const [blue, red] = p.host.networks;
    assert.deepEqual(blue, {
      name: 'blue',
      vni: 100,
      encapsulation: 'vxlan',
      vlanId: 0,
      mtu: 1450,
      serviceAddress: '10.0.0.254',
      serviceMac: '02:6e:73:00:00:64',
      peers: ['192.0.2.2', '192.0.2.3'],
    });
    assert.equal(red?.serviceAddress, '10.1.0.1', 'the gateway serves when set');
    assert.deepEqual(red?.peers, ['192.0.2.3'], 'only peers that carry the network');
    assert.deepEqual(
      [...p.bridges],
      [
        ['blue', 'nsbr100'],
        ['red', 'nsbr7'],
      ],
    );
  });

  it('honours an explicit MTU and service address, and a larger underlay', () => {
    const p = plumbingFor(
      state({
        networks: [
          net({
            serviceAddress: '10.0.0.2',
            dhcpOptions: {
              mtu: 1400,
              routers: [],
              dnsServers: [],
              domainSearch: [],
              staticRoutes: [],
              ntpServers: [],
            },
          }),
          net({ name: 'jumbo', cidr: '10.2.0.0/24', vni: 9 }),
        ],
      }),
      { ...cfg, underlayMtu: 9000 },
    );
    assert.equal(p.host.networks[0]?.mtu, 1400);
    assert.equal(p.host.networks[0]?.serviceAddress, '10.0.0.2');
    assert.equal(p.host.networks[1]?.mtu, 8950);
  });

  it('adds remote guests as static MAC entries only when asked, never local ones', () => {
    const s = state({
      networks: [net({})],
      peers: [peer('h1', '192.0.2.1', ['blue']), peer('h2', '192.0.2.2', ['blue'])],
      guests: [
        { network: 'blue', mac: '52:54:00:00:00:02', address: '10.0.0.2', hostId: 'h2' },
        { network: 'blue', mac: '52:54:00:00:00:01', address: '10.0.0.1', hostId: 'h1' },
        { network: 'blue', mac: '52:54:00:00:00:09', address: '10.0.0.9', hostId: 'gone' },
      ],
    });
    assert.equal(plumbingFor(s, cfg).host.networks[0]?.remoteMacs, undefined);
    assert.deepEqual(plumbingFor(s, { ...cfg, remoteMacs: true }).host.networks[0]?.remoteMacs, [
      { mac: '52:54:00:00:00:02', vtep: '192.0.2.2' },
    ]);
  });

  it('reports networks it cannot build instead of failing the whole host', () => {
    const p = plumbingFor(
      state({
        networks: [
          net({ name: 'novni', vni: 0 }),
          net({ name: 'vlan', vni: 5, encapsulation: 'ENCAPSULATION_VLAN', vlanId: 10 }),
          net({}),
        ],
      }),
      cfg,
    );
    assert.deepEqual(
      p.host.networks.map((n) => n.name),
      ['blue'],
    );
    assert.equal(p.problems.length, 2);
    assert.match(p.problems.join('\n'), /novni has no VNI/);
    assert.match(p.problems.join('\n'), /VLAN-encapsulated but this agent has no --uplink/);
    const withUplink = plumbingFor(
      state({ networks: [net({ name: 'vlan', vni: 5, encapsulation: 'ENCAPSULATION_VLAN', vlanId: 10 })] }),
      {
        ...cfg,
        uplink: 'eth1',
      },
    );
    assert.equal(withUplink.host.uplink, 'eth1');
    assert.equal(withUplink.host.networks[0]?.encapsulation, 'vlan');
    assert.equal(withUplink.host.networks[0]?.mtu, 1500, 'no VXLAN overhead on a VLAN');
  });
});

describe('jittered backoff', () => {
  it('grows exponentially within [half, full] of the ceiling and is capped', () => {
    assert.equal(
      jittered(0, 200, 10_000, () => 0),
      100,
    );
    assert.equal(
      jittered(0, 200, 10_000, () => 1),
      200,
    );
    assert.equal(
      jittered(3, 200, 10_000, () => 0.5),
      1200,
    );
    assert.equal(
      jittered(30, 200, 10_000, () => 1),
      10_000,
    );
    assert.equal(
      jittered(30, 200, 10_000, () => 0),
      5000,
    );
  });
});
