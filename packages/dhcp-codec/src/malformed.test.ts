import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecodeErrorCode, DhcpDecodeError } from './errors.js';
import { decode, encode, newPacket } from './packet.js';
import { fixture, hex } from './test-fixtures.js';

/** A valid 240-byte header (BOOTREQUEST, Ethernet, magic cookie) to build malformed packets on. */
function header(): Buffer {
  return Buffer.from(encode(newPacket(), { minSize: 0 }).subarray(0, 240));
}

/** Header + the given option bytes (hex) + END. */
function withOptions(options: string, edit?: (h: Buffer) => void): Buffer {
  const h = header();
  edit?.(h);
  return Buffer.concat([h, hex(options), Buffer.from([255])]);
}

function edited(base: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(base);
  edit(b);
  return b;
}

const DISCOVER = fixture('udhcpc-01-discover.bin');

/** Option `code` carrying `data`, split into instances of at most 255 bytes (RFC 3396), as hex. */
function split(code: number, data: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.subarray(i, i + 255);
    parts.push(Buffer.concat([Buffer.from([code, chunk.length]), chunk]).toString('hex'));
  }
  return parts.join('');
}

/** Wire labels of `n` bytes filled with `ch`. */
function label(n: number, ch: string): Buffer {
  return Buffer.concat([Buffer.from([n]), Buffer.from(ch.repeat(n))]);
}

/** 192 bytes: three 63-byte labels. */
const THREE_LABELS = Buffer.concat([label(63, 'a'), label(63, 'a'), label(63, 'a')]);
/** A name of exactly 255 bytes in wire form, and one of 256. */
const NAME_255 = Buffer.concat([THREE_LABELS, label(61, 'b'), hex('00')]);
const NAME_256 = Buffer.concat([THREE_LABELS, label(62, 'b'), hex('00')]);

interface Row {
  name: string;
  bytes: Buffer;
  code: DecodeErrorCode;
  /** Expected `offset`, where it is unambiguous. */
  offset?: number;
}

const TABLE: Row[] = [
  // Header.
  { name: 'empty buffer', bytes: Buffer.alloc(0), code: 'TRUNCATED', offset: 0 },
  { name: 'one byte', bytes: hex('01'), code: 'TRUNCATED' },
  { name: 'header cut at 235 bytes', bytes: DISCOVER.subarray(0, 235), code: 'TRUNCATED', offset: 235 },
  { name: 'header cut in chaddr', bytes: DISCOVER.subarray(0, 40), code: 'TRUNCATED' },
  {
    name: 'header only, no magic cookie (236 bytes)',
    bytes: DISCOVER.subarray(0, 236),
    code: 'BAD_MAGIC',
    offset: 236,
  },
  {
    name: 'magic cookie cut short (239 bytes)',
    bytes: DISCOVER.subarray(0, 239),
    code: 'BAD_MAGIC',
    offset: 236,
  },
  {
    name: 'wrong magic cookie',
    bytes: edited(DISCOVER, (b) => b.writeUInt32BE(0x63825364, 236)),
    code: 'BAD_MAGIC',
    offset: 236,
  },
  {
    name: 'plain BOOTP: zero vendor area',
    bytes: Buffer.concat([DISCOVER.subarray(0, 236), Buffer.alloc(64)]),
    code: 'BAD_MAGIC',
  },
  { name: 'op 0', bytes: edited(DISCOVER, (b) => b.writeUInt8(0, 0)), code: 'BAD_OP', offset: 0 },
  { name: 'op 3', bytes: edited(DISCOVER, (b) => b.writeUInt8(3, 0)), code: 'BAD_OP', offset: 0 },
  {
    name: 'op 255 on a short packet (op checked before size of options)',
    bytes: hex(`ff${'00'.repeat(239)}`),
    code: 'BAD_OP',
  },
  { name: 'hlen 17', bytes: edited(DISCOVER, (b) => b.writeUInt8(17, 2)), code: 'BAD_HLEN', offset: 2 },
  { name: 'hlen 255', bytes: edited(DISCOVER, (b) => b.writeUInt8(255, 2)), code: 'BAD_HLEN', offset: 2 },

  // Option framing in the options field.
  {
    name: 'option code as the last byte, no length',
    bytes: Buffer.concat([header(), hex('35')]),
    code: 'BAD_OPTION_LENGTH',
    offset: 240,
  },
  {
    name: 'option length past the end of the packet',
    bytes: Buffer.concat([header(), hex('0c 10 6162')]),
    code: 'BAD_OPTION_LENGTH',
    offset: 240,
  },
  { name: 'fixture cut inside an option', bytes: DISCOVER.subarray(0, 260), code: 'BAD_OPTION_LENGTH' },
  {
    name: 'second option runs past the end',
    bytes: Buffer.concat([header(), hex('35 01 01 3d ff 01')]),
    code: 'BAD_OPTION_LENGTH',
    offset: 243,
  },

  // Typed options with a length that does not suit them.
  {
    name: 'subnet mask of 3 bytes',
    bytes: withOptions('01 03 ffffff'),
    code: 'BAD_OPTION_LENGTH',
    offset: 240,
  },
  { name: 'message type of 2 bytes', bytes: withOptions('35 02 0101'), code: 'BAD_OPTION_LENGTH' },
  { name: 'message type of 0 bytes', bytes: withOptions('35 00'), code: 'BAD_OPTION_LENGTH' },
  {
    name: 'two message types (RFC 3396 joins them into 2 bytes)',
    bytes: withOptions('35 01 01 35 01 03'),
    code: 'BAD_OPTION_LENGTH',
  },
  { name: 'routers of 6 bytes', bytes: withOptions('03 06 c0000201 c000'), code: 'BAD_OPTION_LENGTH' },
  { name: 'routers of 0 bytes', bytes: withOptions('03 00'), code: 'BAD_OPTION_LENGTH' },
  { name: 'lease time of 3 bytes', bytes: withOptions('33 03 000e10'), code: 'BAD_OPTION_LENGTH' },
  { name: 'max message size of 1 byte', bytes: withOptions('39 01 02'), code: 'BAD_OPTION_LENGTH' },
  { name: 'requested IP of 5 bytes', bytes: withOptions('32 05 c000028c00'), code: 'BAD_OPTION_LENGTH' },
  { name: 'client id of 1 byte', bytes: withOptions('3d 01 01'), code: 'BAD_OPTION_LENGTH' },
  { name: 'client FQDN of 2 bytes', bytes: withOptions('51 02 0500'), code: 'BAD_OPTION_LENGTH' },
  { name: 'subnet selection of 2 bytes', bytes: withOptions('76 02 0a01'), code: 'BAD_OPTION_LENGTH' },
  {
    name: 'relay agent sub-option runs past option 82',
    bytes: withOptions('52 04 01 05 6162'),
    code: 'BAD_OPTION_LENGTH',
  },
  {
    name: 'relay agent sub-option without a length',
    bytes: withOptions('52 04 01 01 61 02'),
    code: 'BAD_OPTION_LENGTH',
  },
  {
    name: 'relay agent link selection of 3 bytes',
    bytes: withOptions('52 05 05 03 0a0000'),
    code: 'BAD_OPTION_LENGTH',
  },
  { name: 'classless route cut short', bytes: withOptions('79 03 18 0a00'), code: 'BAD_OPTION_LENGTH' },
  {
    name: 'classless route without its router',
    bytes: withOptions('79 05 08 0a c00002'),
    code: 'BAD_OPTION_LENGTH',
  },
  {
    name: 'classless route with prefix 33',
    bytes: withOptions('79 0a 21 0a000000 00 c0000201'),
    code: 'BAD_OPTION_VALUE',
    offset: 240,
  },
  {
    name: 'classless route with prefix 255',
    bytes: withOptions('79 05 ff c0000201'),
    code: 'BAD_OPTION_VALUE',
  },

  // Overload.
  { name: 'overload of 2 bytes', bytes: withOptions('34 02 0101'), code: 'BAD_OPTION_LENGTH' },
  { name: 'overload value 0', bytes: withOptions('34 01 00'), code: 'BAD_OPTION_VALUE', offset: 240 },
  { name: 'overload value 4', bytes: withOptions('34 01 04'), code: 'BAD_OPTION_VALUE', offset: 240 },
  {
    name: 'overload into file, option in file runs past the field',
    bytes: withOptions('34 01 01', (h) => h.set(hex('0c 7f 61'), 108)),
    code: 'OPTION_OVERFLOW',
    offset: 108,
  },
  {
    name: 'overload into file, an option code as the last byte of file',
    bytes: withOptions('34 01 01', (h) => {
      h.fill(0, 108, 236);
      h[235] = 12;
    }),
    code: 'OPTION_OVERFLOW',
    offset: 235,
  },
  {
    name: 'overload into file, but file is full of text',
    bytes: withOptions('34 01 01', (h) => h.fill('A', 108, 236)),
    code: 'OPTION_OVERFLOW',
  },
  {
    name: 'overload into sname, option in sname runs past the field',
    bytes: withOptions('34 01 02', (h) => h.set(hex('0f 3f 61'), 44)),
    code: 'OPTION_OVERFLOW',
    offset: 44,
  },
  {
    name: 'overload into both, file fine, sname malformed',
    bytes: withOptions('34 01 03', (h) => {
      h.set(hex('0c 01 61 ff'), 108);
      h.set(hex('0f 40'), 104);
    }),
    code: 'OPTION_OVERFLOW',
    offset: 104,
  },
  {
    name: 'overload loop: option 52 inside file',
    bytes: withOptions('34 01 01', (h) => h.set(hex('34 01 02 ff'), 108)),
    code: 'OVERLOAD_LOOP',
    offset: 108,
  },
  {
    name: 'overload loop: option 52 inside sname',
    bytes: withOptions('34 01 03', (h) => {
      h.set(hex('ff'), 108);
      h.set(hex('0c 01 61 34 01 01 ff'), 44);
    }),
    code: 'OVERLOAD_LOOP',
    offset: 47,
  },

  // Domain search (119) names.
  { name: 'search: pointer to itself', bytes: withOptions('77 02 c000'), code: 'BAD_NAME' },
  { name: 'search: pointer loop through a label', bytes: withOptions('77 04 0161 c000'), code: 'BAD_NAME' },
  {
    name: 'search: loop between two names (second points back into a name that points forward)',
    bytes: withOptions('77 08 0161 c004 0162 c000'),
    code: 'BAD_NAME',
  },
  { name: 'search: forward pointer', bytes: withOptions('77 05 c002 016100'), code: 'BAD_NAME' },
  { name: 'search: pointer past the end', bytes: withOptions('77 05 016100 c0ff'), code: 'BAD_NAME' },
  { name: 'search: pointer cut in half', bytes: withOptions('77 04 016100 c0'), code: 'BAD_NAME' },
  { name: 'search: label past the end', bytes: withOptions('77 03 05 6162'), code: 'BAD_NAME' },
  {
    name: 'search: name without its terminating zero',
    bytes: withOptions('77 04 01 61 01 62'),
    code: 'BAD_NAME',
  },
  { name: 'search: reserved label type 0x40', bytes: withOptions('77 03 41 61 00'), code: 'BAD_NAME' },
  { name: 'search: reserved label type 0x80', bytes: withOptions('77 03 81 61 00'), code: 'BAD_NAME' },
  {
    name: 'search: name above 255 bytes in one piece',
    bytes: withOptions(split(119, NAME_256)),
    code: 'BAD_NAME',
  },
  {
    name: 'search: name above 255 bytes through a pointer',
    // 193-byte name, then a 63-byte label pointing back at it: 257 bytes.
    bytes: withOptions(split(119, Buffer.concat([THREE_LABELS, hex('00'), label(63, 'b'), hex('c000')]))),
    code: 'BAD_NAME',
  },

  // Client FQDN (81) in wire format.
  {
    name: 'FQDN: label past the end',
    bytes: withOptions('51 06 04 00 00 05 6162'),
    code: 'BAD_NAME',
    offset: 245,
  },
  {
    name: 'FQDN: compression pointer',
    bytes: withOptions('51 07 04 00 00 0161 c000'),
    code: 'BAD_NAME',
    offset: 247,
  },
  {
    name: 'FQDN: bytes after the root label',
    bytes: withOptions('51 07 04 00 00 0161 00 61'),
    code: 'BAD_NAME',
  },
  { name: 'FQDN: reserved label type', bytes: withOptions('51 05 04 00 00 81 61'), code: 'BAD_NAME' },
  {
    name: 'FQDN: name above 255 bytes',
    bytes: withOptions(split(81, Buffer.concat([hex('050000'), NAME_256]))),
    code: 'BAD_NAME',
  },
];

describe('malformed packets, table: each throws DhcpDecodeError with its code', () => {
  for (const row of TABLE) {
    it(`${row.name} -> ${row.code}`, () => {
      let caught: unknown;
      try {
        decode(row.bytes);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof DhcpDecodeError, `expected a DhcpDecodeError, got ${String(caught)}`);
      assert.equal(caught.name, 'DhcpDecodeError');
      assert.equal(caught.code, row.code, caught.message);
      if (row.offset !== undefined) assert.equal(caught.offset, row.offset, caught.message);
      assert.ok(
        caught.offset >= 0 && caught.offset <= row.bytes.length,
        `offset ${caught.offset} out of the packet`,
      );
    });
  }

  it('the big-name rows are just past the limit: 255 bytes decode', () => {
    assert.equal(NAME_255.length, 255);
    assert.equal(decode(withOptions(split(119, NAME_255))).options.domainSearch?.length, 1);
    const fqdn = decode(withOptions(split(81, Buffer.concat([hex('050000'), NAME_255])))).options.clientFqdn;
    assert.equal(fqdn?.name.length, 254);
  });

  it('the same bytes decode when the options are well formed (controls)', () => {
    assert.deepEqual(decode(withOptions('77 05 016100 c000')).options.domainSearch, ['a', 'a']);
    assert.deepEqual(decode(withOptions('79 05 00 c0000201')).options.classlessRoutes, [
      { destination: '0.0.0.0/0', router: '192.0.2.1' },
    ]);
    assert.equal(decode(withOptions('51 06 04 00 00 0161 00')).options.clientFqdn?.name, 'a.');
    assert.equal(
      decode(withOptions('34 01 01', (h) => h.set(hex('0c 01 61 ff'), 108))).options.hostname,
      'a',
    );
  });
});
