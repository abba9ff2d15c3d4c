import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { createClients, type NetspanClients, unary } from '@netspan/api';
import { chaddrFromMac, type DhcpPacket, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import {
  type EtcdHandle,
  freePort,
  httpGet,
  type IpamdHandle,
  repoRoot,
  startEtcd,
  startIpamd,
  waitFor,
} from '../harness/index.js';

// DNS against real clients: dig (BIND) and kdig (Knot) over UDP and TCP, two ipamd replicas on one
// etcd (one answering in-process, one through two worker processes), and a real unbound on
// loopback as the upstream for names outside our zones. Everything stays on 127.0.0.1.

const Z = 'blue.netspan.internal';
/** UDP through dgram or batched syscalls (dns-batched.test.ts runs this file with `batched`). */
const DNS_IO = process.env.NETSPAN_TEST_DNS_IO ?? 'dgram';
const CLI = path.join(repoRoot, 'packages/cli/dist/main.js');

let etcd: EtcdHandle;
let a: IpamdHandle; // in-process DNS, forwards to unbound
let b: IpamdHandle; // two DNS worker processes, no upstream
let portA = 0;
let dhcpPortA = 0;
let portB = 0;
let unbound: ChildProcess | undefined;
let unboundDir = '';
let clients: NetspanClients;

function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** dig against a replica; `+tries=1 +time=2` bound every query. */
function dig(port: number, ...args: string[]): Promise<string> {
  return run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', ...args]);
}
function kdig(port: number, ...args: string[]): Promise<string> {
  return run('kdig', ['@127.0.0.1', '-p', String(port), '+retry=0', '+time=2', ...args]);
}

/** The answer section's data fields (the last column onward) from `+noall +answer` output. */
function answers(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith(';'))
    .map((l) => l.split(/\s+/).slice(4).join(' '));
}

function status(out: string): string {
  return /status: (\w+)/.exec(out)?.[1] ?? 'none';
}

/** The authority section's records as "owner type" from dig's full output. */
function authority(out: string): string[] {
  const sec = out.split(';; AUTHORITY SECTION:')[1];
  if (!sec) return [];
  return sec
    .split('\n\n')[0]
    ?.split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const f = l.split(/\s+/);
      return `${f[0]} ${f[3]}`;
    }) as string[];
}

function ctl(args: string[]): Promise<string> {
  return run(process.execPath, [CLI, '--server', a.grpcAddress, ...args], 30_000);
}

function dnsPort(h: IpamdHandle): number {
  const addr = h.ready.dns;
  assert.equal(typeof addr, 'string', `ready line has no dns address: ${JSON.stringify(h.ready)}`);
  return Number((addr as string).slice((addr as string).lastIndexOf(':') + 1));
}

async function addRecord(name: string, type: string, data: string, ttl = 0) {
  return unary(clients.dns, clients.dns.CreateRecord, {
    record: { zone: Z, name, type: `RECORD_TYPE_${type}` as 'RECORD_TYPE_A', data, ttl },
  });
}

before(async () => {
  unboundDir = await mkdtemp(path.join(tmpdir(), 'netspan-unbound-'));
  const ubPort = await freePort();
  await writeFile(
    path.join(unboundDir, 'unbound.conf'),
    [
      'server:',
      '  interface: 127.0.0.1',
      `  port: ${ubPort}`,
      '  username: ""',
      '  chroot: ""',
      `  directory: "${unboundDir}"`,
      '  pidfile: ""',
      '  do-daemonize: no',
      '  use-syslog: no',
      '  do-ip6: no',
      '  access-control: 127.0.0.0/8 allow',
      '  local-zone: "upstream.test." static',
      '  local-data: "www.upstream.test. 300 IN A 192.0.2.10"',
      `  local-data: 'www.upstream.test. 300 IN TXT "from unbound"'`,
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n'),
  );
  unbound = spawn('unbound', ['-d', '-c', path.join(unboundDir, 'unbound.conf')], { stdio: 'ignore' });
  await waitFor(
    async () => (await dig(ubPort, 'www.upstream.test', '+short').catch(() => '')).includes('192.0.2.10'),
    { timeoutMs: 10_000, what: 'unbound answering on loopback' },
  );

  etcd = await startEtcd({ name: 'dns' });
  dhcpPortA = await freePort();
  [a, b] = await Promise.all([
    startIpamd({
      etcdEndpoints: etcd.endpoints,
      args: [
        '--dns-listen',
        '127.0.0.1:0',
        '--dns-upstream',
        `127.0.0.1:${ubPort}`,
        '--dhcp-listen',
        `127.0.0.1:${dhcpPortA}`,
        '--dhcp-server-id',
        '10.77.0.1',
        '--metrics-listen',
        '127.0.0.1:0',
        '--dns-io',
        DNS_IO,
      ],
    }),
    startIpamd({
      etcdEndpoints: etcd.endpoints,
      args: [
        '--dns-listen',
        '127.0.0.1:0',
        '--dns-workers',
        '2',
        '--metrics-listen',
        '127.0.0.1:0',
        '--dns-io',
        DNS_IO,
      ],
    }),
  ]);
  portA = dnsPort(a);
  portB = dnsPort(b);
  clients = createClients(a.grpcAddress);
  await unary(clients.network, clients.network.CreateNetwork, {
    network: {
      name: 'blue',
      cidr: '10.77.0.0/24',
      gateway: '10.77.0.1',
      pools: [{ start: '10.77.0.100', end: '10.77.0.199' }],
      relayAddresses: ['127.0.0.1'],
    },
  });
  await unary(clients.network, clients.network.CreateNetwork, {
    network: { name: 'tiny', cidr: '10.78.0.64/26', domain: 'tiny.lab' },
  });
});

after(async () => {
  clients?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await etcd?.stop();
  if (unbound?.pid) {
    unbound.kill('SIGTERM');
    await new Promise((r) => unbound?.once('exit', r));
  }
  if (unboundDir) await rm(unboundDir, { recursive: true, force: true });
});

/** One UDP query for an A record; the answer count (0 on timeout). */
async function answerCount(port: number, name: string): Promise<number> {
  const sock = dgram.createSocket('udp4');
  try {
    const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
    const id = Math.floor(Math.random() * 65536);
    const msg = Buffer.concat([
      Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      ...labels,
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    return await new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(0), 200);
      sock.on('message', (m) => {
        if (m.readUInt16BE(0) !== id) return;
        clearTimeout(timer);
        resolve(m.readUInt16BE(6));
      });
      sock.send(msg, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

describe('DNS served by ipamd', () => {
  it('resolves a lease made through one replica on the other within 100 ms, and stops after release', async () => {
    const name = `fresh.${Z}`;
    assert.equal(await answerCount(portB, name), 0);
    const t0 = performance.now();
    const res = await unary(clients.ipam, clients.ipam.Allocate, {
      network: 'blue',
      clientId: 'vm-fresh',
      hostname: 'fresh',
    });
    const acked = performance.now();
    let seenAt = 0;
    for (let i = 0; i < 400 && !seenAt; i++) {
      if ((await answerCount(portB, name)) === 1) seenAt = performance.now();
      else await new Promise((r) => setTimeout(r, 2));
    }
    assert.ok(seenAt > 0, 'replica B never answered');
    assert.ok(seenAt - acked < 100, `replica B answered ${(seenAt - acked).toFixed(1)} ms after the ACK`);
    assert.ok(acked - t0 < 5000);
    const ip = res.lease?.address as string;
    for (const port of [portA, portB]) {
      assert.deepEqual(answers(await dig(port, name, '+noall', '+answer')), [ip]);
      assert.deepEqual(answers(await kdig(port, name, '+tcp', '+noall', '+answer')), [ip]);
    }
    await unary(clients.ipam, clients.ipam.Release, { network: 'blue', clientId: 'vm-fresh' });
    await waitFor(
      async () => (await answerCount(portA, name)) === 0 && (await answerCount(portB, name)) === 0,
      {
        timeoutMs: 2000,
        what: 'the released name to stop resolving on both replicas',
      },
    );
    assert.equal(status(await dig(portB, name)), 'NXDOMAIN');
  });

  it('answers every record type over UDP and TCP to dig and kdig, on both replicas', async () => {
    await unary(clients.ipam, clients.ipam.Allocate, {
      network: 'blue',
      clientId: 'vm-web1',
      hostname: 'web1',
      address: '10.77.0.10',
    });
    await addRecord('www', 'CNAME', 'web1');
    await addRecord('v6', 'AAAA', 'fd00::10');
    await addRecord('_http._tcp', 'SRV', '0 5 80 web1', 60);
    await addRecord('note', 'TXT', 'hello from netspan');
    await addRecord('@', 'MX', '10 mail');
    await addRecord('mail', 'A', '10.77.0.25');
    const cases: Array<[string, string, string[]]> = [
      [`web1.${Z}`, 'A', ['10.77.0.10']],
      [`WWW.Blue.NetSpan.Internal`, 'A', [`web1.${Z}.`, '10.77.0.10']],
      [`www.${Z}`, 'CNAME', [`web1.${Z}.`]],
      [`v6.${Z}`, 'AAAA', ['fd00::10']],
      [`_http._tcp.${Z}`, 'SRV', [`0 5 80 web1.${Z}.`]],
      [`note.${Z}`, 'TXT', ['"hello from netspan"']],
      [Z, 'MX', [`10 mail.${Z}.`]],
    ];
    await waitFor(async () => answers(await dig(portB, `mail.${Z}`, '+noall', '+answer')).length === 1, {
      timeoutMs: 2000,
      what: 'records on replica B',
    });
    for (const port of [portA, portB]) {
      for (const [name, type, want] of cases) {
        for (const transport of ['+notcp', '+tcp']) {
          assert.deepEqual(
            answers(await dig(port, name, type, transport, '+noall', '+answer')),
            want,
            `dig ${name} ${type} ${transport}`,
          );
          assert.deepEqual(
            answers(await kdig(port, name, type, transport, '+noall', '+answer')),
            want,
            `kdig ${name} ${type} ${transport}`,
          );
        }
      }
    }
    const full = await dig(portA, `web1.${Z}`);
    assert.match(full, /flags: qr aa rd/);
    assert.match(full, /EDNS: version: 0/);
  });

  it('answers reverse lookups, for an octet zone and through an RFC 2317 classless zone', async () => {
    await unary(clients.ipam, clients.ipam.Allocate, {
      network: 'tiny',
      clientId: 'vm-db',
      hostname: 'db',
      address: '10.78.0.70',
    });
    await addRecord('printer', 'A', '10.77.0.77');
    await unary(clients.dns, clients.dns.CreateRecord, {
      record: { zone: '0.77.10.in-addr.arpa', name: '77', type: 'RECORD_TYPE_PTR', data: `printer.${Z}.` },
    });
    for (const port of [portA, portB]) {
      await waitFor(
        async () => answers(await dig(port, '-x', '10.78.0.70', '+noall', '+answer')).length === 2,
        {
          timeoutMs: 2000,
          what: 'the classless PTR',
        },
      );
      assert.deepEqual(answers(await dig(port, '-x', '10.77.0.10', '+noall', '+answer')), [`web1.${Z}.`]);
      assert.deepEqual(answers(await kdig(port, '-x', '10.77.0.10', '+tcp', '+noall', '+answer')), [
        `web1.${Z}.`,
      ]);
      assert.deepEqual(answers(await dig(port, '-x', '10.78.0.70', '+noall', '+answer')), [
        '70.64-26.0.78.10.in-addr.arpa.',
        'db.tiny.lab.',
      ]);
      assert.deepEqual(answers(await dig(port, '-x', '10.77.0.77', '+noall', '+answer')), [`printer.${Z}.`]);
      assert.equal(status(await dig(port, '-x', '10.77.0.200')), 'NXDOMAIN');
    }
  });

  it('tells NXDOMAIN from NODATA, both with the zone SOA in authority', async () => {
    for (const port of [portA, portB]) {
      const nx = await dig(port, `nobody.${Z}`, 'A');
      assert.equal(status(nx), 'NXDOMAIN');
      assert.deepEqual(authority(nx), [`${Z}. SOA`]);
      const nodata = await kdig(port, `web1.${Z}`, 'AAAA');
      assert.equal(status(nodata), 'NOERROR');
      assert.match(nodata, /ANSWER: 0/);
      assert.match(nodata, /AUTHORITY SECTION:\n\S+\s+\d+\s+IN\s+SOA/);
      const ent = await dig(port, `_tcp.${Z}`, 'SRV');
      assert.equal(status(ent), 'NOERROR');
      assert.deepEqual(authority(ent), [`${Z}. SOA`]);
      const soa = answers(await dig(port, Z, 'SOA', '+noall', '+answer'))[0] ?? '';
      assert.match(soa, new RegExp(`^ns\\.${Z}\\. hostmaster\\.${Z}\\. \\d+ 3600 600 86400 30$`));
      assert.deepEqual(answers(await dig(port, Z, 'NS', '+noall', '+answer')), [`ns.${Z}.`]);
    }
  });

  it('sets TC on a large UDP answer and both clients retry over TCP', async () => {
    for (let i = 0; i < 12; i++)
      await addRecord('big', 'TXT', `${String(i).padStart(2, '0')} ${'x'.repeat(90)}`);
    for (const port of [portA, portB]) {
      await waitFor(
        async () => answers(await dig(port, `big.${Z}`, 'TXT', '+tcp', '+noall', '+answer')).length === 12,
        {
          timeoutMs: 2000,
          what: 'the TXT records',
        },
      );
      const ignored = await dig(port, `big.${Z}`, 'TXT', '+noedns', '+ignore');
      assert.match(ignored, /flags: qr aa tc rd/);
      assert.match(ignored, /ANSWER: 0/);
      const retried = await dig(port, `big.${Z}`, 'TXT', '+noedns');
      assert.match(retried, /Truncated, retrying in TCP mode/);
      assert.match(retried, /ANSWER: 12/);
      const k = await kdig(port, `big.${Z}`, 'TXT', '+noedns');
      assert.match(k, /ANSWER: 12/);
      assert.match(k, /TCP/);
      // With EDNS (1232 bytes) the 12 records (~1.3 kB) still do not fit.
      assert.match(await dig(port, `big.${Z}`, 'TXT', '+bufsize=1232', '+ignore'), /flags: qr aa tc rd/);
    }
  });

  it('forwards names outside its zones to the upstream (unbound), over UDP and TCP, or refuses', async () => {
    assert.deepEqual(answers(await dig(portA, 'www.upstream.test', '+noall', '+answer')), ['192.0.2.10']);
    assert.deepEqual(answers(await kdig(portA, 'www.upstream.test', 'TXT', '+tcp', '+noall', '+answer')), [
      '"from unbound"',
    ]);
    const full = await dig(portA, 'www.upstream.test');
    // Relayed as unbound answered (its local-data is authoritative there), with recursion available.
    assert.match(full, /flags: qr (aa )?rd ra;/);
    assert.equal(status(await dig(portA, 'nothing.upstream.test')), 'NXDOMAIN');
    // No upstream on B; no recursion desired: REFUSED.
    assert.equal(status(await dig(portB, 'www.upstream.test')), 'REFUSED');
    assert.equal(status(await dig(portA, 'www.upstream.test', '+norec')), 'REFUSED');
  });

  it('gives a contested hostname to its holder and logs the newcomer', async () => {
    await unary(clients.ipam, clients.ipam.Allocate, {
      network: 'blue',
      clientId: 'vm-dup-2',
      hostname: 'web1',
      address: '10.77.0.11',
    });
    await a.waitForLog(
      (r) => r.msg === 'hostname already held by another lease; the newcomer gets no DNS records',
    );
    for (const port of [portA, portB]) {
      assert.deepEqual(answers(await dig(port, `web1.${Z}`, '+noall', '+answer')), ['10.77.0.10']);
      assert.equal(status(await dig(port, '-x', '10.77.0.11')), 'NXDOMAIN');
    }
    await unary(clients.ipam, clients.ipam.Release, { network: 'blue', clientId: 'vm-web1' });
    await waitFor(
      async () => answers(await dig(portB, `web1.${Z}`, '+noall', '+answer')).join() === '10.77.0.11',
      { timeoutMs: 2000, what: 'the name to pass to the waiting lease' },
    );
  });

  it('names a guest after its DHCP hostname (option 81 before option 12), sanitised, on both replicas', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies = new Map<number, (p: DhcpPacket) => void>();
    sock.on('message', (m) => {
      try {
        const p = decode(m);
        replies.get(p.xid)?.(p);
      } catch {
        // not a reply we wait for
      }
    });
    const ask = (p: DhcpPacket) =>
      new Promise<DhcpPacket>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no DHCP reply to xid ${p.xid}`)), 3000);
        replies.set(p.xid, (r) => {
          clearTimeout(t);
          resolve(r);
        });
        sock.send(encode(p), dhcpPortA, '127.0.0.1');
      });
    const base = { giaddr: '127.0.0.1', hops: 1, chaddr: chaddrFromMac('02:00:00:00:77:07') };
    const options = {
      hostname: 'ignored-when-fqdn-given',
      clientFqdn: { flags: 0, rcode1: 0, rcode2: 0, name: 'Guest_7.example.com' },
    };
    try {
      const offer = await ask(
        newPacket({ ...base, xid: 0x7001, options: { messageType: MessageType.Discover, ...options } }),
      );
      const ack = await ask(
        newPacket({
          ...base,
          xid: 0x7002,
          options: {
            messageType: MessageType.Request,
            serverId: '10.77.0.1',
            requestedIp: offer.yiaddr,
            ...options,
          },
        }),
      );
      assert.equal(ack.options.messageType, MessageType.Ack);
      for (const port of [portA, portB]) {
        await waitFor(
          async () => answers(await dig(port, `guest-7.${Z}`, '+noall', '+answer')).join() === ack.yiaddr,
          {
            timeoutMs: 2000,
            what: `guest-7 on ${port}`,
          },
        );
        assert.deepEqual(answers(await kdig(port, '-x', ack.yiaddr, '+noall', '+answer')), [`guest-7.${Z}.`]);
      }
    } finally {
      sock.close();
    }
  });

  it('answers FORMERR to a malformed query and keeps serving', async () => {
    const sock = dgram.createSocket('udp4');
    const got = new Promise<Buffer>((resolve) => sock.once('message', resolve));
    sock.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]), portB, '127.0.0.1');
    const m = await got;
    sock.close();
    assert.equal((m[3] as number) & 0xf, 1);
    assert.equal(status(await dig(portB, `mail.${Z}`)), 'NOERROR');
  });

  it('counts queries by transport and RCODE in /metrics, in-process and summed over DNS workers', async () => {
    /** netspan_dns_queries_total by "transport/rcode", from a replica's /metrics. */
    const counts = async (h: IpamdHandle): Promise<Map<string, number>> => {
      const r = await httpGet(`http://${String(h.ready.metrics)}/metrics`, 5000);
      assert.equal(r.status, 200);
      const out = new Map<string, number>();
      for (const m of r.body.matchAll(/^netspan_dns_queries_total\{([^}]*)\} (\S+)$/gm)) {
        const l = new Map([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        out.set(`${l.get('transport')}/${l.get('rcode')}`, Number(m[2]));
      }
      return out;
    };
    const delta = (after: Map<string, number>, before: Map<string, number>) =>
      Object.fromEntries(
        [...after]
          .map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
          .filter(([, d]) => d !== 0)
          .sort(([x], [y]) => x.localeCompare(y)),
      );
    const runt = async (port: number) => {
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((r) => sock.send(Buffer.from([1, 2, 3]), port, '127.0.0.1', () => r()));
      sock.close();
    };
    for (const [h, port, forwards] of [
      [a, portA, true],
      [b, portB, false],
    ] as const) {
      // Workers report every second: start from totals that include the earlier tests' queries.
      let before = await counts(h);
      for (;;) {
        await new Promise((r) => setTimeout(r, 1200));
        const again = await counts(h);
        if (isDeepStrictEqual(again, before)) break;
        before = again;
      }
      assert.ok(before.has('udp/NOERROR') && before.has('tcp/NXDOMAIN'), 'zero series for the usual RCODEs');
      for (let i = 0; i < 6; i++) assert.equal(status(await dig(port, `mail.${Z}`)), 'NOERROR');
      for (let i = 0; i < 4; i++) assert.equal(status(await dig(port, `nobody-${i}.${Z}`)), 'NXDOMAIN');
      assert.equal(status(await dig(port, `mail.${Z}`, '+tcp')), 'NOERROR');
      assert.equal(status(await dig(port, `nobody.${Z}`, '+tcp')), 'NXDOMAIN');
      // Outside our zones: forwarded to unbound by A (its answer's RCODE), refused by B.
      assert.equal(status(await dig(port, 'www.upstream.test')), forwards ? 'NOERROR' : 'REFUSED');
      assert.equal(status(await dig(port, 'www.upstream.test', '+norecurse')), 'REFUSED');
      assert.match(await dig(port, `mail.${Z}`, '+edns=1', '+noednsneg'), /status: BADVERS/);
      await runt(port);
      // Datagrams from one socket may reach either worker; this one proves nothing about order,
      // so wait for the totals (workers report theirs every second).
      const want = {
        'tcp/NOERROR': 1,
        'tcp/NXDOMAIN': 1,
        'udp/BADVERS': 1,
        'udp/NOERROR': forwards ? 7 : 6,
        'udp/NXDOMAIN': 4,
        'udp/REFUSED': forwards ? 1 : 2,
        'udp/dropped': 1,
      };
      let got: Record<string, number> = {};
      await waitFor(
        async () => {
          got = delta(await counts(h), before);
          return isDeepStrictEqual(got, want);
        },
        { timeoutMs: 5000, what: `netspan_dns_queries_total on ${forwards ? 'A' : 'B'}` },
      ).catch((err: unknown) => {
        assert.deepEqual(got, want, String(err));
      });
    }
  });

  it('serves the record API on a replica without --dns-listen (its index starts on first use)', async () => {
    const c = await startIpamd({ etcdEndpoints: etcd.endpoints });
    const api = createClients(c.grpcAddress);
    try {
      assert.equal(c.ready.dns, undefined);
      const listed = await unary(api.dns, api.dns.ListRecords, { zone: Z, name: 'mail' });
      assert.deepEqual(
        listed.records.map((r) => r.data),
        ['10.77.0.25'],
      );
      await assert.rejects(unary(api.dns, api.dns.ListRecords, { zone: 'nowhere.lab' }), (err: Error) =>
        /no network has this domain/.test(err.message),
      );
    } finally {
      api.close();
      await c.stop();
    }
  });

  it('manages records with netspanctl record add|list|remove', async () => {
    const added = await ctl(['record', 'add', Z, 'cli', 'A', '10.77.0.99', '--ttl', '120']);
    assert.match(added, /cli\s+A\s+120\s+10\.77\.0\.99\s+([0-9a-f]{16})/);
    const id = /([0-9a-f]{16})/.exec(added)?.[1] as string;
    assert.deepEqual(answers(await dig(portA, `cli.${Z}`, '+noall', '+answer')), ['10.77.0.99']);
    const listed = JSON.parse(await ctl(['record', 'list', Z, '--name', 'cli', '-o', 'json'])) as {
      records: Array<{ id: string; ttl: number }>;
    };
    assert.deepEqual(
      listed.records.map((r) => [r.id, r.ttl]),
      [[id, 120]],
    );
    assert.match(await ctl(['record', 'list', Z, '--leases']), /lease:blue\/10\.77\.0\.11/);
    assert.match(await ctl(['record', 'remove', Z, id]), /removed cli A 10\.77\.0\.99/);
    await waitFor(async () => status(await dig(portB, `cli.${Z}`)) === 'NXDOMAIN', {
      timeoutMs: 2000,
      what: 'the removed record to disappear on replica B',
    });
    await assert.rejects(ctl(['record', 'add', Z, 'www', 'A', '10.77.0.1']), /FAILED_PRECONDITION/);
    await assert.rejects(ctl(['record', 'add', 'nowhere.lab', 'x', 'A', '10.77.0.1']), /NOT_FOUND/);
  });
});
