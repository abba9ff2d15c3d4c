import type { pb } from '@netspan/api';
import { stringify as yamlStringify } from 'yaml';
import {
  EMPTY,
  enumLabel,
  formatDuration,
  formatExpiry,
  formatKeyValues,
  formatPercent,
  formatTable,
  formatTime,
  usageBar,
} from './format.js';
import type { OutputFormat } from './spec.js';

/** Renders proto messages (as the loader returns them) for people. */

export function modeLabel(n: pb.Network): string {
  return enumLabel(n.mode, 'FORWARD_MODE_');
}
export function encapLabel(n: pb.Network): string {
  return enumLabel(n.encapsulation, 'ENCAPSULATION_');
}
export function stateLabel(l: pb.Lease): string {
  return enumLabel(l.state, 'LEASE_STATE_');
}

export function poolText(p: pb.Pool): string {
  return p.name ? `${p.name} ${p.start}-${p.end}` : `${p.start}-${p.end}`;
}

function rangeText(r: pb.AddressRange): string {
  return !r.end || r.end === r.start ? r.start : `${r.start}-${r.end}`;
}

/** Sum of a network's pools: (used + reserved) / size, or NaN when it has no pools. */
export function networkUtilization(u: pb.NetworkUsage): number {
  let size = 0;
  let taken = 0;
  for (const p of u.pools ?? []) {
    size += p.size;
    taken += p.used + p.reserved;
  }
  return size > 0 ? taken / size : Number.NaN;
}

/** `network list`: one row per network; usage (leases, pool use) when the server gave it. */
export function networksTable(
  networks: readonly pb.Network[],
  usage: ReadonlyMap<string, pb.NetworkUsage> | undefined,
  wide: boolean,
): string {
  const headers = ['NAME', 'CIDR', 'GATEWAY', 'VNI', 'POOLS', 'LEASES', 'USED', 'MODE', 'ENCAP'];
  if (wide) headers.push('VLAN', 'MTU', 'LEASE-TIME', 'DOMAIN', 'DESCRIPTION');
  const rows = networks.map((n) => {
    const u = usage?.get(n.name);
    const util = u ? networkUtilization(u) : Number.NaN;
    const row = [
      n.name,
      n.cidr,
      n.gateway,
      n.vni ? String(n.vni) : EMPTY,
      String(n.pools?.length ?? 0),
      u ? String(u.leases) : EMPTY,
      Number.isNaN(util) ? EMPTY : formatPercent(util),
      modeLabel(n),
      encapLabel(n),
    ];
    if (wide) {
      row.push(
        n.vlanId ? String(n.vlanId) : EMPTY,
        n.dhcpOptions?.mtu ? String(n.dhcpOptions.mtu) : 'auto',
        n.leaseTimeSeconds ? formatDuration(n.leaseTimeSeconds) : EMPTY,
        n.domain,
        n.description,
      );
    }
    return row;
  });
  return formatTable(headers, rows);
}

/** `network get/create/update`: every field as `key: value`, keys named like the flags. */
export function networkDetail(n: pb.Network): string {
  const o = n.dhcpOptions;
  return formatKeyValues([
    ['name', n.name],
    ['cidr', n.cidr],
    ['gateway', n.gateway],
    ['pools', (n.pools ?? []).map(poolText)],
    ['exclusions', (n.exclusions ?? []).map(rangeText)],
    [
      'lease-time',
      n.leaseTimeSeconds ? `${n.leaseTimeSeconds}s (${formatDuration(n.leaseTimeSeconds)})` : '',
    ],
    ['domain', n.domain],
    ['vni', n.vni ? String(n.vni) : ''],
    ['mode', modeLabel(n)],
    ['encap', encapLabel(n)],
    ['vlan-id', n.vlanId ? String(n.vlanId) : ''],
    ['routers', o?.routers ?? []],
    ['dns', o?.dnsServers ?? []],
    ['mtu', o?.mtu ? String(o.mtu) : 'auto'],
    ['search', o?.domainSearch ?? []],
    ['routes', (o?.staticRoutes ?? []).map((r) => `${r.destination} via ${r.gateway}`)],
    ['ntp', o?.ntpServers ?? []],
    ['description', n.description],
    ['created', formatTime(n.createdAtMs)],
    ['revision', n.revision ? String(n.revision) : ''],
  ]);
}

/** `network usage`: one row per pool with a utilisation bar. */
export function usageTable(networks: readonly pb.NetworkUsage[], wide: boolean): string {
  const headers = ['NETWORK', 'POOL', 'RANGE', 'SIZE', 'USED', 'RESERVED', 'UTILISATION'];
  if (wide) headers.push('CIDR', 'LEASES', 'RESERVATIONS');
  const rows: string[][] = [];
  for (const u of networks) {
    const extra = wide ? [u.cidr, String(u.leases), String(u.reservations)] : [];
    const pools = u.pools ?? [];
    if (pools.length === 0) rows.push([u.network, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, ...extra]);
    for (const p of pools) {
      rows.push([
        u.network,
        p.name,
        `${p.start}-${p.end}`,
        String(p.size),
        String(p.used),
        String(p.reserved),
        usageBar(p.utilization),
        ...extra,
      ]);
    }
  }
  return formatTable(headers, rows);
}

/** Lease lists: NETWORK ADDRESS CLIENT MAC HOSTNAME STATE HOST EXPIRES (+ POOL VIA UPDATED). */
export function leasesTable(leases: readonly pb.Lease[], nowMs: number, wide: boolean): string {
  const headers = ['NETWORK', 'ADDRESS', 'CLIENT', 'MAC', 'HOSTNAME', 'STATE', 'HOST', 'EXPIRES'];
  if (wide) headers.push('POOL', 'VIA', 'CREATED', 'UPDATED');
  const rows = leases.map((l) => {
    const row = [
      l.network,
      l.address,
      l.clientId,
      l.mac,
      l.hostname,
      stateLabel(l),
      l.location?.host ?? '',
      formatExpiry(l.expiresAtMs, nowMs),
    ];
    if (wide) row.push(l.pool, l.location?.via ?? '', formatTime(l.createdAtMs), formatTime(l.updatedAtMs));
    return row;
  });
  return formatTable(headers, rows);
}

/** Column widths of `lease watch` lines: a stream cannot measure its rows first. */
const WATCH_COLUMNS: readonly [string, number][] = [
  ['TIME', 20],
  ['EVENT', 6],
  ['NETWORK', 12],
  ['ADDRESS', 15],
  ['CLIENT', 20],
  ['MAC', 17],
  ['HOSTNAME', 16],
  ['STATE', 8],
  ['HOST', 0],
];

function watchRow(cells: readonly string[]): string {
  return WATCH_COLUMNS.map(([, w], i) => {
    const c = cells[i] || EMPTY;
    return w ? c.padEnd(w) : c;
  })
    .join('  ')
    .trimEnd();
}

/** The header line of `lease watch`. */
export function leaseWatchHeader(): string {
  return watchRow(WATCH_COLUMNS.map(([h]) => h));
}

/** One `lease watch` line: when it was seen, put/delete, and the lease. */
export function leaseWatchLine(e: pb.LeaseEvent, seenAtMs: number): string {
  const l = e.lease;
  const kind = e.type === 'TYPE_DELETE' ? 'DELETE' : 'PUT';
  return watchRow([
    formatTime(seenAtMs),
    kind,
    l?.network ?? '',
    l?.address ?? '',
    l?.clientId ?? '',
    l?.mac ?? '',
    l?.hostname ?? '',
    kind === 'DELETE' ? '' : l ? stateLabel(l) : '',
    l?.location?.host ?? '',
  ]);
}

/** `lease get`: every field as `key: value`. */
export function leaseDetail(l: pb.Lease, nowMs: number): string {
  return formatKeyValues([
    ['network', l.network],
    ['address', l.address],
    ['client-id', l.clientId],
    ['mac', l.mac],
    ['hostname', l.hostname],
    ['state', stateLabel(l)],
    ['pool', l.pool],
    ['host', l.location?.host ?? ''],
    ['via', l.location?.via ?? ''],
    [
      'expires',
      l.expiresAtMs ? `${formatTime(l.expiresAtMs)} (${formatExpiry(l.expiresAtMs, nowMs)})` : 'never',
    ],
    ['created', formatTime(l.createdAtMs)],
    ['updated', formatTime(l.updatedAtMs)],
    ['revision', l.revision ? String(l.revision) : ''],
  ]);
}

export function reservationsTable(reservations: readonly pb.Reservation[], wide: boolean): string {
  const headers = ['NETWORK', 'MAC', 'ADDRESS', 'HOSTNAME', 'DESCRIPTION'];
  if (wide) headers.push('REVISION');
  const rows = reservations.map((r) => {
    const row = [r.network, r.mac, r.address, r.hostname, r.description];
    if (wide) row.push(r.revision ? String(r.revision) : '');
    return row;
  });
  return formatTable(headers, rows);
}

export function recordsTable(records: readonly pb.Record[], wide: boolean): string {
  const headers = ['ZONE', 'NAME', 'TYPE', 'TTL', 'DATA', 'ID'];
  if (wide) headers.push('REVISION');
  const rows = records.map((r) => {
    const row = [r.zone, r.name, r.type.replace('RECORD_TYPE_', ''), String(r.ttl), r.data, r.id];
    if (wide) row.push(r.revision ? String(r.revision) : '');
    return row;
  });
  return formatTable(headers, rows);
}

/** The server's response for `-o json`: the message as the proto loader returned it. */
export function toJson(message: unknown): string {
  return JSON.stringify(message, null, 2);
}

/** `-o json` and `-o yaml` print the API's message itself (for scripts), not a table. */
export function isData(format: OutputFormat): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml';
}

/** The message as JSON or YAML (the same fields and names either way). */
export function dataText(format: OutputFormat, message: unknown): string {
  if (format === 'yaml') return yamlStringify(JSON.parse(JSON.stringify(message)) as unknown).trimEnd();
  return toJson(message);
}
