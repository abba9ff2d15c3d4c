import { stringFlag } from '../args.js';
import { dataText, isData, reservationsTable } from '../output.js';
import { addReservationRequest } from '../requests.js';
import type { CommandSpec } from '../spec.js';

const NETWORK_ARG = { name: 'NETWORK', required: true, help: 'network name' };

export const reservationCommands: CommandSpec[] = [
  {
    group: 'reservation',
    verb: 'add',
    summary: 'Reserve a fixed address for a MAC',
    synopsis: 'NETWORK --mac MAC --address A [--hostname H] [--description T]',
    args: [NETWORK_ARG],
    flags: {
      mac: { type: 'string', value: 'MAC', required: true, help: 'aa:bb:cc:dd:ee:ff (any case, - or :)' },
      address: {
        type: 'string',
        value: 'A',
        required: true,
        help: 'inside the CIDR; may lie outside the pools',
      },
      hostname: { type: 'string', value: 'H', help: 'DNS name for the guest' },
      description: { type: 'string', value: 'T', help: 'free text' },
    },
    examples: [
      'netspanctl reservation add blue --mac 52:54:00:12:34:56 --address 10.0.0.5 --hostname db1',
      'netspanctl reservation add blue --mac 52-54-00-AB-CD-EF --address 10.0.0.6 --description "build box"',
    ],
    async action(ctx, inv) {
      const res = await ctx.call(
        'ipam',
        'AddReservation',
        addReservationRequest(inv.args[0] as string, inv.flags),
      );
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.reservation) ctx.print(reservationsTable([res.reservation], ctx.output === 'wide'));
    },
  },
  {
    group: 'reservation',
    verb: 'list',
    summary: "List a network's reservations",
    synopsis: 'NETWORK',
    args: [NETWORK_ARG],
    flags: {},
    examples: ['netspanctl reservation list blue', 'netspanctl reservation list blue -o json'],
    async action(ctx, inv) {
      const res = await ctx.call('ipam', 'ListReservations', { network: inv.args[0] as string });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.reservations.length === 0) ctx.note('no reservations');
      else ctx.print(reservationsTable(res.reservations, ctx.output === 'wide'));
    },
  },
  {
    group: 'reservation',
    verb: 'remove',
    summary: 'Remove the reservation of a MAC',
    synopsis: 'NETWORK --mac MAC',
    args: [NETWORK_ARG],
    flags: { mac: { type: 'string', value: 'MAC', required: true, help: 'the reserved MAC' } },
    examples: ['netspanctl reservation remove blue --mac 52:54:00:12:34:56'],
    async action(ctx, inv) {
      const network = inv.args[0] as string;
      const mac = stringFlag(inv.flags, 'mac') as string;
      const res = await ctx.call('ipam', 'RemoveReservation', { network, mac });
      if (isData(ctx.output)) ctx.print(dataText(ctx.output, res));
      else if (res.reservation) {
        ctx.print(
          `removed reservation ${res.reservation.mac} -> ${res.reservation.address} in network ${network}`,
        );
      }
    },
  },
];
