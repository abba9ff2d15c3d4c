import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, it } from 'node:test';
import { createClients, unary } from '@netspan/api';
import { chaddrFromMac, type DhcpPacket, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import { type EtcdHandle, freePorts, type IpamdHandle, startEtcd, startIpamd } from '../harness/index.js';

// Two ipamd replicas answer the same relayed clients. Both identify as the same DHCP server
// (a shared server identifier, as agents use), so each REQUEST is handled by both replicas
// at once: the worst case for the invariant.
const SERVER_ID = '10.130.0.1';
let etcd: EtcdHandle;
const replicas: IpamdHandle[] = [];
const ports: number[] = [];

before(async () => {
  etcd = await startEtcd({ name: 'dhcp-replicas' });
  const p = await freePorts(2);
  for (const [i, port] of p.entries()) {
    ports.push(port);
    replicas.push(
      await startIpamd({
        etcdEndpoints: etcd.endpoints,
        // One replica reads and answers through node:dgram, the other in batches (the default),
        // pausing 2 ms after each wakeup (--dhcp-coalesce-ms).
        args: [
          '--dhcp-listen',
          `127.0.0.1:${port}`,
          '--dhcp-server-id',
          SERVER_ID,
          ...(i === 0 ? ['--dhcp-io', 'batched', '--dhcp-coalesce-ms', '2'] : ['--dhcp-io', 'dgram']),
        ],
      }),
    );
  }
  const c = createClients((replicas[0] as IpamdHandle).grpcAddress);
  // 200 clients, 120 addresses: contention for the last addresses is guaranteed.
  await unary(c.network, c.network.CreateNetwork, {
    network: {
      name: 'shared',
      cidr: '10.130.0.0/24',
      gateway: SERVER_ID,
      pools: [{ start: '10.130.0.10', end: '10.130.0.129' }],
      relayAddresses: ['127.0.0.1'],
    },
  });
  c.close();
});
after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await etcd?.stop();
});

interface Ack {
  client: string;
  address: string;
  at: number;
}

/** A relay on loopback that plays many clients against every replica at once. */
async function runClients(n: number): Promise<{ acks: Ack[]; naks: number }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const waiters = new Map<number, (p: DhcpPacket) => void>();
  sock.on('message', (msg) => {
    try {
      const p = decode(msg);
      waiters.get(p.xid)?.(p);
    } catch {
      // not ours to judge
    }
  });
  const sendAll = (p: DhcpPacket) => {
    const bytes = encode(p);
    for (const port of ports) sock.send(bytes, port, '127.0.0.1');
  };
  const exchange = (p: DhcpPacket, want: number, timeoutMs = 3000): Promise<DhcpPacket[]> =>
    new Promise((resolve) => {
      const got: DhcpPacket[] = [];
      waiters.set(p.xid, (r) => {
        got.push(r);
        if (got.length >= want) finish();
      });
      const t = setTimeout(finish, timeoutMs);
      function finish() {
        clearTimeout(t);
        waiters.delete(p.xid);
        resolve(got);
      }
      sendAll(p);
    });
  const acks: Ack[] = [];
  let naks = 0;
  let xid = 0x1000;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const mac = `02:00:00:01:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const base = { giaddr: '127.0.0.1', hops: 1, chaddr: chaddrFromMac(mac) };
      // Like a real client: start over after a NAK or when no OFFER came, a few times.
      for (let attempt = 0; attempt < 6; attempt++) {
        const offers = await exchange(
          newPacket({ ...base, xid: xid++, options: { messageType: MessageType.Discover } }),
          2,
          1500,
        );
        const offer = offers[0];
        if (!offer) continue;
        const replies = await exchange(
          newPacket({
            ...base,
            xid: xid++,
            options: { messageType: MessageType.Request, serverId: SERVER_ID, requestedIp: offer.yiaddr },
          }),
          2,
        );
        let bound = false;
        for (const r of replies) {
          if (r.options.messageType === MessageType.Ack) {
            acks.push({ client: mac, address: r.yiaddr, at: Date.now() });
            bound = true;
          } else if (r.options.messageType === MessageType.Nak) naks++;
        }
        if (bound) return;
      }
    }),
  );
  sock.close();
  return { acks, naks };
}

it('never ACKs one address to two clients when two replicas answer the same clients', async () => {
  const { acks, naks } = await runClients(200);
  const holder = new Map<string, string>();
  for (const a of acks) {
    const prev = holder.get(a.address);
    assert.ok(prev === undefined || prev === a.client, `${a.address} ACKed to ${prev} and to ${a.client}`);
    holder.set(a.address, a.client);
  }
  // Every address of the pool was handed out, each to one client, and etcd agrees.
  assert.equal(holder.size, 120, `${acks.length} ACKs, ${naks} NAKs`);
  const c = createClients((replicas[1] as IpamdHandle).grpcAddress);
  try {
    const list = await unary(c.ipam, c.ipam.ListLeases, { network: 'shared', pageSize: 1000 });
    assert.equal(list.leases.length, 120);
    for (const l of list.leases) assert.equal(`mac:${holder.get(l.address)}`, l.clientId);
  } finally {
    c.close();
  }
});
