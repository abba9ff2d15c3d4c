import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpamError } from '@netspan/ipam';
import { reverseZones } from './names.js';
import { encodeRdata, normalizeRecord, recordId } from './records.js';

const Z = 'blue.netspan.internal';

describe('normalizeRecord', () => {
  const ok: Array<[Record<string, unknown>, string, string]> = [
    [{ name: 'WWW', type: 'cname', data: 'Web1' }, 'www', `web1.${Z}.`],
    [{ name: 'www', type: 'CNAME', data: 'example.org.' }, 'www', 'example.org.'],
    [{ name: '', type: 'MX', data: '10   mail' }, '@', `10 mail.${Z}.`],
    [{ name: `host.${Z}.`, type: 'A', data: ' 10.0.0.5 ' }, 'host', '10.0.0.5'],
    [{ name: '_sip._tcp', type: 'SRV', data: '0 5 5060 sip' }, '_sip._tcp', `0 5 5060 sip.${Z}.`],
    [{ name: 'v6', type: 'AAAA', data: 'FD00:0:0:0::5' }, 'v6', 'fd00::5'],
    [{ name: 'v4m', type: 'AAAA', data: '::ffff:10.0.0.1' }, 'v4m', '::ffff:a00:1'],
    [{ name: '*.dev', type: 'TXT', data: 'hello world' }, '*.dev', 'hello world'],
    [{ name: '*', type: 'A', data: '10.0.0.1' }, '*', '10.0.0.1'],
  ];
  for (const [input, name, data] of ok) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      const r = normalizeRecord({ zone: `${Z}.`, ...input });
      assert.equal(r.zone, Z);
      assert.equal(r.name, name);
      assert.equal(r.data, data);
      assert.equal(r.ttl, 300);
    });
  }
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ zone: '', name: 'a', type: 'A', data: '10.0.0.1' }, 'record.zone'],
    [{ name: 'a b', type: 'A', data: '10.0.0.1' }, 'record.name'],
    [{ name: 'a.*', type: 'A', data: '10.0.0.1' }, 'record.name'],
    [{ name: 'a', type: 'NS', data: 'x' }, 'record.type'],
    [{ name: 'a', type: 'A', data: '10.0.0.256' }, 'record.data'],
    [{ name: 'a', type: 'A', data: '010.0.0.1' }, 'record.data'],
    [{ name: 'a', type: 'AAAA', data: 'fd00::g' }, 'record.data'],
    [{ name: 'a', type: 'MX', data: 'mail' }, 'record.data'],
    [{ name: 'a', type: 'MX', data: '70000 mail' }, 'record.data'],
    [{ name: 'a', type: 'SRV', data: '1 2 web' }, 'record.data'],
    [{ name: 'a', type: 'CNAME', data: 'bad name' }, 'record.data'],
    [{ name: 'a', type: 'TXT', data: '' }, 'record.data'],
    [{ name: 'a', type: 'TXT', data: 'x'.repeat(4001) }, 'record.data'],
    [{ name: 'a', type: 'A', data: '10.0.0.1', ttl: -1 }, 'record.ttl'],
    [{ name: 'a', type: 'A', data: '10.0.0.1', ttl: 1.5 }, 'record.ttl'],
    [{ name: '@', type: 'CNAME', data: 'x' }, 'record.name'],
    [
      {
        name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(40)}`,
        type: 'A',
        data: '10.0.0.1',
      },
      'record.name',
    ],
  ];
  for (const [input, field] of bad) {
    it(`refuses ${JSON.stringify(input).slice(0, 80)} naming ${field}`, () => {
      assert.throws(
        () => normalizeRecord({ zone: Z, ...input }),
        (err: unknown) => err instanceof IpamError && err.field === field,
      );
    });
  }

  it('derives the same id for the same record, another for other data', () => {
    const a = normalizeRecord({ zone: Z, name: 'www', type: 'A', data: '10.0.0.1', ttl: 5 });
    const b = normalizeRecord({ zone: Z, name: 'WWW', type: 'a', data: '10.0.0.1', ttl: 60 });
    const c = normalizeRecord({ zone: Z, name: 'www', type: 'A', data: '10.0.0.2' });
    assert.equal(recordId(a), recordId(b));
    assert.notEqual(recordId(a), recordId(c));
    assert.match(recordId(a), /^[0-9a-f]{16}$/);
  });

  it('encodes RDATA per type, TXT in 255-byte strings', () => {
    const txt = encodeRdata(normalizeRecord({ zone: Z, name: 't', type: 'TXT', data: 'y'.repeat(300) }));
    assert.equal(txt[0], 255);
    assert.equal(txt[256], 45);
    assert.equal(txt.length, 302);
    const srv = encodeRdata(normalizeRecord({ zone: Z, name: 's', type: 'SRV', data: '1 2 80 a.b.' }));
    assert.equal(srv.toString('hex'), '000100020050' + '0161' + '0162' + '00');
  });
});

describe('reverseZones', () => {
  it('covers octet, sub-octet and classless prefixes', () => {
    assert.deepEqual(reverseZones('10.0.0.0/24'), { zones: ['0.0.10.in-addr.arpa'], classless: undefined });
    assert.deepEqual(reverseZones('10.1.0.0/16').zones, ['1.10.in-addr.arpa']);
    assert.deepEqual(reverseZones('10.0.0.0/23').zones, ['0.0.10.in-addr.arpa', '1.0.10.in-addr.arpa']);
    assert.deepEqual(reverseZones('10.0.0.0/7').zones, ['10.in-addr.arpa', '11.in-addr.arpa']);
    assert.deepEqual(reverseZones('10.9.9.64/26'), {
      zones: ['64-26.9.9.10.in-addr.arpa', '9.9.10.in-addr.arpa'],
      classless: '64-26.9.9.10.in-addr.arpa',
    });
  });
});
