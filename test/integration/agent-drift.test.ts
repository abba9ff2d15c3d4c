import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { createClients, type NetspanClients, type pb, unary } from '@netspan/api';
import { connectEtcd } from '@netspan/etcd-store';
import {
  type EtcdHandle,
  type IpamdHandle,
  netspanctl,
  startEtcd,
  startIpamd,
  waitFor,
} from '../harness/index.js';

// The audit's agent-drift check end to end: fake agents hold real gRPC sessions with replica A
// and report the plumbing they "observed"; replica B (which holds no session) audits. What a
// report says disagrees is stored in etcd beside the agent's registration, so any replica sees it.

const BOOT = 'bootstrap01.0123456789abcdef0123';
let etcd: EtcdHandle;
let a: IpamdHandle;
let b: IpamdHandle;
let ca: NetspanClients;
let cb: NetspanClients;
let vni = 0;

before(async () => {
  etcd = await startEtcd({ name: 'agent-drift' });
  const args = ['--agent-ttl', '10', '--bootstrap-token', BOOT];
  [a, b] = await Promise.all([
    startIpamd({ etcdEndpoints: etcd.endpoints, args: [...args, '--replica-id', 'drift-a'] }),
    startIpamd({ etcdEndpoints: etcd.endpoints, args: [...args, '--replica-id', 'drift-b'] }),
  ]);
  ca = createClients(a.grpcAddress);
  cb = createClients(b.grpcAddress);
  const res = await unary(ca.network, ca.network.CreateNetwork, {
    network: { name: 'blue', cidr: '10.64.0.0/24' },
  });
  vni = Number(res.network?.vni);
  assert.ok(vni > 0);
});
after(async () => {
  ca?.close();
  cb?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await etcd?.stop();
});

class FakeAgent {
  readonly states: pb.DesiredState[] = [];
  private readonly call: grpc.ClientDuplexStream<pb.AgentMessage__Input, pb.ControlMessage>;
  readonly ended: Promise<void>;

  constructor(
    readonly hostId: string,
    readonly vtep: string,
  ) {
    this.call = ca.agent.Session();
    this.ended = new Promise((resolve) => this.call.on('status', () => resolve()));
    this.call.on('error', () => {});
    this.call.on('data', (m: pb.ControlMessage) => {
      if (m.desiredState) this.states.push(m.desiredState);
    });
    this.call.write({
      hello: { hostId, vtepAddress: vtep, joinToken: BOOT, instanceId: randomUUID(), agentVersion: 'test' },
    });
  }
  get revision(): number {
    return Number(this.states[this.states.length - 1]?.revision ?? 0);
  }
  peers(): string[] {
    return (this.states[this.states.length - 1]?.peers ?? []).map((p) => p.hostId).sort();
  }
  /** Reports blue as built, with flood entries to `flood`, for `revision` (default: the latest). */
  report(flood: string[], revision = this.revision, problems: string[] = [], observed = true): void {
    this.call.write({
      report: {
        desiredRevision: revision,
        driftRepaired: 0,
        problems,
        observed,
        networks: [{ network: 'blue', vni, bridge: true, tunnel: true, floodVteps: flood }],
      },
    });
    this.call.write({ heartbeat: { sentAtMs: Date.now() } });
  }
  close(): void {
    this.call.end();
  }
}

async function audit(c: NetspanClients = cb, network = ''): Promise<pb.AuditFinding[]> {
  const res = await unary(c.admin, c.admin.Audit, { network, fix: false });
  return res.findings.filter((f) => f.kind === 'agent-drift');
}

async function reportKeys(): Promise<string[]> {
  const client = connectEtcd({ endpoints: etcd.endpoints });
  try {
    return Object.keys(await client.getAll().prefix('/netspan/v1/agent-reports/').strings()).sort();
  } finally {
    client.close();
  }
}

describe('audit: agents whose plumbing disagrees with the desired state (agent-drift)', () => {
  it('lists a missing flood entry and a stale one, through any replica, until the agent reports them repaired', async () => {
    const h1 = new FakeAgent('drift-h1', '192.0.2.41');
    const h2 = new FakeAgent('drift-h2', '192.0.2.42');
    for (const h of [h1, h2])
      await waitFor(() => h.peers().join() === 'drift-h1,drift-h2', { what: `${h.hostId} sees both` });

    // Healthy reports cost nothing in etcd and find nothing.
    h1.report(['192.0.2.42']);
    h2.report(['192.0.2.41']);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await audit(), []);
    assert.deepEqual(await reportKeys(), []);

    // h1 lost its flood entry to h2.
    h1.report([]);
    await waitFor(async () => (await audit()).length === 1, { what: 'drift seen by replica B' });
    const [f] = await audit();
    assert.equal(f?.key, 'agent-reports/drift-h1');
    assert.equal(f?.fixed, false);
    assert.match(
      f?.detail ?? '',
      /host drift-h1 \(VTEP 192\.0\.2\.41\): network blue: no flood entry to peer drift-h2 \(VTEP 192\.0\.2\.42\)/,
    );
    assert.match(f?.detail ?? '', /the agent repairs it on its next resync; --fix cannot repair a host/);
    assert.deepEqual(await reportKeys(), ['/netspan/v1/agent-reports/drift-h1']);
    assert.equal((await audit(cb, 'blue')).length, 1, '--network blue keeps it');

    // netspanctl: --fix does not pretend, and the exit status says a finding remains.
    const fix = await netspanctl(['--server', b.grpcAddress, 'audit', '--fix']);
    assert.equal(fix.code, 1);
    assert.match(fix.stdout, /agent-drift\s+agent-reports\/drift-h1\s+no\s+host drift-h1/);
    assert.match(fix.stderr, /1 finding\(s\) not repaired: resolve them as each one says/);
    const json = await netspanctl(['--server', b.grpcAddress, 'audit', '-o', 'json']);
    assert.equal(
      (JSON.parse(json.stdout) as { findings: Array<{ kind: string }> }).findings[0]?.kind,
      'agent-drift',
    );

    // A report about an older desired state is not judged (a newer one is on its way).
    h1.report(['192.0.2.42'], h1.revision - 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await audit()).length, 1);

    // Nor does a report that did not read the host back (a peer change applied as its flood
    // entries alone) clear what the last full read found.
    h1.report([], h1.revision, [], false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await audit()).length, 1, 'an unobserved report keeps the finding');

    // Repaired: the finding and the key go.
    h1.report(['192.0.2.42']);
    await waitFor(async () => (await audit()).length === 0, { what: 'drift cleared' });
    assert.deepEqual(await reportKeys(), []);

    // A flood entry to a VTEP no live peer has (a stale peer), and a problem the agent reports.
    h1.report(['192.0.2.42', '192.0.2.99'], h1.revision, ['ip link set nsbr1 up: exit 2']);
    await waitFor(async () => (await audit()).length === 2, { what: 'stale peer and problem' });
    const details = (await audit()).map((x) => x.detail);
    assert.match(details[0] ?? '', /flood entry to VTEP 192\.0\.2\.99, which no live peer carrying blue has/);
    assert.match(details[1] ?? '', /reports: ip link set nsbr1 up: exit 2/);

    // What a report said is only kept while it still holds: h1 misses h2's entry, then h2 leaves.
    h1.report([]);
    await waitFor(async () => (await audit()).length === 1, { what: 'missing entry to h2 again' });
    h2.close();
    await waitFor(async () => (await audit()).length === 0, { what: 'nothing owed to a departed peer' });

    // The report goes with the registration.
    h1.close();
    await h1.ended;
    await waitFor(async () => (await reportKeys()).length === 0, { what: 'report key removed' });
  });
});
