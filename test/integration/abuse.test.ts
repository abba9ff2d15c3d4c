/**
 * Abuse through the agents' relay stream: a host flooding DISCOVERs with random MACs is
 * contained (rate limit per agent, cap of addresses per host) while another host's guests
 * keep getting leases; a chatty MAC is rate limited; hostile hostnames are sanitised.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClients, type pb, unary } from '@netspan/api';
import { chaddrFromMac, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd, waitFor } from '../harness/index.js';

const TOKEN = 'abusetest1.0123456789abcdef0123';
const CAP = 45;
let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;
const sessions: grpc.ClientDuplexStream<pb.AgentMessage__Input, pb.ControlMessage>[] = [];
const timers: NodeJS.Timeout[] = [];

before(async () => {
  etcd = await startEtcd({ name: 'abuse' });
  ipamd = await startIpamd({
    etcdEndpoints: etcd.endpoints,
    args: [
      '--bootstrap-token',
      TOKEN,
      '--max-leases-per-host',
      String(CAP),
      '--agent-dhcp-rate',
      '300',
      '--client-dhcp-rate',
      '5',
      // A loaded CI machine must not expire the sessions mid-test.
      '--agent-ttl',
      '30',
    ],
  });
  c = createClients(ipamd.grpcAddress);
  // 125 usable addresses: an unchecked flood would take them all.
  await unary(c.network, c.network.CreateNetwork, { network: { name: 'small', cidr: '10.66.0.0/25' } });
  for (const host of ['attacker', 'victim']) {
    const call = c.agent.Session();
    call.on('error', () => {});
    call.write({
      hello: { hostId: host, vtepAddress: '192.0.2.9', joinToken: TOKEN, instanceId: randomUUID() },
    });
    timers.push(setInterval(() => call.write({ heartbeat: { sentAtMs: Date.now() } }), 500));
    sessions.push(call);
  }
  await waitFor(async () => (await unary(c.admin, c.admin.ListHosts, {})).hosts.length === 2, {
    what: 'both hosts',
  });
});
after(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of sessions) s.end();
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

function relay(hostId: string) {
  const md = new grpc.Metadata();
  md.set('netspan-host-id', hostId);
  md.set('authorization', `Bearer ${TOKEN}`);
  const call = c.agent.Relay(md);
  const waiting = new Map<number, (r: pb.RelayReply) => void>();
  call.on('data', (r: pb.RelayReply) => {
    waiting.get(Number(r.id))?.(r);
    waiting.delete(Number(r.id));
  });
  call.on('error', () => {});
  // If the stream ends, nothing pending may hang the test: it fails on the missing replies.
  call.on('status', (st: grpc.StatusObject) => {
    for (const [n, resolve] of waiting)
      resolve({
        id: n,
        delivery: 'DELIVERY_DROP',
        packet: Buffer.alloc(0),
        dstAddress: `stream ended: ${st.details}`,
        dstMac: '',
      });
    waiting.clear();
  });
  let id = 1;
  return {
    send(packet: Buffer): Promise<pb.RelayReply> {
      const n = id++;
      return new Promise((resolve) => {
        waiting.set(n, resolve);
        call.write({ id: n, network: 'small', packet });
      });
    },
    close: () => call.end(),
  };
}

const randomMac = () => `02:${[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

async function dora(r: ReturnType<typeof relay>, mac: string, hostname = ''): Promise<string | undefined> {
  const offer = await r.send(
    encode(
      newPacket({
        xid: 1,
        chaddr: chaddrFromMac(mac),
        options: { messageType: MessageType.Discover, ...(hostname ? { hostname } : {}) },
      }),
    ),
  );
  if (offer.delivery === 'DELIVERY_DROP') return undefined;
  const o = decode(offer.packet);
  const ack = await r.send(
    encode(
      newPacket({
        xid: 2,
        chaddr: chaddrFromMac(mac),
        options: {
          messageType: MessageType.Request,
          requestedIp: o.yiaddr,
          serverId: o.options.serverId,
          ...(hostname ? { hostname } : {}),
        },
      }),
    ),
  );
  if (ack.delivery === 'DELIVERY_DROP') return undefined;
  const a = decode(ack.packet);
  return a.options.messageType === MessageType.Ack ? a.yiaddr : undefined;
}

async function leasesAt(host: string): Promise<number> {
  const res = await unary(c.ipam, c.ipam.ListLeases, { network: 'small' });
  return res.leases.filter((l) => l.location?.host === host).length;
}

it('contains a random-MAC flood from one host: its cap holds, the other host still gets leases', async () => {
  const attacker = relay('attacker');
  const flood = Array.from({ length: 1500 }, () => dora(attacker, randomMac()));
  const victim = relay('victim');
  const victims = Array.from({ length: 30 }, (_, i) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`);
  const results = await Promise.all(victims.map((m) => dora(victim, m)));
  const won = (await Promise.all(flood)).filter(Boolean).length;
  console.log(
    `flood: 1500 DORAs from one host -> ${won} addresses; victim: ${results.filter(Boolean).length}/30`,
  );
  assert.equal(results.filter(Boolean).length, 30, 'every victim guest got an address');
  assert.ok(won <= CAP, `the flooding host got ${won} addresses`);
  assert.ok((await leasesAt('attacker')) <= CAP);
  assert.equal(await leasesAt('victim'), 30);
  attacker.close();
  victim.close();
});

it('rate limits one chatty MAC', async () => {
  const r = relay('victim');
  const mac = '02:00:00:00:02:01';
  const replies = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      r.send(
        encode(
          newPacket({
            xid: 100 + i,
            chaddr: chaddrFromMac(mac),
            options: { messageType: MessageType.Discover },
          }),
        ),
      ),
    ),
  );
  const answered = replies.filter((x) => x.delivery !== 'DELIVERY_DROP').length;
  assert.ok(answered >= 1 && answered <= 11, `answered ${answered} of 40`);
  r.close();
});

it('never stores a hostile hostname unsanitised', async () => {
  const r = relay('victim');
  const hostile = [
    'a..b',
    'x'.repeat(300),
    'ünïcode',
    'evil.example.com',
    '-dash-',
    'semi;colon rm -rf',
    '..',
    '\u0000nul',
  ];
  const ok = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/;
  let i = 0;
  for (const name of hostile) {
    const address = await dora(r, `02:00:00:00:03:${(i++).toString(16).padStart(2, '0')}`, name);
    assert.ok(address, `${JSON.stringify(name)} got a lease`);
    const res = await unary(c.ipam, c.ipam.GetLease, { network: 'small', address });
    assert.match(
      res.lease?.hostname ?? '',
      ok,
      `${JSON.stringify(name)} -> ${JSON.stringify(res.lease?.hostname)}`,
    );
  }
  r.close();
});
