import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, IpamError } from './errors.js';
import { isLive, type Lease, normalizeMac, sanitizeHostname, validateClientId } from './lease.js';
import { isDnsLabel } from './network.js';

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

describe('sanitizeHostname', () => {
  const cases: Array<[string, string]> = [
    ['web-1', 'web-1'],
    ['My_Host.example.com', 'my-host'],
    ['UPPER', 'upper'],
    ['..', ''],
    ['.', ''],
    ['.hidden', ''],
    ['', ''],
    ['-', ''],
    ['---', ''],
    ['_', ''],
    ['--x--', 'x'],
    ['__x__', 'x'],
    ['a--b', 'a-b'],
    ['a__b', 'a-b'],
    ['héllo', 'h-llo'],
    ['日本', ''],
    ['evil\u0000.x', 'evil'],
    ['evil\u0000x', 'evil-x'],
    ['foo bar', 'foo-bar'],
    ['  padded  ', 'padded'],
    ['line\nbreak', 'line-break'],
    ['a;rm -rf /', 'a-rm-rf'],
    ['<script>', 'script'],
    ['host\\.evil', 'host'],
    ['123', '123'],
    ['host.', 'host'],
    ['a.b.c.d', 'a'],
    ['x\u200by', 'x-y'],
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} -> ${JSON.stringify(want)}`, () => {
      assert.equal(sanitizeHostname(raw), want);
    });
  }

  it('truncates to 63 characters', () => {
    assert.equal(sanitizeHostname('a'.repeat(100)), 'a'.repeat(63));
  });

  it('does not leave a trailing dash after truncating', () => {
    // 62 letters then a character that becomes '-' at position 63.
    assert.equal(sanitizeHostname(`${'a'.repeat(62)}_bcd`), 'a'.repeat(62));
  });

  it('leading junk does not count against the 63 characters', () => {
    assert.equal(sanitizeHostname(`___${'b'.repeat(63)}`), 'b'.repeat(63));
  });

  it('always yields a valid DNS label or the empty string', () => {
    const hostile = [
      'My_Host.example.com',
      'a'.repeat(300),
      `${'-'.repeat(70)}z`,
      `${'a-'.repeat(40)}`,
      'ÀÉÎÕÜ',
      '\u0000\u0001\u0002',
      `${'x'.repeat(62)}${'-'.repeat(5)}y`,
      '\u{1F600}emoji',
      'İstanbul',
      'K', // Kelvin sign lower-cases to ASCII k
    ];
    for (const raw of hostile) {
      const out = sanitizeHostname(raw);
      assert.ok(out === '' || isDnsLabel(out), `${JSON.stringify(raw)} -> ${JSON.stringify(out)}`);
      assert.ok(out.length <= 63);
    }
  });
});

describe('normalizeMac', () => {
  it('accepts colon and dash separators in any case', () => {
    assert.equal(normalizeMac('aa:bb:cc:dd:ee:ff'), 'aa:bb:cc:dd:ee:ff');
    assert.equal(normalizeMac('AA:BB:CC:DD:EE:FF'), 'aa:bb:cc:dd:ee:ff');
    assert.equal(normalizeMac('02-00-5E-10-00-0a'), '02:00:5e:10:00:0a');
  });

  const invalid = [
    '',
    'aa:bb:cc:dd:ee',
    'aa:bb:cc:dd:ee:ff:00',
    'aabbccddeeff',
    'aa.bb.cc.dd.ee.ff',
    'aabb.ccdd.eeff',
    'gg:bb:cc:dd:ee:ff',
    'a:bb:cc:dd:ee:ff',
    'aaa:bb:cc:dd:ee:ff',
    ' aa:bb:cc:dd:ee:ff',
    'aa:bb:cc:dd:ee:ff ',
    'aa:bb:cc:dd:ee:ff\n',
    'aa::bb:cc:dd:ee:ff',
  ];
  for (const mac of invalid) {
    it(`rejects ${JSON.stringify(mac)}`, () => {
      expectInvalid(() => normalizeMac(mac), 'mac');
    });
  }

  it('names the given field and keeps the message short for huge input', () => {
    const err = expectInvalid(
      () => normalizeMac('z'.repeat(10_000), 'reservations[0].mac'),
      'reservations[0].mac',
    );
    assert.ok(err.message.length < 200, err.message);
  });
});

describe('validateClientId', () => {
  it('accepts 1..255 printable ASCII characters', () => {
    assert.equal(validateClientId('a'), 'a');
    assert.equal(validateClientId('01:aa:bb:cc:dd:ee:ff'), '01:aa:bb:cc:dd:ee:ff');
    assert.equal(validateClientId('~!@#$%^&*()_+{}|:"<>?'), '~!@#$%^&*()_+{}|:"<>?');
    assert.equal(validateClientId('x'.repeat(255)), 'x'.repeat(255));
  });

  const bad = ['', ' ', 'has space', 'tab\there', 'nl\n', 'nul\u0000', 'del\u007f', 'é', 'x'.repeat(256)];
  for (const id of bad) {
    it(`rejects ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}...(${id.length})` : id)}`, () => {
      expectInvalid(() => validateClientId(id), 'client_id');
    });
  }

  it('uses the given field name and truncates the echo', () => {
    const err = expectInvalid(() => validateClientId(' '.repeat(1000), 'lease.client_id'), 'lease.client_id');
    assert.ok(err.message.length < 200, err.message);
  });
});

describe('isLive', () => {
  const lease = (expiresAtMs: number): Lease => ({
    network: 'n',
    address: '10.0.0.2',
    clientId: 'c',
    mac: '',
    hostname: '',
    state: 'bound',
    location: { host: '', via: 'api' },
    createdAtMs: 0,
    updatedAtMs: 0,
    expiresAtMs,
    pool: '',
  });
  it('treats 0 as never expiring and compares against now', () => {
    assert.equal(isLive(lease(0), 1e15), true);
    assert.equal(isLive(lease(1000), 999), true);
    assert.equal(isLive(lease(1000), 1000), false);
    assert.equal(isLive(lease(1000), 1001), false);
  });
});
