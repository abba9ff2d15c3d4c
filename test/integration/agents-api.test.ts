import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClients, type pb, unary } from '@netspan/api';
import { chaddrFromMac, decode, encode, MessageType, newPacket } from '@netspan/dhcp-codec';
import { connectEtcd } from '@netspan/etcd-store';
import { type EtcdHandle, type IpamdHandle, startEtcd, startIpamd, waitFor } from '../harness/index.js';

let etcd: EtcdHandle;
let ipamd: IpamdHandle;
let c: NetspanClients;
const BOOT = 'bootstrap01.0123456789abcdef0123';

before(async () => {
  etcd = await startEtcd({ name: 'agents-api' });
  ipamd = await startIpamd({
    etcdEndpoints: etcd.endpoints,
    args: ['--agent-ttl', '2', '--bootstrap-token', BOOT],
  });
  c = createClients(ipamd.grpcAddress);
  await unary(c.network, c.network.CreateNetwork, { network: { name: 'blue', cidr: '10.61.0.0/24' } });
  await unary(c.network, c.network.CreateNetwork, { network: { name: 'red', cidr: '10.62.0.0/24' } });
});
after(async () => {
  c?.close();
  await ipamd?.stop();
  await etcd?.stop();
});

/** One agent session as the agent would open it, recording what the server says. */
class FakeAgent {
  readonly states: pb.DesiredState[] = [];
  welcome: pb.Welcome | undefined;
  status: grpc.StatusObject | undefined;
  private readonly call: grpc.ClientDuplexStream<pb.AgentMessage__Input, pb.ControlMessage>;
  readonly ended: Promise<grpc.StatusObject>;

  constructor(
    readonly hello: Partial<pb.AgentHello__Input> & { hostId: string },
    clients: NetspanClients = c,
  ) {
    this.call = clients.agent.Session();
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => {
        this.status = s;
        resolve(s);
      });
    });
    this.call.on('error', () => {});
    this.call.on('data', (m: pb.ControlMessage) => {
      if (m.welcome) this.welcome = m.welcome;
      if (m.desiredState) this.states.push(m.desiredState);
    });
    this.call.write({
      hello: {
        vtepAddress: '192.0.2.1',
        joinToken: BOOT,
        instanceId: randomUUID(),
        agentVersion: 'test',
        ...hello,
      },
    });
  }
  get last(): pb.DesiredState | undefined {
    return this.states[this.states.length - 1];
  }
  peers(): string[] {
    return (this.last?.peers ?? []).map((p) => `${p.hostId}@${p.vtepAddress}`).sort();
  }
  heartbeat(): void {
    this.call.write({ heartbeat: { sentAtMs: Date.now() } });
  }
  close(): void {
    this.call.end();
  }
  cancel(): void {
    this.call.cancel();
  }
}

async function agentKeys(): Promise<string[]> {
  const client = connectEtcd({ endpoints: etcd.endpoints });
  try {
    return Object.keys(await client.getAll().prefix('/netspan/v1/agents/').strings()).sort();
  } finally {
    client.close();
  }
}

describe('agent sessions', () => {
  it('refuses a missing, malformed or unknown token with UNAUTHENTICATED', async () => {
    for (const joinToken of ['', 'nonsense', 'abcdef012345.thisisnotthesecret0000']) {
      const a = new FakeAgent({ hostId: 'h-unauth', joinToken });
      const s = await a.ended;
      assert.equal(s.code, grpc.status.UNAUTHENTICATED, `${joinToken}: ${s.details}`);
    }
  });

  it('refuses a malformed hello with INVALID_ARGUMENT naming the field', async () => {
    const a = new FakeAgent({ hostId: 'Bad_Host' });
    const s = await a.ended;
    assert.equal(s.code, grpc.status.INVALID_ARGUMENT);
    assert.match(s.details, /host_id/);
    const b = new FakeAgent({ hostId: 'ok-host', vtepAddress: 'not-an-ip' });
    assert.match((await b.ended).details, /vtep_address/);
  });

  it('registers, streams networks and peers, and converges when peers come and go', async () => {
    const a = new FakeAgent({ hostId: 'h-a', vtepAddress: '192.0.2.11' });
    await waitFor(() => a.peers().join() === 'h-a@192.0.2.11', { what: 'a sees itself' });
    assert.equal(a.welcome?.hostId, 'h-a');
    assert.equal(Number(a.welcome?.leaseTtlSeconds), 2);
    assert.deepEqual(a.last?.networks.map((n) => n.name).sort(), ['blue', 'red']);
    // The service address (default: last usable) comes with each network.
    const blue = a.last?.networks.find((n) => n.name === 'blue');
    assert.equal(blue?.serviceAddress, '');

    const b = new FakeAgent({ hostId: 'h-b', vtepAddress: '192.0.2.12', networks: ['blue'] });
    await waitFor(() => a.peers().length === 2, { what: 'a sees b' });
    const peerB = a.last?.peers.find((p) => p.hostId === 'h-b');
    assert.deepEqual(peerB?.networks, ['blue'], 'peers say which networks they carry');
    await waitFor(() => (b.last?.networks ?? []).length === 1, { what: 'b gets only blue' });
    assert.deepEqual(await agentKeys(), ['/netspan/v1/agents/h-a', '/netspan/v1/agents/h-b']);

    // A new network reaches a's desired state (a carries every network).
    await unary(c.network, c.network.CreateNetwork, { network: { name: 'green', cidr: '10.63.0.0/24' } });
    await waitFor(() => (a.last?.networks ?? []).some((n) => n.name === 'green'), { what: 'green to a' });
    assert.ok(!(b.last?.networks ?? []).some((n) => n.name === 'green'), 'b asked for blue only');

    const hosts = await unary(c.admin, c.admin.ListHosts, {});
    assert.deepEqual(
      hosts.hosts.map((h) => h.hostId),
      ['h-a', 'h-b'],
    );

    // b leaves: its key is deleted at once (no TTL wait) and a drops it.
    const t0 = Date.now();
    b.close();
    await waitFor(() => a.peers().length === 1, { what: 'a forgets b' });
    assert.ok(Date.now() - t0 < 1500, `converged in ${Date.now() - t0} ms`);
    assert.deepEqual(await agentKeys(), ['/netspan/v1/agents/h-a']);
    a.close();
    await waitFor(async () => (await agentKeys()).length === 0, { what: 'a unregistered' });
  });

  it('sends one state per network filter (encoded once), and each filter its own', async () => {
    // Agents that carry the same networks share one pre-encoded DesiredState per fan-out;
    // a different filter, or asking for guest locations, must still get a state of its own.
    const x = new FakeAgent({ hostId: 'h-x', vtepAddress: '192.0.2.21' });
    const y = new FakeAgent({ hostId: 'h-y', vtepAddress: '192.0.2.22' });
    const r = new FakeAgent({ hostId: 'h-r', vtepAddress: '192.0.2.23', networks: ['red'] });
    const g = new FakeAgent({ hostId: 'h-g', vtepAddress: '192.0.2.24', wantGuestLocations: true });
    const all = ['h-g@192.0.2.24', 'h-r@192.0.2.23', 'h-x@192.0.2.21', 'h-y@192.0.2.22'];
    for (const a of [x, y, r, g])
      await waitFor(() => a.peers().join() === all.join(), { what: a.hello.hostId });
    await unary(c.network, c.network.UpdateNetwork, {
      network: { name: 'red', description: 'shared-state' },
      updateMask: ['description'],
    });
    const red = (a: FakeAgent) => a.last?.networks.find((n) => n.name === 'red')?.description;
    for (const a of [x, y, r, g])
      await waitFor(() => red(a) === 'shared-state', { what: `${a.hello.hostId} red` });
    assert.deepEqual(x.last, y.last, 'same filter, same state');
    assert.deepEqual(
      r.last?.networks.map((n) => n.name),
      ['red'],
    );
    assert.deepEqual(x.last?.networks.map((n) => n.name).sort(), g.last?.networks.map((n) => n.name).sort());
    for (const a of [x, y, r, g]) a.close();
    await waitFor(async () => (await agentKeys()).length === 0, { what: 'all unregistered' });
  });

  it('refuses a second agent with the same host id, but lets the same instance reconnect', async () => {
    const instanceId = randomUUID();
    const first = new FakeAgent({ hostId: 'h-dup', instanceId });
    await waitFor(() => first.welcome !== undefined, { what: 'first welcome' });
    const second = new FakeAgent({ hostId: 'h-dup' });
    const s = await second.ended;
    assert.equal(s.code, grpc.status.ALREADY_EXISTS);
    assert.match(s.details, /h-dup is registered by another live agent/);
    // Same instance (a reconnect while the old stream lingers): takes over, old one is ended.
    const again = new FakeAgent({ hostId: 'h-dup', instanceId });
    await waitFor(() => again.welcome !== undefined, { what: 'reconnect welcome' });
    assert.equal((await first.ended).code, grpc.status.ABORTED);
    assert.deepEqual(await agentKeys(), ['/netspan/v1/agents/h-dup']);
    again.close();
    await waitFor(async () => (await agentKeys()).length === 0, { what: 'unregistered' });
  });

  it('keeps the registration when the same instance has moved to another replica and its old stream ends', async () => {
    const other = await startIpamd({
      etcdEndpoints: etcd.endpoints,
      args: ['--agent-ttl', '2', '--bootstrap-token', BOOT],
    });
    const c2 = createClients(other.grpcAddress);
    try {
      const instanceId = randomUUID();
      const onFirst = new FakeAgent({ hostId: 'h-moved', instanceId });
      await waitFor(() => onFirst.welcome !== undefined, { what: 'welcome on the first replica' });
      // The agent reconnects to the second replica while its stream to the first lingers.
      const onSecond = new FakeAgent({ hostId: 'h-moved', instanceId }, c2);
      await waitFor(() => onSecond.welcome !== undefined, { what: 'welcome on the second replica' });
      // The old stream ends now: the first replica must not remove what the second holds.
      onFirst.close();
      await onFirst.ended;
      for (let i = 0; i < 6; i++) {
        onSecond.heartbeat();
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(
          await agentKeys(),
          ['/netspan/v1/agents/h-moved'],
          `registration gone after ${i * 0.5} s`,
        );
      }
      onSecond.close();
      await waitFor(async () => (await agentKeys()).length === 0, { what: 'unregistered by its holder' });
    } finally {
      c2.close();
      await other.stop();
    }
  });

  it('ends a silent session after the TTL and removes its registration', async () => {
    const a = new FakeAgent({ hostId: 'h-silent' });
    await waitFor(() => a.welcome !== undefined, { what: 'welcome' });
    const s = await a.ended; // never heartbeats
    assert.equal(s.code, grpc.status.DEADLINE_EXCEEDED);
    await waitFor(async () => (await agentKeys()).length === 0, { what: 'silent agent removed' });
  });

  it('keeps a heartbeating session alive past the TTL', async () => {
    const a = new FakeAgent({ hostId: 'h-alive' });
    await waitFor(() => a.welcome !== undefined, { what: 'welcome' });
    const timer = setInterval(() => a.heartbeat(), 500);
    try {
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal(a.status, undefined, 'still open');
      assert.deepEqual(await agentKeys(), ['/netspan/v1/agents/h-alive']);
    } finally {
      clearInterval(timer);
      a.close();
    }
  });
});

describe('join tokens', () => {
  it('creates, lists, binds to a host, and revokes', async () => {
    const res = await unary(c.admin, c.admin.CreateToken, { ttlSeconds: 600, hostId: 'h-bound' });
    const token = res.token?.secret ?? '';
    assert.match(token, /^[0-9a-f]{12}\.[A-Za-z0-9_-]{32}$/);
    const list = await unary(c.admin, c.admin.ListTokens, {});
    const listed = list.tokens.find((t) => t.id === res.token?.id);
    assert.equal(listed?.secret, '', 'secrets are never listed');
    assert.equal(listed?.hostId, 'h-bound');

    const wrongHost = new FakeAgent({ hostId: 'h-other', joinToken: token });
    assert.equal((await wrongHost.ended).code, grpc.status.PERMISSION_DENIED);
    const right = new FakeAgent({ hostId: 'h-bound', joinToken: token });
    await waitFor(() => right.welcome !== undefined, { what: 'bound token works for its host' });
    right.close();

    await unary(c.admin, c.admin.RevokeToken, { id: res.token?.id });
    const revoked = new FakeAgent({ hostId: 'h-bound', joinToken: token });
    assert.equal((await revoked.ended).code, grpc.status.UNAUTHENTICATED);
    await assert.rejects(unary(c.admin, c.admin.RevokeToken, { id: res.token?.id }), /not found/);
    await assert.rejects(unary(c.admin, c.admin.CreateToken, { hostId: 'Not A Label' }), /host_id/);
  });
});

describe('DHCP over the relay stream', () => {
  function relay(hostId: string, token = BOOT) {
    const md = new grpc.Metadata();
    md.set('netspan-host-id', hostId);
    md.set('authorization', `Bearer ${token}`);
    const call = c.agent.Relay(md);
    const replies = new Map<number, (r: pb.RelayReply) => void>();
    let status: grpc.StatusObject | undefined;
    const ended = new Promise<grpc.StatusObject>((resolve) =>
      call.on('status', (s: grpc.StatusObject) => {
        status = s;
        resolve(s);
      }),
    );
    call.on('error', () => {});
    call.on('data', (r: pb.RelayReply) => replies.get(Number(r.id))?.(r));
    let next = 1;
    return {
      ended,
      get status() {
        return status;
      },
      send(network: string, packet: Buffer): Promise<pb.RelayReply> {
        const id = next++;
        return new Promise((resolve) => {
          replies.set(id, resolve);
          call.write({ id, network, packet, srcAddress: '0.0.0.0', ingress: 'test' });
        });
      },
      close: () => call.end(),
    };
  }
  const mac = '52:54:00:aa:bb:01';
  const discover = () =>
    encode(
      newPacket({
        xid: 0x1234,
        chaddr: chaddrFromMac(mac),
        options: { messageType: MessageType.Discover, hostname: 'guest1' },
      }),
    );

  it('answers DORA for a registered host and records where the guest is', async () => {
    const agent = new FakeAgent({ hostId: 'h-relay', vtepAddress: '192.0.2.21' });
    const hb = setInterval(() => agent.heartbeat(), 500);
    try {
      await waitFor(() => agent.welcome !== undefined, { what: 'welcome' });
      const r = relay('h-relay');
      const offer = await r.send('blue', discover());
      assert.equal(offer.delivery, 'DELIVERY_BROADCAST');
      const o = decode(offer.packet);
      assert.equal(o.options.messageType, MessageType.Offer);
      assert.equal(o.options.serverId, '10.61.0.254', 'the service address is the server id');
      assert.equal(o.options.mtu, 1450, 'VXLAN MTU from the underlay (1500 - 50)');
      const ack = await r.send(
        'blue',
        encode(
          newPacket({
            xid: 0x1235,
            chaddr: chaddrFromMac(mac),
            options: {
              messageType: MessageType.Request,
              requestedIp: o.yiaddr,
              serverId: o.options.serverId,
              hostname: 'guest1',
            },
          }),
        ),
      );
      assert.equal(decode(ack.packet).options.messageType, MessageType.Ack);
      const lease = await unary(c.ipam, c.ipam.GetLease, { network: 'blue', address: o.yiaddr });
      assert.equal(lease.lease?.location?.host, 'h-relay');
      assert.equal(lease.lease?.location?.via, 'agent');

      // Garbage is dropped and counted, the stream stays up.
      const junk = await r.send('blue', Buffer.from('not dhcp'));
      assert.equal(junk.delivery, 'DELIVERY_DROP');
      r.close();
    } finally {
      clearInterval(hb);
      agent.close();
    }
  });

  it('refuses relaying for a network the host does not carry, or without a session', async () => {
    const agent = new FakeAgent({ hostId: 'h-blue-only', networks: ['blue'] });
    const hb = setInterval(() => agent.heartbeat(), 500);
    try {
      await waitFor(() => agent.welcome !== undefined, { what: 'welcome' });
      const r = relay('h-blue-only');
      void r.send('red', discover());
      const s = await r.ended;
      assert.equal(s.code, grpc.status.PERMISSION_DENIED);
      assert.match(s.details, /does not carry network red/);
    } finally {
      clearInterval(hb);
      agent.close();
    }
    const nobody = relay('h-nobody');
    void nobody.send('blue', discover());
    const s = await nobody.ended;
    assert.equal(s.code, grpc.status.PERMISSION_DENIED);
    assert.match(s.details, /no live session/);
    const badToken = relay('h-nobody', 'abcdef012345.wrongwrongwrongwrongwrong');
    void badToken.send('blue', discover());
    assert.equal((await badToken.ended).code, grpc.status.UNAUTHENTICATED);
  });
});

describe('replica shutdown', () => {
  it('ends sessions with UNAVAILABLE so agents move to another replica', async () => {
    const other = await startIpamd({ etcdEndpoints: etcd.endpoints, args: ['--agent-ttl', '2'] });
    const oc = createClients(other.grpcAddress);
    try {
      const a = new FakeAgent({ hostId: 'h-moving' }, oc);
      await waitFor(() => a.welcome !== undefined, { what: 'welcome' });
      const stopping = other.stop();
      const s = await a.ended;
      assert.equal(s.code, grpc.status.UNAVAILABLE);
      assert.equal(await stopping, 0);
      await waitFor(async () => !(await agentKeys()).includes('/netspan/v1/agents/h-moving'), {
        what: 'registration gone with the replica',
      });
    } finally {
      oc.close();
    }
  });
});
