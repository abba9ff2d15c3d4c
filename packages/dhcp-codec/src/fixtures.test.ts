import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FqdnFlag, MessageType } from './options.js';
import { BOOTP_MIN_SIZE, decode, encode, macAddress } from './packet.js';
import { FIXTURE_DIR, fixture, fixtures, hex, pcapUdpPayloads } from './test-fixtures.js';

const TYPES = ['', 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform'];
const CLIENT_MAC = '02:00:5e:00:0c:01';

describe('fixtures captured from real clients', () => {
  const all = fixtures();

  it('has captures from udhcpc, dhclient and perfdhcp (relay mode)', () => {
    const captures = new Set(all.map((f) => f.capture));
    assert.deepEqual([...captures].sort(), ['dhclient', 'perfdhcp-relay', 'udhcpc']);
  });

  it('each .bin is exactly a UDP payload of its pcap, in capture order', () => {
    const pcaps = readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.pcap'));
    assert.equal(pcaps.length, 3);
    for (const pcap of pcaps) {
      const capture = pcap.replace(/\.pcap$/, '');
      const bins = all.filter((f) => f.capture === capture);
      const payloads = pcapUdpPayloads(pcap);
      assert.equal(bins.length, payloads.length, pcap);
      bins.forEach((bin, i) => {
        assert.ok(
          bin.bytes.equals(payloads[i] as Buffer),
          `${bin.name} differs from packet ${i + 1} of ${pcap}`,
        );
      });
    }
  });

  for (const f of all) {
    describe(f.name, () => {
      it('decodes to the message type its name says', () => {
        const p = decode(f.bytes);
        const type = f.name.replace(/^.*-\d\d-([a-z]+)\.bin$/, '$1');
        assert.equal(TYPES[p.options.messageType ?? 0], type);
      });

      it('re-encodes byte for byte (no padding asked)', () => {
        const out = encode(decode(f.bytes), { minSize: 0 });
        // Only trailing padding after END may be lost (udhcpc pads its RELEASE to 300 bytes).
        assert.deepEqual(out, f.bytes.subarray(0, out.length));
        assert.ok(f.bytes.subarray(out.length).every((b) => b === 0));
        assert.equal(f.bytes[out.length - 1], 255, 'original ends its options with END');
      });

      it('re-encodes byte for byte with default BOOTP padding', () => {
        const out = encode(decode(f.bytes));
        const expected = Buffer.alloc(Math.max(f.bytes.length, BOOTP_MIN_SIZE));
        f.bytes.copy(expected);
        assert.deepEqual(out, expected);
      });
    });
  }
});

describe('busybox udhcpc 1.35', () => {
  it('DISCOVER: its PRL, hostname, vendor class, MAC client id, max size and ASCII FQDN', () => {
    const p = decode(fixture('udhcpc-01-discover.bin'));
    assert.equal(p.op, 1);
    assert.equal(p.htype, 1);
    assert.equal(p.hlen, 6);
    assert.equal(p.hops, 0);
    assert.equal(p.xid, 0xb110e265);
    assert.equal(p.secs, 0);
    assert.equal(p.flags, 0);
    assert.equal(p.ciaddr, '0.0.0.0');
    assert.equal(p.giaddr, '0.0.0.0');
    assert.equal(macAddress(p), CLIENT_MAC);
    assert.deepEqual(p.chaddr, hex('02005e000c01 00000000000000000000'));
    assert.equal(p.sname, '');
    assert.equal(p.file, '');
    assert.deepEqual(p.options, {
      messageType: MessageType.Discover,
      maxMessageSize: 576,
      parameterRequestList: [1, 3, 6, 12, 15, 28, 42],
      hostname: 'nsdc-busybox',
      vendorClassId: 'udhcp 1.35.0',
      clientId: hex('01 02005e000c01'),
      // -F sends the name in ASCII with only S set, and rcodes 0.
      clientFqdn: { flags: FqdnFlag.ServerUpdate, rcode1: 0, rcode2: 0, name: 'nsdc-busybox' },
      order: [53, 57, 55, 12, 60, 61, 81],
    });
  });

  it('REQUEST (selecting): requested IP and server id, same xid as the DISCOVER', () => {
    const p = decode(fixture('udhcpc-03-request.bin'));
    assert.equal(p.xid, 0xb110e265);
    assert.equal(p.ciaddr, '0.0.0.0');
    assert.equal(p.options.messageType, MessageType.Request);
    assert.equal(p.options.requestedIp, '192.0.2.140');
    assert.equal(p.options.serverId, '192.0.2.1');
    assert.deepEqual(p.options.order, [53, 50, 54, 57, 55, 12, 60, 61, 81]);
  });

  it('REQUEST (renewing, unicast): ciaddr set, no requested IP or server id', () => {
    const p = decode(fixture('udhcpc-05-request.bin'));
    assert.equal(p.ciaddr, '192.0.2.140');
    assert.equal(p.options.messageType, MessageType.Request);
    assert.equal(p.options.requestedIp, undefined);
    assert.equal(p.options.serverId, undefined);
  });

  it('RELEASE: ciaddr, server id and client id only, a fresh xid, secs set, padded to 300 bytes', () => {
    const bytes = fixture('udhcpc-07-release.bin');
    assert.equal(bytes.length, 300);
    const p = decode(bytes);
    assert.equal(p.ciaddr, '192.0.2.140');
    assert.equal(p.xid, 0x3277a464);
    assert.equal(p.secs, 2);
    assert.deepEqual(p.options, {
      messageType: MessageType.Release,
      serverId: '192.0.2.1',
      clientId: hex('01 02005e000c01'),
      order: [53, 54, 61],
    });
  });

  it('dnsmasq OFFER to udhcpc: only what the PRL asked for, and the FQDN completed with the domain', () => {
    const p = decode(fixture('udhcpc-02-offer.bin'));
    assert.equal(p.op, 2);
    assert.equal(p.yiaddr, '192.0.2.140');
    assert.equal(p.siaddr, '192.0.2.1');
    assert.deepEqual(p.options.clientFqdn, {
      flags: FqdnFlag.ServerUpdate,
      rcode1: 255,
      rcode2: 255,
      name: 'nsdc-busybox.example.test',
    });
    assert.equal(p.options.domainSearch, undefined);
    assert.equal(p.options.classlessRoutes, undefined);
  });
});

describe('ISC dhclient 4.4.3-P1', () => {
  it('DISCOVER: its PRL (with 119 and 121), client id, hostname and wire-format FQDN', () => {
    const p = decode(fixture('dhclient-01-discover.bin'));
    assert.equal(p.xid, 0x0656d44b);
    assert.equal(macAddress(p), CLIENT_MAC);
    assert.deepEqual(p.options, {
      messageType: MessageType.Discover,
      hostname: 'nsdc-dhclient',
      clientFqdn: {
        flags: FqdnFlag.ServerUpdate | FqdnFlag.Encoded,
        rcode1: 0,
        rcode2: 0,
        name: 'nsdc-dhclient.example.test.',
      },
      parameterRequestList: [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42],
      clientId: hex('01 02005e000c01'),
      order: [53, 12, 81, 55, 61],
    });
  });

  it('REQUEST: server id and requested IP, no max message size', () => {
    const p = decode(fixture('dhclient-03-request.bin'));
    assert.equal(p.options.messageType, MessageType.Request);
    assert.equal(p.options.serverId, '192.0.2.1');
    assert.equal(p.options.requestedIp, '192.0.2.140');
    assert.equal(p.options.maxMessageSize, undefined);
    assert.deepEqual(p.options.order, [53, 54, 50, 12, 81, 55, 61]);
  });

  it('RELEASE: unicast with ciaddr, keeps hostname and FQDN, not padded to 300 bytes', () => {
    const bytes = fixture('dhclient-05-release.bin');
    assert.equal(bytes.length, 307);
    const p = decode(bytes);
    assert.equal(p.ciaddr, '192.0.2.140');
    assert.equal(p.options.messageType, MessageType.Release);
    assert.deepEqual(p.options.order, [53, 54, 12, 81, 61]);
  });

  it('dnsmasq ACK: compressed domain search, classless routes, MTU, NTP', () => {
    const p = decode(fixture('dhclient-04-ack.bin'));
    assert.deepEqual(p.options, {
      messageType: MessageType.Ack,
      serverId: '192.0.2.1',
      leaseTime: 3600,
      renewalTime: 1800,
      rebindingTime: 3150,
      subnetMask: '255.255.255.0',
      broadcastAddress: '192.0.2.255',
      domainName: 'example.test',
      hostname: 'nsdc-dhclient',
      clientFqdn: {
        flags: FqdnFlag.ServerUpdate | FqdnFlag.Encoded,
        rcode1: 255,
        rcode2: 255,
        name: 'nsdc-dhclient.example.test.',
      },
      classlessRoutes: [
        { destination: '10.0.0.0/8', router: '192.0.2.1' },
        { destination: '0.0.0.0/0', router: '192.0.2.1' },
      ],
      domainSearch: ['example.test', 'lab.example.test', 'corp.example.test'],
      mtu: 1450,
      ntpServers: ['192.0.2.123'],
      dnsServers: ['192.0.2.1', '192.0.2.53'],
      routers: ['192.0.2.1'],
      order: [53, 54, 51, 58, 59, 1, 28, 15, 12, 81, 121, 119, 26, 42, 6, 3],
    });
    // dnsmasq compresses "lab" and "corp" onto "example.test" at offset 0, as our encoder does.
    const raw = fixture('dhclient-04-ack.bin');
    const at = raw.indexOf(hex('771b'), 240);
    assert.deepEqual(
      raw.subarray(at + 2, at + 2 + 27),
      hex('076578616d706c6504746573740003 6c6162c000 04636f7270c000'),
    );
  });
});

describe('perfdhcp 2.2 (relay mode) and Kea 2.2', () => {
  it('DISCOVERs: giaddr and hops 1 as a relay, sequential xids and MACs, no padding to 300', () => {
    for (const [i, name] of ['01', '05', '09'].map(
      (n, i) => [i, `perfdhcp-relay-${n}-discover.bin`] as const,
    )) {
      const bytes = fixture(name);
      assert.equal(bytes.length, 262);
      const p = decode(bytes);
      assert.equal(p.giaddr, '192.0.2.2');
      assert.equal(p.hops, 1);
      assert.equal(p.xid, i);
      assert.equal(macAddress(p), `00:0c:01:02:03:0${4 + i}`);
      assert.deepEqual(p.options, {
        messageType: MessageType.Discover,
        parameterRequestList: [1, 28, 2, 3, 15, 6, 12],
        clientId: Buffer.concat([hex('01 000c010203'), Buffer.from([4 + i])]),
        order: [53, 55, 61],
      });
    }
  });

  it('REQUEST: requested IP and server id from the OFFER', () => {
    const p = decode(fixture('perfdhcp-relay-03-request.bin'));
    assert.equal(p.giaddr, '192.0.2.2');
    assert.deepEqual(p.options.order, [53, 50, 54, 55, 61]);
    assert.equal(p.options.requestedIp, '192.0.2.100');
    assert.equal(p.options.serverId, '192.0.2.1');
  });

  it('Kea OFFER to the relay: giaddr echoed, client id echoed, 277 bytes unpadded', () => {
    const bytes = fixture('perfdhcp-relay-02-offer.bin');
    assert.equal(bytes.length, 277);
    const p = decode(bytes);
    assert.equal(p.op, 2);
    assert.equal(p.yiaddr, '192.0.2.100');
    assert.equal(p.giaddr, '192.0.2.2');
    assert.deepEqual(p.options, {
      messageType: MessageType.Offer,
      subnetMask: '255.255.255.0',
      routers: ['192.0.2.1'],
      leaseTime: 3600,
      serverId: '192.0.2.1',
      clientId: hex('01 000c01020304'),
      order: [53, 1, 3, 51, 54, 61],
    });
  });
});
