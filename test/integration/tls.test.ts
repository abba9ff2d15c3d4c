/**
 * Mutual TLS on the gRPC API: agents identified by their certificate's CN (no join token),
 * netspanctl with a client certificate, and refusals for everything else.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClients, type pb, unary } from '@netspan/api';
import { LeanKv } from '@netspan/etcd-store';
import { type EtcdHandle, type IpamdHandle, repoRoot, startEtcd, startIpamd } from '../harness/index.js';

const run = promisify(execFile);
let dir: string;
let etcd: EtcdHandle;
let ipamd: IpamdHandle;
const f = (name: string) => path.join(dir, name);

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args);
}

/** A CA, a server certificate for 127.0.0.1, and client certificates with the given CNs. */
async function makePki(clients: string[]): Promise<void> {
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=netspan test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  const issue = async (name: string, cn: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    await openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.crt`),
    );
  };
  await issue('server', 'ipamd', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  for (const cn of clients) await issue(cn, cn, 'extendedKeyUsage=clientAuth\n');
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netspan-tls-'));
  await makePki(['host-a', 'operator']);
  etcd = await startEtcd({ name: 'tls' });
  ipamd = await startIpamd({
    etcdEndpoints: etcd.endpoints,
    args: ['--tls-cert', f('server.crt'), '--tls-key', f('server.key'), '--tls-ca', f('ca.crt')],
  });
});
after(async () => {
  await ipamd?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const withCert = (cn: string): NetspanClients =>
  createClients(ipamd.grpcAddress, { tls: { ca: f('ca.crt'), cert: f(`${cn}.crt`), key: f(`${cn}.key`) } });

function session(
  c: NetspanClients,
  hostId: string,
): Promise<{ welcome?: pb.Welcome; status?: grpc.StatusObject }> {
  return new Promise((resolve) => {
    const call = c.agent.Session();
    call.on('error', () => {});
    call.on('data', (m: pb.ControlMessage) => {
      if (m.welcome) {
        call.end();
        resolve({ welcome: m.welcome });
      }
    });
    call.on('status', (status: grpc.StatusObject) => resolve({ status }));
    call.write({ hello: { hostId, vtepAddress: '192.0.2.50', instanceId: `i-${hostId}` } });
  });
}

it('registers an agent by its certificate alone, and only as the host the certificate names', async () => {
  const c = withCert('host-a');
  try {
    const ok = await session(c, 'host-a');
    assert.equal(ok.welcome?.hostId, 'host-a', JSON.stringify(ok.status));
    const other = await session(c, 'host-b');
    assert.equal(other.status?.code, grpc.status.PERMISSION_DENIED);
    assert.match(other.status?.details ?? '', /certificate is for host host-a, not host-b/);
  } finally {
    c.close();
  }
});

it('refuses clients without a certificate, or that do not speak TLS', async () => {
  const noCert = createClients(ipamd.grpcAddress, { tls: { ca: f('ca.crt') } });
  const plain = createClients(ipamd.grpcAddress);
  try {
    for (const c of [noCert, plain]) {
      await assert.rejects(
        unary(c.network, c.network.ListNetworks, {}, { timeoutMs: 3000 }),
        (err: { statusName?: string }) => ['UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(err.statusName ?? ''),
      );
    }
  } finally {
    noCert.close();
    plain.close();
  }
});

it('lets netspanctl work with --tls-ca/--tls-cert/--tls-key', async () => {
  const cli = path.join(repoRoot, 'packages/cli/bin/netspanctl.js');
  const tls = [
    '--server',
    ipamd.grpcAddress,
    '--tls-ca',
    f('ca.crt'),
    '--tls-cert',
    f('operator.crt'),
    '--tls-key',
    f('operator.key'),
  ];
  await run(process.execPath, [cli, ...tls, 'network', 'create', 'secure', '--cidr', '10.77.0.0/24']);
  const { stdout } = await run(process.execPath, [cli, ...tls, 'network', 'list', '-o', 'json']);
  assert.ok(
    (JSON.parse(stdout) as { networks: Array<{ name: string }> }).networks.some((n) => n.name === 'secure'),
  );
  await assert.rejects(run(process.execPath, [cli, '--server', ipamd.grpcAddress, 'network', 'list']));
});

it('talks to an etcd that requires client certificates: the lean client and etcd3 alike', async () => {
  const tls = {
    ca: f('ca.crt'),
    cert: f('server.crt'),
    key: f('server.key'),
    clientCert: f('operator.crt'),
    clientKey: f('operator.key'),
  };
  const secureEtcd = await startEtcd({ name: 'tls-etcd', tls });
  const read = (p: string) => readFileSync(p);
  const lean = new LeanKv({
    endpoints: secureEtcd.endpoints,
    requestTimeoutMs: 3000,
    tls: { ca: read(tls.ca), cert: read(tls.clientCert), key: read(tls.clientKey) },
  });
  const noCert = new LeanKv({
    endpoints: secureEtcd.endpoints,
    requestTimeoutMs: 3000,
    tls: { ca: read(tls.ca) },
  });
  let r: IpamdHandle | undefined;
  let c: NetspanClients | undefined;
  try {
    assert.match(secureEtcd.endpoints[0] ?? '', /^https:/);
    // LeanKv directly: a transaction and a watch over TLS; without a client certificate, refused.
    const key = Buffer.from('/tls-probe/k');
    const w = await lean.watch(key, undefined, 1);
    const seen = new Promise<string>((resolve) =>
      w.on('data', (res) => resolve(String(res.events[0]?.kv.value))),
    );
    const put = await lean.txn({ success: [{ request_put: { key, value: Buffer.from('v1') } }] });
    assert.equal(put.succeeded, true);
    assert.equal(await seen, 'v1');
    await w.cancel();
    await assert.rejects(noCert.txn({ success: [{ request_range: { key } }] }));
    // ipamd with --etcd-tls-*: etcd3 (ranges, leases, elections) and LeanKv (transactions, watch).
    r = await startIpamd({
      etcdEndpoints: secureEtcd.endpoints,
      args: ['--etcd-tls-ca', tls.ca, '--etcd-tls-cert', tls.clientCert, '--etcd-tls-key', tls.clientKey],
    });
    c = createClients(r.grpcAddress);
    await unary(c.network, c.network.CreateNetwork, { network: { name: 'over-tls', cidr: '10.78.0.0/24' } });
    const a = await unary(c.ipam, c.ipam.Allocate, { network: 'over-tls', clientId: 'client-1' });
    assert.match(a.lease?.address ?? '', /^10\.78\.0\./);
    const listed = await unary(c.ipam, c.ipam.ListLeases, { network: 'over-tls' });
    assert.deepEqual(
      listed.leases.map((l) => l.address),
      [a.lease?.address],
    );
  } finally {
    c?.close();
    await r?.stop();
    lean.close();
    noCert.close();
    await secureEtcd.stop();
  }
});
