import { stringFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { formatTable, formatTime } from '../format.js';
import { dataText, isData } from '../output.js';
import type { CommandSpec } from '../spec.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "30m", "12h", "7d" → seconds; "0" = never expires. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl: ${JSON.stringify(text)} is not a duration (e.g. 3600, 30m, 12h, 7d)`);
  return Number(m[1]) * (UNITS[m[2] || 's'] as number);
}

export const tokenCommands: CommandSpec[] = [
  {
    group: 'token',
    verb: 'create',
    summary: 'Create a join token for agents (the secret is shown once)',
    synopsis: '[--ttl DURATION] [--host HOST] [--description T]',
    args: [],
    flags: {
      ttl: { type: 'string', value: 'DURATION', help: 'lifetime: 3600, 30m, 12h, 7d; 0 = never expires' },
      host: { type: 'string', value: 'HOST', help: 'only this host id may register with it' },
      description: { type: 'string', value: 'T', help: 'free text' },
    },
    examples: [
      'netspanctl token create --ttl 1h',
      'netspanctl token create --ttl 7d --host rack1-node4 --description "rack 1 rollout"',
      'netspanctl token create --ttl 30m -o json | jq -r .token.secret',
    ],
    async action(ctx, inv) {
      const ttl = stringFlag(inv.flags, 'ttl');
      const res = await ctx.call('admin', 'CreateToken', {
        ttlSeconds: ttl === undefined ? 0 : parseTtl(ttl),
        hostId: stringFlag(inv.flags, 'host') ?? '',
        description: stringFlag(inv.flags, 'description') ?? '',
      });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.token) {
        ctx.print(res.token.secret);
        ctx.note(
          `token ${res.token.id} created; ${res.token.expiresAtMs ? `expires ${formatTime(Number(res.token.expiresAtMs))}` : 'never expires'}. ` +
            'Pass it to agents with --join-token (or NETSPAN_JOIN_TOKEN); it is not shown again.',
        );
      }
    },
  },
  {
    group: 'token',
    verb: 'list',
    summary: 'List join tokens (never their secrets)',
    synopsis: '',
    args: [],
    flags: {},
    examples: ['netspanctl token list', 'netspanctl token list -o json'],
    async action(ctx) {
      const res = await ctx.call('admin', 'ListTokens', {});
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.tokens.length === 0) ctx.note('no tokens');
      else {
        const now = ctx.now();
        ctx.print(
          formatTable(
            ['ID', 'HOST', 'EXPIRES', 'CREATED', 'DESCRIPTION'],
            res.tokens.map((t) => {
              const exp = Number(t.expiresAtMs);
              return [
                t.id,
                t.hostId || '(any)',
                exp === 0 ? 'never' : exp <= now ? 'expired' : formatTime(exp),
                formatTime(Number(t.createdAtMs)),
                t.description,
              ];
            }),
          ),
        );
      }
    },
  },
  {
    group: 'token',
    verb: 'revoke',
    summary: 'Revoke a join token (agents using it are disconnected within 30 s)',
    synopsis: 'ID',
    args: [{ name: 'ID', required: true, help: 'token id (the part before the dot)' }],
    flags: {},
    examples: ['netspanctl token revoke 3f9a1c0b22de'],
    async action(ctx, inv) {
      const id = (inv.args[0] as string).split('.')[0] as string;
      const res = await ctx.call('admin', 'RevokeToken', { id });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else ctx.print(`revoked token ${id}`);
    },
  },
];

export const hostCommands: CommandSpec[] = [
  {
    group: 'host',
    verb: 'list',
    summary: 'List live agents: VTEP, last heartbeat, networks',
    synopsis: '',
    args: [],
    flags: {},
    examples: ['netspanctl host list', 'netspanctl host list -o wide', 'netspanctl host list -o json'],
    async action(ctx) {
      const res = await ctx.call('admin', 'ListHosts', {});
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.hosts.length === 0) ctx.note('no live agents');
      else {
        const wide = ctx.output === 'wide';
        const now = ctx.now();
        const headers = ['HOST', 'VTEP', 'LAST HEARTBEAT', 'NETWORKS'];
        if (wide) headers.push('SINCE', 'REPLICA', 'VERSION');
        ctx.print(
          formatTable(
            headers,
            res.hosts.map((h) => {
              const hb = Number(h.lastHeartbeatMs);
              const row = [
                h.hostId,
                h.vtepAddress,
                hb ? `${Math.max(0, Math.round((now - hb) / 1000))}s ago` : `live (via ${h.serverId})`,
                h.networks.join(',') || '-',
              ];
              if (wide) row.push(formatTime(Number(h.registeredAtMs)), h.serverId, h.agentVersion);
              return row;
            }),
          ),
        );
      }
    },
  },
];
