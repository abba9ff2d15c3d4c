import type { pb } from '@netspan/api';
import type { AgentsAt, AuditFinding } from '@netspan/etcd-store';

/**
 * Agents' plumbing drift: what a host agent reported its kernel holds (PlumbingReport.networks)
 * against what ipamd wants it to hold. Judged twice, so that neither a report about an old
 * state nor news the agent has not had yet counts as drift:
 *
 * 1. when the report arrives, by the replica holding the session, against the desired state it
 *    sent (the one the report answers); what disagrees is stored in etcd beside the agent's
 *    registration (`agent-reports/<host>`, same lease) — only while something disagrees, so a
 *    healthy agent costs no write;
 * 2. by the audit (any replica), which keeps each stored disagreement only if it still holds
 *    against the desired state at the audit's revision (a peer that left since is no drift).
 */

/** One network as an agent must carry it, by VNI. */
export interface ExpectedNetwork {
  name: string;
  vni: number;
  encapsulation: string;
  /** Remote VTEP → the peer's host id; VXLAN only. */
  flood: Map<string, string>;
}

export type DriftKind =
  | 'missing-bridge'
  | 'missing-tunnel'
  | 'missing-flood'
  | 'stale-flood'
  | 'stale-network';

/** One disagreement; `vtep` for the flood kinds. */
export interface DriftItem {
  kind: DriftKind;
  network: string;
  vni: number;
  vtep?: string;
  detail: string;
}

/** What `agent-reports/<host>` holds. */
export interface StoredAgentReport {
  instanceId: string;
  desiredRevision: number;
  reportedAtMs: number;
  drift: DriftItem[];
  /** What the agent itself said it could not do. */
  problems: string[];
}

export interface PeerView {
  hostId: string;
  vtepAddress: string;
  /** Networks it carries (already resolved: never empty for "every network"). */
  networks: string[];
}

/** The desired plumbing of one agent: mirrors the agent's own `plumbingFor`. */
export function expectedPlumbing(
  self: { hostId: string; vtepAddress: string },
  networks: ReadonlyArray<{ name: string; vni: number; encapsulation: string }>,
  peers: readonly PeerView[],
): Map<number, ExpectedNetwork> {
  const out = new Map<number, ExpectedNetwork>();
  for (const n of networks) {
    if (!n.vni) continue; // no VNI yet: the agent cannot build it, and says so itself
    const flood = new Map<string, string>();
    if (n.encapsulation !== 'vlan') {
      for (const p of peers) {
        if (p.hostId === self.hostId || p.vtepAddress === self.vtepAddress) continue;
        if (p.networks.includes(n.name) && !flood.has(p.vtepAddress)) flood.set(p.vtepAddress, p.hostId);
      }
    }
    out.set(n.vni, { name: n.name, vni: n.vni, encapsulation: n.encapsulation, flood });
  }
  return out;
}

/** The expected plumbing from a DesiredState as ipamd sent it. */
export function expectedFromDesired(
  self: { hostId: string; vtepAddress: string },
  state: pb.DesiredState__Input,
): Map<number, ExpectedNetwork> {
  return expectedPlumbing(
    self,
    (state.networks ?? []).map((n) => ({
      name: n.name ?? '',
      vni: Number(n.vni ?? 0),
      encapsulation: n.encapsulation === 'ENCAPSULATION_VLAN' || n.encapsulation === 2 ? 'vlan' : 'vxlan',
    })),
    (state.peers ?? []).map((p) => ({
      hostId: p.hostId ?? '',
      vtepAddress: p.vtepAddress ?? '',
      networks: p.networks ?? [],
    })),
  );
}

/** Everything the observed plumbing lacks or has too much of, in a stable order. */
export function judgePlumbing(
  expected: Map<number, ExpectedNetwork>,
  observed: ReadonlyArray<pb.ObservedNetwork__Input>,
): DriftItem[] {
  const out: DriftItem[] = [];
  const seen = new Map<number, pb.ObservedNetwork__Input>();
  for (const o of observed) seen.set(Number(o.vni ?? 0), o);
  for (const e of [...expected.values()].sort((a, b) => a.vni - b.vni)) {
    const o = seen.get(e.vni);
    const bridge = `nsbr${e.vni}`;
    if (!o?.bridge) {
      out.push({
        kind: 'missing-bridge',
        network: e.name,
        vni: e.vni,
        detail: `network ${e.name}: bridge ${bridge} is ${o ? 'down' : 'missing'}`,
      });
    }
    if (!o?.tunnel) {
      out.push({
        kind: 'missing-tunnel',
        network: e.name,
        vni: e.vni,
        detail: `network ${e.name}: no ${e.encapsulation === 'vlan' ? 'VLAN uplink' : `VXLAN device nsvx${e.vni}`} up on ${bridge}`,
      });
    }
    const have = new Set(o?.floodVteps ?? []);
    for (const [vtep, host] of [...e.flood].sort()) {
      if (!have.has(vtep))
        out.push({
          kind: 'missing-flood',
          network: e.name,
          vni: e.vni,
          vtep,
          detail: `network ${e.name}: no flood entry to peer ${host} (VTEP ${vtep})`,
        });
    }
    for (const vtep of [...have].sort()) {
      if (!e.flood.has(vtep))
        out.push({
          kind: 'stale-flood',
          network: e.name,
          vni: e.vni,
          vtep,
          detail: `network ${e.name}: flood entry to VTEP ${vtep}, which no live peer carrying ${e.name} has`,
        });
    }
  }
  for (const [vni, o] of [...seen].sort(([a], [b]) => a - b)) {
    if (expected.has(vni)) continue;
    const name = o.network || `VNI ${vni}`;
    out.push({
      kind: 'stale-network',
      network: o.network ?? '',
      vni,
      detail: `still carries network ${name} (nsbr${vni}), which it should not (deleted, or not among its networks)`,
    });
  }
  return out;
}

/** Whether a disagreement found at report time still holds against the desired state now. */
export function stillHolds(item: DriftItem, expected: Map<number, ExpectedNetwork>): boolean {
  const e = expected.get(item.vni);
  switch (item.kind) {
    case 'missing-bridge':
    case 'missing-tunnel':
      return e !== undefined;
    case 'missing-flood':
      return e !== undefined && item.vtep !== undefined && e.flood.has(item.vtep);
    case 'stale-flood':
      return (
        e !== undefined && e.encapsulation !== 'vlan' && item.vtep !== undefined && !e.flood.has(item.vtep)
      );
    case 'stale-network':
      return e === undefined;
  }
}

const REPAIR_NOTE = 'the agent repairs it on its next resync; --fix cannot repair a host';

/**
 * The audit's findings from agents' stored reports at one revision: each live agent (same
 * instance as the report) with disagreements that still hold, or problems it reported.
 */
export function auditAgents(
  at: AgentsAt,
  relKey: (host: string) => string,
  network?: string,
): AuditFinding[] {
  const allNames = at.networks.map((n) => n.name);
  const peers: PeerView[] = at.agents.map(({ record }) => ({
    hostId: record.hostId,
    vtepAddress: record.vtepAddress,
    networks: record.networks.length ? record.networks.filter((n) => allNames.includes(n)) : allNames,
  }));
  const findings: AuditFinding[] = [];
  for (const { record } of [...at.agents].sort((a, b) => a.record.hostId.localeCompare(b.record.hostId))) {
    const raw = at.reports.get(record.hostId);
    if (raw === undefined) continue;
    let report: StoredAgentReport;
    try {
      report = JSON.parse(raw) as StoredAgentReport;
    } catch {
      findings.push({
        kind: 'corrupt-value',
        key: relKey(record.hostId),
        detail: 'the agent report cannot be decoded; it is replaced on the agent’s next report',
        fixed: false,
      });
      continue;
    }
    if (report.instanceId !== record.instanceId) continue; // an earlier run of the agent
    const carried = peers.find((p) => p.hostId === record.hostId)?.networks ?? [];
    const expected = expectedPlumbing(
      record,
      at.networks.filter((n) => carried.includes(n.name)),
      peers,
    );
    const who = `host ${record.hostId} (VTEP ${record.vtepAddress})`;
    for (const item of report.drift ?? []) {
      if (network !== undefined && item.network !== network) continue;
      if (!stillHolds(item, expected)) continue;
      findings.push({
        kind: 'agent-drift',
        key: relKey(record.hostId),
        detail: `${who}: ${item.detail}, as reported at revision ${report.desiredRevision}; ${REPAIR_NOTE}`,
        fixed: false,
      });
    }
    if (network === undefined) {
      for (const p of report.problems ?? []) {
        findings.push({
          kind: 'agent-drift',
          key: relKey(record.hostId),
          detail: `${who} reports: ${p}; see its log, the agent retries on its next resync`,
          fixed: false,
        });
      }
    }
  }
  return findings;
}
