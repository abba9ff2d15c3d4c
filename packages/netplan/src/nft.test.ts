import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredNft, nftReplaceScript, normalizeNft, parseNftCounters } from './nft.js';
import { loadFixture } from './test-fixtures.js';

const converged = loadFixture('converged');
const networks = [
  { tunnel: 'nsvx100', serviceMac: '02:6e:73:00:00:64' },
  { tunnel: 'nsvx16777215', serviceMac: '02:6e:73:ff:ff:ff' },
];

describe('desiredNft', () => {
  it('renders exactly what nft lists back (captured), counters and handles aside', () => {
    const table = desiredNft(networks);
    assert.ok(table !== null && converged.nftTable !== null);
    assert.equal(normalizeNft(table), normalizeNft(converged.nftTable));
    // The capture has non-zero counters, so normalization really is stripping them.
    assert.match(converged.nftTable, /counter packets [1-9]/);
  });

  it('is null when there is no network, so the table is removed', () => {
    assert.equal(desiredNft([]), null);
  });

  it('drops DHCP from VLAN ports too and keeps the anycast MAC off them', () => {
    const table = desiredNft([{ tunnel: 'eth0.30', serviceMac: '02:6e:73:00:00:07' }]) ?? '';
    assert.equal(table.match(/iifname "eth0\.30" udp dport \{ 67, 68 \} counter drop/g)?.length, 2);
    assert.equal(table.match(/iifname "nsvx\*" udp dport \{ 67, 68 \} counter drop/g)?.length, 2);
    assert.match(table, /oifname "eth0\.30" ether saddr 02:6e:73:00:00:07 counter drop/);
  });
});

describe('normalizeNft', () => {
  it('ignores handles, counter values and blank lines but not rule changes', () => {
    const listed =
      'table bridge netspan { # handle 4\n\tchain c { # handle 1\n\t\tx counter packets 9 bytes 90 drop # handle 5\n\t}\n\n}\n';
    assert.equal(normalizeNft(listed), 'table bridge netspan {\nchain c {\nx counter drop\n}\n}');
    assert.notEqual(normalizeNft(listed), normalizeNft(listed.replace('drop', 'accept')));
  });
});

describe('nftReplaceScript', () => {
  it('creates, deletes and re-adds the table in one transaction', () => {
    const script = nftReplaceScript('table bridge netspan {\n}\n');
    assert.deepEqual(script.split('\n').slice(0, 3), [
      'table bridge netspan',
      'delete table bridge netspan',
      'table bridge netspan {',
    ]);
  });
});

describe('parseNftCounters', () => {
  it('reads per-rule counters by chain', () => {
    const counters = parseNftCounters(converged.nftTable ?? '');
    const out = counters.get('anycast_out: oifname "nsvx100" ether saddr 02:6e:73:00:00:64 counter drop');
    assert.ok(out && out.packets > 0 && out.bytes > 0);
    assert.deepEqual(counters.get('dhcp_in: iifname "nsvx*" udp dport { 67, 68 } counter drop'), {
      packets: 0,
      bytes: 0,
    });
    assert.equal(counters.size, 4);
  });
});
