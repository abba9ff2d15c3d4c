import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ClientAcl } from './acl.js';
import { addDnsStats, DnsServer, emptyDnsStats, RCODE_LABELS } from './server.js';
import { queryMessage } from './testing.js';
import { RCode, RRType } from './wire.js';
import { ZoneIndex } from './zone-index.js';

const query = (name: string, type: number, id: number, rd = true): Buffer =>
  queryMessage(name, type, { id, flags: rd ? 0x0100 : 0 });

function udpClient() {
  const sock = dgram.createSocket('udp4');
  const ready = new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    sock,
    ready,
    /** Sends and waits for the answer with the same id (or undefined after `ms`). */
    async ask(port: number, msg: Buffer, ms = 1000): Promise<Buffer | undefined> {
      await ready;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          sock.off('message', on);
          resolve(undefined);
        }, ms);
        const on = (m: Buffer) => {
          if (msg.length < 2 || m.length < 2 || m.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
          clearTimeout(timer);
          sock.off('message', on);
          resolve(m);
        };
        sock.on('message', on);
        sock.send(msg, port, '127.0.0.1');
      });
    },
  };
}

const index = new ZoneIndex();
index.apply({
  t: 'leases-reset',
  revision: 1,
  networks: [{ name: 'blue', domain: 'blue.test', cidr: '10.0.0.0/24' }],
  leases: [
    {
      network: 'blue',
      address: '10.0.0.5',
      hostname: 'web1',
      state: 'bound',
      createdAtMs: 1,
      expiresAtMs: 0,
      revision: 1,
    },
  ],
});

describe('DnsServer', () => {
  let server: DnsServer;
  let port = 0;
  let upstream: dgram.Socket;
  let upstreamPort = 0;
  let upstreamSeen = 0;
  const client = udpClient();

  before(async () => {
    // A fake upstream: answers "example.org" with REFUSED-free NOERROR echoing the id, ignores "slow.example".
    upstream = dgram.createSocket('udp4');
    upstream.on('message', (msg, rinfo) => {
      upstreamSeen++;
      if (msg.includes(Buffer.from('slow'))) return;
      const out = Buffer.from(msg);
      out[2] = 0x81;
      out[3] = 0x80;
      upstream.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    upstreamPort = upstream.address().port;
    server = new DnsServer({
      index,
      host: '127.0.0.1',
      port: 0,
      upstreams: [{ host: '127.0.0.1', port: upstreamPort }],
      acl: new ClientAcl(['127.0.0.0/8']),
      forwardTimeoutMs: 200,
    });
    port = (await server.start()).port;
  });
  after(async () => {
    await server.stop();
    upstream.close();
    client.sock.close();
  });

  it('answers over UDP and TCP (two pipelined queries on one connection)', async () => {
    const a = await client.ask(port, query('web1.blue.test', RRType.A, 1));
    assert.equal(a?.readUInt16BE(6), 1);
    const conn = net.connect({ host: '127.0.0.1', port });
    const frames: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const done = new Promise<void>((resolve) =>
      conn.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          frames.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (frames.length === 2) resolve();
      }),
    );
    const frame = (m: Buffer) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]);
    // Split across writes to exercise reassembly.
    const both = Buffer.concat([
      frame(query('web1.blue.test', RRType.A, 2)),
      frame(query('x.blue.test', RRType.A, 3)),
    ]);
    conn.write(both.subarray(0, 5));
    setTimeout(() => conn.write(both.subarray(5)), 20);
    await done;
    conn.destroy();
    assert.deepEqual(
      frames.map((f) => [f.readUInt16BE(0), (f[3] as number) & 0xf]),
      [
        [2, RCode.NoError],
        [3, RCode.NXDomain],
      ],
    );
  });

  it('answers FORMERR to a malformed query, drops responses and runts, and keeps serving', async () => {
    const bad = query('web1.blue.test', RRType.A, 9);
    bad.writeUInt16BE(2, 4);
    const formerr = await client.ask(port, bad);
    assert.equal((formerr?.[3] as number) & 0xf, RCode.FormErr);
    const resp = query('web1.blue.test', RRType.A, 10);
    resp[2] = 0x81;
    assert.equal(await client.ask(port, resp, 200), undefined);
    assert.equal(await client.ask(port, Buffer.from([1, 2, 3]), 200), undefined);
    const before = { ...server.stats };
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const m = Buffer.alloc(1 + (i % 80));
      for (let j = 0; j < m.length; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        m[j] = seed & 0xff;
      }
      client.sock.send(m, port, '127.0.0.1');
    }
    const ok = await client.ask(port, query('web1.blue.test', RRType.A, 11), 3000);
    assert.equal(ok?.readUInt16BE(0), 11);
    assert.equal(server.stats.internalErrors, 0);
    assert.ok(
      server.stats.dropped + server.stats.formerr + server.stats.notimp > before.dropped + before.formerr,
    );
  });

  it('forwards names outside its zones for allowed clients, with the client id restored', async () => {
    const a = await client.ask(port, query('example.org', RRType.A, 0x7777));
    assert.equal(a?.readUInt16BE(0), 0x7777);
    assert.equal((a?.[3] as number) & 0xf, RCode.NoError);
    assert.ok(upstreamSeen >= 1);
  });

  it('answers SERVFAIL when the upstream stays silent, REFUSED without RD or for other classes', async () => {
    const slow = await client.ask(port, query('slow.example', RRType.A, 5), 2000);
    assert.equal((slow?.[3] as number) & 0xf, RCode.ServFail);
    const norec = await client.ask(port, query('example.org', RRType.A, 6, false));
    assert.equal((norec?.[3] as number) & 0xf, RCode.Refused);
    const chaos = query('version.bind', 16, 8);
    chaos.writeUInt16BE(3, chaos.length - 2);
    assert.equal(((await client.ask(port, chaos))?.[3] as number) & 0xf, RCode.Refused);
  });

  it('counts every query by transport and the RCODE of its answer (dropped: no answer)', async () => {
    const copy = () => server.stats.byRcode.map((row) => [...row]);
    const before = copy();
    await client.ask(port, query('web1.blue.test', RRType.A, 21));
    await client.ask(port, query('nope.blue.test', RRType.A, 22));
    await client.ask(port, query('example.org', RRType.A, 23, false));
    await client.ask(port, query('example.org', RRType.A, 24));
    await client.ask(port, Buffer.from([9, 9, 9]), 100);
    // Datagrams are handled in order: once this is answered, the runt above was counted.
    await client.ask(port, query('web1.blue.test', RRType.A, 25));
    const delta = (row: number, label: (typeof RCODE_LABELS)[number]) => {
      const i = RCODE_LABELS.indexOf(label);
      return (server.stats.byRcode[row]?.[i] ?? 0) - (before[row]?.[i] ?? 0);
    };
    assert.equal(delta(0, 'NOERROR'), 3, 'two authoritative answers and one forwarded');
    assert.equal(delta(0, 'NXDOMAIN'), 1);
    assert.equal(delta(0, 'REFUSED'), 1);
    assert.equal(delta(0, 'dropped'), 1);
    assert.equal(
      server.stats.byRcode[1]?.reduce((a, b) => a + b, 0),
      before[1]?.reduce((a, b) => a + b, 0),
    );
    const sum = addDnsStats(addDnsStats(emptyDnsStats(), server.stats), server.stats);
    assert.equal(sum.byRcode[0]?.[0], 2 * (server.stats.byRcode[0]?.[0] ?? 0));
    assert.equal(sum.udpQueries, 2 * server.stats.udpQueries);
  });

  it('refuses recursion to clients outside the ACL', () => {
    const acl = new ClientAcl(['10.0.0.0/8', '::1', 'networks']);
    assert.equal(acl.allows('10.1.2.3'), true);
    assert.equal(acl.allows('::ffff:10.1.2.3'), true);
    assert.equal(acl.allows('::1'), true);
    assert.equal(acl.allows('192.168.1.1'), false);
    assert.equal(
      acl.allows('192.168.1.1', () => ['192.168.0.0/16']),
      true,
    );
    assert.equal(acl.allows('fe80::1'), false);
    assert.throws(() => new ClientAcl(['10.0.0.0/33']), RangeError);
    assert.throws(() => new ClientAcl(['banana']), RangeError);
  });
});

describe('DnsServer answer cache', () => {
  const lease = (hostname: string, address: string, expiresAtMs: number, revision: number) => ({
    network: 'blue',
    address,
    hostname,
    state: 'bound' as const,
    createdAtMs: 1,
    expiresAtMs,
    revision,
  });
  const fresh = () => {
    const idx = new ZoneIndex();
    idx.apply({
      t: 'leases-reset',
      revision: 1,
      networks: [{ name: 'blue', domain: 'blue.test', cidr: '10.0.0.0/24' }],
      leases: [
        lease('web1', '10.0.0.5', 0, 1),
        // Expires in 30 s: its TTL counts down every second, so its answers are never reused.
        lease('soon', '10.0.0.6', Date.now() + 30_000, 1),
      ],
    });
    return { idx, srv: new DnsServer({ index: idx, host: '127.0.0.1', port: 0 }) };
  };
  const ask = (srv: DnsServer, msg: Buffer, tcp = false): Buffer => {
    let out: Buffer | undefined;
    srv.handle(msg, '127.0.0.1', tcp, (a) => {
      out = a;
    });
    assert.ok(out, 'answered at once');
    return out;
  };
  const ipv4Of = (a: Buffer) => [...a.subarray(a.length - 4)].join('.');

  it('answers a repeated question from the cache, with the asker’s id, counted as answered', () => {
    const { srv } = fresh();
    const first = ask(srv, query('web1.blue.test', RRType.A, 0x1111));
    const again = ask(srv, query('web1.blue.test', RRType.A, 0x2222));
    assert.equal(srv.stats.cacheHits, 1);
    assert.equal(srv.stats.answered, 2);
    assert.equal(again.readUInt16BE(0), 0x2222);
    assert.deepEqual(again.subarray(2), first.subarray(2));
    // A distinct question (case, type, flags) is its own entry: the question is echoed as asked.
    const upper = ask(srv, query('WEB1.blue.test', RRType.A, 3));
    assert.equal(srv.stats.cacheHits, 1);
    assert.ok(upper.includes(Buffer.from('WEB1')));
    ask(srv, query('web1.blue.test', RRType.A, 4, false));
    assert.equal(srv.stats.cacheHits, 1, 'RD clear is another question');
    // NXDOMAIN is reused too, and still counted as such.
    ask(srv, query('nope.blue.test', RRType.A, 5));
    ask(srv, query('nope.blue.test', RRType.A, 6));
    assert.equal(srv.stats.cacheHits, 2);
    assert.equal(srv.stats.nxdomain, 2);
  });

  it('answers an expired question afresh, then from the cache again', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const { srv } = fresh();
    const first = ask(srv, query('web1.blue.test', RRType.A, 1));
    ask(srv, query('web1.blue.test', RRType.A, 2));
    assert.equal(srv.stats.cacheHits, 1);
    t.mock.timers.tick(60_000);
    const afresh = ask(srv, query('web1.blue.test', RRType.A, 3));
    assert.equal(srv.stats.cacheHits, 1, 'expired: answered from the index');
    assert.deepEqual(afresh.subarray(2), first.subarray(2));
    const again = ask(srv, query('web1.blue.test', RRType.A, 4));
    assert.equal(srv.stats.cacheHits, 2, 'the refreshed entry serves');
    assert.equal(again.readUInt16BE(0), 4);
    assert.deepEqual(again.subarray(2), first.subarray(2));
    assert.equal(srv.stats.answered, 4);
  });

  it('forgets every answer when the index changes', () => {
    const { idx, srv } = fresh();
    assert.equal(ipv4Of(ask(srv, query('web1.blue.test', RRType.A, 1))), '10.0.0.5');
    idx.apply({ t: 'lease-deleted', network: 'blue', address: '10.0.0.5', revision: 2 });
    idx.apply({ t: 'lease', lease: lease('web1', '10.0.0.9', 0, 3) });
    assert.equal(ipv4Of(ask(srv, query('web1.blue.test', RRType.A, 2))), '10.0.0.9');
    assert.equal(srv.stats.cacheHits, 0);
  });

  it('never reuses an answer whose TTL follows a lease about to expire, nor a TCP answer', () => {
    const { srv } = fresh();
    ask(srv, query('soon.blue.test', RRType.A, 1));
    ask(srv, query('soon.blue.test', RRType.A, 2));
    assert.equal(srv.stats.cacheHits, 0);
    const tcpQuery = query('web1.blue.test', RRType.A, 3);
    ask(srv, tcpQuery, true);
    ask(srv, tcpQuery, true);
    assert.equal(srv.stats.cacheHits, 0);
  });
});
