#!/usr/bin/env node
// Captures real iproute2/nft output for the unit tests' fixtures (fixtures/*.json). Needs root.
// Builds two hosts as network namespaces (A and B, joined by a veth underlay 10.99.0.1-2/24), runs
// the reconciler in both, attaches a guest namespace to each bridge, pings across the tunnel so the
// bridges and VXLAN devices learn, then records host A's listings. Everything is removed at the end.
//
//   npm run build && node packages/netplan/scripts/capture-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { execRunner, reconcile, serviceMacFor } from '../dist/index.js';

const P = `nsf${randomBytes(2).toString('hex')}`;
const [A, B, GA, GB] = ['a', 'b', 'ga', 'gb'].map((s) => `${P}${s}`);
const sh = (...argv) => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
const inNs = (ns, ...argv) => sh('ip', 'netns', 'exec', ns, ...argv);
const fixture = (dir) => new URL(`../fixtures/${dir}.json`, import.meta.url);

const network = (name, vni, serviceAddress, peers, extra = {}) => ({
  name,
  vni,
  encapsulation: 'vxlan',
  mtu: 1450,
  serviceAddress,
  serviceMac: serviceMacFor(vni),
  peers,
  ...extra,
});
const hostA = {
  localVtep: '10.99.0.1',
  underlayDevice: 'u0',
  networks: [
    network('lab', 100, '10.20.0.1', ['10.99.0.2', '10.99.0.3'], {
      remoteMacs: [{ mac: '52:54:00:aa:bb:cc', vtep: '10.99.0.3' }],
    }),
    network('db', 16777215, '10.30.0.1', ['10.99.0.2']),
  ],
};
const hostB = {
  localVtep: '10.99.0.2',
  underlayDevice: 'u0',
  networks: [network('lab', 100, '10.20.0.1', ['10.99.0.1'])],
};

function capture(ns, desired) {
  return {
    capturedWith: 'packages/netplan/scripts/capture-fixtures.mjs',
    desired,
    links: inNs(ns, 'ip', '-j', '-d', 'link', 'show'),
    addresses: inNs(ns, 'ip', '-j', 'addr', 'show'),
    fdb: inNs(ns, 'bridge', '-j', 'fdb', 'show'),
    nftTables: inNs(ns, 'nft', '-j', 'list', 'tables', 'bridge'),
    nftTable: desired.networks.length > 0 ? inNs(ns, 'nft', 'list', 'table', 'bridge', 'netspan') : null,
  };
}

try {
  for (const ns of [A, B, GA, GB]) {
    sh('ip', 'netns', 'add', ns);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  }
  sh('ip', 'link', 'add', `${P}x`, 'type', 'veth', 'peer', 'name', `${P}y`);
  sh('ip', 'link', 'set', `${P}x`, 'netns', A, 'name', 'u0');
  sh('ip', 'link', 'set', `${P}y`, 'netns', B, 'name', 'u0');
  sh('ip', '-n', A, 'addr', 'add', '10.99.0.1/24', 'dev', 'u0');
  sh('ip', '-n', B, 'addr', 'add', '10.99.0.2/24', 'dev', 'u0');
  sh('ip', '-n', A, 'link', 'set', 'u0', 'up');
  sh('ip', '-n', B, 'link', 'set', 'u0', 'up');
  writeFileSync(fixture('empty'), `${JSON.stringify(capture(A, { ...hostA, networks: [] }), null, 2)}\n`);

  for (const [ns, desired] of [
    [A, hostA],
    [B, hostB],
  ]) {
    const r = await reconcile(desired, execRunner({ netns: ns }));
    if (r.problems.length > 0) throw new Error(`reconcile ${ns}: ${r.problems.join('; ')}`);
  }
  for (const [host, guest, addr] of [
    [A, GA, '10.20.0.11/24'],
    [B, GB, '10.20.0.12/24'],
  ]) {
    sh('ip', 'link', 'add', `${P}h`, 'type', 'veth', 'peer', 'name', `${P}g`);
    sh('ip', 'link', 'set', `${P}h`, 'netns', host, 'name', 'vm0', 'mtu', '1450');
    sh('ip', 'link', 'set', `${P}g`, 'netns', guest, 'name', 'eth0', 'mtu', '1450');
    sh('ip', '-n', host, 'link', 'set', 'vm0', 'master', 'nsbr100', 'up');
    sh('ip', '-n', guest, 'addr', 'add', addr, 'dev', 'eth0');
    sh('ip', '-n', guest, 'link', 'set', 'eth0', 'up');
  }
  inNs(GA, 'busybox', 'ping', '-c', '2', '-W', '2', '10.20.0.12');
  writeFileSync(fixture('converged'), `${JSON.stringify(capture(A, hostA), null, 2)}\n`);
  console.log('fixtures written');
} finally {
  for (const ns of [A, B, GA, GB]) {
    try {
      sh('ip', 'netns', 'del', ns);
    } catch {}
  }
}
