import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentsAt } from '@netspan/etcd-store';
import {
  auditAgents,
  expectedFromDesired,
  expectedPlumbing,
  judgePlumbing,
  type StoredAgentReport,
  stillHolds,
} from './agent-drift.js';

const A = { hostId: 'a', vtepAddress: '192.0.2.1' };
const NETS: AgentsAt['networks'] = [
  { name: 'blue', vni: 10, encapsulation: 'vxlan' },
  { name: 'lab', vni: 20, encapsulation: 'vlan' },
];
const PEERS = [
  { hostId: 'a', vtepAddress: '192.0.2.1', networks: ['blue', 'lab'] },
  { hostId: 'b', vtepAddress: '192.0.2.2', networks: ['blue', 'lab'] },
  { hostId: 'c', vtepAddress: '192.0.2.3', networks: ['lab'] },
];
const good = [
  { network: 'blue', vni: 10, bridge: true, tunnel: true, floodVteps: ['192.0.2.2'] },
  { network: 'lab', vni: 20, bridge: true, tunnel: true, floodVteps: [] },
];

describe('agent plumbing drift', () => {
  it('expects flood entries to every other peer carrying a VXLAN network, none for VLAN', () => {
    const e = expectedPlumbing(A, NETS, PEERS);
    assert.deepEqual([...(e.get(10)?.flood ?? [])], [['192.0.2.2', 'b']]);
    assert.deepEqual([...(e.get(20)?.flood ?? [])], []);
    // The same from a DesiredState as ipamd sends it.
    const fromPb = expectedFromDesired(A, {
      revision: 5,
      networks: [
        { name: 'blue', vni: 10, encapsulation: 'ENCAPSULATION_VXLAN' },
        { name: 'lab', vni: 20, encapsulation: 'ENCAPSULATION_VLAN' },
      ],
      peers: PEERS,
    });
    assert.deepEqual(fromPb, e);
  });

  it('finds nothing on a host that matches, and names each thing missing or stale', () => {
    const e = expectedPlumbing(A, NETS, PEERS);
    assert.deepEqual(judgePlumbing(e, good), []);
    const drift = judgePlumbing(e, [
      { network: 'blue', vni: 10, bridge: true, tunnel: false, floodVteps: ['192.0.2.9'] },
      { network: 'old', vni: 30, bridge: true, tunnel: true, floodVteps: [] },
    ]);
    assert.deepEqual(
      drift.map((d) => `${d.kind} ${d.network} ${d.vtep ?? ''}`.trim()),
      [
        'missing-tunnel blue',
        'missing-flood blue 192.0.2.2',
        'stale-flood blue 192.0.2.9',
        'missing-bridge lab',
        'missing-tunnel lab',
        'stale-network old',
      ],
    );
    assert.match(drift[1]?.detail ?? '', /no flood entry to peer b \(VTEP 192\.0\.2\.2\)/);
  });

  it('keeps a disagreement only while it still holds against the current desired state', () => {
    const then = expectedPlumbing(A, NETS, PEERS);
    const [missing] = judgePlumbing(then, [
      { ...good[0], floodVteps: [] } as (typeof good)[0],
      good[1] as (typeof good)[0],
    ]);
    assert.equal(missing?.kind, 'missing-flood');
    assert.ok(missing && stillHolds(missing, then));
    // b left since: its flood entry is no longer owed.
    const now = expectedPlumbing(
      A,
      NETS,
      PEERS.filter((p) => p.hostId !== 'b'),
    );
    assert.ok(missing && !stillHolds(missing, now));
  });

  it('audits live agents of the same instance only, filtered by network', () => {
    const report: StoredAgentReport = {
      instanceId: 'i-a',
      desiredRevision: 7,
      reportedAtMs: 1,
      drift: judgePlumbing(expectedPlumbing(A, NETS, PEERS), [
        { ...good[0], floodVteps: [] } as (typeof good)[0],
        good[1] as (typeof good)[0],
      ]),
      problems: ['ip link add failed'],
    };
    const rec = (hostId: string, vtepAddress: string, instanceId: string) => ({
      record: {
        hostId,
        vtepAddress,
        underlayMtu: 1500,
        networks: [],
        instanceId,
        agentVersion: 't',
        serverId: 'r',
        registeredAtMs: 0,
      },
      modRevision: 1,
    });
    const at: AgentsAt = {
      revision: 9,
      agents: [rec('a', '192.0.2.1', 'i-a'), rec('b', '192.0.2.2', 'i-b')],
      reports: new Map([
        ['a', JSON.stringify(report)],
        ['b', JSON.stringify({ ...report, instanceId: 'an-earlier-run' })],
      ]),
      networks: NETS,
    };
    const key = (h: string) => `agent-reports/${h}`;
    const all = auditAgents(at, key);
    assert.deepEqual(
      all.map((f) => [f.kind, f.key, f.fixed]),
      [
        ['agent-drift', 'agent-reports/a', false],
        ['agent-drift', 'agent-reports/a', false],
      ],
    );
    assert.match(
      all[0]?.detail ?? '',
      /host a .*no flood entry to peer b.*revision 7.*next resync; --fix cannot/,
    );
    assert.match(all[1]?.detail ?? '', /reports: ip link add failed/);
    assert.equal(auditAgents(at, key, 'lab').length, 0);
    assert.equal(auditAgents(at, key, 'blue').length, 1);
    // Once b is gone, nothing is owed to it.
    assert.equal(auditAgents({ ...at, agents: at.agents.slice(0, 1) }, key, 'blue').length, 0);
  });
});
