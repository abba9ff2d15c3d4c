import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhcpEncodeError, EncodeErrorCode } from './errors.js';
import { MessageType } from './options.js';
import {
  BOOTP_MIN_SIZE,
  BootOp,
  BROADCAST_FLAG,
  chaddrFromMac,
  DEFAULT_MAX_SIZE,
  type DhcpPacket,
  decode,
  encode,
  encodeOptionBytes,
  encodeWithOptionBytes,
  isBroadcast,
  macAddress,
  newPacket,
  replySizeLimit,
  withBroadcast,
} from './packet.js';
import { fixture, hex } from './test-fixtures.js';

function sample(): DhcpPacket {
  return newPacket({
    op: BootOp.Reply,
    htype: 1,
    hlen: 6,
    hops: 3,
    xid: 0xdeadbeef,
    secs: 65535,
    flags: BROADCAST_FLAG,
    ciaddr: '10.0.0.1',
    yiaddr: '10.0.0.2',
    siaddr: '10.0.0.3',
    giaddr: '10.0.0.4',
    chaddr: chaddrFromMac('02:00:5E:00:0C:01'),
    sname: 'boot-server',
    file: 'pxelinux.0',
    options: { messageType: MessageType.Offer },
  });
}

describe('fixed fields', () => {
  it('writes every RFC 2131 header field at its offset', () => {
    const out = encode(sample());
    assert.equal(out.length, BOOTP_MIN_SIZE);
    assert.deepEqual(
      out.subarray(0, 28),
      hex('02 01 06 03 deadbeef ffff 8000 0a000001 0a000002 0a000003 0a000004'),
    );
    assert.deepEqual(out.subarray(28, 44), hex('02005e000c01 00000000000000000000'));
    assert.equal(out.subarray(44, 108).toString('latin1').replace(/\0+$/, ''), 'boot-server');
    assert.equal(out.subarray(108, 236).toString('latin1').replace(/\0+$/, ''), 'pxelinux.0');
    assert.deepEqual(out.subarray(236, 244), hex('63825363 350102 ff'));
    assert.ok(
      out.subarray(244).every((b) => b === 0),
      'padding is zeros',
    );
  });

  it('decodes what it encodes', () => {
    const p = sample();
    assert.deepEqual(decode(encode(p)), { ...p, options: { messageType: MessageType.Offer, order: [53] } });
  });

  it('reads sname and file up to the first NUL, and a full field without one', () => {
    const out = encode(newPacket({ sname: 's'.repeat(64), file: 'f'.repeat(128) }));
    const p = decode(out);
    assert.equal(p.sname, 's'.repeat(64));
    assert.equal(p.file, 'f'.repeat(128));
    out[44 + 3] = 0;
    assert.equal(decode(out).sname, 'sss');
  });

  it('keeps all 16 chaddr bytes, and hands out the MAC only for Ethernet', () => {
    const chaddr = hex('00112233445566778899aabbccddeeff');
    const p = decode(encode(newPacket({ htype: 6, hlen: 16, chaddr })));
    assert.deepEqual(p.chaddr, chaddr);
    assert.equal(macAddress(p), undefined);
    assert.equal(macAddress({ htype: 1, hlen: 6, chaddr }), '00:11:22:33:44:55');
    assert.equal(macAddress({ htype: 1, hlen: 8, chaddr }), undefined);
  });

  it('accepts a short chaddr and pads it', () => {
    const out = encode(newPacket({ chaddr: hex('aabbccddeeff') }));
    assert.deepEqual(out.subarray(28, 44), hex('aabbccddeeff 00000000000000000000'));
  });

  it('broadcast flag helpers', () => {
    assert.equal(isBroadcast({ flags: 0x8000 }), true);
    assert.equal(isBroadcast({ flags: 0x7fff }), false);
    assert.equal(withBroadcast(0, true), 0x8000);
    assert.equal(withBroadcast(0xffff, false), 0x7fff);
  });

  it('chaddrFromMac takes colons or dashes and rejects anything else', () => {
    assert.deepEqual(chaddrFromMac('aa-bb-cc-dd-ee-ff').subarray(0, 6), hex('aabbccddeeff'));
    assert.throws(() => chaddrFromMac('aa:bb:cc:dd:ee'), DhcpEncodeError);
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const bytes = fixture('udhcpc-01-discover.bin');
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 10);
    const p = decode(big.subarray(10, 10 + bytes.length));
    assert.equal(p.options.hostname, 'nsdc-busybox');
  });

  it('decode copies: changing the input afterwards changes nothing decoded', () => {
    const bytes = Buffer.from(fixture('udhcpc-01-discover.bin'));
    const p = decode(bytes);
    bytes.fill(0);
    assert.equal(macAddress(p), '02:00:5e:00:0c:01');
    assert.deepEqual(p.options.clientId, hex('0102005e000c01'));
  });

  it('ignores anything after END, padding or not', () => {
    const out = encode(newPacket({ options: { messageType: 1 } }));
    out.fill(0xee, 244);
    assert.deepEqual(decode(out).options, { messageType: 1, order: [53] });
  });

  it('accepts an options field without END (it ends with the packet)', () => {
    const out = encode(newPacket({ options: { messageType: 1 } }), { minSize: 0 });
    assert.deepEqual(decode(out.subarray(0, out.length - 1)).options, { messageType: 1, order: [53] });
  });

  it('accepts pad options anywhere', () => {
    const header = encode(newPacket(), { minSize: 0 }).subarray(0, 240);
    const p = decode(Buffer.concat([header, hex('00 00 35 01 03 00 0c 01 61 00 ff')]));
    assert.deepEqual(p.options, { messageType: 3, hostname: 'a', order: [53, 12] });
  });
});

describe('sizes', () => {
  it('pads to 300 bytes (BOOTP) by default, and to minSize when asked', () => {
    assert.equal(encode(newPacket()).length, 300);
    assert.equal(encode(newPacket(), { minSize: 0 }).length, 241);
    assert.equal(encode(newPacket(), { minSize: 400, maxSize: 1500 }).length, 400);
  });

  it('replySizeLimit reads option 57 as an IP datagram size, clamped to 576..1500', () => {
    assert.equal(replySizeLimit({ options: {} }), DEFAULT_MAX_SIZE);
    assert.equal(replySizeLimit(decode(fixture('udhcpc-01-discover.bin'))), 548);
    assert.equal(replySizeLimit({ options: { maxMessageSize: 1500 } }), 1472);
    assert.equal(replySizeLimit({ options: { maxMessageSize: 300 } }), 548);
    assert.equal(replySizeLimit({ options: { maxMessageSize: 9000 } }), 1472);
  });

  it('rejects a maxSize that cannot hold the header, or a minSize above it', () => {
    for (const opts of [
      { maxSize: 240 },
      { maxSize: 70000 },
      { maxSize: 1.5 },
      { maxSize: 600, minSize: 601 },
    ]) {
      assert.throws(
        () => encode(newPacket(), opts),
        (err: unknown) => err instanceof DhcpEncodeError && err.code === EncodeErrorCode.InvalidField,
      );
    }
  });
});

/** A packet whose raw options take `sizes` data bytes each (codes 224, 225, ...). */
function bigPacket(sizes: number[], fields: Partial<DhcpPacket> = {}): DhcpPacket {
  const other = new Map(sizes.map((n, i) => [224 + i, Buffer.alloc(n, 0xa0 + i)]));
  return newPacket({ ...fields, options: { messageType: MessageType.Ack, other } });
}

function expectedOptions(p: DhcpPacket): DhcpPacket['options'] {
  return { ...p.options, order: [53, ...[...(p.options.other?.keys() ?? [])]] };
}

describe('option overload (52)', () => {
  it('does not overload when the options fit in maxSize', () => {
    const p = bigPacket([200, 100]);
    const out = encode(p);
    assert.equal(out.length, 240 + 3 + 202 + 102 + 1);
    assert.equal(out.indexOf(hex('3401')), -1);
    assert.deepEqual(decode(out).options, expectedOptions(p));
  });

  it('overflows into file (52 = 1) when the options field is full, file first', () => {
    const p = bigPacket([200, 100]);
    const out = encode(p, { maxSize: 500 });
    assert.equal(out.length, 240 + 3 + 202 + 3 + 1);
    // Option 225 moved whole into file, followed by END.
    assert.equal(out[108], 225);
    assert.equal(out[109], 100);
    assert.equal(out[108 + 102], 255);
    assert.deepEqual(out.subarray(240 + 3 + 202), hex('3401 01 ff'));
    const back = decode(out);
    assert.equal(back.file, '');
    assert.equal(back.sname, '');
    assert.deepEqual(back.options, expectedOptions(p));
  });

  it('overflows into file and then sname (52 = 3)', () => {
    const p = bigPacket([200, 120, 60]);
    const out = encode(p, { maxSize: 460 });
    assert.deepEqual(out.subarray(240 + 3 + 202, 240 + 3 + 202 + 4), hex('3401 03 ff'));
    assert.equal(out[108], 225);
    assert.equal(out[44], 226);
    assert.equal(out[44 + 62], 255);
    assert.deepEqual(decode(out).options, expectedOptions(p));
  });

  it('leaves a non-empty file alone and overflows into sname only (52 = 2)', () => {
    const p = bigPacket([200, 50], { file: 'pxelinux.0' });
    const out = encode(p, { maxSize: 460 });
    assert.ok(out.includes(hex('3401 02 ff')));
    assert.equal(out[44], 225);
    const back = decode(out);
    assert.equal(back.file, 'pxelinux.0');
    assert.equal(back.sname, '');
    assert.deepEqual(back.options, expectedOptions(p));
  });

  it('splits an option across areas only when it would not fit otherwise (RFC 3396)', () => {
    // 200 + 170 data bytes: 225 fits neither whole in file (127) nor in sname (63); split it.
    const p = bigPacket([200, 170]);
    const out = encode(p, { maxSize: 460 });
    const back = decode(out);
    assert.deepEqual(back.options, expectedOptions(p));
    assert.equal(out[108], 225);
  });

  it('keeps relay agent information at the end of the options field when overloading', () => {
    const p = bigPacket([200, 100]);
    p.options.relayAgentInfo = { circuitId: Buffer.from('port-7') };
    const out = encode(p, { maxSize: 500 });
    const tail = out.subarray(240 + 3 + 202);
    assert.deepEqual(tail.subarray(0, 3 + 10 + 1), hex('3401 01 52 08 0106706f72742d37 ff'));
    assert.deepEqual(decode(out).options.relayAgentInfo, { circuitId: Buffer.from('port-7'), order: [1] });
  });

  it('throws TOO_BIG when file and sname are both in use', () => {
    const p = bigPacket([255, 100], { file: 'f', sname: 's' });
    assert.throws(
      () => encode(p),
      (err: unknown) => err instanceof DhcpEncodeError && err.code === EncodeErrorCode.TooBig,
    );
  });

  it('throws TOO_BIG when even file and sname cannot hold the rest', () => {
    assert.throws(
      () => encode(bigPacket([255, 255, 255])),
      (err: unknown) => err instanceof DhcpEncodeError && err.code === EncodeErrorCode.TooBig,
    );
    // The same packet fits a client that accepts 1500-byte datagrams.
    const p = bigPacket([255, 255, 255]);
    assert.deepEqual(decode(encode(p, { maxSize: 1472 })).options, expectedOptions(p));
  });

  it('decodes an overloaded packet, one option split across options, file and sname, in that order', () => {
    const out = encode(newPacket({ options: { messageType: MessageType.Offer } }), { minSize: 0 });
    const header = out.subarray(0, 240);
    header.set(hex('0c 02 6566 ff'), 108); // file: hostname part 2
    header.set(hex('0c 02 6768 ff'), 44); // sname: hostname part 3
    const packet = Buffer.concat([header, hex('35 01 02 0c 04 61626364 34 01 03 ff')]);
    const p = decode(packet);
    assert.equal(p.options.hostname, 'abcdefgh');
    assert.deepEqual(p.options.order, [53, 12]);
    assert.equal(p.file, '');
    assert.equal(p.sname, '');
  });

  it('reads only the field the overload value names', () => {
    const out = encode(newPacket({ options: { messageType: MessageType.Offer } }), { minSize: 0 });
    const header = Buffer.from(out.subarray(0, 240));
    header.set(hex('0c 01 61 ff'), 108);
    header.set(hex('0f 01 62 ff'), 44);
    const p = decode(Buffer.concat([header, hex('34 01 02 ff')]));
    assert.equal(p.options.domainName, 'b');
    assert.equal(p.options.hostname, undefined);
    assert.equal(p.file, '\u000c\u0001a\u00ff');
  });
});

describe('packet encode errors', () => {
  const cases: Array<[string, Partial<DhcpPacket>, string]> = [
    ['op 0', { op: 0 }, 'op'],
    ['op 3', { op: 3 }, 'op'],
    ['hlen 17', { hlen: 17 }, 'hlen'],
    ['htype 256', { htype: 256 }, 'htype'],
    ['xid above 32 bits', { xid: 2 ** 32 }, 'xid'],
    ['negative secs', { secs: -1 }, 'secs'],
    ['flags above 16 bits', { flags: 0x10000 }, 'flags'],
    ['ciaddr not a quad', { ciaddr: '10.0.0' }, 'ciaddr'],
    ['giaddr with a port', { giaddr: '10.0.0.1:67' }, 'giaddr'],
    ['chaddr of 17 bytes', { chaddr: Buffer.alloc(17) }, 'chaddr'],
    ['chaddr shorter than hlen', { chaddr: Buffer.alloc(4) }, 'chaddr'],
    ['sname of 65 bytes', { sname: 's'.repeat(65) }, 'sname'],
    ['file of 129 bytes', { file: 'f'.repeat(129) }, 'file'],
    ['file outside Latin-1', { file: '\u0100' }, 'file'],
  ];
  for (const [name, fields, field] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => encode(newPacket(fields)),
        (err: unknown) => {
          assert.ok(err instanceof DhcpEncodeError, String(err));
          assert.equal(err.name, 'DhcpEncodeError');
          assert.equal(err.code, EncodeErrorCode.InvalidField);
          assert.equal(err.field, field);
          return true;
        },
      );
    });
  }
});

describe('encodeWithOptionBytes (pre-encoded options spliced into a reply)', () => {
  const reply = (): DhcpPacket =>
    newPacket({
      op: BootOp.Reply,
      xid: 0xdeadbeef,
      flags: BROADCAST_FLAG,
      yiaddr: '10.0.0.7',
      giaddr: '10.0.0.2',
      chaddr: chaddrFromMac('02:00:00:00:00:01'),
      options: {
        messageType: MessageType.Ack,
        subnetMask: '255.255.255.0',
        routers: ['10.0.0.1'],
        leaseTime: 3600,
        serverId: '10.0.0.1',
        domainSearch: ['a.example', 'b.example'],
      },
    });

  it('writes the same bytes as encode() when the chunks are the options in encode order', () => {
    const p = reply();
    const { messageType, subnetMask, routers, leaseTime, serverId, domainSearch } = p.options;
    const chunks = [
      encodeOptionBytes({ messageType }),
      encodeOptionBytes({ subnetMask, routers }),
      encodeOptionBytes({ leaseTime, serverId }),
      encodeOptionBytes({ domainSearch }),
    ];
    assert.deepEqual(encodeWithOptionBytes(p, chunks), encode(p));
    assert.deepEqual(encodeOptionBytes(p.options), Buffer.concat(chunks));
  });

  it('declines (undefined) what needs more than a plain layout, and rejects bad fields as encode does', () => {
    const p = reply();
    const big = Buffer.alloc(DEFAULT_MAX_SIZE);
    assert.equal(encodeWithOptionBytes(p, [big]), undefined);
    assert.equal(encodeWithOptionBytes({ ...p, sname: 'boot' }, []), undefined);
    assert.equal(encodeWithOptionBytes(p, [], { maxSize: 70_000 }), undefined);
    assert.throws(
      () => encodeWithOptionBytes({ ...p, yiaddr: '10.0.0.256' }, []),
      (e: unknown) => e instanceof DhcpEncodeError && e.code === EncodeErrorCode.InvalidField,
    );
    assert.throws(() => encodeOptionBytes({ routers: ['x'] }), DhcpEncodeError);
    assert.equal(encodeWithOptionBytes(p, [])?.length, BOOTP_MIN_SIZE);
  });
});
