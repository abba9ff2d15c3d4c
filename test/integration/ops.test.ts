import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createClients, type NetspanClientError, type NetspanClients, unary } from '@netspan/api';
import { chaddrFromMac, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import {
  type EtcdHandle,
  freePort,
  httpGet,
  type IpamdHandle,
  netspanctl,
  startEtcd,
  startIpamd,
  waitFor,
} from '../harness/index.js';

// Operability over real sockets: Prometheus metrics over HTTP, the standard gRPC health
// service (with etcd killed and restarted under it) and server reflection, each spoken to
// by a client that knows nothing but the public protocol.

const require = createRequire(import.meta.url);

let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;
let metricsUrl: string;
let dhcpPort: number;

before(async () => {
  etcd = await startEtcd({ name: 'ops' });
  dhcpPort = await freePort();
  ipamd = await startIpamd({
    etcdEndpoints: etcd.endpoints,
    args: [
      '--metrics-listen',
      '127.0.0.1:0',
      '--dhcp-listen',
      `127.0.0.1:${dhcpPort}`,
      '--replica-id',
      'ops-1',
      '--reclaim-interval',
      '1',
    ],
  });
  metricsUrl = `http://${String(ipamd.ready.metrics)}`;
  c = createClients(ipamd.grpcAddress);
});
after(async () => {
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const r = await httpGet(`${metricsUrl}/metrics`, 5000);
  assert.equal(r.status, 200);
  return r.body;
}

describe('Prometheus metrics (--metrics-listen)', () => {
  it('counts leases by network and state, pool use, gRPC calls, etcd transactions and leaders', async () => {
    await unary(c.network, c.network.CreateNetwork, {
      network: {
        name: 'metered',
        cidr: '10.140.0.0/24',
        gateway: '10.140.0.1',
        pools: [{ name: 'dyn', start: '10.140.0.10', end: '10.140.0.19' }],
      },
    });
    for (const id of ['a', 'b', 'c'])
      await unary(c.ipam, c.ipam.Allocate, { network: 'metered', clientId: id });
    await assert.rejects(
      unary(c.ipam, c.ipam.Allocate, { network: 'metered', clientId: 'x', address: 'nope' }),
    );

    // The reclaimer runs every second; leadership and a run show up once it has.
    let text = '';
    await waitFor(
      async () => {
        text = await scrape();
        return (sample(text, 'netspan_leader_job_runs_total', { job: 'reclaimer' }) ?? 0) >= 1;
      },
      { what: 'a reclaimer run in the metrics', timeoutMs: 10_000, intervalMs: 200 },
    );
    const r = { replica: 'ops-1' };
    assert.equal(sample(text, 'netspan_leases', { ...r, network: 'metered', state: 'bound' }), 3);
    assert.equal(sample(text, 'netspan_leases', { network: 'metered', state: 'offered' }), 0);
    assert.equal(sample(text, 'netspan_pool_addresses', { network: 'metered', pool: 'dyn' }), 10);
    assert.equal(sample(text, 'netspan_pool_used_addresses', { network: 'metered', pool: 'dyn' }), 3);
    assert.equal(sample(text, 'netspan_pool_utilization_ratio', { network: 'metered', pool: 'dyn' }), 0.3);
    const calls = (method: string, code: string) =>
      sample(text, 'netspan_grpc_server_handling_seconds_count', {
        grpc_service: 'netspan.v1.IpamService',
        grpc_method: method,
        grpc_code: code,
      });
    assert.equal(calls('Allocate', 'OK'), 3);
    assert.equal(calls('Allocate', 'INVALID_ARGUMENT'), 1);
    assert.ok(
      (sample(text, 'netspan_etcd_txns_total', { op: 'claim_addresses', outcome: 'succeeded' }) ?? 0) >= 1,
    );
    assert.ok((sample(text, 'netspan_etcd_txn_duration_seconds_count', { op: 'create_network' }) ?? 0) >= 1);
    assert.equal(sample(text, 'netspan_ipam_claims_total', {}), 3);
    assert.equal(sample(text, 'netspan_leader', { job: 'reclaimer' }), 1);
    assert.equal(sample(text, 'netspan_watch_live', {}), 1);
    assert.equal(sample(text, 'netspan_etcd_up', {}), 1);
    const head = sample(text, 'netspan_etcd_head_revision', {}) ?? 0;
    assert.ok(head > 0);
    assert.ok((sample(text, 'netspan_watch_revision', {}) ?? 0) > 0);
    assert.ok((sample(text, 'netspan_watch_lag_revisions', {}) ?? -1) >= 0);
    // Every netspan series says what it means.
    const names = new Set([...text.matchAll(/^# TYPE (netspan_\w+) /gm)].map((m) => m[1]));
    assert.ok(names.size >= 20, `${names.size} netspan metrics`);
    for (const name of names) assert.match(text, new RegExp(`^# HELP ${name} \\S.{20,}`, 'm'));
  });

  it('counts DHCP messages by type and outcome, and relayed datagrams dropped', async () => {
    await unary(c.network, c.network.CreateNetwork, {
      network: { name: 'dhcpm', cidr: '10.141.0.0/24', gateway: '10.141.0.1', relayAddresses: ['127.0.0.1'] },
    });
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const offer = new Promise<number>((resolve) => sock.once('message', (m) => resolve(decode(m).xid)));
      const discover = newPacket({
        giaddr: '127.0.0.1',
        hops: 1,
        xid: 0x4242,
        chaddr: chaddrFromMac('02:00:00:00:42:42'),
        options: { messageType: MessageType.Discover },
      });
      sock.send(encode(discover), dhcpPort, '127.0.0.1');
      assert.equal(await offer, 0x4242);
      sock.send(Buffer.from('not a DHCP packet'), dhcpPort, '127.0.0.1');
      let text = '';
      await waitFor(
        async () => {
          text = await scrape();
          return sample(text, 'netspan_dhcp_relay_datagrams_dropped_total', { reason: 'malformed' }) === 1;
        },
        { what: 'the malformed datagram to be counted', timeoutMs: 5000, intervalMs: 100 },
      );
      assert.equal(sample(text, 'netspan_dhcp_messages_total', { type: 'discover', outcome: 'offer' }), 1);
      // Replies to relays are paced by default: at the floor rate while almost nothing arrives,
      // and the one reply has left.
      assert.ok((sample(text, 'netspan_dhcp_relay_reply_pace', {}) ?? 0) >= 1000);
      assert.equal(sample(text, 'netspan_dhcp_relay_replies_waiting', {}), 0);
    } finally {
      sock.close();
    }
  });

  it('serves /healthz and /readyz', async () => {
    assert.equal((await httpGet(`${metricsUrl}/healthz`)).status, 200);
    assert.equal((await httpGet(`${metricsUrl}/readyz`)).status, 200);
  });
});

describe('server reflection (grpc.reflection.v1)', () => {
  const reflectionProto = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const def = protoLoader.loadSync(reflectionProto, { keepCase: true, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };

  interface ReflectionResponse {
    list_services_response?: { service: Array<{ name: string }> };
    file_descriptor_response?: { file_descriptor_proto: Buffer[] };
    error_response?: { error_code: number; error_message: string };
  }

  /** One request on a fresh ServerReflectionInfo stream, as grpcurl does it. */
  function ask(request: Record<string, unknown>): Promise<ReflectionResponse> {
    const client = new pkg.grpc.reflection.v1.ServerReflection(
      ipamd.grpcAddress,
      grpc.credentials.createInsecure(),
    );
    return new Promise((resolve, reject) => {
      const call = (
        client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> }
      ).ServerReflectionInfo();
      call.on('data', (res: ReflectionResponse) => {
        resolve(res);
        call.end();
      });
      call.on('error', reject);
      call.on('end', () => client.close());
      call.write(request);
    });
  }

  it('lists every netspan service, health and reflection', async () => {
    const res = await ask({ list_services: '' });
    const names = res.list_services_response?.service.map((s) => s.name) ?? [];
    for (const s of [
      'netspan.v1.NetworkService',
      'netspan.v1.IpamService',
      'netspan.v1.AdminService',
      'grpc.health.v1.Health',
    ])
      assert.ok(names.includes(s), `${s} in ${names.join(', ')}`);
  });

  it('describes services well enough to call any method from the descriptors alone', async () => {
    const res = await ask({ file_containing_symbol: 'netspan.v1.NetworkService' });
    const files = res.file_descriptor_response?.file_descriptor_proto ?? [];
    assert.ok(files.length >= 1);
    // A FileDescriptorSet is `repeated FileDescriptorProto file = 1`: frame each one.
    const framed = files.map((f) => {
      const len: number[] = [];
      let n = f.length;
      while (n > 127) {
        len.push((n & 127) | 128);
        n >>>= 7;
      }
      len.push(n);
      return Buffer.concat([Buffer.from([0x0a, ...len]), f]);
    });
    const set = protoLoader.loadFileDescriptorSetFromBuffer(Buffer.concat(framed), { longs: Number });
    const dyn = grpc.loadPackageDefinition(set) as unknown as {
      netspan: { v1: { NetworkService: grpc.ServiceClientConstructor } };
    };
    const client = new dyn.netspan.v1.NetworkService(ipamd.grpcAddress, grpc.credentials.createInsecure());
    try {
      const list = await new Promise<{ networks: Array<{ name: string }> }>((resolve, reject) =>
        (
          client as unknown as Record<string, (req: unknown, cb: (e: unknown, r: unknown) => void) => void>
        ).ListNetworks?.({}, (err, r) =>
          err ? reject(err) : resolve(r as { networks: Array<{ name: string }> }),
        ),
      );
      assert.ok(list.networks.some((n) => n.name === 'metered'));
    } finally {
      client.close();
    }
    const missing = await ask({ file_containing_symbol: 'netspan.v1.NoSuchService' });
    assert.equal(missing.error_response?.error_code, grpc.status.NOT_FOUND);
  });
});

describe('gRPC health (grpc.health.v1), with etcd down and back', () => {
  const { service } = require('grpc-health-check') as { service: grpc.ServiceDefinition };
  const Health = grpc.makeGenericClientConstructor(service, 'Health');
  type HealthCheck = (
    req: { service: string },
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: { status: string }) => void,
  ) => void;

  function check(name: string): Promise<string> {
    const client = new Health(ipamd.grpcAddress, grpc.credentials.createInsecure());
    return new Promise<string>((resolve, reject) => {
      const deadline = new Date(Date.now() + 3000);
      const call = (client as unknown as { Check: HealthCheck }).Check.bind(client);
      call({ service: name }, new grpc.Metadata(), { deadline }, (err, res) => {
        client.close();
        if (err) reject(err);
        else resolve(String(res?.status));
      });
    });
  }

  it('reports SERVING for the server and each service, NOT_FOUND for an unknown one', async () => {
    assert.equal(await check(''), 'SERVING');
    assert.equal(await check('netspan.v1.IpamService'), 'SERVING');
    assert.equal(await check('netspan.v1.NetworkService'), 'SERVING');
    assert.equal(await check('netspan.v1.AgentService'), 'SERVING');
    await assert.rejects(
      check('netspan.v1.Nope'),
      (err: { code?: number }) => err.code === grpc.status.NOT_FOUND,
    );
  });

  it('turns NOT_SERVING while etcd is down (and /readyz 503), SERVING once it is back', async () => {
    await etcd.kill();
    await waitFor(async () => (await check('netspan.v1.IpamService')) === 'NOT_SERVING', {
      what: 'NOT_SERVING with etcd down',
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    assert.equal(await check(''), 'NOT_SERVING');
    assert.equal((await httpGet(`${metricsUrl}/readyz`)).status, 503);
    assert.equal(sample(await scrape(), 'netspan_etcd_up', {}), 0);
    // ipamd itself says UNAVAILABLE, and the CLI tells that apart from "no ipamd there".
    await assert.rejects(
      unary(c.ipam, c.ipam.GetLease, { network: 'metered', clientId: 'a' }, { timeoutMs: 15_000 }),
      (err: NetspanClientError) => err.statusName === 'UNAVAILABLE' && err.fromServer,
    );
    const cli = await netspanctl([
      '--server',
      ipamd.grpcAddress,
      'lease',
      'get',
      'metered',
      '--client-id',
      'a',
    ]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /^hint: ipamd at .* is up but cannot reach etcd/m);
    const nobody = await netspanctl(['--server', `127.0.0.1:${await freePort()}`, 'network', 'list']);
    assert.match(nobody.stderr, /^hint: is ipamd running at 127\.0\.0\.1:\d+\?/m);
    await etcd.restart();
    const back = Date.now();
    await waitFor(async () => (await check('')) === 'SERVING', {
      what: 'SERVING once etcd is back',
      timeoutMs: 20_000,
      intervalMs: 200,
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ipamd (last lines) ---\n${ipamd.logs().slice(-15).join('\n')}`);
    });
    // The watch re-attaches within seconds (etcd3's default backoff would allow 30 s).
    assert.ok(Date.now() - back < 10_000, `SERVING ${Date.now() - back} ms after etcd was back`);
    assert.equal((await httpGet(`${metricsUrl}/readyz`)).status, 200);
    // And the API works again.
    const res = await unary(c.ipam, c.ipam.Allocate, { network: 'metered', clientId: 'after-outage' });
    assert.equal(res.created, true);
  });
});
