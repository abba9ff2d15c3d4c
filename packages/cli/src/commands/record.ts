import { boolFlag, stringFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { dataText, isData, recordsTable } from '../output.js';
import type { CommandSpec } from '../spec.js';

const ZONE_ARG = { name: 'ZONE', required: true, help: "a network's domain or reverse zone" };
const TYPES = ['A', 'AAAA', 'CNAME', 'SRV', 'TXT', 'MX', 'PTR'];

function pbType(t: string | undefined, command: CommandSpec): string | undefined {
  if (t === undefined) return undefined;
  const up = t.toUpperCase();
  if (!TYPES.includes(up))
    throw new UsageError(`type: ${JSON.stringify(t)} is not one of ${TYPES.join(', ')}`, command);
  return `RECORD_TYPE_${up}`;
}

export const recordCommands: CommandSpec[] = [
  {
    group: 'record',
    verb: 'add',
    summary: 'Add a DNS record to a zone',
    synopsis: 'ZONE NAME TYPE DATA [--ttl SECONDS]',
    args: [
      ZONE_ARG,
      { name: 'NAME', required: true, help: 'relative to the zone: www, @ (apex), *.dev (wildcard)' },
      { name: 'TYPE', required: true, help: TYPES.join(', ') },
      {
        name: 'DATA',
        required: true,
        help: 'A 10.0.0.5 | AAAA fd00::5 | CNAME/PTR name (relative, or absolute with a dot) | TXT text | MX "10 mail" | SRV "0 5 80 web"',
      },
    ],
    flags: {
      ttl: { type: 'string', value: 'SECONDS', help: 'record TTL (default 0 = 300 s)' },
    },
    notes: [
      'A CNAME must be alone at its name, and not at the apex.',
      'Lease-derived records (<hostname>.<domain> A and its PTR) need no record: they follow the leases.',
    ],
    examples: [
      'netspanctl record add blue.netspan.internal www CNAME web1',
      'netspanctl record add blue.netspan.internal @ MX "10 mail"',
      'netspanctl record add blue.netspan.internal _http._tcp SRV "0 5 80 web1" --ttl 60',
      'netspanctl record add blue.netspan.internal "*.dev" A 10.0.0.99',
    ],
    async action(ctx, inv) {
      const [zone, name, type, data] = inv.args as [string, string, string, string];
      const ttlText = stringFlag(inv.flags, 'ttl');
      if (ttlText !== undefined && !/^\d{1,10}$/.test(ttlText))
        throw new UsageError(`--ttl: ${JSON.stringify(ttlText)} is not a number of seconds`, this);
      const res = await ctx.call('dns', 'CreateRecord', {
        record: {
          zone,
          name,
          type: pbType(type, this) as 'RECORD_TYPE_A',
          data,
          ...(ttlText !== undefined ? { ttl: Number(ttlText) } : {}),
        },
      });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.record) ctx.print(recordsTable([res.record], ctx.output === 'wide'));
    },
  },
  {
    group: 'record',
    verb: 'list',
    summary: "List a zone's records",
    synopsis: 'ZONE [--name NAME] [--type TYPE] [--leases]',
    args: [ZONE_ARG],
    flags: {
      name: { type: 'string', value: 'NAME', help: 'only this name (relative to the zone)' },
      type: { type: 'string', value: 'TYPE', help: `only this type (${TYPES.join(', ')})` },
      leases: { type: 'boolean', help: 'also list the records derived from leases (A, PTR)' },
    },
    examples: [
      'netspanctl record list blue.netspan.internal',
      'netspanctl record list blue.netspan.internal --leases',
      'netspanctl record list 0.0.10.in-addr.arpa --leases -o json',
    ],
    async action(ctx, inv) {
      const type = pbType(stringFlag(inv.flags, 'type'), this);
      const name = stringFlag(inv.flags, 'name');
      const res = await ctx.call('dns', 'ListRecords', {
        zone: inv.args[0] as string,
        ...(name !== undefined ? { name } : {}),
        ...(type !== undefined ? { type: type as 'RECORD_TYPE_A' } : {}),
        includeLeases: boolFlag(inv.flags, 'leases'),
      });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.records.length === 0) ctx.note('no records');
      else ctx.print(recordsTable(res.records, ctx.output === 'wide'));
    },
  },
  {
    group: 'record',
    verb: 'remove',
    summary: 'Remove a record by id',
    synopsis: 'ZONE ID',
    args: [ZONE_ARG, { name: 'ID', required: true, help: 'the id `record list` shows' }],
    flags: {},
    examples: ['netspanctl record remove blue.netspan.internal 3f2a9c0d1e4b5a69'],
    async action(ctx, inv) {
      const [zone, id] = inv.args as [string, string];
      const res = await ctx.call('dns', 'DeleteRecord', { zone, id });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.record)
        ctx.print(
          `removed ${res.record.name} ${res.record.type.replace('RECORD_TYPE_', '')} ${res.record.data} from ${zone}`,
        );
    },
  },
];
