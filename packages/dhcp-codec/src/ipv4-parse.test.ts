import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ipv4Bytes, isDottedQuad } from './ipv4.js';

it('the hand-rolled address parser accepts exactly the strict dotted-quad grammar', () => {
  const table = [
    '0.0.0.0',
    '255.255.255.255',
    '1.2.3.4',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1..2.3',
    '',
    'a.b.c.d',
    '1.2.3.04',
    '10.0.0.1 ',
    '100.200.250.255',
    '1.2.3.4.',
    '.1.2.3.4',
    '1.2.3.-4',
    '999.1.1.1',
  ];
  for (const s of table) assert.equal(ipv4Bytes(s) !== undefined, isDottedQuad(s), JSON.stringify(s));
  // Seeded fuzz over digits and dots.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  for (let i = 0; i < 50_000; i++) {
    let s = '';
    const len = 1 + rand(16);
    for (let k = 0; k < len; k++) s += '0123456789.'[rand(11)];
    const bytes = ipv4Bytes(s);
    assert.equal(bytes !== undefined, isDottedQuad(s), s);
    if (bytes) assert.equal([...bytes].join('.'), s);
  }
});
