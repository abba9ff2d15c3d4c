import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRecord, recordId, type StoredRecord } from './records.js';
import { type Answer, encodeName, RCode, RRType } from './wire.js';
import { type LeaseInfo, type NetworkInfo, ZoneIndex } from './zone-index.js';

const BLUE: NetworkInfo = { name: 'blue', domain: 'blue.netspan.internal', cidr: '10.0.0.0/24' };
const TINY: NetworkInfo = { name: 'tiny', domain: 'tiny.lab', cidr: '10.9.9.64/26' };
const WIDE: NetworkInfo = { name: 'wide', domain: 'wide.lab', cidr: '10.16.16.0/20' };
const Z = BLUE.domain;

function lease(address: string, hostname: string, extra: Partial<LeaseInfo> = {}): LeaseInfo {
  return {
    network: 'blue',
    address,
    hostname,
    state: 'bound',
    createdAtMs: 1,
    expiresAtMs: 0,
    revision: 10,
    ...extra,
  };
}

function record(
  zone: string,
  name: string,
  type: string,
  data: string,
  ttl = 0,
  revision = 20,
): StoredRecord {
  const r = normalizeRecord({ zone, name, type, data, ttl });
  return { ...r, id: recordId(r), revision };
}

function index(leases: LeaseInfo[] = [], records: StoredRecord[] = [], nets = [BLUE, TINY, WIDE]) {
  const conflicts: string[] = [];
  const idx = new ZoneIndex({ onConflict: (c) => conflicts.push(`${c.name} ${c.holder} ${c.newcomer}`) });
  idx.apply({ t: 'leases-reset', revision: 100, networks: nets, leases });
  idx.apply({ t: 'records-reset', revision: 100, records });
  return { idx, conflicts };
}

/** Answer records as "type data" strings (A as dotted quad, names decoded). */
function data(a: Answer | undefined): string[] {
  assert.ok(a, 'expected an authoritative answer');
  return a.answer.map((r) => `${r.type} ${decode(r.type, r.rdata)}`);
}

function decode(type: number, b: Buffer): string {
  if (type === RRType.A) return Array.from(b).join('.');
  if (type === RRType.CNAME || type === RRType.PTR) return nameAt(b, 0);
  return b.toString('hex');
}
function nameAt(b: Buffer, off: number): string {
  const labels: string[] = [];
  while (b[off] !== 0) {
    const l = b[off] as number;
    labels.push(b.toString('latin1', off + 1, off + 1 + l));
    off += 1 + l;
  }
  return labels.join('.');
}

describe('ZoneIndex', () => {
  it('serves a lease hostname as A in the network domain and PTR in its reverse zone', () => {
    const { idx } = index([lease('10.0.0.5', 'web1')]);
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.5']);
    assert.deepEqual(data(idx.lookup('5.0.0.10.in-addr.arpa', RRType.PTR)), [`12 web1.${Z}`]);
    assert.equal(idx.lookup('example.com', RRType.A), undefined);
    assert.ok(idx.hasZone('0.0.10.in-addr.arpa'));
  });

  it('tells NXDOMAIN from NODATA, both with the SOA in authority (RFC 2308)', () => {
    const { idx } = index([lease('10.0.0.5', 'web1')], [record(Z, '_http._tcp', 'SRV', '0 5 80 web1')]);
    const nx = idx.lookup(`nope.${Z}`, RRType.A);
    assert.equal(nx?.rcode, RCode.NXDomain);
    assert.equal(nx?.authority[0]?.type, RRType.SOA);
    assert.equal(nx?.authority[0]?.ttl, 30);
    const nodata = idx.lookup(`web1.${Z}`, RRType.AAAA);
    assert.equal(nodata?.rcode, RCode.NoError);
    assert.equal(nodata?.answer.length, 0);
    assert.equal(nodata?.authority[0]?.type, RRType.SOA);
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    const ent = idx.lookup(`_tcp.${Z}`, RRType.A);
    assert.equal(ent?.rcode, RCode.NoError);
    assert.equal(ent?.authority.length, 1);
  });

  it('synthesises SOA and NS at every apex, forward and reverse', () => {
    const { idx } = index();
    const soa = idx.lookup(Z, RRType.SOA);
    assert.equal(soa?.answer[0]?.type, RRType.SOA);
    assert.ok(soa?.answer[0]?.rdata.subarray(0, 26).equals(encodeName(`ns.${Z}`)));
    assert.equal(soa?.answer[0]?.rdata.readUInt32BE(soa.answer[0].rdata.length - 20), 100);
    assert.deepEqual(data(idx.lookup(Z, RRType.NS)), [
      `2 ${Buffer.from(encodeName(`ns.${Z}`)).toString('hex')}`,
    ]);
    assert.equal(idx.lookup('0.0.10.in-addr.arpa', RRType.SOA)?.answer.length, 1);
    assert.equal(idx.lookup(Z, RRType.A)?.authority.length, 1);
  });

  it('uses octet zones for /20 and RFC 2317 classless zones with CNAMEs for /26', () => {
    assert.deepEqual(
      index()
        .idx.zoneNames()
        .filter((z) => z.includes('16.10.in-addr')).length,
      16,
    );
    const { idx } = index([
      lease('10.9.9.70', 'db', { network: 'tiny' }),
      lease('10.16.20.9', 'w', { network: 'wide' }),
    ]);
    assert.deepEqual(data(idx.lookup('70.9.9.10.in-addr.arpa', RRType.PTR)), [
      '5 70.64-26.9.9.10.in-addr.arpa',
      '12 db.tiny.lab',
    ]);
    assert.deepEqual(data(idx.lookup('9.20.16.10.in-addr.arpa', RRType.PTR)), ['12 w.wide.lab']);
    assert.equal(idx.lookup('71.9.9.10.in-addr.arpa', RRType.PTR)?.rcode, RCode.NXDomain);
  });

  it('matches names case-insensitively (lookups are lower-case; stored names are lower-cased)', () => {
    const { idx } = index(
      [lease('10.0.0.5', 'Web1'), lease('10.0.0.6', 'Db_2.other.example'), lease('10.0.0.7', '...')],
      [record(Z, 'WWW', 'CNAME', 'WEB1')],
    );
    // Hostnames are reduced to one RFC 1123 label; nothing usable left means no record.
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.5']);
    assert.deepEqual(data(idx.lookup(`db-2.${Z}`, RRType.A)), ['1 10.0.0.6']);
    assert.equal(idx.lookup('7.0.0.10.in-addr.arpa', RRType.PTR)?.rcode, RCode.NXDomain);
    assert.deepEqual(data(idx.lookup(`www.${Z}`, RRType.A)), [`5 web1.${Z}`, '1 10.0.0.5']);
  });

  it('follows CNAME chains inside our zones, stops at foreign targets and at loops', () => {
    const { idx } = index(
      [lease('10.0.0.5', 'web1')],
      [
        record(Z, 'a', 'CNAME', 'b'),
        record(Z, 'b', 'CNAME', 'web1'),
        record(Z, 'out', 'CNAME', 'example.org.'),
        record(Z, 'loop1', 'CNAME', 'loop2'),
        record(Z, 'loop2', 'CNAME', 'loop1'),
        record(Z, 'dangling', 'CNAME', 'nothing'),
      ],
    );
    assert.deepEqual(data(idx.lookup(`a.${Z}`, RRType.A)), [`5 b.${Z}`, `5 web1.${Z}`, '1 10.0.0.5']);
    assert.deepEqual(data(idx.lookup(`out.${Z}`, RRType.A)), ['5 example.org']);
    assert.equal(idx.lookup(`loop1.${Z}`, RRType.A)?.answer.length, 2);
    const dangling = idx.lookup(`dangling.${Z}`, RRType.A);
    assert.equal(dangling?.rcode, RCode.NXDomain);
    assert.equal(dangling?.answer.length, 1);
    assert.deepEqual(data(idx.lookup(`a.${Z}`, RRType.CNAME)), [`5 b.${Z}`]);
  });

  it('answers wildcards for names that do not exist, not for names that do (RFC 4592)', () => {
    const { idx } = index([], [record(Z, '*.dev', 'A', '10.0.0.99'), record(Z, 'x.dev', 'TXT', 'real')]);
    const w = idx.lookup(`anything.dev.${Z}`, RRType.A);
    assert.deepEqual(data(w), ['1 10.0.0.99']);
    assert.equal(w?.answer[0]?.owner, undefined);
    assert.equal(idx.lookup(`x.dev.${Z}`, RRType.A)?.answer.length, 0);
    assert.equal(idx.lookup(`a.b.dev.${Z}`, RRType.A)?.answer.length, 1);
    assert.equal(idx.lookup(`dev.${Z}`, RRType.A)?.rcode, RCode.NoError);
    assert.equal(idx.lookup(`other.${Z}`, RRType.A)?.rcode, RCode.NXDomain);
  });

  it('caps a lease-derived TTL at the lease remaining time and stops answering once it expires', () => {
    const now = 1_000_000;
    const { idx } = index([lease('10.0.0.5', 'web1', { expiresAtMs: now + 20_500 })]);
    assert.equal(idx.lookup(`web1.${Z}`, RRType.A, now)?.answer[0]?.ttl, 20);
    assert.equal(idx.lookup(`web1.${Z}`, RRType.A, now - 100_000)?.answer[0]?.ttl, 60);
    assert.equal(idx.lookup(`web1.${Z}`, RRType.A, now + 21_000)?.rcode, RCode.NXDomain);
  });

  it('gives a taken name to its holder only; the newcomer gets nothing and is counted', () => {
    const { idx, conflicts } = index([lease('10.0.0.5', 'web1')]);
    idx.apply({ t: 'lease', lease: lease('10.0.0.6', 'web1', { createdAtMs: 0, revision: 11 }) });
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.5']);
    assert.equal(idx.lookup('6.0.0.10.in-addr.arpa', RRType.PTR)?.rcode, RCode.NXDomain);
    assert.equal(idx.stats.conflicts, 1);
    assert.deepEqual(conflicts, [`web1.${Z} blue/10.0.0.5 blue/10.0.0.6`]);
    // A renewal of the holder keeps it the holder.
    idx.apply({ t: 'lease', lease: lease('10.0.0.5', 'web1', { revision: 12 }) });
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.5']);
    // The holder releases: the name passes to the waiting lease.
    idx.apply({ t: 'lease-deleted', network: 'blue', address: '10.0.0.5', revision: 13 });
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.6']);
    assert.deepEqual(data(idx.lookup('6.0.0.10.in-addr.arpa', RRType.PTR)), [`12 web1.${Z}`]);
    assert.equal(idx.lookup('5.0.0.10.in-addr.arpa', RRType.PTR)?.rcode, RCode.NXDomain);
  });

  it('keeps current holders across a reload, whatever the creation order', () => {
    const { idx } = index([lease('10.0.0.5', 'web1', { createdAtMs: 5 })]);
    idx.apply({ t: 'lease', lease: lease('10.0.0.6', 'web1', { createdAtMs: 1 }) });
    idx.apply({ t: 'network', network: { ...BLUE, cidr: '10.0.0.0/24' }, revision: 200 });
    idx.apply({ t: 'records-reset', revision: 201, records: [] });
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.5']);
    // A fresh index (another replica) gives it to the earliest-created lease.
    const fresh = index([
      lease('10.0.0.5', 'web1', { createdAtMs: 5 }),
      lease('10.0.0.6', 'web1', { createdAtMs: 1 }),
    ]);
    assert.deepEqual(data(fresh.idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.6']);
  });

  it('moves the name when a lease renames, and frees the old one', () => {
    const { idx } = index([lease('10.0.0.5', 'web1')]);
    idx.apply({ t: 'lease', lease: lease('10.0.0.5', 'web2', { revision: 11 }) });
    assert.equal(idx.lookup(`web1.${Z}`, RRType.A)?.rcode, RCode.NXDomain);
    assert.deepEqual(data(idx.lookup(`web2.${Z}`, RRType.A)), ['1 10.0.0.5']);
    assert.deepEqual(data(idx.lookup('5.0.0.10.in-addr.arpa', RRType.PTR)), [`12 web2.${Z}`]);
    idx.apply({ t: 'lease', lease: lease('10.0.0.5', '', { revision: 12 }) });
    assert.equal(idx.lookup(`web2.${Z}`, RRType.A)?.rcode, RCode.NXDomain);
  });

  it('follows a network domain change and drops a deleted network', () => {
    const { idx } = index([lease('10.0.0.5', 'web1')]);
    idx.apply({ t: 'network', network: { ...BLUE, domain: 'azure.lab' }, revision: 300 });
    assert.deepEqual(data(idx.lookup('web1.azure.lab', RRType.A)), ['1 10.0.0.5']);
    assert.equal(idx.lookup(`web1.${Z}`, RRType.A), undefined);
    idx.apply({ t: 'network-deleted', name: 'blue', revision: 301 });
    assert.equal(idx.lookup('web1.azure.lab', RRType.A), undefined);
    assert.equal(idx.lookup('5.0.0.10.in-addr.arpa', RRType.PTR), undefined);
  });

  it('lets API data shadow lease data of the same type, and serves every type', () => {
    const { idx } = index(
      [lease('10.0.0.5', 'web1')],
      [
        record(Z, 'web1', 'A', '10.0.0.50'),
        record(Z, 'web1', 'AAAA', 'fd00::5'),
        record(Z, 'web1', 'TXT', 'hello'),
        record(Z, '@', 'MX', '10 mail'),
        record(Z, 'srv', 'SRV', '1 2 3 web1'),
        record('0.0.10.in-addr.arpa', '77', 'PTR', 'printer.lab.'),
      ],
    );
    assert.deepEqual(data(idx.lookup(`web1.${Z}`, RRType.A)), ['1 10.0.0.50']);
    assert.equal(
      idx.lookup(`web1.${Z}`, RRType.AAAA)?.answer[0]?.rdata.toString('hex'),
      'fd000000000000000000000000000005',
    );
    assert.equal(idx.lookup(`web1.${Z}`, RRType.TXT)?.answer[0]?.rdata.toString(), '\u0005hello');
    assert.equal(idx.lookup(Z, RRType.MX)?.answer.length, 1);
    assert.equal(idx.lookup(`srv.${Z}`, RRType.SRV)?.answer[0]?.rdata.readUInt16BE(4), 3);
    assert.deepEqual(data(idx.lookup('77.0.0.10.in-addr.arpa', RRType.PTR)), ['12 printer.lab']);
    assert.equal(idx.lookup(`web1.${Z}`, RRType.ANY)?.answer.length, 3);
  });

  it('applies record changes and deletions, and lists records (with lease-derived ones on request)', () => {
    const { idx } = index([lease('10.0.0.5', 'web1')]);
    const r = record(Z, 'www', 'CNAME', 'web1', 0, 150);
    idx.apply({ t: 'record', record: r });
    assert.equal(idx.lookup(`www.${Z}`, RRType.A)?.answer.length, 2);
    assert.deepEqual(
      idx.list(Z).map((x) => `${x.name} ${x.type} ${x.data}`),
      [`www CNAME web1.${Z}.`],
    );
    assert.deepEqual(
      idx.list(Z, { includeLeases: true }).map((x) => `${x.id} ${x.name} ${x.type} ${x.data}`),
      ['lease:blue/10.0.0.5 web1 A 10.0.0.5', `${r.id} www CNAME web1.${Z}.`],
    );
    assert.deepEqual(
      idx.list('0.0.10.in-addr.arpa', { includeLeases: true }).map((x) => `${x.name} ${x.data}`),
      [`5 web1.${Z}.`],
    );
    idx.apply({ t: 'record-deleted', zone: Z, id: r.id, revision: 151 });
    assert.equal(idx.lookup(`www.${Z}`, RRType.A)?.rcode, RCode.NXDomain);
    assert.equal(
      idx
        .lookup(Z, RRType.SOA)
        ?.answer[0]?.rdata.readUInt32BE((idx.lookup(Z, RRType.SOA)?.answer[0]?.rdata.length as number) - 20),
      151,
    );
  });

  it('rebuilds the same answers from its own exported events', () => {
    const { idx } = index(
      [lease('10.0.0.5', 'web1'), lease('10.9.9.70', 'db', { network: 'tiny' })],
      [record(Z, 'www', 'CNAME', 'web1')],
    );
    const copy = new ZoneIndex();
    for (const e of idx.exportEvents()) copy.apply(e);
    for (const [n, t] of [
      [`www.${Z}`, RRType.A],
      ['70.9.9.10.in-addr.arpa', RRType.PTR],
      [`nope.${Z}`, RRType.A],
    ] as const)
      assert.deepEqual(copy.lookup(n, t), idx.lookup(n, t));
  });
});
