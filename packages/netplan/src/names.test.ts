import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetplanError } from './errors.js';
import {
  bridgeName,
  isIPv4,
  isOwnedName,
  MAX_IFNAME,
  MAX_VNI,
  normalizeMac,
  serviceMacFor,
  vlanName,
  vniOfDevice,
  vxlanName,
} from './names.js';

describe('device names', () => {
  it('fit in 15 characters for the largest VNI', () => {
    assert.equal(bridgeName(MAX_VNI), 'nsbr16777215');
    assert.equal(vxlanName(MAX_VNI), 'nsvx16777215');
    assert.ok(bridgeName(MAX_VNI).length <= MAX_IFNAME);
    assert.ok(vxlanName(MAX_VNI).length <= MAX_IFNAME);
  });

  it('reject VNIs outside 1..16777215', () => {
    for (const vni of [0, -1, MAX_VNI + 1, 1.5, Number.NaN]) {
      assert.throws(
        () => bridgeName(vni),
        (e: unknown) => e instanceof NetplanError && e.code === 'INVALID_ARGUMENT',
      );
      assert.throws(() => vxlanName(vni), NetplanError);
      assert.throws(() => serviceMacFor(vni), NetplanError);
    }
  });

  it('map owned names back to their VNI and nothing else', () => {
    assert.equal(vniOfDevice('nsbr100'), 100);
    assert.equal(vniOfDevice('nsvx16777215'), MAX_VNI);
    assert.equal(vniOfDevice('nsvx16777216'), undefined);
    assert.equal(vniOfDevice('nsbr0100'), undefined);
    assert.equal(vniOfDevice('eth0'), undefined);
    assert.ok(isOwnedName('nsbr7') && isOwnedName('nsvx7'));
    assert.ok(!isOwnedName('virbr0') && !isOwnedName('vxlan0'));
  });

  it('builds VLAN device names and refuses ones longer than 15 characters', () => {
    assert.equal(vlanName('eth0', 100), 'eth0.100');
    assert.throws(() => vlanName('enx001122334455', 100), /longer than 15/);
  });
});

describe('serviceMacFor', () => {
  it('is a locally administered unicast MAC carrying the VNI', () => {
    assert.equal(serviceMacFor(1), '02:6e:73:00:00:01');
    assert.equal(serviceMacFor(100), '02:6e:73:00:00:64');
    assert.equal(serviceMacFor(0xabcdef), '02:6e:73:ab:cd:ef');
    assert.equal(serviceMacFor(MAX_VNI), '02:6e:73:ff:ff:ff');
    const first = Number.parseInt(serviceMacFor(5).slice(0, 2), 16);
    assert.equal(first & 1, 0, 'unicast');
    assert.equal(first & 2, 2, 'locally administered');
  });
});

describe('address checks', () => {
  it('normalizes MACs and rejects malformed ones', () => {
    assert.equal(normalizeMac('52:54:00:AA:BB:CC'), '52:54:00:aa:bb:cc');
    for (const bad of ['52:54:00:aa:bb', '52-54-00-aa-bb-cc', '52:54:00:aa:bb:cg', '']) {
      assert.equal(normalizeMac(bad), undefined, bad);
    }
  });

  it('accepts dotted-quad IPv4 only', () => {
    assert.ok(isIPv4('10.0.0.1') && isIPv4('255.255.255.255') && isIPv4('0.0.0.0'));
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '::1', '10.0.0.1 ', 'a.b.c.d']) {
      assert.ok(!isIPv4(bad), bad);
    }
  });
});
