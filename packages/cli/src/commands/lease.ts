import type { pb } from '@netspan/api';
import { boolFlag, stringFlag } from '../args.js';
import { CliError } from '../errors.js';
import { dataText, isData, leaseDetail, leasesTable, leaseWatchHeader, leaseWatchLine } from '../output.js';
import { allocateRequest, getLeaseRequest, listLeasesRequest, releaseRequest } from '../requests.js';
import type { CommandSpec } from '../spec.js';

const NETWORK_ARG = { name: 'NETWORK', required: true, help: 'network name' };
const ADDRESS_ARG = { name: 'ADDRESS', help: 'the leased address (or give --client-id)' };
const CLIENT_ID = {
  type: 'string',
  value: 'ID',
  help: 'client identity (1..255 printable ASCII); the same ID always gets the same address back',
} as const;

export const leaseCommands: CommandSpec[] = [
  {
    group: 'lease',
    verb: 'allocate',
    summary: 'Allocate an address (idempotent per --client-id)',
    synopsis: 'NETWORK [--address A] [--client-id ID] [flags]',
    args: [NETWORK_ARG],
    flags: {
      address: { type: 'string', value: 'A', help: 'claim this address (default: any free one)' },
      'client-id': { ...CLIENT_ID, help: `${CLIENT_ID.help} (default: a fresh identity)` },
      mac: { type: 'string', value: 'MAC', help: "client's MAC; a reservation for it wins over everything" },
      hostname: { type: 'string', value: 'H', help: 'DNS name in the network domain' },
      pool: { type: 'string', value: 'NAME', help: 'take the address from this pool' },
      ttl: { type: 'string', value: 'SECONDS', help: 'lease lifetime (default 0 = no expiry)' },
    },
    examples: [
      'netspanctl lease allocate blue --client-id vm-42 --hostname web1',
      'netspanctl lease allocate blue --address 10.0.0.20 --client-id vm-43 -o json',
      'netspanctl lease allocate blue --mac 52:54:00:12:34:56 --pool dyn --ttl 3600',
    ],
    notes: [
      '-o json prints the AllocateResponse: {"lease": {...}, "created": false when the client already held it}.',
    ],
    async action(ctx, inv) {
      const res = await ctx.call('ipam', 'Allocate', allocateRequest(inv.args[0] as string, inv.flags));
      if (isData(ctx.output)) {
        ctx.print(dataText(ctx.output, res));
        return;
      }
      if (res.lease) ctx.print(leasesTable([res.lease], ctx.now(), ctx.output === 'wide'));
      if (!res.created) ctx.note('note: the client already held this lease; nothing changed');
    },
  },
  {
    group: 'lease',
    verb: 'release',
    summary: 'Release a lease',
    synopsis: 'NETWORK (ADDRESS | --client-id ID) [--client-id ID] [--force]',
    args: [NETWORK_ARG, ADDRESS_ARG],
    flags: {
      'client-id': { ...CLIENT_ID, help: 'the holder; without ADDRESS, release whatever it holds' },
      force: { type: 'boolean', help: 'operator override: release the address whoever holds it' },
    },
    examples: [
      'netspanctl lease release blue --client-id vm-42',
      'netspanctl lease release blue 10.0.0.20 --client-id vm-43',
      'netspanctl lease release blue 10.0.0.20 --force',
    ],
    async action(ctx, inv) {
      const req = releaseRequest(inv.args[0] as string, inv.args[1], inv.flags);
      const res = await ctx.call('ipam', 'Release', req);
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.lease) {
        ctx.print(
          `released ${res.lease.address} (client ${res.lease.clientId}) in network ${res.lease.network}`,
        );
      }
    },
  },
  {
    group: 'lease',
    verb: 'get',
    summary: 'Show one lease, by address or by client',
    synopsis: 'NETWORK (ADDRESS | --client-id ID)',
    args: [NETWORK_ARG, ADDRESS_ARG],
    flags: { 'client-id': { ...CLIENT_ID, help: 'look the lease up by its client identity' } },
    examples: ['netspanctl lease get blue 10.0.0.20', 'netspanctl lease get blue --client-id vm-42 -o json'],
    async action(ctx, inv) {
      const req = getLeaseRequest(inv.args[0] as string, inv.args[1], inv.flags);
      const res = await ctx.call('ipam', 'GetLease', req);
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.lease) ctx.print(leaseDetail(res.lease, ctx.now()));
    },
  },
  {
    group: 'lease',
    verb: 'list',
    summary: 'List leases',
    synopsis: '[--network N] [--host H] [--state S] [--limit N] [--all]',
    args: [],
    flags: {
      network: { type: 'string', value: 'N', help: 'only this network (default: every network)' },
      host: { type: 'string', value: 'H', help: 'only leases last seen through this host (agent id)' },
      state: { type: 'string', value: 'S', help: 'bound, offered, declined or expired' },
      limit: { type: 'string', value: 'N', help: 'page size, 1..1000 (server default 100)' },
      all: { type: 'boolean', help: 'follow next_page_token and list every page' },
    },
    examples: [
      'netspanctl lease list --network blue',
      'netspanctl lease list --host hv-01 --state bound --all -o wide',
      'netspanctl lease list --all -o json',
    ],
    notes: [
      'Without --all one page is listed; a note on stderr says when there are more.',
      'With --all and -o json, every page is printed as one {"leases": [...], "nextPageToken": ""}.',
    ],
    async action(ctx, inv) {
      const req = listLeasesRequest(inv.flags);
      const all = boolFlag(inv.flags, 'all');
      const progress = all ? ctx.progress('listing leases') : undefined;
      let page = await ctx.call('ipam', 'ListLeases', req);
      const leases: pb.Lease[] = [...page.leases];
      for (let pages = 1; all && page.nextPageToken; pages++) {
        progress?.update(`${leases.length} leases, ${pages} page(s)`);
        page = await ctx.call('ipam', 'ListLeases', { ...req, pageToken: page.nextPageToken });
        leases.push(...page.leases);
      }
      progress?.done();
      const nextPageToken = all ? '' : page.nextPageToken;
      if (isData(ctx.output)) {
        ctx.print(dataText(ctx.output, all ? { leases, nextPageToken } : page));
        return;
      }
      if (leases.length === 0) ctx.note('no leases');
      else ctx.print(leasesTable(leases, ctx.now(), ctx.output === 'wide'));
      if (nextPageToken)
        ctx.note(`note: ${leases.length} leases shown, more exist: add --all to list every page`);
    },
  },
  {
    group: 'lease',
    verb: 'watch',
    summary: 'Follow lease changes live (Ctrl-C stops)',
    synopsis: '[--network N] [--initial]',
    args: [],
    flags: {
      network: { type: 'string', value: 'N', help: 'only this network (default: every network)' },
      initial: { type: 'boolean', help: 'first print every current lease as a PUT' },
    },
    examples: [
      'netspanctl lease watch',
      'netspanctl lease watch --network blue --initial',
      'netspanctl lease watch -o json | jq -c \'select(.type == "TYPE_DELETE")\'',
    ],
    notes: [
      'One line per change as ipamd sees it: PUT (created, renewed, moved) or DELETE (released,',
      'reclaimed). -o json prints one LeaseEvent per line (JSON Lines), -o yaml one document each.',
      'The stream ends when ipamd stops (exit 1) or on Ctrl-C (exit 0).',
    ],
    async action(ctx, inv) {
      const network = stringFlag(inv.flags, 'network') ?? '';
      const events = ctx.watchLeases({ network, initial: boolFlag(inv.flags, 'initial') });
      if (!isData(ctx.output)) {
        ctx.note(`watching leases${network ? ` of network ${network}` : ''} on ${ctx.server}; Ctrl-C stops`);
        ctx.print(leaseWatchHeader());
      }
      for await (const e of events) {
        if (ctx.output === 'json') ctx.print(JSON.stringify(e));
        else if (ctx.output === 'yaml') ctx.print(`---\n${dataText('yaml', e)}`);
        else ctx.print(leaseWatchLine(e, ctx.now()));
      }
      if (!ctx.signal.aborted)
        throw new CliError(`the lease stream from ${ctx.server} ended (ipamd stopped?)`);
    },
  },
];
