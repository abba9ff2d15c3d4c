import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { addDnsStats, ClientAcl, DnsServer, emptyDnsStats, RCode, RRType, ZoneIndex } from '@netspan/dns';
import { queryMessage } from '@netspan/dns/testing';
import { createLogger } from '@netspan/log';
import { BatchedUdp } from './dns-batched.js';
import { AF_INET, loadLibc, SO_REUSEPORT, SOCK_DGRAM, SOL_SOCKET } from './dns-batched-libc.js';

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

for (const sockets of ['reuseport', 'shared'] as const) {
  describe(`BatchedUdp (--dns-io ${sockets === 'shared' ? 'batched' : 'batched-reuseport'})`, () => {
    const index = new ZoneIndex();
    const log = createLogger({ name: 'test', level: 'silent', format: 'json' });
    let server: DnsServer;
    let batched: BatchedUdp;
    let port = 0;
    let upstream: dgram.Socket;
    // Several client sockets: with SO_REUSEPORT the kernel hashes each source port to one socket.
    const clients = Array.from({ length: 16 }, () => dgram.createSocket('udp4'));
    const waiting = new Map<number, (m: Buffer, from: dgram.RemoteInfo) => void>();

    const askFrom = (msg: Buffer, ms = 1000): Promise<{ m: Buffer; from: dgram.RemoteInfo } | undefined> =>
      new Promise((resolve) => {
        const id = msg.readUInt16BE(0);
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(undefined);
        }, ms);
        waiting.set(id, (m, from) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve({ m, from });
        });
        (clients[id % clients.length] as dgram.Socket).send(msg, port, '127.0.0.1');
      });
    const ask = async (msg: Buffer, ms = 1000): Promise<Buffer | undefined> => (await askFrom(msg, ms))?.m;

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
      for (const c of clients) {
        c.on('message', (m, from) => waiting.get(m.readUInt16BE(0))?.(m, from));
        await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
      }
      server = new DnsServer({
        index,
        host: '127.0.0.1',
        port: 0,
        upstreams: [{ host: '127.0.0.1', port: upstream.address().port }],
        acl: new ClientAcl(['127.0.0.0/8']),
        udp: false,
      });
      port = (await server.start()).port;
      batched = await BatchedUdp.start({
        host: '127.0.0.1',
        port,
        threads: 2,
        sockets,
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
      for (const c of clients) c.close();
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
      // Many queries from 16 source ports: the kernel spreads them over both threads.
      const answers = await Promise.all(
        Array.from({ length: 64 }, (_, i) => ask(query('web2.blue.test', RRType.A, 100 + i))),
      );
      for (const a of answers) assert.equal(a?.readUInt16BE(6), 1);
    });

    it('hands queries outside its zones to the server, which answers from the port asked, on every thread', async () => {
      // From every client socket, so through both threads (and, with SO_REUSEPORT, both sockets).
      const forwarded = await Promise.all(
        Array.from({ length: clients.length }, (_, i) =>
          askFrom(query('example.org', RRType.A, 7 + i * 0x100)),
        ),
      );
      for (const f of forwarded) {
        assert.ok(f, 'forwarded answer');
        assert.equal((f.m[2] as number) & 0x80, 0x80);
        assert.equal(f.from.port, port, 'from the port the query went to');
        assert.equal(f.from.address, '127.0.0.1');
      }
      const refused = await ask(query('example.org', RRType.A, 8, false));
      assert.equal(((refused as Buffer)[3] as number) & 0xf, RCode.Refused);
    });

    it('drops runts and answers the rest of a burst; counts every thread, each of which answered', async () => {
      (clients[0] as dgram.Socket).send(Buffer.from([1, 2, 3]), port, '127.0.0.1');
      const burst = await Promise.all(
        Array.from({ length: 200 }, (_, i) => ask(query(`web${(i % 2) + 1}.blue.test`, RRType.A, 1000 + i))),
      );
      assert.equal(burst.filter((a) => a?.readUInt16BE(6) === 1).length, 200);
      await new Promise((r) => setTimeout(r, 1200));
      const perThread = batched.stats();
      assert.equal(perThread.length, 2);
      // With a socket each: 16 flows hashed onto two sockets all land on one with odds of 2^-15.
      // (A shared socket goes to whichever thread is awake: no promise both are.)
      if (sockets === 'reuseport')
        for (const s of perThread) assert.ok(s.udpQueries > 0, `a thread answered nothing: ${s.udpQueries}`);
      const total = perThread.reduce(addDnsStats, addDnsStats(emptyDnsStats(), server.stats));
      assert.ok(total.udpQueries >= 268 + clients.length, `udpQueries ${total.udpQueries}`);
      assert.equal(total.dropped, 1);
      assert.equal(total.forwarded, clients.length);
    });

    it('will not share its port: a second instance, or a socket already there, fails to start', async () => {
      const opts = {
        host: '127.0.0.1',
        threads: 1,
        allowRecursion: [],
        forwarding: false,
        server,
        index,
        log,
      };
      for (const mode of ['reuseport', 'shared'] as const)
        await assert.rejects(BatchedUdp.start({ ...opts, port, sockets: mode }), /in use/, mode);
      // Nor can a plain socket take the port.
      const other = dgram.createSocket('udp4');
      await assert.rejects(
        new Promise<void>((resolve, reject) => {
          other.once('error', reject);
          other.bind(port, '127.0.0.1', () => resolve());
        }),
        { code: 'EADDRINUSE' },
      );
      other.close();
      // Still served by the first instance alone.
      assert.equal((await ask(query('web1.blue.test', RRType.A, 9)))?.readUInt16BE(6), 1);
    });
  });
}

describe('BatchedUdp on a port held with SO_REUSEPORT by someone else', () => {
  it('refuses to start rather than join their group and take a share of their traffic', async () => {
    // A port that was free a moment ago, taken the way unbound's so-reuseport takes one.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = loadLibc();
    const fd = c.socket(AF_INET, SOCK_DGRAM, 0);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    assert.equal(c.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, one, 4), 0);
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(port, 2);
    sa.writeUInt32BE(0x7f000001, 4);
    assert.equal(c.bind(fd, sa, 16), 0);
    try {
      const index = new ZoneIndex();
      const server = new DnsServer({ index, host: '127.0.0.1', port: 0, udp: false });
      await assert.rejects(
        BatchedUdp.start({
          host: '127.0.0.1',
          port,
          threads: 2,
          sockets: 'reuseport',
          allowRecursion: [],
          forwarding: false,
          server,
          index,
          log: createLogger({ name: 'test', level: 'silent', format: 'json' }),
        }),
        /in use/,
      );
    } finally {
      c.close(fd);
    }
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
