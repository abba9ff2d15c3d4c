import { invalid } from './errors.js';
import { type Cidr, cidrContains, formatIPv4, parseCidr, parseIPv4, requireIPv4, type U32 } from './ipv4.js';

export type ForwardMode = 'isolated' | 'route' | 'nat';
export type Encapsulation = 'vxlan' | 'vlan';

export interface Pool {
  name: string;
  start: string;
  end: string;
}
export interface AddressRange {
  start: string;
  end: string;
}
export interface StaticRoute {
  destination: string;
  gateway: string;
}
export interface DhcpOptions {
  routers: string[];
  dnsServers: string[];
  /** 0 = derived from the encapsulation. */
  mtu: number;
  domainSearch: string[];
  staticRoutes: StaticRoute[];
  ntpServers: string[];
}

/** A network as stored in etcd (`networks/<name>`): the validated, defaulted definition. */
export interface Network {
  name: string;
  cidr: string;
  gateway: string;
  pools: Pool[];
  exclusions: AddressRange[];
  leaseTimeSeconds: number;
  domain: string;
  dhcpOptions: DhcpOptions;
  vni: number;
  mode: ForwardMode;
  encapsulation: Encapsulation;
  vlanId: number;
  description: string;
  /** giaddrs outside the CIDR whose relayed packets belong to this network. */
  relayAddresses: string[];
  /**
   * The address every host's bridge holds (DHCP server identifier for agent-relayed
   * guests), as given; '' = the default, see {@link effectiveServiceAddress}.
   */
  serviceAddress: string;
  createdAtMs: number;
}

/** A network plus the etcd revisions it was read at (compare targets for transactions). */
export interface StoredNetwork {
  network: Network;
  revision: number;
  createRevision: number;
}

export type NetworkInput = Partial<Omit<Network, 'dhcpOptions'>> & { dhcpOptions?: Partial<DhcpOptions> };

export const DEFAULT_LEASE_TIME = 3600;
export const MAX_VNI = 16_777_215;
export const VXLAN_OVERHEAD = 50;
export const DEFAULT_VXLAN_MTU = 1450;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isDnsLabel(s: string): boolean {
  return LABEL.test(s);
}

/** A DNS name of 1+ labels (no trailing dot needed), at most 253 characters. */
export function isDnsName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_NAME_LABEL.test(l));
}

export function validateNetworkName(name: string | undefined, field = 'name'): string {
  if (!name) throw invalid(field, 'is required');
  if (!isDnsLabel(name)) {
    throw invalid(
      field,
      `${JSON.stringify(name)} is not a DNS label (lower-case a-z, 0-9 and '-', 1-63 characters, no leading or trailing '-')`,
    );
  }
  return name;
}

/**
 * Validates a network definition and fills in defaults. Every error is INVALID_ARGUMENT
 * naming the offending field. `vni` 0 stays 0 (the store allocates one).
 */
export function normalizeNetwork(input: NetworkInput, now = Date.now()): Network {
  const name = validateNetworkName(input.name);
  const cidr = parseCidr(input.cidr ?? '', 'cidr', { minPrefix: 8, maxPrefix: 30 });
  const inCidr = (text: string, field: string): U32 => {
    const ip = requireIPv4(text, field);
    if (!cidrContains(cidr, ip)) throw invalid(field, `${text} is outside ${cidr.text}`);
    return ip;
  };
  const notEdge = (ip: U32, field: string, text: string) => {
    if (ip === cidr.base) throw invalid(field, `${text} is the network address of ${cidr.text}`);
    if (ip === cidr.last) throw invalid(field, `${text} is the broadcast address of ${cidr.text}`);
  };

  let gateway: U32 | undefined;
  if (input.gateway) {
    gateway = inCidr(input.gateway, 'gateway');
    notEdge(gateway, 'gateway', input.gateway);
  }

  const exclusions: AddressRange[] = [];
  (input.exclusions ?? []).forEach((r, i) => {
    const f = `exclusions[${i}]`;
    const s = inCidr(r.start ?? '', `${f}.start`);
    const e = r.end ? inCidr(r.end, `${f}.end`) : s;
    if (e < s) throw invalid(f, `range ${r.start}-${r.end} is reversed`);
    exclusions.push({ start: formatIPv4(s), end: formatIPv4(e) });
  });

  const pools: Pool[] = [];
  const spans: { s: U32; e: U32; i: number }[] = [];
  const names = new Set<string>((input.pools ?? []).map((p) => p.name).filter(Boolean));
  const autoName = (i: number) => {
    let n = `pool${i}`;
    for (let k = i; names.has(n); k++) n = `pool${k + 1}`;
    return n;
  };
  const seenNames = new Set<string>();
  (input.pools ?? []).forEach((p, i) => {
    const f = `pools[${i}]`;
    const s = inCidr(p.start ?? '', `${f}.start`);
    const e = inCidr(p.end ?? '', `${f}.end`);
    if (e < s) throw invalid(f, `range ${p.start}-${p.end} is reversed`);
    notEdge(s, `${f}.start`, p.start);
    notEdge(e, `${f}.end`, p.end);
    const poolName = p.name || autoName(i);
    if (!isDnsLabel(poolName)) throw invalid(`${f}.name`, `${JSON.stringify(p.name)} is not a DNS label`);
    if (seenNames.has(poolName)) throw invalid(`${f}.name`, `duplicate pool name ${poolName}`);
    seenNames.add(poolName);
    names.add(poolName);
    for (const o of spans) {
      if (s <= o.e && o.s <= e) throw invalid(f, `range ${p.start}-${p.end} overlaps pools[${o.i}]`);
    }
    spans.push({ s, e, i });
    pools.push({ name: poolName, start: formatIPv4(s), end: formatIPv4(e) });
  });
  if (pools.length === 0) {
    pools.push({ name: 'pool0', start: formatIPv4(cidr.base + 1), end: formatIPv4(cidr.last - 1) });
  }

  const leaseTimeSeconds = input.leaseTimeSeconds || DEFAULT_LEASE_TIME;
  if (!Number.isInteger(leaseTimeSeconds) || leaseTimeSeconds < 60 || leaseTimeSeconds > 31_536_000) {
    throw invalid('lease_time_seconds', `${input.leaseTimeSeconds} is outside 60..31536000`);
  }

  const domain = (input.domain || `${name}.netspan.internal`).toLowerCase().replace(/\.$/, '');
  if (!isDnsName(domain)) throw invalid('domain', `${JSON.stringify(input.domain)} is not a DNS name`);

  const vni = input.vni ?? 0;
  if (!Number.isInteger(vni) || vni < 0 || vni > MAX_VNI)
    throw invalid('vni', `${vni} is outside 1..${MAX_VNI} (0 = allocate one)`);

  const mode = input.mode ?? 'isolated';
  if (!['isolated', 'route', 'nat'].includes(mode))
    throw invalid('mode', `unknown mode ${JSON.stringify(mode)}`);
  if (mode !== 'isolated' && gateway === undefined) throw invalid('gateway', `is required in ${mode} mode`);
  const encapsulation = input.encapsulation ?? 'vxlan';
  if (!['vxlan', 'vlan'].includes(encapsulation)) {
    throw invalid('encapsulation', `unknown encapsulation ${JSON.stringify(encapsulation)}`);
  }
  const vlanId = input.vlanId ?? 0;
  if (encapsulation === 'vlan') {
    if (!Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094)
      throw invalid('vlan_id', `${vlanId} is outside 1..4094`);
  } else if (vlanId !== 0) {
    throw invalid('vlan_id', 'is only valid with VLAN encapsulation');
  }

  let serviceAddress = '';
  if (input.serviceAddress) {
    const ip = inCidr(input.serviceAddress, 'service_address');
    notEdge(ip, 'service_address', input.serviceAddress);
    serviceAddress = formatIPv4(ip);
  }

  const description = input.description ?? '';
  if (description.length > 256) throw invalid('description', 'is longer than 256 characters');

  const o = input.dhcpOptions ?? {};
  const ipList = (list: string[] | undefined, field: string) =>
    (list ?? []).map((a, i) => formatIPv4(requireIPv4(a, `${field}[${i}]`)));
  // Routers are stored as given; an empty list means "the gateway" (effectiveRouters), so
  // a later gateway change is not shadowed by a stale copy.
  const routers = (o.routers ?? []).map((r, i) => {
    const f = `dhcp_options.routers[${i}]`;
    const ip = inCidr(r, f);
    notEdge(ip, f, r);
    return formatIPv4(ip);
  });
  const mtu = o.mtu ?? 0;
  if (!Number.isInteger(mtu) || (mtu !== 0 && (mtu < 576 || mtu > 9000))) {
    throw invalid('dhcp_options.mtu', `${mtu} is outside 576..9000`);
  }
  const domainSearch = (o.domainSearch ?? []).map((d, i) => {
    if (!isDnsName(d))
      throw invalid(`dhcp_options.domain_search[${i}]`, `${JSON.stringify(d)} is not a DNS name`);
    return d.toLowerCase().replace(/\.$/, '');
  });
  const staticRoutes = (o.staticRoutes ?? []).map((r, i) => {
    const f = `dhcp_options.static_routes[${i}]`;
    const dst = parseCidr(r.destination ?? '', `${f}.destination`);
    const gw = inCidr(r.gateway ?? '', `${f}.gateway`);
    return { destination: dst.text, gateway: formatIPv4(gw) };
  });

  return {
    name,
    cidr: cidr.text,
    gateway: gateway === undefined ? '' : formatIPv4(gateway),
    pools,
    exclusions,
    leaseTimeSeconds,
    domain,
    dhcpOptions: {
      routers,
      dnsServers: ipList(o.dnsServers, 'dhcp_options.dns_servers'),
      mtu,
      domainSearch,
      staticRoutes,
      ntpServers: ipList(o.ntpServers, 'dhcp_options.ntp_servers'),
    },
    vni,
    mode,
    encapsulation,
    vlanId,
    description,
    relayAddresses: ipList(input.relayAddresses, 'relay_addresses'),
    serviceAddress,
    createdAtMs: input.createdAtMs || now,
  };
}

/**
 * The address every host's bridge holds for the network: guests see it as the DHCP server
 * identifier and unicast renewals to it from any host. The configured one, else the
 * gateway (in route/nat mode the distributed gateway is on every host anyway), else the
 * last usable address of the CIDR. It is never handed out.
 */
export function effectiveServiceAddress(net: Network): string {
  if (net.serviceAddress) return net.serviceAddress;
  if (net.gateway) return net.gateway;
  const cidr = parseCidr(net.cidr, 'cidr');
  return formatIPv4(cidr.last - 1);
}

/**
 * The bridge MAC every host uses for the network: locally administered unicast
 * `02:6e:73:<vni as 3 bytes>` ("ns"), so the service address resolves to the same MAC on
 * every host and a guest's unicast to it is delivered by its own host's bridge.
 */
export function serviceMacFor(vni: number): string {
  const b = [0x02, 0x6e, 0x73, (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Routers handed to guests (option 3): the configured ones, else the gateway. */
export function effectiveRouters(net: Network): string[] {
  if (net.dhcpOptions.routers.length > 0) return net.dhcpOptions.routers;
  return net.gateway ? [net.gateway] : [];
}

/**
 * Classless static routes (option 121). RFC 3442: a client that accepts option 121
 * ignores option 3, so the default route is carried along when routers exist.
 */
export function effectiveStaticRoutes(net: Network): StaticRoute[] {
  const routes = net.dhcpOptions.staticRoutes;
  const routers = effectiveRouters(net);
  if (routes.length === 0 || routers.length === 0 || routes.some((r) => r.destination === '0.0.0.0/0'))
    return routes;
  return [...routes, { destination: '0.0.0.0/0', gateway: routers[0] as string }];
}

/** The MTU guests get: explicit option, else underlay minus VXLAN overhead. */
export function effectiveMtu(net: Network, underlayMtu = 1500): number {
  if (net.dhcpOptions.mtu) return net.dhcpOptions.mtu;
  return net.encapsulation === 'vxlan' ? underlayMtu - VXLAN_OVERHEAD : underlayMtu;
}

export interface CompiledPool {
  name: string;
  /** Offsets from the network base, inclusive. */
  start: number;
  end: number;
  /** Addresses the pool can hand out (exclusions and gateway removed). */
  size: number;
}

/** A network's address plan in offsets from its base, ready for bitset indexing. */
export interface CompiledNetwork {
  network: Network;
  cidr: Cidr;
  pools: CompiledPool[];
  /** Offsets never handed out: network, broadcast, gateway, service address, exclusions. */
  blocked: Array<[number, number]>;
}

export function compileNetwork(net: Network): CompiledNetwork {
  const cidr = parseCidr(net.cidr, 'cidr');
  const blocked: Array<[number, number]> = [
    [0, 0],
    [cidr.size - 1, cidr.size - 1],
  ];
  if (net.gateway) {
    const g = (parseIPv4(net.gateway) as number) - cidr.base;
    blocked.push([g, g]);
  }
  const service = (parseIPv4(effectiveServiceAddress(net)) as number) - cidr.base;
  blocked.push([service, service]);
  for (const r of net.exclusions) {
    blocked.push([(parseIPv4(r.start) as number) - cidr.base, (parseIPv4(r.end) as number) - cidr.base]);
  }
  const pools = net.pools.map((p) => {
    const start = (parseIPv4(p.start) as number) - cidr.base;
    const end = (parseIPv4(p.end) as number) - cidr.base;
    let size = end - start + 1;
    for (const [bs, be] of mergeRanges(blocked)) {
      const s = Math.max(bs, start);
      const e = Math.min(be, end);
      if (e >= s) size -= e - s + 1;
    }
    return { name: p.name, start, end, size };
  });
  return { network: net, cidr, pools, blocked: mergeRanges(blocked) };
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
