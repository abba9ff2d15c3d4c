import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeLease, encodeLeaseFields } from './codec.js';

/** Deterministic pseudo-random numbers in [0, 1) for case `i`: a failure repeats. */
function draws(i: number): () => number {
  let bytes = createHash('sha256').update(`encodeLeaseFields ${i}`).digest();
  let at = 0;
  return () => {
    if (at + 2 > bytes.length) {
      bytes = createHash('sha256').update(bytes).digest(); // the next 32 bytes of the chain
      at = 0;
    }
    const v = bytes.readUInt16BE(at) / 65536;
    at += 2;
    return v;
  };
}

// Plain characters, each that JSON escapes, and the ones it does not (U+2028, non-ASCII, a
// surrogate pair), and lone surrogates, which well-formed JSON.stringify escapes.
const PIECES = [
  'a',
  'Z',
  '0',
  ':',
  '-',
  ' ',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  'é',
  '😀',
  '\ud800',
  '\udfff',
  '/',
];
const NUMBERS = [
  0,
  -0,
  1,
  1_795_000_000_000,
  -5,
  0.5,
  1e21,
  2 ** 53 + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

describe('encodeLeaseFields', () => {
  it('writes what JSON.stringify writes, for any strings and numbers', () => {
    let r = draws(0);
    const str = (): string => {
      if (r() < 0.3) return '';
      let s = '';
      const n = Math.floor(r() * 12);
      for (let i = 0; i < n; i++)
        s += r() < 0.6 ? 'abc' : (PIECES[Math.floor(r() * PIECES.length)] as string);
      return s;
    };
    const num = (): number =>
      r() < 0.5 ? Math.floor(r() * 2e12) : (NUMBERS[Math.floor(r() * NUMBERS.length)] as number);
    for (let i = 0; i < 5000; i++) {
      r = draws(i);
      const [clientId, mac, hostname, state, host, via, pool] = [
        str(),
        str(),
        str(),
        str(),
        str(),
        str(),
        str(),
      ];
      const [createdAtMs, updatedAtMs, expiresAtMs] = [num(), num(), num()];
      const want = JSON.stringify({
        clientId,
        mac,
        hostname,
        state,
        location: { host, via },
        createdAtMs,
        updatedAtMs,
        expiresAtMs,
        pool,
      });
      const got = encodeLeaseFields(
        clientId,
        mac,
        hostname,
        state,
        host,
        via,
        createdAtMs,
        updatedAtMs,
        expiresAtMs,
        pool,
      );
      assert.equal(got, want, `case ${i}`);
    }
  });

  it('reads back as the lease it wrote', () => {
    const v = encodeLeaseFields(
      '01:02:"x"',
      '02:00:00:00:00:01',
      'vm-1',
      'bound',
      'host-a',
      'agent',
      1,
      2,
      3,
      'dyn',
    );
    const l = decodeLease('blue', '10.0.0.5', Buffer.from(v), 42);
    assert.deepEqual(l, {
      network: 'blue',
      address: '10.0.0.5',
      clientId: '01:02:"x"',
      mac: '02:00:00:00:00:01',
      hostname: 'vm-1',
      state: 'bound',
      location: { host: 'host-a', via: 'agent' },
      createdAtMs: 1,
      updatedAtMs: 2,
      expiresAtMs: 3,
      pool: 'dyn',
      revision: 42,
    });
  });
});
