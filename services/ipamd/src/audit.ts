import type { pb } from '@netspan/api';
import type { AuditFinding, EtcdAgentRegistry, EtcdIpamStore, Keys } from '@netspan/etcd-store';
import { validateNetworkName } from '@netspan/ipam';
import type { Logger } from '@netspan/log';
import { auditAgents } from './agent-drift.js';
import { type InflightTracker, unary } from './handlers.js';

/**
 * An extra audit check run after the store's key-consistency checks, at the same etcd
 * revision (`agentDriftCheck` below; DNS could add record checks). `fix` asks the check to
 * repair with revision-conditional writes only.
 */
export interface AuditCheck {
  /** The finding kinds it reports, e.g. `agent-drift`. */
  readonly kinds: readonly string[];
  run(o: { revision: number; network: string | undefined; fix: boolean }): Promise<AuditFinding[]>;
}

/**
 * `agent-drift`: live agents whose reported plumbing disagrees with the desired state at the
 * audit's revision (see agent-drift.ts). Never fixed by the audit: the host is the agent's to
 * repair, which it does on its next reconcile.
 */
export function agentDriftCheck(registry: EtcdAgentRegistry, keys: Keys): AuditCheck {
  return {
    kinds: ['agent-drift'],
    async run({ revision, network }) {
      const at = await registry.readAt(revision);
      return auditAgents(at, (host) => keys.agentReport(host).slice(keys.prefix.length), network);
    },
  };
}

/**
 * AdminService.Audit: the online audit. Reads at one revision without locks, so it never
 * pauses service; with `fix`, repairs only what is safe (see etcd-store's audit). The rest
 * of AdminService (tokens, hosts) is in admin.ts; server.ts joins both.
 */
export function auditService(
  store: EtcdIpamStore,
  log: Logger,
  inflight: InflightTracker,
  checks: readonly AuditCheck[] = [],
) {
  return {
    Audit: unary<pb.AuditRequest, pb.AuditResponse__Input>('Audit', log, inflight, async (req) => {
      const network = req.network ? validateNetworkName(req.network, 'network') : undefined;
      const report = await store.audit({ network, fix: req.fix });
      const findings = [...report.findings];
      for (const check of checks) {
        findings.push(...(await check.run({ revision: report.revision, network, fix: req.fix })));
      }
      const fixed = findings.filter((f) => f.fixed).length;
      if (findings.length > 0)
        log.warn(
          {
            revision: report.revision,
            findings: findings.length,
            fixed,
            kinds: [...new Set(findings.map((f) => f.kind))],
          },
          'audit found inconsistencies',
        );
      else log.info({ revision: report.revision, keys: report.keysChecked }, 'audit found nothing');
      return { revision: report.revision, findings, keysChecked: report.keysChecked };
    }),
  };
}
