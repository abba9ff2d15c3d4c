import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhcpDecodeError, DhcpEncodeError, EncodeErrorCode } from './errors.js';
import { FqdnFlag, MessageType } from './options.js';
import { chaddrFromMac, type DhcpPacket, decode, encode, newPacket } from './packet.js';
import { fixtures, prng } from './test-fixtures.js';

const SEED = 0x5eed_d4c9;
const ITERATIONS = 20_000;
/** Largest UDP payload over IPv4: no size limit, so that only the values themselves can fail. */
const UDP_MAX = 65507;

/** Bytes that mean something to the decoder: pad, end, overload, FQDN, relay, names, pointers. */
const INTERESTING = [
  0, 1, 2, 3, 4, 5, 0x0c, 0x20, 0x21, 0x34, 0x35, 0x3d, 0x3f, 0x40, 0x51, 0x52, 0x77, 0x79, 0x80, 0xc0, 0xff,
];

/** Synthetic packets that carry what the captures do not: 82, overload, long options, names, routes. */
function syntheticBases(): Buffer[] {
  const rich: DhcpPacket = newPacket({
    op: 2,
    giaddr: '10.1.0.1',
    chaddr: chaddrFromMac('02:00:00:00:00:01'),
    options: {
      messageType: MessageType.Ack,
      clientFqdn: {
        flags: FqdnFlag.ServerUpdate | FqdnFlag.Encoded,
        rcode1: 255,
        rcode2: 255,
        name: 'vm1.example.',
      },
      relayAgentInfo: {
        circuitId: Buffer.from('br0'),
        remoteId: Buffer.from('host-a'),
        linkSelection: '10.1.0.0',
        other: new Map([[9, Buffer.from('vendor')]]),
      },
      subnetSelection: '10.1.0.0',
      domainSearch: ['example', 'lab.example', 'a.lab.example'],
      classlessRoutes: [
        { destination: '10.0.0.0/8', router: '10.1.0.1' },
        { destination: '10.229.0.128/25', router: '10.1.0.1' },
      ],
      other: new Map([[43, Buffer.alloc(300, 7)]]),
    },
  });
  return [encode(rich, { maxSize: 1500 }), encode(rich), encode(rich, { maxSize: 480 })];
}

describe('seeded random mutations of the fixtures', () => {
  it(`${ITERATIONS} mutations: decode returns or throws DhcpDecodeError; encode(decode(x)) never throws`, (t) => {
    const bases = [...fixtures().map((f) => f.bytes), ...syntheticBases()];
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    const codes = new Map<string, number>();
    let accepted = 0;
    let tooBig = 0;
    const tooBigSizes: number[] = [];

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      let m = Buffer.from(pick(bases));
      const rounds = 1 + int(3);
      for (let r = 0; r < rounds; r++) {
        // Most mutations land in the options (and the overloadable file/sname fields).
        const anywhere = () => int(m.length);
        const inOptions = () => (m.length > 240 ? 240 + int(m.length - 240) : anywhere());
        switch (int(9)) {
          case 0: {
            const at = anywhere();
            if (m.length > 0) m[at] = (m[at] as number) ^ (1 << int(8));
            break;
          }
          case 1:
            if (m.length > 0) m[inOptions()] = pick(INTERESTING);
            break;
          case 2:
            if (m.length > 0) m[inOptions()] = int(256);
            break;
          case 3:
            m = m.subarray(0, int(m.length + 1));
            break;
          case 4:
            m = Buffer.concat([m, Buffer.from(Array.from({ length: int(64) }, () => int(256)))]);
            break;
          case 5: {
            const at = inOptions();
            const ins = Buffer.from(Array.from({ length: 1 + int(8) }, () => pick(INTERESTING)));
            m = Buffer.concat([m.subarray(0, at), ins, m.subarray(at)]);
            break;
          }
          case 6: {
            const at = inOptions();
            m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1 + int(8))]);
            break;
          }
          case 7: {
            // Overload: put option 52 first and copy option bytes of another packet into file/sname.
            if (m.length < 240) break;
            const donor = pick(bases);
            const value = 1 + int(3);
            m = Buffer.concat([m.subarray(0, 240), Buffer.from([0x34, 1, value]), m.subarray(240)]);
            const src = 240 + int(Math.max(1, donor.length - 240));
            if (value & 1) donor.copy(m, 108, src, Math.min(donor.length, src + 128));
            if (value & 2) donor.copy(m, 44, src, Math.min(donor.length, src + 64));
            break;
          }
          default: {
            // Header fields the decoder checks.
            if (m.length < 4) break;
            if (rand() < 0.5) m[0] = pick([0, 1, 2, 3]);
            else m[2] = pick([0, 6, 16, 17, 255]);
          }
        }
      }

      let decoded: DhcpPacket;
      try {
        decoded = decode(m);
      } catch (err) {
        if (!(err instanceof DhcpDecodeError)) {
          assert.fail(`iteration ${iteration}: decode threw ${String(err)} for ${m.toString('hex')}`);
        }
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
        continue;
      }
      accepted++;
      let again: DhcpPacket;
      try {
        again = decode(encode(decoded, { maxSize: UDP_MAX }));
      } catch (err) {
        assert.fail(`iteration ${iteration}: re-encoding threw ${String(err)} for ${m.toString('hex')}`);
      }
      // Under the default 548-byte limit the only possible refusal is TOO_BIG, for a packet that big.
      try {
        encode(decoded);
      } catch (err) {
        if (!(err instanceof DhcpEncodeError) || err.code !== EncodeErrorCode.TooBig) {
          assert.fail(`iteration ${iteration}: encode threw ${String(err)} for ${m.toString('hex')}`);
        }
        tooBig++;
        tooBigSizes.push(m.length);
      }
      // Option order may change only where overloading pins option 82 to the end of the options field.
      const sorted = (o: DhcpPacket) => ({
        ...o,
        options: { ...o.options, order: [...(o.options.order ?? [])].sort() },
      });
      assert.deepEqual(
        sorted(again),
        sorted(decoded),
        `iteration ${iteration}: not stable for ${m.toString('hex')}`,
      );
    }

    const rejected = ITERATIONS - accepted;
    const summary = `accepted ${accepted} (${tooBig} too big for the default 548-byte limit), rejected ${rejected}: ${JSON.stringify(Object.fromEntries(codes))}`;
    // Both sides and most error paths must be exercised, or the mutations are too tame/too wild.
    assert.ok(accepted > ITERATIONS / 10, summary);
    assert.ok(rejected > ITERATIONS / 10, summary);
    for (const code of [
      'TRUNCATED',
      'BAD_MAGIC',
      'BAD_OP',
      'BAD_HLEN',
      'BAD_OPTION_LENGTH',
      'OPTION_OVERFLOW',
      'BAD_NAME',
    ]) {
      assert.ok(codes.has(code), `${code} never hit; ${summary}`);
    }
    t.diagnostic(summary);
    t.diagnostic(`TOO_BIG input sizes: ${tooBigSizes.join(' ')}`);
  });
});
