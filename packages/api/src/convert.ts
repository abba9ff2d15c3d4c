import {
  type Encapsulation,
  type ForwardMode,
  invalid,
  type LeaseState,
  type NetworkInput,
  type StoredLease,
  type StoredNetwork,
  type StoredReservation,
} from '@netspan/ipam';
import type { Lease as PbLease } from './gen/netspan/v1/Lease.js';
import type { LeaseState as PbLeaseState } from './gen/netspan/v1/LeaseState.js';
import type { Network as PbNetwork, Network__Input as PbNetworkInput } from './gen/netspan/v1/Network.js';
import type { Reservation as PbReservation } from './gen/netspan/v1/Reservation.js';

const MODES: Record<string, ForwardMode | undefined> = {
  FORWARD_MODE_UNSPECIFIED: undefined,
  FORWARD_MODE_ISOLATED: 'isolated',
  FORWARD_MODE_ROUTE: 'route',
  FORWARD_MODE_NAT: 'nat',
};
const ENCAPS: Record<string, Encapsulation | undefined> = {
  ENCAPSULATION_UNSPECIFIED: undefined,
  ENCAPSULATION_VXLAN: 'vxlan',
  ENCAPSULATION_VLAN: 'vlan',
};
const STATES: Record<string, LeaseState | undefined> = {
  LEASE_STATE_UNSPECIFIED: undefined,
  LEASE_STATE_OFFERED: 'offered',
  LEASE_STATE_BOUND: 'bound',
  LEASE_STATE_DECLINED: 'declined',
  LEASE_STATE_EXPIRED: 'expired',
};

function fromEnum<T>(table: Record<string, T | undefined>, value: unknown, field: string): T | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  const key = String(value);
  if (!(key in table)) throw invalid(field, `unknown value ${JSON.stringify(value)}`);
  return table[key];
}

function toEnum<T>(table: Record<string, T | undefined>, value: T): string {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return Object.keys(table)[0] as string;
}

export function leaseStateFromPb(v: unknown, field = 'state'): LeaseState | undefined {
  return fromEnum(STATES, v, field);
}
export function leaseStateToPb(s: LeaseState): PbLeaseState {
  return toEnum(STATES, s) as PbLeaseState;
}
export function modeFromPb(v: unknown): ForwardMode | undefined {
  return fromEnum(MODES, v, 'mode');
}
export function encapsulationFromPb(v: unknown): Encapsulation | undefined {
  return fromEnum(ENCAPS, v, 'encapsulation');
}

/** A request's network (proto, defaults filled) to the domain input; unset enums stay unset. */
export function networkFromPb(pb: PbNetwork | undefined): NetworkInput {
  if (!pb) throw invalid('network', 'is required');
  const o = pb.dhcpOptions;
  const mode = modeFromPb(pb.mode);
  const encapsulation = encapsulationFromPb(pb.encapsulation);
  return {
    name: pb.name,
    cidr: pb.cidr,
    gateway: pb.gateway,
    pools: (pb.pools ?? []).map((p) => ({ name: p.name, start: p.start, end: p.end })),
    exclusions: (pb.exclusions ?? []).map((r) => ({ start: r.start, end: r.end })),
    leaseTimeSeconds: pb.leaseTimeSeconds,
    domain: pb.domain,
    dhcpOptions: {
      routers: o?.routers ?? [],
      dnsServers: o?.dnsServers ?? [],
      mtu: o?.mtu ?? 0,
      domainSearch: o?.domainSearch ?? [],
      staticRoutes: (o?.staticRoutes ?? []).map((r) => ({ destination: r.destination, gateway: r.gateway })),
      ntpServers: o?.ntpServers ?? [],
    },
    vni: pb.vni,
    ...(mode ? { mode } : {}),
    ...(encapsulation ? { encapsulation } : {}),
    vlanId: pb.vlanId,
    description: pb.description,
    relayAddresses: pb.relayAddresses ?? [],
    serviceAddress: pb.serviceAddress ?? '',
  };
}

export function networkToPb(s: StoredNetwork): PbNetworkInput {
  const n = s.network;
  return {
    name: n.name,
    cidr: n.cidr,
    gateway: n.gateway,
    pools: n.pools,
    exclusions: n.exclusions,
    leaseTimeSeconds: n.leaseTimeSeconds,
    domain: n.domain,
    dhcpOptions: n.dhcpOptions,
    vni: n.vni,
    mode: toEnum(MODES, n.mode) as PbNetwork['mode'],
    encapsulation: toEnum(ENCAPS, n.encapsulation) as PbNetwork['encapsulation'],
    vlanId: n.vlanId,
    description: n.description,
    relayAddresses: n.relayAddresses ?? [],
    serviceAddress: n.serviceAddress ?? '',
    revision: s.revision,
    createdAtMs: n.createdAtMs,
  };
}

export function leaseToPb(l: StoredLease): PbLease {
  return {
    network: l.network,
    address: l.address,
    clientId: l.clientId,
    mac: l.mac,
    hostname: l.hostname,
    state: leaseStateToPb(l.state),
    location: { host: l.location.host, via: l.location.via },
    createdAtMs: l.createdAtMs,
    updatedAtMs: l.updatedAtMs,
    expiresAtMs: l.expiresAtMs,
    pool: l.pool,
    revision: l.revision,
  };
}

export function reservationToPb(r: StoredReservation): PbReservation {
  return {
    network: r.network,
    mac: r.mac,
    address: r.address,
    hostname: r.hostname,
    description: r.description,
    revision: r.revision,
  };
}
