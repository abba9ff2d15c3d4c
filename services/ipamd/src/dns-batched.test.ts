import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { addDnsStats, DnsServer, emptyDnsStats, RCode, RRType, ZoneIndex } from '@netspan/dns';
import { queryMessage } from '@netspan/dns/testing';
import { createLogger } from '@netspan/log';
import { BatchedUdp } from './dns-batched.js';

const query = (name: string, type: number, id: number, rd = true): Buffer =>
  queryMessage(name, type, { id, flags: rd ? 0x0100 : 0 });

const lease = (address: string, hostname: string, revision: number) => ({
  network: 'blue',
  address,
  hostname,
  state: 'bound',
  createdAtMs: 1,
  expiresAtMs: 0,
  revision,
});

describe('BatchedUdp (--dns-io batched)', () => {
  const index = new ZoneIndex();
  const log = createLogger({ name: 'test', level: 'silent', format: 'json' });
  let server: DnsServer;
  let batched: BatchedUdp;
  let port = 0;
  let upstream: dgram.Socket;
  const client = dgram.createSocket('udp4');
  const waiting = new Map<number, (m: Buffer) => void>();

  const ask = (msg: Buffer, ms = 1000): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const id = msg.readUInt16BE(0);
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(undefined);
      }, ms);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(m);
      });
      client.send(msg, port, '127.0.0.1');
    });

  before(async () => {
    index.apply({
      t: 'leases-reset',
      revision: 1,
      networks: [{ name: 'blue', domain: 'blue.test', cidr: '10.0.0.0/24' }],
      leases: [lease('10.0.0.5', 'web1', 1)],
    });
    upstream = dgram.createSocket('udp4');
    upstream.on('message', (msg, rinfo) => {
      const out = Buffer.from(msg);
      out[2] = 0x81;
      out[3] = 0x80;
      upstream.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    client.on('message', (m) => waiting.get(m.readUInt16BE(0))?.(m));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    server = new DnsServer({
      index,
      host: '127.0.0.1',
      port: 0,
      upstreams: [{ host: '127.0.0.1', port: upstream.address().port }],
      acl: new (await import('@netspan/dns')).ClientAcl(['127.0.0.0/8']),
      udp: false,
    });
    port = (await server.start()).port;
    batched = await BatchedUdp.start({
      host: '127.0.0.1',
      port,
      threads: 2,
      allowRecursion: ['127.0.0.0/8'],
      forwarding: true,
      server,
      index,
      log,
      statsIntervalMs: 50,
    });
  });

  after(async () => {
    await batched?.stop();
    await server?.stop();
    upstream.close();
    client.close();
  });

  it('answers from the index, with RA for a client that may recurse', async () => {
    const a = await ask(query('WEB1.blue.test', RRType.A, 1));
    assert.ok(a);
    assert.equal((a[3] as number) & 0xf, RCode.NoError);
    assert.equal(a.readUInt16BE(6), 1);
    assert.deepEqual([...a.subarray(a.length - 4)], [10, 0, 0, 5]);
    assert.equal((a[3] as number) & 0x80, 0x80, 'RA');
    const nx = await ask(query('nope.blue.test', RRType.A, 2));
    assert.equal(((nx as Buffer)[3] as number) & 0xf, RCode.NXDomain);
  });

  it('follows zone events posted after it started, on every thread', async () => {
    const e = { t: 'lease' as const, lease: lease('10.0.0.6', 'web2', 2) };
    index.apply(e);
    batched.post(e);
    // Many queries from many ids: the kernel spreads them over both threads.
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => ask(query('web2.blue.test', RRType.A, 100 + i))),
    );
    for (const a of answers) assert.equal(a?.readUInt16BE(6), 1);
  });

  it('hands queries outside its zones to the server, which forwards them and answers on the socket', async () => {
    const a = await ask(query('example.org', RRType.A, 7));
    assert.ok(a, 'forwarded answer');
    assert.equal((a[2] as number) & 0x80, 0x80);
    const refused = await ask(query('example.org', RRType.A, 8, false));
    assert.equal(((refused as Buffer)[3] as number) & 0xf, RCode.Refused);
  });

  it('drops runts and answers the rest of a burst; counts every thread', async () => {
    client.send(Buffer.from([1, 2, 3]), port, '127.0.0.1');
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ask(query(`web${(i % 2) + 1}.blue.test`, RRType.A, 1000 + i))),
    );
    assert.equal(burst.filter((a) => a?.readUInt16BE(6) === 1).length, 200);
    await new Promise((r) => setTimeout(r, 1200));
    const total = batched.stats().reduce(addDnsStats, addDnsStats(emptyDnsStats(), server.stats));
    assert.ok(total.udpQueries >= 268, `udpQueries ${total.udpQueries}`);
    assert.equal(total.dropped, 1);
    assert.equal(total.forwarded, 1);
  });
});

describe('BatchedUdp on IPv6', () => {
  it('answers over ::1 and tells the server the client address as dgram would', async () => {
    const index = new ZoneIndex();
    index.apply({
      t: 'leases-reset',
      revision: 1,
      networks: [{ name: 'blue', domain: 'blue.test', cidr: '10.0.0.0/24' }],
      leases: [lease('10.0.0.5', 'web1', 1)],
    });
    const seen: string[] = [];
    const server = new DnsServer({ index, host: '::1', port: 0, udp: false });
    const handle = server.handle.bind(server);
    server.handle = (msg, client, tcp, reply) => {
      seen.push(client);
      handle(msg, client, tcp, reply);
    };
    const { port } = await server.start();
    const b = await BatchedUdp.start({
      host: '::1',
      port,
      threads: 1,
      allowRecursion: ['::1'],
      forwarding: true,
      server,
      index,
      log: createLogger({ name: 'test', level: 'silent', format: 'json' }),
    });
    const sock = dgram.createSocket('udp6');
    try {
      await new Promise<void>((r) => sock.bind(0, '::1', () => r()));
      const ask = (msg: Buffer) =>
        new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 1000);
          sock.once('message', (m) => {
            clearTimeout(timer);
            resolve(m);
          });
          sock.send(msg, port, '::1');
        });
      const a = await ask(query('web1.blue.test', RRType.A, 5));
      assert.equal(a?.readUInt16BE(6), 1);
      // Not ours, and ::1 may recurse: handed to the server (which refuses: it has no upstream),
      // answered on the same socket.
      const r = await ask(query('example.org', RRType.A, 6));
      assert.equal(((r as Buffer)[3] as number) & 0xf, RCode.Refused);
      assert.deepEqual(seen, ['::1']);
    } finally {
      sock.close();
      await b.stop();
      await server.stop();
    }
  });
});
