import type { pb } from '@netspan/api';
import { boolFlag } from '../args.js';
import { dataText, isData, networkDetail, networksTable, usageTable } from '../output.js';
import {
  createNetworkRequest,
  networkCreateFlags,
  networkUpdateFlags,
  updateNetworkRequest,
} from '../requests.js';
import type { CommandSpec, Context } from '../spec.js';

function printNetwork(ctx: Context, res: { network: pb.Network | null }): void {
  if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
  else if (res.network) ctx.print(networkDetail(res.network));
}

const NAME_ARG = {
  name: 'NAME',
  required: true,
  help: 'network name: DNS label [a-z0-9-], 1..63 characters',
};

export const networkCommands: CommandSpec[] = [
  {
    group: 'network',
    verb: 'create',
    summary: 'Create a network',
    synopsis: 'NAME --cidr CIDR [flags]',
    args: [NAME_ARG],
    flags: networkCreateFlags(),
    examples: [
      'netspanctl network create blue --cidr 10.0.0.0/24 --gateway 10.0.0.1',
      'netspanctl network create web --cidr 10.1.0.0/24 --gateway 10.1.0.1 \\\n' +
        '    --pool 10.1.0.10-10.1.0.99,dyn --pool 10.1.0.100-10.1.0.199,static \\\n' +
        '    --exclude 10.1.0.50-10.1.0.59 --mode nat --dns 10.1.0.1 --route 10.20.0.0/16=10.1.0.254',
      'netspanctl network create lab --cidr 192.168.50.0/24 --encap vlan --vlan-id 50 -o json',
    ],
    async action(ctx, inv) {
      const req = createNetworkRequest(inv.args[0] as string, inv.flags);
      printNetwork(ctx, await ctx.call('network', 'CreateNetwork', req));
    },
  },
  {
    group: 'network',
    verb: 'get',
    summary: 'Show one network',
    synopsis: 'NAME',
    args: [NAME_ARG],
    flags: {},
    examples: ['netspanctl network get blue', 'netspanctl network get blue -o json'],
    async action(ctx, inv) {
      const res = await ctx.call('network', 'GetNetwork', { name: inv.args[0] as string });
      printNetwork(ctx, res);
    },
  },
  {
    group: 'network',
    verb: 'list',
    summary: 'List networks with their lease counts',
    synopsis: '',
    args: [],
    flags: {},
    examples: [
      'netspanctl network list',
      'netspanctl network list -o wide',
      'netspanctl network list -o json',
    ],
    async action(ctx) {
      if (isData(ctx.output)) {
        ctx.print(dataText(ctx.output, await ctx.call('network', 'ListNetworks', {})));
        return;
      }
      const [list, usage] = await Promise.all([
        ctx.call('network', 'ListNetworks', {}),
        // The lease columns are extras: a failing usage call still leaves a useful list.
        ctx.call('network', 'GetNetworkUsage', {}).catch(() => undefined),
      ]);
      if (list.networks.length === 0) {
        ctx.note('no networks; create one with `netspanctl network create NAME --cidr CIDR`');
        return;
      }
      const byName = usage ? new Map(usage.networks.map((u) => [u.network, u])) : undefined;
      ctx.print(networksTable(list.networks, byName, ctx.output === 'wide'));
    },
  },
  {
    group: 'network',
    verb: 'update',
    summary: 'Change some fields of a network (only the flags given)',
    synopsis: 'NAME [flags]',
    args: [NAME_ARG],
    flags: networkUpdateFlags(),
    examples: [
      'netspanctl network update blue --lease-time 7200',
      'netspanctl network update blue --pool 10.0.0.10-10.0.0.200 --dns 10.0.0.1 --dns 9.9.9.9',
      "netspanctl network update blue --dns ''          # clear the DNS servers",
      'netspanctl network update blue --mtu 1400 --expected-revision 42',
    ],
    notes: [
      'Only the fields named by the flags change (they are sent as the update_mask); list flags',
      "replace the whole list, and an empty value (--dns '') clears it. name, cidr and vni are immutable.",
    ],
    async action(ctx, inv) {
      const req = updateNetworkRequest(inv.args[0] as string, inv.flags);
      printNetwork(ctx, await ctx.call('network', 'UpdateNetwork', req));
    },
  },
  {
    group: 'network',
    verb: 'delete',
    summary: 'Delete a network',
    synopsis: 'NAME [--force]',
    args: [NAME_ARG],
    flags: {
      force: { type: 'boolean', help: "also delete the network's leases, client index and reservations" },
    },
    examples: ['netspanctl network delete blue', 'netspanctl network delete blue --force'],
    notes: ['Without --force, a network that still has leases is not deleted (FAILED_PRECONDITION).'],
    async action(ctx, inv) {
      const name = inv.args[0] as string;
      const force = boolFlag(inv.flags, 'force');
      const progress = ctx.progress(`deleting network ${name}${force ? ' and its leases' : ''}`);
      const res = await ctx.call('network', 'DeleteNetwork', { name, force });
      progress.done();
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else ctx.print(`network ${name} deleted (${res.leasesDeleted} leases deleted)`);
    },
  },
  {
    group: 'network',
    verb: 'usage',
    summary: 'Show pool utilisation of one or every network',
    synopsis: '[NAME]',
    args: [{ name: 'NAME', help: 'network name (default: every network)' }],
    flags: {},
    examples: [
      'netspanctl network usage',
      'netspanctl network usage blue -o wide',
      'netspanctl network usage -o json',
    ],
    async action(ctx, inv) {
      const req = { name: inv.args[0] ?? '' };
      const res = await ctx.call('network', 'GetNetworkUsage', req);
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.networks.length === 0) ctx.note('no networks');
      else ctx.print(usageTable(res.networks, ctx.output === 'wide'));
    },
  },
];
