import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhcpEncodeError, EncodeErrorCode } from './errors.js';
import { type DhcpOptions, FqdnFlag, MessageType, optionKey } from './options.js';
import { decode, encode, newPacket } from './packet.js';
import { hex } from './test-fixtures.js';

/** The bytes encode writes between the magic cookie and END. */
function optionBytes(options: DhcpOptions): Buffer {
  const out = encode(newPacket({ options }), { minSize: 0, maxSize: 1500 });
  assert.equal(out[out.length - 1], 255);
  return out.subarray(240, out.length - 1);
}

/** Decodes a packet whose options field is `bytes` followed by END. */
function decodeOptions(bytes: Buffer): DhcpOptions {
  const header = encode(newPacket(), { minSize: 0 }).subarray(0, 240);
  return decode(Buffer.concat([header, bytes, Buffer.from([255])])).options;
}

interface Row {
  name: string;
  options: DhcpOptions;
  /** Wire bytes of the options (code, length, data), without END. */
  wire: string;
  /** Codes in wire order, as decode reports them in `options.order`. */
  order: number[];
}

const ROUTER = 'c0000201';

const TABLE: Row[] = [
  { name: 'subnet mask (1)', options: { subnetMask: '255.255.255.0' }, wire: '01 04 ffffff00', order: [1] },
  {
    name: 'routers (3)',
    options: { routers: ['192.0.2.1', '192.0.2.2'] },
    wire: '03 08 c0000201 c0000202',
    order: [3],
  },
  {
    name: 'DNS servers (6)',
    options: { dnsServers: ['9.9.9.9', '149.112.112.112'] },
    wire: '06 08 09090909 95707070',
    order: [6],
  },
  { name: 'hostname (12)', options: { hostname: 'guest-1' }, wire: '0c 07 67756573742d31', order: [12] },
  {
    name: 'hostname (12) keeps every byte, NUL and high bytes included (Latin-1)',
    options: { hostname: 'a\u0000\u00e9' },
    wire: '0c 03 6100e9',
    order: [12],
  },
  {
    name: 'domain name (15)',
    options: { domainName: 'example.test' },
    wire: '0f 0c 6578616d706c652e74657374',
    order: [15],
  },
  { name: 'interface MTU (26)', options: { mtu: 1450 }, wire: '1a 02 05aa', order: [26] },
  {
    name: 'broadcast address (28)',
    options: { broadcastAddress: '192.0.2.255' },
    wire: '1c 04 c00002ff',
    order: [28],
  },
  { name: 'NTP servers (42)', options: { ntpServers: ['192.0.2.123'] }, wire: '2a 04 c000027b', order: [42] },
  { name: 'requested IP (50)', options: { requestedIp: '192.0.2.140' }, wire: '32 04 c000028c', order: [50] },
  { name: 'lease time (51)', options: { leaseTime: 86400 }, wire: '33 04 00015180', order: [51] },
  {
    name: 'lease time (51) infinite',
    options: { leaseTime: 0xffffffff },
    wire: '33 04 ffffffff',
    order: [51],
  },
  {
    name: 'message type (53) DISCOVER',
    options: { messageType: MessageType.Discover },
    wire: '35 01 01',
    order: [53],
  },
  {
    name: 'message type (53) INFORM',
    options: { messageType: MessageType.Inform },
    wire: '35 01 08',
    order: [53],
  },
  {
    name: 'message type (53) FORCERENEW (RFC 3203)',
    options: { messageType: MessageType.ForceRenew },
    wire: '35 01 09',
    order: [53],
  },
  {
    name: 'message type (53) LEASEACTIVE (RFC 4388)',
    options: { messageType: MessageType.LeaseActive },
    wire: '35 01 0d',
    order: [53],
  },
  {
    name: 'message type (53) unassigned value kept',
    options: { messageType: 200 },
    wire: '35 01 c8',
    order: [53],
  },
  { name: 'server identifier (54)', options: { serverId: '192.0.2.1' }, wire: '36 04 c0000201', order: [54] },
  {
    name: 'parameter request list (55)',
    options: { parameterRequestList: [1, 3, 6, 12, 15, 28, 42, 119, 121] },
    wire: '37 09 0103060c0f1c2a7779',
    order: [55],
  },
  {
    name: 'message (56)',
    options: { message: 'address in use' },
    wire: '38 0e 6164647265737320696e20757365',
    order: [56],
  },
  { name: 'maximum message size (57)', options: { maxMessageSize: 1500 }, wire: '39 02 05dc', order: [57] },
  { name: 'renewal time T1 (58)', options: { renewalTime: 1800 }, wire: '3a 04 00000708', order: [58] },
  { name: 'rebinding time T2 (59)', options: { rebindingTime: 3150 }, wire: '3b 04 00000c4e', order: [59] },
  {
    name: 'vendor class identifier (60)',
    options: { vendorClassId: 'MSFT 5.0' },
    wire: '3c 08 4d53465420352e30',
    order: [60],
  },
  {
    name: 'client identifier (61), type 1 + MAC',
    options: { clientId: hex('01 02005e000c01') },
    wire: '3d 07 0102005e000c01',
    order: [61],
  },
  {
    name: 'client identifier (61), RFC 4361 DUID form',
    options: { clientId: hex('ff 00000001 0001 0001 2b3c4d5e 02005e000c01') },
    wire: '3d 13 ff000000010001 00012b3c4d5e02005e000c01',
    order: [61],
  },
  {
    name: 'client FQDN (81) in ASCII',
    options: { clientFqdn: { flags: FqdnFlag.ServerUpdate, rcode1: 0, rcode2: 0, name: 'host.example.com' } },
    wire: '51 13 01 00 00 686f73742e6578616d706c652e636f6d',
    order: [81],
  },
  {
    name: 'client FQDN (81) in wire format, fully qualified (E, root label)',
    options: {
      clientFqdn: {
        flags: FqdnFlag.ServerUpdate | FqdnFlag.Encoded,
        rcode1: 0,
        rcode2: 0,
        name: 'host.example.com.',
      },
    },
    wire: '51 15 05 00 00 04686f7374 076578616d706c65 03636f6d 00',
    order: [81],
  },
  {
    name: 'client FQDN (81) in wire format, partial name (no root label)',
    options: { clientFqdn: { flags: FqdnFlag.Encoded, rcode1: 0, rcode2: 0, name: 'host' } },
    wire: '51 08 04 00 00 04686f7374',
    order: [81],
  },
  {
    name: 'client FQDN (81) server reply: N and O flags, rcodes 255, no name',
    options: {
      clientFqdn: {
        flags: FqdnFlag.NoUpdate | FqdnFlag.Override | FqdnFlag.Encoded,
        rcode1: 255,
        rcode2: 255,
        name: '',
      },
    },
    wire: '51 03 0e ff ff',
    order: [81],
  },
  {
    name: 'client FQDN (81) wire label with a dot and a space, escaped',
    options: { clientFqdn: { flags: FqdnFlag.Encoded, rcode1: 0, rcode2: 0, name: 'a\\.b\\032c.' } },
    wire: '51 0a 04 00 00 05 612e622063 00',
    order: [81],
  },
  {
    name: 'relay agent information (82): circuit id, remote id, link selection (RFC 3527), raw sub-option',
    options: {
      relayAgentInfo: {
        circuitId: Buffer.from('eth0:12'),
        remoteId: hex('02005e000c01'),
        linkSelection: '10.20.30.0',
        other: new Map([[151, hex('00aabb')]]),
        order: [1, 2, 5, 151],
      },
    },
    wire: '52 1c 01 07 657468303a3132 02 06 02005e000c01 05 04 0a141e00 97 03 00aabb',
    order: [82],
  },
  {
    name: 'relay agent information (82): sub-option order kept',
    options: {
      relayAgentInfo: { remoteId: hex('aa'), circuitId: hex('bb'), order: [2, 1] },
    },
    wire: '52 06 02 01 aa 01 01 bb',
    order: [82],
  },
  {
    name: 'subnet selection (118, RFC 3011)',
    options: { subnetSelection: '10.1.2.0' },
    wire: '76 04 0a010200',
    order: [118],
  },
  {
    // RFC 3397 §3 example, byte for byte.
    name: 'domain search (119): RFC 3397 example with compression',
    options: { domainSearch: ['eng.apple.com', 'marketing.apple.com'] },
    wire: '77 1b 03656e67 056170706c65 03636f6d 00 096d61726b6574696e67 c004',
    order: [119],
  },
  {
    name: 'domain search (119): names sharing nothing, then a repeated name (one pointer)',
    options: { domainSearch: ['a.b', 'c', 'a.b'] },
    wire: '77 0a 0161 0162 00 0163 00 c000',
    order: [119],
  },
  {
    name: 'domain search (119): the root name',
    options: { domainSearch: ['.'] },
    wire: '77 01 00',
    order: [119],
  },
  {
    // RFC 3442 §5 table of destination descriptors, one route each, all via 192.0.2.1.
    name: 'classless static routes (121): RFC 3442 examples',
    options: {
      classlessRoutes: [
        { destination: '0.0.0.0/0', router: '192.0.2.1' },
        { destination: '10.0.0.0/8', router: '192.0.2.1' },
        { destination: '10.0.0.0/24', router: '192.0.2.1' },
        { destination: '10.17.0.0/16', router: '192.0.2.1' },
        { destination: '10.27.129.0/24', router: '192.0.2.1' },
        { destination: '10.229.0.128/25', router: '192.0.2.1' },
        { destination: '10.198.122.47/32', router: '192.0.2.1' },
      ],
    },
    wire: `79 34 00 ${ROUTER} 08 0a ${ROUTER} 18 0a0000 ${ROUTER} 10 0a11 ${ROUTER} 18 0a1b81 ${ROUTER} 19 0ae50080 ${ROUTER} 20 0ac67a2f ${ROUTER}`,
    order: [121],
  },
  {
    name: 'unknown options pass through unchanged, in order',
    options: {
      other: new Map([
        [66, Buffer.from('tftp.example')],
        [150, hex('c0000205')],
        [80, Buffer.alloc(0)],
      ]),
      order: [66, 150, 80],
    },
    wire: '42 0c 746674702e6578616d706c65 96 04 c0000205 50 00',
    order: [66, 150, 80],
  },
  {
    name: 'decoded order is kept: a DISCOVER as udhcpc lays it out',
    options: {
      messageType: 1,
      maxMessageSize: 576,
      parameterRequestList: [1, 3],
      hostname: 'x',
      order: [53, 57, 55, 12],
    },
    wire: '35 01 01 39 02 0240 37 02 0103 0c 01 78',
    order: [53, 57, 55, 12],
  },
  {
    name: 'without an order: message type first, then by code, relay agent information last',
    options: {
      relayAgentInfo: { circuitId: hex('01') },
      subnetMask: '255.0.0.0',
      serverId: '10.0.0.1',
      other: new Map([[250, hex('ab')]]),
      messageType: MessageType.Ack,
      routers: ['10.0.0.1'],
    },
    wire: '35 01 05 01 04 ff000000 03 04 0a000001 36 04 0a000001 fa 01 ab 52 03 01 01 01',
    order: [53, 1, 3, 54, 250, 82],
  },
];

describe('option codecs, table', () => {
  for (const row of TABLE) {
    it(`${row.name}: encodes to the expected bytes`, () => {
      assert.deepEqual(optionBytes(row.options), hex(row.wire));
    });
    it(`${row.name}: decodes back`, () => {
      const expected: DhcpOptions = { ...row.options, order: row.order };
      const decoded = decodeOptions(hex(row.wire));
      if (expected.relayAgentInfo && !expected.relayAgentInfo.order) {
        expected.relayAgentInfo = { ...expected.relayAgentInfo, order: [1] };
      }
      assert.deepEqual(decoded, expected);
    });
  }
});

describe('RFC 3396 long options', () => {
  it('splits a raw option above 255 bytes into consecutive instances and joins them on decode', () => {
    const data = Buffer.alloc(600, 0xab);
    const bytes = optionBytes({ other: new Map([[43, data]]) });
    assert.deepEqual(
      bytes,
      Buffer.concat([
        hex('2b ff'),
        data.subarray(0, 255),
        hex('2b ff'),
        data.subarray(255, 510),
        hex('2b 5a'),
        data.subarray(510),
      ]),
    );
    assert.deepEqual(decodeOptions(bytes).other, new Map([[43, data]]));
  });

  it('splits a typed option too: a domain search list above 255 bytes', () => {
    const names = Array.from(
      { length: 20 },
      (_, i) => `zone-${String(i).padStart(2, '0')}-with-a-long-label.example`,
    );
    const bytes = optionBytes({ domainSearch: names });
    assert.equal(bytes[0], 119);
    assert.equal(bytes[1], 255);
    assert.equal(bytes[257], 119);
    assert.deepEqual(decodeOptions(bytes).domainSearch, names);
  });

  it('concatenates instances of one code even with other options between them', () => {
    const options = decodeOptions(hex('03 04 c0000201 35 01 05 03 04 c0000202'));
    assert.deepEqual(options.routers, ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(options.order, [3, 53]);
  });

  it('concatenates before decoding, so a name may be split mid-label', () => {
    const options = decodeOptions(hex('77 02 0361 77 07 6263 03646566 00'));
    assert.deepEqual(options.domainSearch, ['abc.def']);
  });

  it('concatenates repeated relay agent sub-options', () => {
    const options = decodeOptions(hex('52 08 01 02 6162 01 02 6364'));
    assert.deepEqual(options.relayAgentInfo, { circuitId: Buffer.from('abcd'), order: [1] });
  });
});

describe('names in options 81 and 119', () => {
  it('round-trips escaped labels in the domain search list', () => {
    const names = ['a\\.b.example', 'sp\\032ace.example', 'back\\\\slash.example', 'hi\\255gh.example'];
    const options = decodeOptions(optionBytes({ domainSearch: names }));
    assert.deepEqual(options.domainSearch, names);
  });

  it('accepts a trailing dot on search names (they are all fully qualified)', () => {
    assert.deepEqual(optionBytes({ domainSearch: ['a.'] }), optionBytes({ domainSearch: ['a'] }));
  });

  it('decodes names with up to 63-byte labels and 255 bytes in wire form', () => {
    const label = 'x'.repeat(63);
    const name = [label, label, label, 'y'.repeat(61)].join('.');
    const options = decodeOptions(optionBytes({ domainSearch: [name] }));
    assert.deepEqual(options.domainSearch, [name]);
  });

  it('compresses against any suffix written before, not only whole names', () => {
    const bytes = optionBytes({ domainSearch: ['a.b.c', 'x.b.c'] });
    assert.deepEqual(bytes, hex('77 0b 0161 0162 0163 00 0178 c002'));
  });

  it('compresses case-sensitively, keeping each name byte for byte', () => {
    const bytes = optionBytes({ domainSearch: ['Example', 'example'] });
    assert.deepEqual(decodeOptions(bytes).domainSearch, ['Example', 'example']);
  });
});

describe('option encode errors', () => {
  const cases: Array<[string, DhcpOptions, string]> = [
    ['subnet mask not a quad', { subnetMask: '255.255.255' }, 'options.subnetMask'],
    ['address with leading zero', { serverId: '10.0.0.01' }, 'options.serverId'],
    ['empty router list', { routers: [] }, 'options.routers'],
    ['router not a quad', { routers: ['10.0.0.1', 'gateway'] }, 'options.routers'],
    ['MTU above 16 bits', { mtu: 70000 }, 'options.mtu'],
    ['negative lease time', { leaseTime: -1 }, 'options.leaseTime'],
    ['fractional T1', { renewalTime: 1.5 }, 'options.renewalTime'],
    ['message type above 255', { messageType: 256 }, 'options.messageType'],
    ['PRL entry above 255', { parameterRequestList: [1, 256] }, 'options.parameterRequestList'],
    ['hostname outside Latin-1', { hostname: 'h\u0109st' }, 'options.hostname'],
    ['client id of one byte', { clientId: hex('01') }, 'options.clientId'],
    ['client id not a Buffer', { clientId: '0102' as unknown as Buffer }, 'options.clientId'],
    [
      'FQDN wire name with an empty label',
      { clientFqdn: { flags: FqdnFlag.Encoded, rcode1: 0, rcode2: 0, name: 'a..b' } },
      'options.clientFqdn.name',
    ],
    [
      'FQDN wire name with a 64-byte label',
      { clientFqdn: { flags: FqdnFlag.Encoded, rcode1: 0, rcode2: 0, name: `${'a'.repeat(64)}.b` } },
      'options.clientFqdn.name',
    ],
    [
      'FQDN flags above 255',
      { clientFqdn: { flags: 256, rcode1: 0, rcode2: 0, name: 'a' } },
      'options.clientFqdn.flags',
    ],
    ['empty search name', { domainSearch: [''] }, 'options.domainSearch[0]'],
    [
      'search name above 255 bytes',
      { domainSearch: [Array(5).fill('a'.repeat(60)).join('.')] },
      'options.domainSearch[0]',
    ],
    ['search name with a dangling backslash', { domainSearch: ['a\\'] }, 'options.domainSearch[0]'],
    ['search name with \\256', { domainSearch: ['a\\256'] }, 'options.domainSearch[0]'],
    [
      'route prefix above 32',
      { classlessRoutes: [{ destination: '10.0.0.0/33', router: '10.0.0.1' }] },
      'options.classlessRoutes[0].destination',
    ],
    [
      'route with host bits the compact form would drop',
      { classlessRoutes: [{ destination: '10.1.0.0/8', router: '10.0.0.1' }] },
      'options.classlessRoutes[0].destination',
    ],
    [
      'route without a prefix length',
      { classlessRoutes: [{ destination: '10.0.0.0', router: '10.0.0.1' }] },
      'options.classlessRoutes[0].destination',
    ],
    [
      'route with a bad router',
      { classlessRoutes: [{ destination: '10.0.0.0/8', router: '10.0.0' }] },
      'options.classlessRoutes[0].router',
    ],
    [
      'link selection not a quad',
      { relayAgentInfo: { linkSelection: 'x' } },
      'options.relayAgentInfo.linkSelection',
    ],
    [
      'relay sub-option not a Buffer',
      { relayAgentInfo: { other: new Map([[9, 'x' as unknown as Buffer]]) } },
      'options.relayAgentInfo.other.9',
    ],
    [
      'relay sub-option duplicating circuit id',
      { relayAgentInfo: { circuitId: hex('01'), other: new Map([[1, hex('02')]]) } },
      'options.relayAgentInfo.other',
    ],
    ['raw option 52 (encode decides overload)', { other: new Map([[52, hex('01')]]) }, 'options.other'],
    ['raw option 0 (pad)', { other: new Map([[0, hex('01')]]) }, 'options.other'],
    ['raw option 255 (end)', { other: new Map([[255, hex('01')]]) }, 'options.other'],
    ['raw option code 256', { other: new Map([[256, hex('01')]]) }, 'options.other'],
    [
      'raw option duplicating a typed field',
      { subnetMask: '255.0.0.0', other: new Map([[1, hex('ff000000')]]) },
      'options.other',
    ],
    ['other not a Map', { other: { 66: hex('01') } as unknown as Map<number, Buffer> }, 'options.other'],
    ['unknown field', { bogus: 1 } as unknown as DhcpOptions, 'options.bogus'],
  ];
  for (const [name, options, field] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => encode(newPacket({ options })),
        (err: unknown) => {
          assert.ok(err instanceof DhcpEncodeError, String(err));
          assert.equal(err.code, EncodeErrorCode.InvalidOption);
          assert.equal(err.field, field);
          return true;
        },
      );
    });
  }
});

describe('optionKey', () => {
  it('names typed codes and nothing else', () => {
    assert.equal(optionKey(121), 'classlessRoutes');
    assert.equal(optionKey(53), 'messageType');
    assert.equal(optionKey(52), undefined);
    assert.equal(optionKey(66), undefined);
  });
});
