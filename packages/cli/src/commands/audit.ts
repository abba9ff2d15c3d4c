import { boolFlag, stringFlag } from '../args.js';
import { CliError } from '../errors.js';
import { formatTable } from '../format.js';
import { dataText, isData } from '../output.js';
import type { CommandSpec } from '../spec.js';

/** Kinds --fix never repairs: each finding says what resolves it. */
const NEVER_FIXED = new Set(['reservation-conflict', 'corrupt-value', 'agent-drift']);

export const auditCommands: CommandSpec[] = [
  {
    group: 'audit',
    verb: '',
    summary: 'Check the stored state for inconsistencies (online, no locks); --fix repairs them',
    synopsis: '[--network N] [--fix]',
    args: [],
    flags: {
      network: { type: 'string', value: 'N', help: 'only this network (default: every network)' },
      fix: {
        type: 'boolean',
        help: 'repair what is safe to repair, each with a write conditional on what the audit read',
      },
    },
    examples: [
      'netspanctl audit',
      'netspanctl audit --network blue -o json',
      'netspanctl audit --network blue --fix',
    ],
    notes: [
      'ipamd reads every key at one etcd revision: service goes on while it runs.',
      'Found: leases outside their network CIDR or under a missing network, client index keys',
      'without a lease, leases without an index key, reservations held by another client or',
      'missing their index, values that cannot be decoded, and host agents whose plumbing (as they',
      'last reported it) disagrees with the desired state: a missing bridge, VXLAN device or flood',
      'entry for a live peer, or a flood entry or network that should be gone (agent-drift).',
      '--fix deletes stray leases and index keys and restores missing index keys; every repair',
      'is skipped if a key changed after the read. It never takes an address from a client that',
      'holds it (reservation conflicts) and never touches undecodable values: those are reported',
      'with the command that resolves them. Agents repair their own hosts on their next resync;',
      '--fix cannot.',
      'Exit status: 0 when nothing is left to repair, 1 when findings remain.',
    ],
    async action(ctx, inv) {
      const network = stringFlag(inv.flags, 'network') ?? '';
      const fix = boolFlag(inv.flags, 'fix');
      const progress = ctx.progress(`auditing ${network ? `network ${network}` : 'every network'}`);
      const res = await ctx.call('admin', 'Audit', { network, fix });
      progress.done();
      const open = res.findings.filter((f) => !f.fixed).length;
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else {
        if (res.findings.length > 0) {
          const headers = ['KIND', 'KEY', 'FIXED', 'DETAIL'];
          ctx.print(
            formatTable(
              headers,
              res.findings.map((f) => [f.kind, f.key, f.fixed ? 'yes' : 'no', f.detail]),
            ),
          );
        }
        const scope = network ? `network ${network}` : 'every network';
        ctx.note(
          `audited ${scope}: ${res.keysChecked} keys at revision ${res.revision}, ` +
            `${res.findings.length} finding(s), ${res.findings.length - open} fixed`,
        );
      }
      const fixable = res.findings.filter((f) => !f.fixed && !NEVER_FIXED.has(f.kind)).length;
      if (open > 0)
        throw new CliError(
          `${open} finding(s) not repaired` +
            (fix || fixable === 0
              ? ': resolve them as each one says, then audit again'
              : '; run again with --fix to repair what is safe'),
        );
    },
  },
];
