import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dns2 from 'dns2';
import { DnsWireError, WireAction } from './errors.js';
import { queryMessage } from './testing.js';
import { type Answer, encodeAnswer, encodeName, errorAnswer, parseQuery, RCode, RRType } from './wire.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** `dig web1.blue.netspan.internal A` as dig 9.18 sends it: id 0x1234, RD, AD, EDNS0 1232 with a cookie. */
const DIG_QUERY = hex(`
  1234 0120 0001 0000 0000 0001
  04 77656231 04 626c7565 07 6e65747370616e 08 696e7465726e616c 00
  0001 0001
  00 0029 04d0 00 00 0000 000c 000a 0008 0102030405060708`);

/** A plain query without EDNS for `name`/`type`. */
const query = (name: string, type: number, id = 0xbeef, flags = 0x0100): Buffer =>
  queryMessage(name, type, { id, flags });

describe('parseQuery', () => {
  it('reads a real dig query byte by byte: id, flags, lower-case name, type, EDNS payload', () => {
    const q = parseQuery(DIG_QUERY);
    assert.equal(q.id, 0x1234);
    assert.equal(q.flags, 0x0120);
    assert.equal(q.name, 'web1.blue.netspan.internal');
    assert.equal(q.qtype, RRType.A);
    assert.equal(q.qclass, 1);
    assert.equal(q.questionEnd, 12 + 28 + 4);
    assert.deepEqual(q.edns, { payload: 1232, dnssecOk: false });
  });

  it('folds case in the name (RFC 4343) but only ASCII letters', () => {
    const q = parseQuery(query('WeB1.Blue.NETSPAN.internal', RRType.A));
    assert.equal(q.name, 'web1.blue.netspan.internal');
    const raw = query('a\u00c4b.x', RRType.A);
    assert.equal(parseQuery(raw).name, 'a\u00c4b.x');
  });

  it('gives a name with a dot inside a label a key no stored name can have', () => {
    const h = query('x', RRType.A);
    const odd = Buffer.concat([h.subarray(0, 12), Buffer.from([3, 0x61, 0x2e, 0x62, 0]), h.subarray(15)]);
    assert.match(parseQuery(odd).name, /^\\escaped\\/);
  });

  it('reads the root name as the empty string', () => {
    assert.equal(parseQuery(query('', RRType.NS)).name, '');
  });

  it('treats an EDNS payload below 512 as 512 and reads the DO bit', () => {
    const q = Buffer.concat([query('a.b', RRType.A), hex('00 0029 0100 00 00 8000 0000')]);
    q.writeUInt16BE(1, 10);
    assert.deepEqual(parseQuery(q).edns, { payload: 512, dnssecOk: true });
  });

  // Every entry must throw DnsWireError with the given action: never anything else.
  const base = query('web1.blue', RRType.A);
  const withAr = (extra: string) => {
    const b = Buffer.concat([base, hex(extra)]);
    b.writeUInt16BE(1, 10);
    return b;
  };
  const edit = (f: (b: Buffer) => void) => {
    const b = Buffer.from(base);
    f(b);
    return b;
  };
  const malformed: Array<[string, Buffer, WireAction]> = [
    ['empty', Buffer.alloc(0), WireAction.Drop],
    ['11 bytes', base.subarray(0, 11), WireAction.Drop],
    ['a response (QR)', edit((b) => b.writeUInt16BE(0x8100, 2)), WireAction.Drop],
    ['opcode NOTIFY', edit((b) => b.writeUInt16BE(0x2000, 2)), WireAction.NotImp],
    ['opcode UPDATE', edit((b) => b.writeUInt16BE(0x2800, 2)), WireAction.NotImp],
    ['no question', edit((b) => b.writeUInt16BE(0, 4)), WireAction.FormErr],
    ['two questions', edit((b) => b.writeUInt16BE(2, 4)), WireAction.FormErr],
    ['an answer record', edit((b) => b.writeUInt16BE(1, 6)), WireAction.FormErr],
    ['an authority record', edit((b) => b.writeUInt16BE(1, 8)), WireAction.FormErr],
    ['two additional records', edit((b) => b.writeUInt16BE(2, 10)), WireAction.FormErr],
    ['header only', base.subarray(0, 12), WireAction.FormErr],
    ['label past the end', base.subarray(0, 15), WireAction.FormErr],
    ['no root label', base.subarray(0, 12 + 11), WireAction.FormErr],
    ['compression pointer in the question', edit((b) => b.writeUInt16BE(0xc00c, 12)), WireAction.FormErr],
    ['label length 64 (reserved bits)', edit((b) => (b[12] = 0x40)), WireAction.FormErr],
    ['type/class missing', base.subarray(0, base.length - 2), WireAction.FormErr],
    [
      'name over 255 bytes',
      Buffer.concat([base.subarray(0, 12), Buffer.alloc(5 * 64, 0), Buffer.from([0, 0, 1, 0, 1])]).fill(
        Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)]),
        12,
        12 + 5 * 64,
      ),
      WireAction.FormErr,
    ],
    ['trailing garbage', Buffer.concat([base, Buffer.from([0])]), WireAction.FormErr],
    ['ARCOUNT 1 but nothing there', edit((b) => b.writeUInt16BE(1, 10)), WireAction.FormErr],
    ['additional record not OPT', withAr('00 0001 0001 00000000 0004 01020304'), WireAction.FormErr],
    ['OPT with a non-root owner', withAr('01 61 00 0029 1000 00 00 0000 0000'), WireAction.FormErr],
    ['OPT truncated', withAr('00 0029 1000 00'), WireAction.FormErr],
    ['OPT data past the end', withAr('00 0029 1000 00 00 0000 0010 000a'), WireAction.FormErr],
    ['EDNS option past OPT data', withAr('00 0029 1000 00 00 0000 0006 000a 0008 0102'), WireAction.FormErr],
    ['EDNS option header cut', withAr('00 0029 1000 00 00 0000 0002 000a'), WireAction.FormErr],
    ['EDNS version 1', withAr('00 0029 1000 00 01 0000 0000'), WireAction.BadVers],
  ];
  for (const [what, msg, action] of malformed) {
    it(`rejects ${what} (${action})`, () => {
      assert.throws(
        () => parseQuery(msg),
        (err: unknown) => err instanceof DnsWireError && err.action === action,
      );
    });
  }

  it('survives 20,000 random and mutated messages: every failure is a DnsWireError', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      let msg: Buffer;
      if (i % 2 === 0) {
        msg = Buffer.alloc(rnd() % 64);
        for (let j = 0; j < msg.length; j++) msg[j] = rnd() & 0xff;
      } else {
        msg = Buffer.from(DIG_QUERY);
        for (let k = 0; k < 1 + (rnd() % 4); k++) msg[rnd() % msg.length] = rnd() & 0xff;
        if (rnd() % 3 === 0) msg = msg.subarray(0, rnd() % msg.length);
      }
      try {
        parseQuery(msg);
      } catch (err) {
        assert.ok(err instanceof DnsWireError, `message ${msg.toString('hex')} threw ${String(err)}`);
      }
    }
  });
});

describe('encodeAnswer', () => {
  const a: Answer = {
    rcode: RCode.NoError,
    authoritative: true,
    answer: [{ owner: undefined, type: RRType.A, ttl: 60, rdata: Buffer.from([10, 0, 0, 5]) }],
    authority: [],
  };

  it('writes header, the question as received, a compressed owner and the OPT', () => {
    const q = parseQuery(DIG_QUERY);
    const out = encodeAnswer(DIG_QUERY, q, a, 1232, false);
    assert.equal(
      out.toString('hex'),
      [
        '1234 8500 0001 0001 0000 0001', // QR AA RD; 1 question, 1 answer, 1 additional
        DIG_QUERY.subarray(12, q.questionEnd).toString('hex'),
        'c00c 0001 0001 0000003c 0004 0a000005',
        '00 0029 04d0 00 00 0000 0000', // our OPT: payload 1232, version 0, no options
      ]
        .join('')
        .replace(/\s+/g, ''),
    );
  });

  it('is read back the same by an independent parser (dns2)', () => {
    const raw = query('Web1.Blue', RRType.MX, 7);
    const q = parseQuery(raw);
    const mx = Buffer.concat([Buffer.from([0, 10]), encodeName('mail.blue')]);
    const soa = Buffer.concat([encodeName('ns.blue'), encodeName('hostmaster.blue'), Buffer.alloc(20, 1)]);
    const out = encodeAnswer(
      raw,
      q,
      {
        rcode: RCode.NoError,
        authoritative: true,
        answer: [{ owner: undefined, type: RRType.MX, ttl: 300, rdata: mx }],
        authority: [{ owner: encodeName('blue'), type: RRType.SOA, ttl: 30, rdata: soa }],
      },
      512,
      true,
    );
    const p = dns2.Packet.parse(out);
    assert.equal(p.header.id, 7);
    assert.equal(p.header.qr, 1);
    assert.equal(p.header.aa, 1);
    assert.equal(p.header.ra, 1);
    assert.equal(p.questions[0]?.name, 'Web1.Blue');
    assert.equal(p.answers[0]?.name, 'Web1.Blue');
    assert.equal(p.answers[0]?.exchange, 'mail.blue');
    assert.equal(p.answers[0]?.priority, 10);
    assert.equal(p.authorities[0]?.primary, 'ns.blue');
    assert.equal(p.authorities[0]?.admin, 'hostmaster.blue');
  });

  it('sets TC and leaves the records out when the answer exceeds the limit', () => {
    const raw = query('big', RRType.TXT);
    const q = parseQuery(raw);
    const txt = Buffer.concat([Buffer.from([200]), Buffer.alloc(200, 0x41)]);
    const big: Answer = {
      rcode: 0,
      authoritative: true,
      answer: [1, 2, 3].map(() => ({ owner: undefined, type: RRType.TXT, ttl: 1, rdata: txt })),
      authority: [],
    };
    const out = encodeAnswer(raw, q, big, 512, false);
    assert.equal(out.length, raw.length);
    assert.equal((out[2] as number) & 0x02, 0x02);
    assert.equal(out.readUInt16BE(6), 0);
    const full = encodeAnswer(raw, q, big, 65535, false);
    assert.equal(full.readUInt16BE(6), 3);
    assert.equal((full[2] as number) & 0x02, 0);
  });
});

describe('errorAnswer', () => {
  it('answers FORMERR with the id, opcode and RD, and no sections', () => {
    const msg = query('x', RRType.A, 0x4242);
    msg.writeUInt16BE(2, 4);
    try {
      parseQuery(msg);
      assert.fail('should throw');
    } catch (err) {
      const out = errorAnswer(msg, err as DnsWireError);
      assert.equal(out?.toString('hex'), '424281010000000000000000');
    }
  });

  it('answers BADVERS with the question and an OPT carrying extended rcode 1', () => {
    const msg = Buffer.concat([query('x', RRType.A, 9), hex('00 0029 1000 00 01 0000 0000')]);
    msg.writeUInt16BE(1, 10);
    try {
      parseQuery(msg);
      assert.fail('should throw');
    } catch (err) {
      const out = errorAnswer(msg, err as DnsWireError) as Buffer;
      assert.equal(out.readUInt16BE(4), 1);
      assert.equal(out.readUInt16BE(10), 1);
      assert.equal(out[3], 0);
      assert.equal(out.subarray(-11).toString('hex'), '00002904d0010000000000');
    }
  });

  it('drops what must not be answered', () => {
    assert.equal(errorAnswer(Buffer.alloc(4), new DnsWireError(WireAction.Drop, 'short', 0)), undefined);
  });
});

describe('encodeName', () => {
  it('writes labels and the root, and refuses empty or long labels', () => {
    assert.equal(encodeName('a.bc.').toString('hex'), '0161026263' + '00');
    assert.equal(encodeName('').toString('hex'), '00');
    assert.throws(() => encodeName('a..b'), RangeError);
    assert.throws(() => encodeName('x'.repeat(64)), RangeError);
  });
});
