import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  chaddrFromMac,
  type DhcpPacket,
  decode,
  encode,
  MessageType,
  newPacket,
  replySizeLimit,
} from '@netspan/dhcp-codec';
import { DhcpLeases, IpamEngine, MemoryStore, type Network } from '@netspan/ipam';
import { DhcpServer, type Outcome, type RequestContext } from './server.js';

const fixtures = join(fileURLToPath(import.meta.url), '../../../../test/fixtures/dhcp');
const SERVER = '10.0.0.1';

async function setup(extra: Record<string, unknown> = {}) {
  const engine = new IpamEngine(new MemoryStore());
  await engine.start();
  const stored = await engine.createNetwork({
    name: 'blue',
    cidr: '10.0.0.0/24',
    gateway: '10.0.0.1',
    pools: [{ name: 'dyn', start: '10.0.0.100', end: '10.0.0.199' }],
    dhcpOptions: {
      dnsServers: ['10.0.0.53'],
      staticRoutes: [{ destination: '10.9.0.0/16', gateway: '10.0.0.2' }],
    },
    ...extra,
  });
  const leases = new DhcpLeases(engine);
  const outcomes: Array<[string, Outcome]> = [];
  const server = new DhcpServer(leases, { onOutcome: (t, o) => outcomes.push([t, o]) });
  const ctx: RequestContext = {
    network: stored.network as Network,
    serverId: SERVER,
    location: { host: 'host-a', via: 'agent' },
  };
  return { engine, leases, server, ctx, outcomes };
}

let xid = 1;
function pkt(
  mac: string,
  type: number,
  fields: Partial<DhcpPacket> = {},
  options: DhcpPacket['options'] = {},
): DhcpPacket {
  return newPacket({
    xid: xid++,
    chaddr: chaddrFromMac(mac),
    ...fields,
    options: { messageType: type, ...options },
  });
}

describe('DhcpServer (RFC 2131 §4.3)', () => {
  it('answers a real udhcpc DISCOVER with an OFFER carrying the network options', async () => {
    const { server, ctx } = await setup();
    const bytes = readFileSync(join(fixtures, 'udhcpc-01-discover.bin'));
    const reply = await server.handleBytes(bytes, ctx);
    assert.ok(reply);
    const offer = decode(reply.bytes);
    assert.equal(offer.options.messageType, MessageType.Offer);
    assert.equal(offer.xid, decode(bytes).xid);
    const n = Number(offer.yiaddr.split('.')[3]);
    assert.ok(offer.yiaddr.startsWith('10.0.0.') && n >= 100 && n <= 199, offer.yiaddr);
    assert.equal(offer.options.serverId, SERVER);
    assert.equal(offer.options.subnetMask, '255.255.255.0');
    assert.deepEqual(offer.options.routers, ['10.0.0.1']);
    assert.deepEqual(offer.options.dnsServers, ['10.0.0.53']);
    assert.equal(offer.options.mtu, 1450, 'VXLAN: underlay 1500 - 50');
    assert.equal(offer.options.leaseTime, 3600);
    // udhcpc asks for neither T1 nor T2 (it uses the same defaults).
    assert.equal(offer.options.renewalTime, undefined);
    assert.equal(offer.options.rebindingTime, undefined);
    assert.equal(offer.options.domainName, 'blue.netspan.internal');
    assert.equal(offer.options.broadcastAddress, '10.0.0.255');
    // Not asked for, but configured routes are always sent.
    assert.deepEqual(offer.options.classlessRoutes, [
      { destination: '10.9.0.0/16', router: '10.0.0.2' },
      { destination: '0.0.0.0/0', router: '10.0.0.1' },
    ]);
    assert.equal(reply.delivery.kind, 'broadcast');
  });

  it('carries the options the client asks for (option 55), or all of them when it asks for none', async () => {
    // A plain network: Ethernet's MTU, no static routes, so nothing is forced.
    const { server, ctx: plain } = await setup({
      encapsulation: 'vlan',
      vlanId: 100,
      dhcpOptions: { dnsServers: ['10.0.0.53'], ntpServers: ['10.0.0.123'], domainSearch: ['example.org'] },
    });
    const ask = async (prl: number[] | undefined) => {
      const reply = await server.handle(
        pkt(
          `02:00:00:00:55:${(xid & 255).toString(16).padStart(2, '0')}`,
          MessageType.Discover,
          {},
          prl ? { parameterRequestList: prl } : {},
        ),
        plain,
      );
      assert.ok(reply);
      const { order: _, ...o } = decode(reply.bytes).options;
      // The reply's bytes and its packet say the same.
      assert.deepEqual(o, reply.packet.options);
      return o;
    };
    const few = await ask([1, 3, 6]);
    assert.equal(few.subnetMask, '255.255.255.0');
    assert.deepEqual(few.routers, ['10.0.0.1']);
    assert.deepEqual(few.dnsServers, ['10.0.0.53']);
    assert.equal(few.leaseTime, 3600);
    assert.equal(few.serverId, SERVER);
    for (const k of [
      'domainName',
      'broadcastAddress',
      'mtu',
      'ntpServers',
      'domainSearch',
      'renewalTime',
      'rebindingTime',
      'classlessRoutes',
    ] as const)
      assert.equal(few[k], undefined, `${k} was not asked for`);
    const times = await ask([58, 59, 42, 119]);
    assert.equal(times.renewalTime, 1800);
    assert.equal(times.rebindingTime, 3150);
    assert.deepEqual(times.ntpServers, ['10.0.0.123']);
    assert.deepEqual(times.domainSearch, ['example.org']);
    assert.equal(times.dnsServers, undefined);
    const all = await ask(undefined);
    assert.deepEqual(all.dnsServers, ['10.0.0.53']);
    assert.equal(all.domainName, 'blue.netspan.internal');
    assert.equal(all.broadcastAddress, '10.0.0.255');
    assert.equal(all.mtu, 1500);
    assert.equal(all.renewalTime, 1800);
    assert.deepEqual(all.ntpServers, ['10.0.0.123']);
  });

  it('states the lease time the lease has left, also when its claim was slow', async () => {
    const { server, ctx, leases } = await setup();
    const request = async (mac: string) => {
      const offer = await server.handle(pkt(mac, MessageType.Discover), ctx);
      assert.ok(offer);
      const reply = await server.handle(
        pkt(mac, MessageType.Request, {}, { serverId: SERVER, requestedIp: offer.packet.yiaddr }),
        ctx,
      );
      assert.equal(reply?.packet.options.messageType, MessageType.Ack);
      return decode(reply.bytes).options;
    };
    // A quick claim: the ACK built before it went to the store states the full time.
    const quick = await request('02:00:00:00:00:61');
    assert.equal(quick.leaseTime, 3600);
    assert.equal(quick.renewalTime, 1800);
    // A claim that returned 2.4 s after the lease's clock started: the ACK is built again.
    const bind = leases.bind.bind(leases);
    leases.bind = async (p) => {
      const r = await bind(p);
      return r.ok ? { ...r, lease: { ...r.lease, expiresAtMs: r.lease.expiresAtMs - 2400 } } : r;
    };
    const slow = await request('02:00:00:00:00:62');
    assert.equal(slow.leaseTime, 3598);
    assert.equal(slow.renewalTime, 1799);
    assert.equal(slow.rebindingTime, Math.floor((3598 * 7) / 8));
  });

  it('runs DISCOVER, REQUEST (SELECTING), renewal, RELEASE', async () => {
    const { server, ctx, engine } = await setup();
    const mac = '02:00:00:00:00:01';
    const offer = await server.handle(pkt(mac, MessageType.Discover, {}, { hostname: 'Web.Example' }), ctx);
    assert.ok(offer);
    const addr = offer.packet.yiaddr;
    const ack = await server.handle(
      pkt(mac, MessageType.Request, {}, { serverId: SERVER, requestedIp: addr, hostname: 'Web.Example' }),
      ctx,
    );
    assert.equal(ack?.packet.options.messageType, MessageType.Ack);
    assert.equal(ack?.packet.yiaddr, addr);
    const lease = await engine.getLease({ network: 'blue', address: addr });
    assert.equal(lease.clientId, `mac:${mac}`);
    assert.equal(lease.hostname, 'web');
    assert.deepEqual(lease.location, { host: 'host-a', via: 'agent' });
    assert.ok(lease.expiresAtMs > Date.now());
    // RENEWING: unicast, ciaddr set, no 50/54.
    const renew = await server.handle(pkt(mac, MessageType.Request, { ciaddr: addr }), ctx);
    assert.equal(renew?.packet.options.messageType, MessageType.Ack);
    assert.deepEqual(renew?.delivery, { kind: 'unicast', address: addr, mac });
    // RELEASE
    assert.equal(
      await server.handle(pkt(mac, MessageType.Release, { ciaddr: addr }, { serverId: SERVER }), ctx),
      undefined,
    );
    await assert.rejects(engine.getLease({ network: 'blue', address: addr }), /no lease/);
  });

  it('is silent when the client selected another server', async () => {
    const { server, ctx, outcomes } = await setup();
    const mac = '02:00:00:00:00:02';
    const offer = await server.handle(pkt(mac, MessageType.Discover), ctx);
    assert.ok(offer);
    const r = await server.handle(
      pkt(mac, MessageType.Request, {}, { serverId: '10.0.0.254', requestedIp: offer.packet.yiaddr }),
      ctx,
    );
    assert.equal(r, undefined);
    assert.deepEqual(outcomes.at(-1), ['request', 'ignored-other-server']);
  });

  it('NAKs an INIT-REBOOT on the wrong subnet and a request for an address that is not theirs', async () => {
    const { server, ctx } = await setup();
    const wrong = await server.handle(
      pkt('02:00:00:00:00:03', MessageType.Request, {}, { requestedIp: '192.168.1.50' }),
      ctx,
    );
    assert.equal(wrong?.packet.options.messageType, MessageType.Nak);
    assert.equal(wrong?.delivery.kind, 'broadcast');
    // Someone else holds .150.
    const a = '02:00:00:00:00:04';
    await server.handle(pkt(a, MessageType.Request, {}, { requestedIp: '10.0.0.150' }), ctx);
    const b = await server.handle(
      pkt('02:00:00:00:00:05', MessageType.Request, {}, { requestedIp: '10.0.0.150' }),
      ctx,
    );
    assert.equal(b?.packet.options.messageType, MessageType.Nak);
    // INIT-REBOOT of the holder: ACK with the same address.
    const again = await server.handle(pkt(a, MessageType.Request, {}, { requestedIp: '10.0.0.150' }), ctx);
    assert.equal(again?.packet.options.messageType, MessageType.Ack);
    assert.equal(again?.packet.yiaddr, '10.0.0.150');
    // The holder asking for a different address than it holds: NAK.
    const other = await server.handle(pkt(a, MessageType.Request, {}, { requestedIp: '10.0.0.151' }), ctx);
    assert.equal(other?.packet.options.messageType, MessageType.Nak);
  });

  it('returns the client identifier unaltered in OFFER, ACK and NAK (RFC 6842), and none when none came', async () => {
    const { server, ctx } = await setup();
    const clientId = Buffer.from([0xff, 0, 1, 2, 3, 4, 5, 6, 7]);
    const mac = '02:00:00:00:00:61';
    const offer = await server.handle(pkt(mac, MessageType.Discover, {}, { clientId }), ctx);
    assert.deepEqual(decode(offer?.bytes as Buffer).options.clientId, clientId);
    const ack = await server.handle(
      pkt(mac, MessageType.Request, {}, { clientId, serverId: SERVER, requestedIp: offer?.packet.yiaddr }),
      ctx,
    );
    assert.equal(ack?.packet.options.messageType, MessageType.Ack);
    assert.deepEqual(decode(ack?.bytes as Buffer).options.clientId, clientId);
    const nak = await server.handle(
      pkt(mac, MessageType.Request, {}, { clientId, requestedIp: '192.168.1.50' }),
      ctx,
    );
    assert.equal(nak?.packet.options.messageType, MessageType.Nak);
    assert.deepEqual(decode(nak?.bytes as Buffer).options.clientId, clientId);
    // Another client, without option 61: nothing echoed (and nothing left over from the first).
    const plain = await server.handle(pkt('02:00:00:00:00:62', MessageType.Discover), ctx);
    assert.equal(decode(plain?.bytes as Buffer).options.clientId, undefined);
  });

  it('quarantines a DECLINEd address and offers another', async () => {
    const { server, ctx, engine } = await setup();
    const mac = '02:00:00:00:00:06';
    const offer = await server.handle(pkt(mac, MessageType.Discover), ctx);
    const addr = offer?.packet.yiaddr as string;
    await server.handle(pkt(mac, MessageType.Request, {}, { serverId: SERVER, requestedIp: addr }), ctx);
    assert.equal(
      await server.handle(pkt(mac, MessageType.Decline, {}, { serverId: SERVER, requestedIp: addr }), ctx),
      undefined,
    );
    assert.equal((await engine.getLease({ network: 'blue', address: addr })).state, 'declined');
    const next = await server.handle(pkt(mac, MessageType.Discover), ctx);
    assert.ok(next);
    assert.notEqual(next.packet.yiaddr, addr);
    const stranger = await server.handle(
      pkt('02:00:00:00:00:07', MessageType.Request, {}, { requestedIp: addr }),
      ctx,
    );
    assert.equal(stranger?.packet.options.messageType, MessageType.Nak);
  });

  it('answers INFORM with options but no lease, to ciaddr', async () => {
    const { server, ctx } = await setup();
    const r = await server.handle(pkt('02:00:00:00:00:08', MessageType.Inform, { ciaddr: '10.0.0.20' }), ctx);
    assert.equal(r?.packet.options.messageType, MessageType.Ack);
    assert.equal(r?.packet.yiaddr, '0.0.0.0');
    assert.equal(r?.packet.options.leaseTime, undefined);
    assert.deepEqual(r?.packet.options.dnsServers, ['10.0.0.53']);
    assert.deepEqual(r?.delivery, { kind: 'unicast', address: '10.0.0.20', mac: '02:00:00:00:00:08' });
  });

  it('replies to the relay at giaddr and echoes option 82', async () => {
    const { server, ctx } = await setup();
    const relayInfo = { circuitId: Buffer.from('port7'), remoteId: Buffer.from('sw1') };
    const r = await server.handle(
      pkt(
        '02:00:00:00:00:09',
        MessageType.Discover,
        { giaddr: '10.0.0.2', hops: 1 },
        { relayAgentInfo: relayInfo },
      ),
      ctx,
    );
    assert.deepEqual(r?.delivery, { kind: 'relay', address: '10.0.0.2' });
    assert.equal(r?.packet.giaddr, '10.0.0.2');
    assert.deepEqual(decode(r?.bytes as Buffer).options.relayAgentInfo?.circuitId, Buffer.from('port7'));
  });

  it('drops malformed packets and packets it cannot key, and counts them', async () => {
    const { server, ctx, outcomes } = await setup();
    for (const bad of [Buffer.alloc(0), Buffer.alloc(100), Buffer.from('x'.repeat(300))]) {
      assert.equal(await server.handleBytes(bad, ctx), undefined);
    }
    assert.equal(await server.handle(newPacket({ op: 2, options: { messageType: 1 } }), ctx), undefined);
    assert.equal(outcomes.filter(([, o]) => o === 'malformed').length, 4);
  });

  it('keys leases by option 61 when present', async () => {
    const { server, ctx, engine } = await setup();
    const clientId = Buffer.from([1, 2, 0, 0, 0, 0, 0x0a]);
    const o = await server.handle(pkt('02:00:00:00:00:0a', MessageType.Discover, {}, { clientId }), ctx);
    const addr = o?.packet.yiaddr as string;
    await server.handle(
      pkt('02:00:00:00:00:0a', MessageType.Request, {}, { clientId, serverId: SERVER, requestedIp: addr }),
      ctx,
    );
    assert.equal(
      (await engine.getLease({ network: 'blue', address: addr })).clientId,
      '01:02:00:00:00:00:0a',
    );
    // Same client id from another NIC (MAC): same lease.
    const again = await server.handle(pkt('02:00:00:00:00:0b', MessageType.Discover, {}, { clientId }), ctx);
    assert.equal(again?.packet.yiaddr, addr);
  });

  it('stays silent when the network is full', async () => {
    const { server, ctx, outcomes } = await setup({
      pools: [{ name: 'one', start: '10.0.0.100', end: '10.0.0.100' }],
    });
    assert.ok(await server.handle(pkt('02:00:00:00:00:0c', MessageType.Discover), ctx));
    assert.equal(await server.handle(pkt('02:00:00:00:00:0d', MessageType.Discover), ctx), undefined);
    assert.deepEqual(outcomes.at(-1), ['discover', 'exhausted']);
  });

  it('writes OFFER/ACK bytes exactly as encode() would (pre-encoded network options spliced in)', async () => {
    const networks: Array<Record<string, unknown>> = [
      {},
      { dhcpOptions: { dnsServers: [], staticRoutes: [] }, domain: '' },
      {
        dhcpOptions: {
          dnsServers: ['10.0.0.53', '10.0.0.54'],
          ntpServers: ['10.0.0.123'],
          domainSearch: ['blue.example', 'example'],
          staticRoutes: [{ destination: '10.9.0.0/16', gateway: '10.0.0.2' }],
          mtu: 9000,
        },
      },
      {
        // Enough options that a 576-byte client needs file/sname overload: the generic path.
        dhcpOptions: {
          dnsServers: Array.from({ length: 25 }, (_, i) => `10.0.0.${i + 10}`),
          domainSearch: Array.from({ length: 5 }, (_, i) => `zone${i}.some-long-domain.example`),
          staticRoutes: Array.from({ length: 10 }, (_, i) => ({
            destination: `10.${i + 10}.0.0/16`,
            gateway: '10.0.0.2',
          })),
        },
      },
    ];
    let n = 0x20;
    for (const extra of networks) {
      const { server, ctx } = await setup(extra);
      for (const [fields, options] of [
        [{}, {}],
        [
          { giaddr: '10.0.0.2', hops: 1, flags: 0x8000 },
          { relayAgentInfo: { circuitId: Buffer.from('p7') } },
        ],
        [{}, { maxMessageSize: 1500 }],
        [{ secs: 9 }, { maxMessageSize: 576, clientId: Buffer.from([1, 2, 3]) }],
      ] as Array<[Partial<DhcpPacket>, DhcpPacket['options']]>) {
        const mac = `02:00:00:00:01:${(n++).toString(16).padStart(2, '0')}`;
        for (const under of [undefined, 9000]) {
          const c = under === undefined ? ctx : { ...ctx, underlayMtu: under };
          const discover = pkt(mac, MessageType.Discover, fields, options);
          const offer = await server.handle(discover, c);
          assert.ok(offer);
          assert.deepEqual(offer.bytes, encode(offer.packet, { maxSize: replySizeLimit(discover) }));
          const request = pkt(mac, MessageType.Request, fields, {
            ...options,
            serverId: SERVER,
            requestedIp: offer.packet.yiaddr,
          });
          const ack = await server.handle(request, c);
          assert.equal(ack?.packet.options.messageType, MessageType.Ack);
          assert.deepEqual(ack?.bytes, encode(ack.packet, { maxSize: replySizeLimit(request) }));
        }
      }
    }
  });
});
