/**
 * Seeded mutation fuzzing of what faces the network: the DHCP path (decode → RFC 2131
 * server over a real lease layer → encode) and the gRPC handlers' request validation. Each target
 * takes bytes or values built from real fixtures and mutated; anything other than a
 * normal answer or the documented error type is a crash. Time per case and heap are
 * tracked, so a hang or a leak shows.
 *
 * CI runs 50,000 cases (test/integration/fuzz.test.ts); `npm run bench:fuzz` 1,000,000.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { loadNetspan } from '@netspan/api';
import { DhcpDecodeError, decode } from '@netspan/dhcp-codec';
import { fixtures, prng } from '@netspan/dhcp-codec/testing';
import { DhcpServer, type RequestContext } from '@netspan/dhcp-server';
import { DnsWireError, encodeAnswer, errorAnswer, parseQuery, ZoneIndex } from '@netspan/dns';
import { queryMessage } from '@netspan/dns/testing';
import {
  DhcpLeases,
  IpamEngine,
  IpamError,
  MemoryStore,
  type Network,
  normalizeMac,
  sanitizeHostname,
  validateClientId,
} from '@netspan/ipam';
import { InflightTracker, ipamService, networkService } from '@netspan/ipamd';
import { createLogger } from '@netspan/log';

export interface FuzzReport {
  target: string;
  cases: number;
  accepted: number;
  rejected: number;
  crashes: string[];
  slowestMs: number;
  heapMB: number;
  seconds: number;
}

const INTERESTING = [
  0, 1, 2, 3, 0x0c, 0x20, 0x33, 0x34, 0x35, 0x36, 0x37, 0x3d, 0x51, 0x52, 0x76, 0x77, 0x79, 0xc0, 0xff,
];

function mutate(base: Buffer, rand: () => number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  let m = Buffer.from(base);
  for (let r = 1 + int(4); r > 0; r--) {
    const at = () =>
      m.length > 240 && rand() < 0.8 ? 240 + int(m.length - 240) : int(Math.max(1, m.length));
    switch (int(7)) {
      case 0:
        if (m.length) {
          const k = at();
          m[k] = (m[k] as number) ^ (1 << int(8));
        }
        break;
      case 1:
        if (m.length) m[at()] = INTERESTING[int(INTERESTING.length)] as number;
        break;
      case 2:
        if (m.length) m[at()] = int(256);
        break;
      case 3:
        m = m.subarray(0, int(m.length + 1));
        break;
      case 4: {
        const i = at();
        m = Buffer.concat([m.subarray(0, i), Buffer.from([int(256), int(256)]), m.subarray(i)]);
        break;
      }
      case 5: {
        const i = at();
        const n = 1 + int(16);
        m = Buffer.concat([m.subarray(0, i), m.subarray(Math.min(m.length, i + n))]);
        break;
      }
      default: {
        // splice a chunk of itself elsewhere (duplicated options, overlapping lengths)
        const s = int(Math.max(1, m.length));
        const chunk = m.subarray(s, s + 1 + int(24));
        const i = at();
        m = Buffer.concat([m.subarray(0, i), chunk, m.subarray(i)]);
      }
    }
  }
  return m;
}

async function timed(
  target: string,
  cases: number,
  one: (i: number) => Promise<'accepted' | 'rejected'> | 'accepted' | 'rejected',
): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = {
    target,
    cases,
    accepted: 0,
    rejected: 0,
    crashes: [],
    slowestMs: 0,
    heapMB: 0,
    seconds: 0,
  };
  for (let i = 0; i < cases; i++) {
    const t = performance.now();
    try {
      const r = await one(i);
      report[r]++;
    } catch (err) {
      if (report.crashes.length < 20)
        report.crashes.push(`case ${i}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    const ms = performance.now() - t;
    if (ms > report.slowestMs) report.slowestMs = ms;
    if (i % 10_000 === 0) report.heapMB = Math.max(report.heapMB, process.memoryUsage().heapUsed / 2 ** 20);
  }
  report.heapMB = Math.max(report.heapMB, process.memoryUsage().heapUsed / 2 ** 20);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/**
 * Mutated real client packets through decode and the whole server (offers, claims,
 * renewals, releases, declines against a memory store). The server must never throw:
 * malformed packets are dropped and counted.
 */
export async function fuzzDhcp(cases: number, seed = 0xd4c9_0001): Promise<FuzzReport> {
  const rand = prng(seed);
  const bases = fixtures().map((f) => f.bytes);
  const engine = new IpamEngine(new MemoryStore());
  await engine.start();
  const stored = await engine.createNetwork({ name: 'fuzz', cidr: '10.0.0.0/22', gateway: '10.0.0.1' });
  const server = new DhcpServer(new DhcpLeases(engine, { offerHoldMs: 1000 }), {
    declineQuarantineSeconds: 1,
  });
  const ctx: RequestContext = {
    network: stored.network as Network,
    serverId: '10.0.0.1',
    location: { host: 'fuzz', via: 'agent' },
  };
  const report = await timed('dhcp', cases, async (i) => {
    const bytes = mutate(bases[i % bases.length] as Buffer, rand);
    let packet: ReturnType<typeof decode>;
    try {
      packet = decode(bytes);
    } catch (err) {
      if (err instanceof DhcpDecodeError) return 'rejected';
      throw err;
    }
    const reply = await server.handle(packet, ctx);
    if (reply) decode(reply.bytes); // what we send must parse
    return reply ? 'accepted' : 'rejected';
  });
  await engine.stop();
  return report;
}

const NETWORK_SEED = {
  name: 'blue',
  cidr: '10.20.0.0/24',
  gateway: '10.20.0.1',
  pools: [{ name: 'a', start: '10.20.0.10', end: '10.20.0.99' }],
  exclusions: [{ start: '10.20.0.50', end: '10.20.0.55' }],
  leaseTimeSeconds: 600,
  domain: 'blue.example',
  dhcpOptions: {
    routers: ['10.20.0.1'],
    dnsServers: ['10.20.0.53'],
    mtu: 1400,
    domainSearch: ['example'],
    staticRoutes: [{ destination: '10.30.0.0/16', gateway: '10.20.0.2' }],
    ntpServers: ['10.20.0.123'],
  },
  vni: 100,
  mode: 'FORWARD_MODE_ISOLATED',
  encapsulation: 'ENCAPSULATION_VXLAN',
  description: 'fuzz',
  relayAddresses: ['192.0.2.1'],
  serviceAddress: '10.20.0.254',
};

type Method = {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
};
type Handler = (call: unknown, cb: (err: { code?: number } | null, res?: unknown) => void) => void;

/** Requests as a client would send them; their wire bytes are what gets mutated. */
const SEEDS: Array<{ service: 'NetworkService' | 'IpamService'; method: string; request: unknown }> = [
  { service: 'NetworkService', method: 'CreateNetwork', request: { network: NETWORK_SEED } },
  {
    service: 'NetworkService',
    method: 'UpdateNetwork',
    request: {
      network: { ...NETWORK_SEED, name: 'base' },
      updateMask: ['pools', 'description'],
      expectedRevision: 0,
    },
  },
  { service: 'NetworkService', method: 'GetNetworkUsage', request: { name: 'base' } },
  { service: 'NetworkService', method: 'DeleteNetwork', request: { name: 'gone', force: true } },
  {
    service: 'IpamService',
    method: 'Allocate',
    request: {
      network: 'base',
      clientId: 'vm-1',
      address: '10.21.0.7',
      hostname: 'vm1',
      ttlSeconds: 60,
      pool: 'pool0',
    },
  },
  {
    service: 'IpamService',
    method: 'Release',
    request: { network: 'base', address: '10.21.0.7', clientId: 'vm-1' },
  },
  { service: 'IpamService', method: 'GetLease', request: { network: 'base', address: '10.21.0.7' } },
  { service: 'IpamService', method: 'ListLeases', request: { network: 'base', pageSize: 10, pageToken: '' } },
  {
    service: 'IpamService',
    method: 'AddReservation',
    request: {
      reservation: { network: 'base', mac: '02:00:00:00:00:01', address: '10.21.0.9', hostname: 'r1' },
    },
  },
  {
    service: 'IpamService',
    method: 'RemoveReservation',
    request: { network: 'base', mac: '02:00:00:00:00:01' },
  },
];

/**
 * gRPC requests: real requests serialised, their bytes mutated, deserialised as grpc-js
 * would, then handed to the real handlers (over a memory store). A request that does not
 * deserialise never reaches a handler (grpc-js answers it); one that does must be answered
 * normally or refused with a domain error — INTERNAL means a validator let it through.
 */
export async function fuzzValidators(cases: number, seed = 0xd4c9_0002): Promise<FuzzReport> {
  const rand = prng(seed);
  const engine = new IpamEngine(new MemoryStore());
  await engine.start();
  await engine.createNetwork({ name: 'base', cidr: '10.21.0.0/24' });
  const log = createLogger({ name: 'fuzz', level: 'silent' });
  const inflight = new InflightTracker();
  const handlers: Record<string, Record<string, Handler>> = {
    NetworkService: networkService(engine, log, inflight) as unknown as Record<string, Handler>,
    IpamService: ipamService(engine, log, inflight) as unknown as Record<string, Handler>,
  };
  const pkg = loadNetspan() as unknown as Record<string, { service: Record<string, Method> }>;
  const wire = SEEDS.map((s) => {
    const m = pkg[s.service]?.service[s.method] as Method;
    return { ...s, m, bytes: m.requestSerialize(s.request) };
  });
  const report = await timed('grpc-validators', cases, async (i) => {
    const seedReq = wire[i % wire.length] as (typeof wire)[number];
    const bytes = i < wire.length ? seedReq.bytes : mutate(seedReq.bytes, rand);
    let request: unknown;
    try {
      request = seedReq.m.requestDeserialize(bytes);
    } catch {
      return 'rejected';
    }
    const handler = handlers[seedReq.service]?.[seedReq.method] as Handler;
    const metadata = new Metadata();
    const err = await new Promise<{ code?: number } | null>((resolve) =>
      handler({ request, metadata, getPeer: () => 'fuzz' }, (e) => resolve(e)),
    );
    if (!err) return 'accepted';
    if (err.code === status.INTERNAL || err.code === status.UNKNOWN)
      throw new Error(`${seedReq.method} answered ${err.code} for ${JSON.stringify(request).slice(0, 300)}`);
    return 'rejected';
  });
  // Hostile strings straight into the leaf validators, too.
  for (let i = 0; i < Math.min(cases, 20_000); i++) {
    const raw = String.fromCharCode(
      ...Array.from({ length: Math.floor(rand() * 80) }, () =>
        Math.floor(rand() * (rand() < 0.9 ? 128 : 0xffff)),
      ),
    );
    const h = sanitizeHostname(raw);
    if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/.test(h))
      report.crashes.push(`hostname ${JSON.stringify(raw)} -> ${JSON.stringify(h)}`);
    for (const fn of [validateClientId, normalizeMac]) {
      try {
        fn(raw);
      } catch (err) {
        if (!(err instanceof IpamError))
          report.crashes.push(`${fn.name}(${JSON.stringify(raw)}): ${String(err)}`);
      }
    }
  }
  await engine.stop();
  return report;
}

/** A query as dig sends it: id, RD, one question, an EDNS0 OPT with a 1232-byte payload. */
const dnsQuery = (name: string, qtype: number, id: number): Buffer =>
  queryMessage(name, qtype, { id, ednsPayload: 1232 });

/**
 * DNS queries: real-shaped queries for names in a zone index (leases, reverse, misses),
 * mutated, through the parser, the index and the encoder. The parser may only refuse with
 * DnsWireError; every answer it produces must parse as a message of the same id.
 */
export async function fuzzDns(cases: number, seed = 0xd4c9_0003): Promise<FuzzReport> {
  const rand = prng(seed);
  const index = new ZoneIndex();
  index.apply({
    t: 'leases-reset',
    revision: 1,
    networks: [{ name: 'blue', domain: 'blue.test', cidr: '10.0.0.0/24' }],
    leases: Array.from({ length: 50 }, (_, i) => ({
      network: 'blue',
      address: `10.0.0.${i + 2}`,
      hostname: `vm${i}`,
      state: 'bound' as const,
      createdAtMs: 1,
      expiresAtMs: 0,
      revision: i + 2,
    })),
  });
  const bases = [
    dnsQuery('vm1.blue.test', 1, 1),
    dnsQuery('vm2.BLUE.test', 28, 2),
    dnsQuery('5.0.0.10.in-addr.arpa', 12, 3),
    dnsQuery('blue.test', 6, 4),
    dnsQuery('nope.blue.test', 1, 5),
    dnsQuery('blue.test', 2, 6),
  ];
  return timed('dns', cases, (i) => {
    const bytes = mutate(bases[i % bases.length] as Buffer, rand);
    let q: ReturnType<typeof parseQuery>;
    try {
      q = parseQuery(bytes);
    } catch (err) {
      if (!(err instanceof DnsWireError)) throw err;
      const reply = errorAnswer(bytes, err);
      if (reply && reply.length < 12) throw new Error('error answer shorter than a header');
      return 'rejected';
    }
    const a = index.lookup(q.name, q.qtype);
    if (!a) return 'rejected';
    const out = encodeAnswer(bytes, q, a, q.edns ? q.edns.payload : 512, false);
    if (out.readUInt16BE(0) !== q.id) throw new Error('answer id differs from the query id');
    return 'accepted';
  });
}
