import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClientError, type NetspanClients, type pb, unary } from '@netspan/api';
import { connectEtcd, EtcdIpamStore, Keys } from '@netspan/etcd-store';
import type { Etcd3 } from 'etcd3';
import {
  type CliResult,
  type EtcdHandle,
  type IpamdHandle,
  netspanctl,
  repoRoot,
  startEtcd,
  startIpamd,
} from '../harness/index.js';

// The online audit against state corrupted by hand in a real etcd: every kind of finding,
// repairs that are conditional on what was read, and the real netspanctl.

const CLI = path.join(repoRoot, 'packages/cli/dist/main.js');
const keys = new Keys('/netspan/v1/');
let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;
let raw: Etcd3;

function ctl(args: string[]): Promise<CliResult> {
  return netspanctl(['--server', ipamd.grpcAddress, ...args]);
}

const lease = (clientId: string, mac = '') =>
  JSON.stringify({
    clientId,
    mac,
    hostname: '',
    state: 'bound',
    location: { host: '', via: 'api' },
    createdAtMs: 1,
    updatedAtMs: 1,
    expiresAtMs: 0,
    pool: '',
  });

before(async () => {
  etcd = await startEtcd({ name: 'audit' });
  ipamd = await startIpamd({ etcdEndpoints: etcd.endpoints });
  c = createClients(ipamd.grpcAddress);
  raw = connectEtcd({ endpoints: etcd.endpoints });
  await unary(c.network, c.network.CreateNetwork, {
    network: { name: 'aud', cidr: '10.150.0.0/24', gateway: '10.150.0.1' },
  });
  await unary(c.network, c.network.CreateNetwork, {
    network: { name: 'clean', cidr: '10.151.0.0/24', gateway: '10.151.0.1' },
  });
  await unary(c.ipam, c.ipam.Allocate, { network: 'aud', clientId: 'good', address: '10.150.0.10' });
  await unary(c.ipam, c.ipam.Allocate, { network: 'clean', clientId: 'fine' });
  await unary(c.ipam, c.ipam.Allocate, { network: 'aud', clientId: 'lonely', address: '10.150.0.11' });
  await unary(c.ipam, c.ipam.Allocate, {
    network: 'aud',
    clientId: 'squatter',
    address: '10.150.0.50',
    mac: '52:54:00:00:00:01',
  });

  // Corruption, by hand, as a bad restore or a manual edit would leave it.
  await raw.put(keys.lease('aud', '10.99.0.5')).value(lease('stray')); // outside the CIDR
  await raw.put(keys.client('aud', 'stray')).value('10.99.0.5');
  await raw.put(keys.client('aud', 'ghost')).value('10.150.0.77'); // index without a lease
  await raw.delete().key(keys.client('aud', 'lonely')); // lease without its index
  await raw.put(keys.lease('gone', '10.0.0.1')).value(lease('orphan')); // network does not exist
  await raw // a reservation for an address another client holds
    .put(keys.reservation('aud', '52:54:00:00:00:02'))
    .value(
      JSON.stringify({ mac: '52:54:00:00:00:02', address: '10.150.0.50', hostname: '', description: '' }),
    );
  await raw.put(keys.reservedAddress('aud', '10.150.0.50')).value('52:54:00:00:00:02');
  await raw // a reservation without its reserved/ index
    .put(keys.reservation('aud', '52:54:00:00:00:03'))
    .value(
      JSON.stringify({ mac: '52:54:00:00:00:03', address: '10.150.0.60', hostname: '', description: '' }),
    );
  await raw.put(keys.reservedAddress('aud', '10.150.0.70')).value('52:54:00:00:00:09'); // index, no reservation
  await raw.put(keys.lease('aud', '10.150.0.99')).value('{not json'); // undecodable
});
after(async () => {
  raw?.close();
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

const audit = (req: Partial<pb.AuditRequest>) => unary(c.admin, c.admin.Audit, req);
const byKind = (findings: pb.AuditFinding[]) => findings.map((f) => `${f.kind} ${f.key}`).sort();

describe('AdminService.Audit', () => {
  it('finds every kind of inconsistency at one revision, and changes nothing without --fix', async () => {
    const before = await raw.get(keys.client('aud', 'ghost')).exec();
    const res = await audit({});
    assert.ok(res.revision >= Number(before.header.revision));
    assert.deepEqual(byKind(res.findings), [
      'corrupt-value leases/aud/10.150.0.99',
      'lease-outside-cidr leases/aud/10.99.0.5',
      'lease-without-index leases/aud/10.150.0.11',
      'lease-without-network leases/gone/10.0.0.1',
      'orphan-client-index clients/aud/ghost',
      'orphan-reserved-index reserved/aud/10.150.0.70',
      'reservation-conflict reservations/aud/52:54:00:00:00:02',
      'reservation-without-index reservations/aud/52:54:00:00:00:03',
    ]);
    assert.ok(res.findings.every((f) => !f.fixed && f.detail.length > 10));
    assert.ok(res.keysChecked >= 15);
    const conflict = res.findings.find((f) => f.kind === 'reservation-conflict');
    assert.match(
      conflict?.detail ?? '',
      /client squatter .* holds it; .*lease release aud 10\.150\.0\.50 --force/,
    );
    const after = await raw.get(keys.client('aud', 'ghost')).exec();
    assert.equal(after.kvs[0]?.mod_revision, before.kvs[0]?.mod_revision, 'nothing written');
  });

  it('audits one network alone, and a clean one finds nothing', async () => {
    const aud = await audit({ network: 'aud' });
    assert.ok(!aud.findings.some((f) => f.key.startsWith('leases/gone/')));
    assert.equal(aud.findings.length, 7);
    const clean = await audit({ network: 'clean' });
    assert.deepEqual(clean.findings, []);
    assert.equal(clean.keysChecked, 3); // network, lease, client index
  });

  it('refuses a malformed network name with INVALID_ARGUMENT naming the field', async () => {
    await assert.rejects(audit({ network: 'Not A Name' }), (err: NetspanClientError) => {
      assert.equal(err.statusName, 'INVALID_ARGUMENT');
      assert.equal(err.field, 'network');
      return true;
    });
  });

  it('skips a repair when a key it judged changed after the read', async () => {
    const store = new EtcdIpamStore(raw, { prefix: keys.prefix });
    const plan = await store.planAudit('aud');
    // Someone fixes the ghost's index by hand between the read and the repair.
    await raw.put(keys.client('aud', 'ghost')).value('10.150.0.78');
    const ghost = plan.findings.filter((f) => f.kind === 'orphan-client-index');
    const [result] = await store.repair(ghost);
    assert.equal(result?.fixed, false);
    assert.match(result?.detail ?? '', /changed after the audit read it/);
    assert.equal((await raw.get(keys.client('aud', 'ghost')).string()) ?? '', '10.150.0.78');
  });

  it('--fix repairs what is safe, leaves the rest with what to do, and a second audit agrees', async () => {
    const res = await audit({ fix: true });
    const fixed = res.findings.filter((f) => f.fixed).map((f) => f.kind);
    assert.deepEqual(fixed.sort(), [
      'lease-outside-cidr',
      'lease-without-index',
      'lease-without-network',
      'orphan-client-index',
      'orphan-reserved-index',
      'reservation-without-index',
    ]);
    const again = await audit({});
    assert.deepEqual(byKind(again.findings), [
      'corrupt-value leases/aud/10.150.0.99',
      'reservation-conflict reservations/aud/52:54:00:00:00:02',
    ]);
    // What the repairs did, read back from etcd and through the API.
    assert.equal(await raw.get(keys.lease('aud', '10.99.0.5')).string(), null);
    assert.equal(await raw.get(keys.client('aud', 'stray')).string(), null);
    assert.equal(await raw.get(keys.client('aud', 'ghost')).string(), null);
    assert.equal(await raw.get(keys.lease('gone', '10.0.0.1')).string(), null);
    assert.equal(await raw.get(keys.reservedAddress('aud', '10.150.0.60')).string(), '52:54:00:00:00:03');
    assert.equal(await raw.get(keys.reservedAddress('aud', '10.150.0.70')).string(), null);
    const lonely = await unary(c.ipam, c.ipam.GetLease, { network: 'aud', clientId: 'lonely' });
    assert.equal(lonely.lease?.address, '10.150.0.11');
    // The client keeps its address; the good lease is untouched.
    const again2 = await unary(c.ipam, c.ipam.Allocate, { network: 'aud', clientId: 'lonely' });
    assert.equal(again2.created, false);
    const good = await unary(c.ipam, c.ipam.GetLease, { network: 'aud', clientId: 'good' });
    assert.equal(good.lease?.address, '10.150.0.10');
  });
});

describe('request ids in logs', () => {
  it("carries the caller's x-request-id into every line of the call, down to etcd reads", async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'req-audit-1');
    await assert.rejects(
      unary(c.ipam, c.ipam.GetLease, { network: 'aud', address: '10.150.0.99' }, { metadata }),
      (err: NetspanClientError) => err.statusName === 'NOT_FOUND',
    );
    // The store skipped the undecodable value while serving this call: its warning says so.
    const corrupt = await ipamd.waitForLog(
      (r) => r.msg === 'skipped a value that cannot be decoded' && r.requestId === 'req-audit-1',
    );
    assert.equal(corrupt.method, 'netspan.v1.IpamService/GetLease');
    assert.equal(corrupt.key, keys.lease('aud', '10.150.0.99'));
    const refused = await ipamd.waitForLog((r) => r.msg === 'refused' && r.requestId === 'req-audit-1');
    assert.equal(refused.method, 'netspan.v1.IpamService/GetLease');
  });

  it('makes one up when the caller sends none, and keeps lines outside calls free of it', async () => {
    await audit({ network: 'clean' });
    const line = await ipamd.waitForLog((r) => r.msg === 'audit found nothing');
    assert.match(String(line.requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(line.method, 'netspan.v1.AdminService/Audit');
    const ready = ipamd.records().find((r) => r.msg === 'ipamd ready');
    assert.equal(ready?.requestId, undefined);
  });
});

describe('netspanctl audit', () => {
  it('prints a table of findings, a summary, and exits 1 while findings remain', async () => {
    const r = await ctl(['audit', '--network', 'aud']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^KIND\s+KEY\s+FIXED\s+DETAIL$/m);
    assert.match(r.stdout, /^reservation-conflict\s+reservations\/aud\/52:54:00:00:00:02\s+no\s+MAC/m);
    assert.match(r.stderr, /audited network aud: \d+ keys at revision \d+, 2 finding\(s\), 0 fixed/);
    // Reservation conflicts are never --fix's to repair: the hint does not send people there.
    assert.match(r.stderr, /error: 2 finding\(s\) not repaired: resolve them as each one says/);
  });

  it('exits 0 on a clean network, and prints the AuditResponse with -o yaml', async () => {
    const r = await ctl(['audit', '--network', 'clean', '-o', 'yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^revision: \d+$/m);
    assert.match(r.stdout, /^findings: \[\]$/m);
    assert.match(r.stdout, /^keysChecked: 3$/m);
  });
});

describe('netspanctl lease watch', () => {
  it('streams lease changes live and exits 0 on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [CLI, '--server', ipamd.grpcAddress, 'lease', 'watch', '--network', 'clean'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const until = async (pred: () => boolean, what: string) => {
        const deadline = Date.now() + 10_000;
        while (!pred()) {
          if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what}; stdout: ${stdout} stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(() => /^TIME\s+EVENT\s+NETWORK/m.test(stdout), 'the header');
      // The stream is open once the header is out; give the server a moment to register it.
      await new Promise((r) => setTimeout(r, 300));
      await unary(c.ipam, c.ipam.Allocate, { network: 'clean', clientId: 'watched', address: '10.151.0.77' });
      await until(() => /PUT\s+clean\s+10\.151\.0\.77\s+watched/.test(stdout), 'the PUT line');
      await unary(c.ipam, c.ipam.Release, { network: 'clean', clientId: 'watched' });
      await until(() => /DELETE\s+clean\s+10\.151\.0\.77/.test(stdout), 'the DELETE line');
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.match(stderr, /watching leases of network clean on .*; Ctrl-C stops/);
      assert.doesNotMatch(stderr, /error/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
