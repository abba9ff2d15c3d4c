import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, IpamError } from './errors.js';
import {
  cidrContains,
  formatIPv4,
  isDottedQuadText,
  parseCidr,
  parseIPv4,
  prefixMask,
  requireIPv4,
} from './ipv4.js';

/** Asserts `fn` throws INVALID_ARGUMENT naming `field`; returns the error for further checks. */
function expectInvalid(fn: () => unknown, field: string): IpamError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof IpamError, `expected an IpamError, got ${String(caught)}`);
  assert.equal(caught.code, ErrorCode.InvalidArgument);
  assert.equal(caught.field, field);
  return caught;
}

describe('parseIPv4', () => {
  const valid: Array<[string, number]> = [
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.1', 0x0a000001],
    ['192.168.1.254', 0xc0a801fe],
    ['1.2.3.4', 0x01020304],
    ['128.0.0.0', 0x80000000],
    ['100.99.250.9', (100 << 24) + (99 << 16) + (250 << 8) + 9],
  ];
  for (const [text, n] of valid) {
    it(`parses ${text}`, () => {
      assert.equal(parseIPv4(text), n);
    });
  }

  it('accepts exactly the strict dotted-quad grammar (the reference regexp)', () => {
    const table = ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', 'a.b.c.d', '1.2.3.04'];
    for (const s of [...table, '10.0.0.1 ', '1.2.3.4.', '.1.2.3.4', '1.2.3.-4', '999.1.1.1', '٣.1.1.1']) {
      assert.equal(parseIPv4(s) !== undefined, isDottedQuadText(s), JSON.stringify(s));
    }
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
      const n = parseIPv4(s);
      assert.equal(n !== undefined, isDottedQuadText(s), s);
      if (n !== undefined) assert.equal(formatIPv4(n), s);
    }
  });

  it('returns unsigned numbers for addresses with the top bit set', () => {
    const n = parseIPv4('200.1.1.1');
    assert.ok(n !== undefined && n > 0);
  });

  const malformed = [
    '',
    ' ',
    '1.2.3',
    '1.2.3.',
    '1.2.3.4.5',
    '1..3.4',
    '.1.2.3',
    '256.0.0.0',
    '1.2.3.256',
    '999.1.1.1',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.00',
    '00.0.0.0',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2. 3.4',
    '1.2.3.4\n',
    '-1.2.3.4',
    '+1.2.3.4',
    '1.2.3.4/32',
    '0x1.2.3.4',
    'a.b.c.d',
    '16909060',
    '1.2.3.4e0',
    '::ffff:1.2.3.4',
    '１.2.3.4',
  ];
  for (const text of malformed) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseIPv4(text), undefined);
    });
  }
});

describe('formatIPv4', () => {
  it('formats the extremes', () => {
    assert.equal(formatIPv4(0), '0.0.0.0');
    assert.equal(formatIPv4(0xffffffff), '255.255.255.255');
    assert.equal(formatIPv4(0x80000000), '128.0.0.0');
  });

  it('round-trips with parseIPv4', () => {
    const samples = [
      '0.0.0.0',
      '255.255.255.255',
      '10.1.2.3',
      '172.16.254.1',
      '192.168.0.255',
      '127.0.0.1',
      '1.0.0.0',
    ];
    for (const s of samples) assert.equal(formatIPv4(parseIPv4(s) as number), s);
    for (const n of [0, 1, 255, 256, 65535, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xdeadbeef]) {
      assert.equal(parseIPv4(formatIPv4(n)), n);
    }
  });
});

describe('requireIPv4', () => {
  it('returns the number for a valid address', () => {
    assert.equal(requireIPv4('10.0.0.1', 'gateway'), 0x0a000001);
  });
  it('throws INVALID_ARGUMENT naming the field', () => {
    const err = expectInvalid(
      () => requireIPv4('10.0.0.256', 'dhcp_options.routers[2]'),
      'dhcp_options.routers[2]',
    );
    assert.match(err.message, /^dhcp_options\.routers\[2\]: /);
    assert.match(err.message, /10\.0\.0\.256/);
  });
});

describe('parseCidr', () => {
  it('parses a network', () => {
    const c = parseCidr('10.1.0.0/16', 'cidr');
    assert.equal(c.base, 0x0a010000);
    assert.equal(c.prefix, 16);
    assert.equal(c.size, 65536);
    assert.equal(c.last, 0x0a01ffff);
    assert.equal(c.text, '10.1.0.0/16');
  });

  it('handles /0 and /32', () => {
    const all = parseCidr('0.0.0.0/0', 'x');
    assert.equal(all.base, 0);
    assert.equal(all.size, 2 ** 32);
    assert.equal(all.last, 0xffffffff);
    const host = parseCidr('192.168.1.7/32', 'x');
    assert.equal(host.size, 1);
    assert.equal(host.base, host.last);
    assert.equal(host.text, '192.168.1.7/32');
  });

  it('handles networks in the upper half of the address space', () => {
    const c = parseCidr('224.0.0.0/4', 'x');
    assert.equal(c.base, 0xe0000000);
    assert.equal(c.last, 0xefffffff);
    assert.equal(parseCidr('255.255.255.0/24', 'x').last, 0xffffffff);
  });

  it('rejects host bits and suggests the network address', () => {
    const err = expectInvalid(() => parseCidr('10.0.0.1/24', 'cidr'), 'cidr');
    assert.match(err.message, /host bits/);
    assert.match(err.message, /did you mean 10\.0\.0\.0\/24\?/);
    const err2 = expectInvalid(() => parseCidr('192.168.77.130/25', 'routes[0]'), 'routes[0]');
    assert.match(err2.message, /did you mean 192\.168\.77\.128\/25\?/);
    const err3 = expectInvalid(() => parseCidr('10.0.0.1/0', 'x'), 'x');
    assert.match(err3.message, /did you mean 0\.0\.0\.0\/0\?/);
  });

  it('enforces prefix bounds', () => {
    assert.equal(parseCidr('10.0.0.0/8', 'cidr', { minPrefix: 8, maxPrefix: 30 }).prefix, 8);
    assert.equal(parseCidr('10.0.0.0/30', 'cidr', { minPrefix: 8, maxPrefix: 30 }).prefix, 30);
    const low = expectInvalid(() => parseCidr('10.0.0.0/7', 'cidr', { minPrefix: 8, maxPrefix: 30 }), 'cidr');
    assert.match(low.message, /\/7 is outside \/8\.\.\/30/);
    const high = expectInvalid(
      () => parseCidr('10.0.0.0/31', 'cidr', { minPrefix: 8, maxPrefix: 30 }),
      'cidr',
    );
    assert.match(high.message, /\/31 is outside \/8\.\.\/30/);
  });

  const malformed = [
    '',
    '/',
    '/24',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/33',
    '10.0.0.0/99',
    '10.0.0.0/100',
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/abc',
    '10.0.0.0/1a',
    '10.0.0.0/024',
    '10.0.0.0/24/24',
    '10.0.0/24',
    '10.0.0.0.0/24',
    '256.0.0.0/8',
    '010.0.0.0/8',
    ' 10.0.0.0/24',
    '10.0.0.0/24 ',
    '10.0.0.0 /24',
    '10.0.0.0/ 24',
    'a.b.c.d/24',
    'fe80::/64',
    '10.0.0.0\\24',
  ];
  for (const text of malformed) {
    it(`rejects malformed ${JSON.stringify(text)} naming the field`, () => {
      const err = expectInvalid(() => parseCidr(text, 'pools[3].cidr'), 'pools[3].cidr');
      assert.match(err.message, /^pools\[3\]\.cidr: /);
    });
  }
});

describe('cidrContains', () => {
  const c = parseCidr('10.0.1.0/24', 'cidr');
  it('includes the network and broadcast addresses', () => {
    assert.equal(cidrContains(c, parseIPv4('10.0.1.0') as number), true);
    assert.equal(cidrContains(c, parseIPv4('10.0.1.255') as number), true);
    assert.equal(cidrContains(c, parseIPv4('10.0.1.77') as number), true);
  });
  it('excludes neighbours', () => {
    assert.equal(cidrContains(c, parseIPv4('10.0.0.255') as number), false);
    assert.equal(cidrContains(c, parseIPv4('10.0.2.0') as number), false);
    assert.equal(cidrContains(c, 0), false);
    assert.equal(cidrContains(c, 0xffffffff), false);
  });
  it('works at the top of the address space and for /0', () => {
    const top = parseCidr('255.255.255.252/30', 'x');
    assert.equal(cidrContains(top, 0xffffffff), true);
    assert.equal(cidrContains(top, 0xfffffffb), false);
    const all = parseCidr('0.0.0.0/0', 'x');
    assert.equal(cidrContains(all, 0), true);
    assert.equal(cidrContains(all, 0xffffffff), true);
  });
});

describe('prefixMask', () => {
  it('builds masks', () => {
    assert.equal(prefixMask(0), 0);
    assert.equal(prefixMask(8), 0xff000000);
    assert.equal(prefixMask(24), 0xffffff00);
    assert.equal(prefixMask(31), 0xfffffffe);
    assert.equal(prefixMask(32), 0xffffffff);
  });
});
