import type { pb } from '@netspan/api';
import { boolFlag, parseChoice, parsePool, parseRange, parseRoute, parseUint, stringFlag } from './args.js';
import { UsageError } from './errors.js';
import type { FlagSpecs, Invocation } from './spec.js';

/** Pure builders: a parsed command line → the request message sent to ipamd. */

type Flags = Invocation['flags'];
type DhcpOptionsDraft = pb.DhcpOptions__Input;
type NetworkDraft = pb.Network__Input & { dhcpOptions?: DhcpOptionsDraft };

export const MODES = {
  isolated: 'FORWARD_MODE_ISOLATED',
  route: 'FORWARD_MODE_ROUTE',
  nat: 'FORWARD_MODE_NAT',
} as const satisfies Record<string, pb.ForwardMode>;

export const ENCAPSULATIONS = {
  vxlan: 'ENCAPSULATION_VXLAN',
  vlan: 'ENCAPSULATION_VLAN',
} as const satisfies Record<string, pb.Encapsulation>;

export const LEASE_STATES = {
  bound: 'LEASE_STATE_BOUND',
  offered: 'LEASE_STATE_OFFERED',
  declined: 'LEASE_STATE_DECLINED',
  expired: 'LEASE_STATE_EXPIRED',
} as const satisfies Record<string, pb.LeaseState>;

/** List flags whose items never contain commas also accept `--dns 1.1.1.1,9.9.9.9`. */
function splitList(values: readonly string[], commas: boolean): string[] {
  const items = commas ? values.flatMap((v) => v.split(',')) : [...values];
  // An empty value (`--dns ''`) clears the list on update.
  return items.map((v) => v.trim()).filter((v) => v !== '');
}

function dhcp(net: NetworkDraft): DhcpOptionsDraft {
  net.dhcpOptions ??= {};
  return net.dhcpOptions;
}

interface NetworkField {
  /** The proto field path sent in update_mask. */
  path: string;
  flag: FlagSpecs[string];
  apply(net: NetworkDraft, value: string | string[], flag: string): void;
}

/**
 * The network flags shared by `network create` and `network update`, each with the proto
 * field it sets and that field's update_mask path. Order = help order = mask order.
 */
export const NETWORK_FIELDS: Readonly<Record<string, NetworkField>> = {
  cidr: {
    path: 'cidr',
    flag: { type: 'string', value: 'CIDR', help: 'IPv4 prefix, e.g. 10.0.0.0/24; immutable' },
    apply: (n, v) => {
      n.cidr = v as string;
    },
  },
  gateway: {
    path: 'gateway',
    flag: { type: 'string', value: 'IP', help: 'gateway address inside the CIDR' },
    apply: (n, v) => {
      n.gateway = v as string;
    },
  },
  pool: {
    path: 'pools',
    flag: {
      type: 'string',
      multiple: true,
      value: 'START-END[,NAME]',
      help: 'address pool (default: the whole CIDR); update replaces all pools',
    },
    apply: (n, v) => {
      n.pools = splitList(v as string[], false).map(parsePool);
    },
  },
  exclude: {
    path: 'exclusions',
    flag: { type: 'string', multiple: true, value: 'START[-END]', help: 'never hand out these addresses' },
    apply: (n, v, f) => {
      n.exclusions = splitList(v as string[], false).map((r) => parseRange(f, r));
    },
  },
  'lease-time': {
    path: 'lease_time_seconds',
    flag: { type: 'string', value: 'SECONDS', help: 'DHCP lease time (default 3600)' },
    apply: (n, v, f) => {
      n.leaseTimeSeconds = parseUint(f, v as string);
    },
  },
  domain: {
    path: 'domain',
    flag: { type: 'string', value: 'DOMAIN', help: "guests' DNS zone (default NAME.netspan.internal)" },
    apply: (n, v) => {
      n.domain = v as string;
    },
  },
  vni: {
    path: 'vni',
    flag: { type: 'string', value: 'N', help: 'VXLAN network identifier (default: allocated)' },
    apply: (n, v, f) => {
      n.vni = parseUint(f, v as string);
    },
  },
  mode: {
    path: 'mode',
    flag: { type: 'string', value: 'MODE', help: 'isolated, route or nat (default isolated)' },
    apply: (n, v, f) => {
      n.mode = parseChoice(f, v as string, MODES);
    },
  },
  encap: {
    path: 'encapsulation',
    flag: { type: 'string', value: 'ENCAP', help: 'vxlan or vlan (default vxlan)' },
    apply: (n, v, f) => {
      n.encapsulation = parseChoice(f, v as string, ENCAPSULATIONS);
    },
  },
  'vlan-id': {
    path: 'vlan_id',
    flag: { type: 'string', value: 'N', help: '802.1Q VLAN id 1..4094 (with --encap vlan)' },
    apply: (n, v, f) => {
      n.vlanId = parseUint(f, v as string);
    },
  },
  router: {
    path: 'dhcp_options.routers',
    flag: { type: 'string', multiple: true, value: 'IP', help: 'DHCP routers (option 3)' },
    apply: (n, v) => {
      dhcp(n).routers = splitList(v as string[], true);
    },
  },
  dns: {
    path: 'dhcp_options.dns_servers',
    flag: { type: 'string', multiple: true, value: 'IP', help: 'DNS servers (option 6)' },
    apply: (n, v) => {
      dhcp(n).dnsServers = splitList(v as string[], true);
    },
  },
  mtu: {
    path: 'dhcp_options.mtu',
    flag: { type: 'string', value: 'N', help: 'interface MTU (option 26); 0 = derived (1450 on VXLAN)' },
    apply: (n, v, f) => {
      dhcp(n).mtu = parseUint(f, v as string, { max: 65535 });
    },
  },
  search: {
    path: 'dhcp_options.domain_search',
    flag: { type: 'string', multiple: true, value: 'DOMAIN', help: 'DNS search domains (option 119)' },
    apply: (n, v) => {
      dhcp(n).domainSearch = splitList(v as string[], true);
    },
  },
  route: {
    path: 'dhcp_options.static_routes',
    flag: { type: 'string', multiple: true, value: 'DST_CIDR=GW', help: 'static route (option 121)' },
    apply: (n, v) => {
      dhcp(n).staticRoutes = splitList(v as string[], false).map(parseRoute);
    },
  },
  ntp: {
    path: 'dhcp_options.ntp_servers',
    flag: { type: 'string', multiple: true, value: 'IP', help: 'NTP servers (option 42)' },
    apply: (n, v) => {
      dhcp(n).ntpServers = splitList(v as string[], true);
    },
  },
  description: {
    path: 'description',
    flag: { type: 'string', value: 'TEXT', help: 'free text, at most 256 characters' },
    apply: (n, v) => {
      n.description = v as string;
    },
  },
  relay: {
    path: 'relay_addresses',
    flag: {
      type: 'string',
      multiple: true,
      value: 'IP',
      help: 'DHCP relay (giaddr) outside the CIDR whose packets belong to this network',
    },
    apply: (n, v) => {
      n.relayAddresses = splitList(v as string[], true);
    },
  },
  'service-address': {
    path: 'service_address',
    flag: {
      type: 'string',
      value: 'IP',
      help: "address every host's bridge holds (DHCP server id); default gateway, else last usable",
    },
    apply: (n, v) => {
      n.serviceAddress = v as string;
    },
  },
};

/** Flag specs for `network create` (where --cidr is required). */
export function networkCreateFlags(): FlagSpecs {
  const specs: FlagSpecs = {};
  for (const [name, field] of Object.entries(NETWORK_FIELDS)) specs[name] = { ...field.flag };
  (specs.cidr as FlagSpecs[string]).required = true;
  return specs;
}

/** Flag specs for `network update`. */
export function networkUpdateFlags(): FlagSpecs {
  const specs: FlagSpecs = {};
  for (const [name, field] of Object.entries(NETWORK_FIELDS)) specs[name] = { ...field.flag };
  specs['expected-revision'] = {
    type: 'string',
    value: 'REV',
    help: 'apply only if the stored revision still equals REV (see `network get`)',
  };
  return specs;
}

/**
 * The network described by the given flags, and the update_mask paths of exactly the fields
 * those flags set (in NETWORK_FIELDS order, without duplicates).
 */
export function networkFromFlags(
  name: string,
  flags: Flags,
): { network: NetworkDraft; updateMask: string[] } {
  const network: NetworkDraft = { name };
  const updateMask: string[] = [];
  for (const [flag, field] of Object.entries(NETWORK_FIELDS)) {
    const value = flags.get(flag);
    if (value === undefined || typeof value === 'boolean') continue;
    field.apply(network, value, flag);
    if (!updateMask.includes(field.path)) updateMask.push(field.path);
  }
  return { network, updateMask };
}

export function createNetworkRequest(name: string, flags: Flags): pb.CreateNetworkRequest__Input {
  return { network: networkFromFlags(name, flags).network };
}

/** Only the given flags are sent and masked, so everything else stays as stored. */
export function updateNetworkRequest(name: string, flags: Flags): pb.UpdateNetworkRequest__Input {
  const { network, updateMask } = networkFromFlags(name, flags);
  if (updateMask.length === 0) {
    // An empty mask means "every mutable field" to the server: never send one by accident.
    throw new UsageError('nothing to update: give at least one flag to change');
  }
  const req: pb.UpdateNetworkRequest__Input = { network, updateMask };
  const rev = stringFlag(flags, 'expected-revision');
  if (rev !== undefined)
    req.expectedRevision = parseUint('expected-revision', rev, { max: Number.MAX_SAFE_INTEGER });
  return req;
}

// ---------- leases ----------

export function allocateRequest(network: string, flags: Flags): pb.AllocateRequest__Input {
  const req: pb.AllocateRequest__Input = { network };
  const clientId = stringFlag(flags, 'client-id');
  const address = stringFlag(flags, 'address');
  const pool = stringFlag(flags, 'pool');
  const mac = stringFlag(flags, 'mac');
  const hostname = stringFlag(flags, 'hostname');
  const ttl = stringFlag(flags, 'ttl');
  if (clientId !== undefined) req.clientId = clientId;
  if (address !== undefined) req.address = address;
  if (pool !== undefined) req.pool = pool;
  if (mac !== undefined) req.mac = mac;
  if (hostname !== undefined) req.hostname = hostname;
  if (ttl !== undefined) req.ttlSeconds = parseUint('ttl', ttl);
  return req;
}

export function releaseRequest(
  network: string,
  address: string | undefined,
  flags: Flags,
): pb.ReleaseRequest__Input {
  const clientId = stringFlag(flags, 'client-id');
  const force = boolFlag(flags, 'force');
  if (address === undefined && clientId === undefined) {
    throw new UsageError('give the ADDRESS to release or --client-id ID');
  }
  if (clientId === undefined && !force) {
    throw new UsageError(
      `give --client-id (the holder of ${address}) or --force to release it whoever holds it`,
    );
  }
  const req: pb.ReleaseRequest__Input = { network };
  if (address !== undefined) req.address = address;
  if (clientId !== undefined) req.clientId = clientId;
  if (force) req.force = true;
  return req;
}

export function getLeaseRequest(
  network: string,
  address: string | undefined,
  flags: Flags,
): pb.GetLeaseRequest__Input {
  const clientId = stringFlag(flags, 'client-id');
  if ((address === undefined) === (clientId === undefined)) {
    throw new UsageError('give either the ADDRESS or --client-id ID (exactly one)');
  }
  return address !== undefined ? { network, address } : { network, clientId };
}

export const MAX_PAGE_SIZE = 1000;

export function listLeasesRequest(flags: Flags): pb.ListLeasesRequest__Input {
  const req: pb.ListLeasesRequest__Input = {};
  const network = stringFlag(flags, 'network');
  const host = stringFlag(flags, 'host');
  const state = stringFlag(flags, 'state');
  const limit = stringFlag(flags, 'limit');
  if (network !== undefined) req.network = network;
  if (host !== undefined) req.host = host;
  if (state !== undefined) req.state = parseChoice('state', state, LEASE_STATES);
  if (limit !== undefined) req.pageSize = parseUint('limit', limit, { min: 1, max: MAX_PAGE_SIZE });
  return req;
}

// ---------- reservations ----------

export function addReservationRequest(network: string, flags: Flags): pb.AddReservationRequest__Input {
  const reservation: pb.Reservation__Input = {
    network,
    mac: stringFlag(flags, 'mac') ?? '',
    address: stringFlag(flags, 'address') ?? '',
  };
  const hostname = stringFlag(flags, 'hostname');
  const description = stringFlag(flags, 'description');
  if (hostname !== undefined) reservation.hostname = hostname;
  if (description !== undefined) reservation.description = description;
  return { reservation };
}
