/**
 * The etcd key layout, in one place, with forward and inverse mappings.
 *
 * Under the prefix (default `/netspan/v1/`):
 *
 * | key                                   | value                                  |
 * |---------------------------------------|----------------------------------------|
 * | `agent-reports/<host>`                | agent's plumbing drift (same lease; only while it has drift) |
 * | `agents/<host>`                       | agent registration (bound to a lease)  |
 * | `clients/<net>/<client-id, %-encoded>` | address (client index, same txn as lease) |
 * | `election/<job>/...`                  | leader election for background jobs    |
 * | `leases/<net>/<a.b.c.d>`              | lease JSON                             |
 * | `networks/<name>`                     | network JSON                           |
 * | `records/<zone>/<name>/<type>/<id>`   | API-managed DNS record JSON            |
 * | `replicas/<id>`                       | live ipamd replica (bound to a lease)  |
 * | `reservations/<net>/<mac>`            | reservation JSON                       |
 * | `reserved/<net>/<a.b.c.d>`            | MAC holding the reservation (index)    |
 * | `tokens/<id>`                         | join token (hashed secret)             |
 * | `vnis/<vni>`                          | network name (uniqueness index)        |
 *
 * Example: lease 10.0.0.5 of network `blue` for client `vm-1` is
 * `/netspan/v1/leases/blue/10.0.0.5`, indexed by `/netspan/v1/clients/blue/vm-1`.
 *
 * The keys every replica mirrors in memory — leases, networks, records, reservations —
 * sort contiguously ("leases/" < "networks/" < "records/" < "reservations/"), so one
 * ordered watch over `[leases/, reservations0)` covers them, while the index keys
 * (clients/, reserved/, vnis/) stay outside it and cost the watchers nothing.
 */
export class Keys {
  constructor(readonly prefix = '/netspan/v1/') {
    if (!prefix.endsWith('/')) throw new Error(`etcd prefix must end with '/': ${prefix}`);
  }

  network(name: string): string {
    return `${this.prefix}networks/${name}`;
  }
  networks(): string {
    return `${this.prefix}networks/`;
  }
  vni(vni: number): string {
    return `${this.prefix}vnis/${vni}`;
  }
  lease(network: string, address: string): string {
    return `${this.prefix}leases/${network}/${address}`;
  }
  leases(network?: string): string {
    return network === undefined ? `${this.prefix}leases/` : `${this.prefix}leases/${network}/`;
  }
  client(network: string, clientId: string): string {
    return `${this.prefix}clients/${network}/${encodeURIComponent(clientId)}`;
  }
  clients(network: string): string {
    return `${this.prefix}clients/${network}/`;
  }
  reservation(network: string, mac: string): string {
    return `${this.prefix}reservations/${network}/${mac}`;
  }
  reservations(network: string): string {
    return `${this.prefix}reservations/${network}/`;
  }
  reservedAddress(network: string, address: string): string {
    return `${this.prefix}reserved/${network}/${address}`;
  }
  reservedAddresses(network: string): string {
    return `${this.prefix}reserved/${network}/`;
  }
  record(zone: string, name: string, type: string, id: string): string {
    return `${this.prefix}records/${zone}/${name}/${type}/${id}`;
  }
  /** Every record (no zone), a zone's records, a name's records, or a name's records of one type. */
  records(zone?: string, name?: string, type?: string): string {
    if (zone === undefined) return `${this.prefix}records/`;
    if (name === undefined) return `${this.prefix}records/${zone}/`;
    return type === undefined
      ? `${this.prefix}records/${zone}/${name}/`
      : `${this.prefix}records/${zone}/${name}/${type}/`;
  }
  agent(host: string): string {
    return `${this.prefix}agents/${host}`;
  }
  agents(): string {
    return `${this.prefix}agents/`;
  }
  /** Beside `agents/`, not under it: a report changing never wakes the registry watchers. */
  agentReport(host: string): string {
    return `${this.prefix}agent-reports/${host}`;
  }
  agentReports(): string {
    return `${this.prefix}agent-reports/`;
  }
  tokens(): string {
    return `${this.prefix}tokens/`;
  }
  replica(id: string): string {
    return `${this.prefix}replicas/${id}`;
  }
  replicas(): string {
    return `${this.prefix}replicas/`;
  }
  token(id: string): string {
    return `${this.prefix}tokens/${id}`;
  }
  election(job: string): string {
    return `${this.prefix}election/${job}`;
  }

  /** The watched state range: leases, networks, records and reservations. */
  stateRange(): { start: string; end: string } {
    return { start: `${this.prefix}leases/`, end: `${this.prefix}reservations0` };
  }

  /** Inverse mapping: what a key names, or undefined for keys outside the layout. */
  parse(key: string): ParsedKey | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const rest = key.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return undefined;
    const kind = rest.slice(0, slash);
    const parts = rest.slice(slash + 1).split('/');
    const [a, b] = parts;
    switch (kind) {
      case 'networks':
        return parts.length === 1 && a ? { kind: 'network', network: a } : undefined;
      case 'leases':
        return parts.length === 2 && a && b ? { kind: 'lease', network: a, address: b } : undefined;
      case 'clients':
        return parts.length === 2 && a && b
          ? { kind: 'client', network: a, clientId: safeDecode(b) }
          : undefined;
      case 'reservations':
        return parts.length === 2 && a && b ? { kind: 'reservation', network: a, mac: b } : undefined;
      case 'reserved':
        return parts.length === 2 && a && b ? { kind: 'reserved', network: a, address: b } : undefined;
      case 'vnis':
        return parts.length === 1 && a && /^\d+$/.test(a) ? { kind: 'vni', vni: Number(a) } : undefined;
      case 'agents':
        return parts.length === 1 && a ? { kind: 'agent', host: a } : undefined;
      case 'agent-reports':
        return parts.length === 1 && a ? { kind: 'agent-report', host: a } : undefined;
      case 'replicas':
        return parts.length === 1 && a ? { kind: 'replica', id: a } : undefined;
      case 'tokens':
        return parts.length === 1 && a ? { kind: 'token', id: a } : undefined;
      case 'records':
        return parts.length === 4 && parts.every(Boolean)
          ? {
              kind: 'record',
              zone: a as string,
              name: b as string,
              type: parts[2] as string,
              id: parts[3] as string,
            }
          : undefined;
      default:
        return undefined;
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type ParsedKey =
  | { kind: 'network'; network: string }
  | { kind: 'lease'; network: string; address: string }
  | { kind: 'client'; network: string; clientId: string }
  | { kind: 'reservation'; network: string; mac: string }
  | { kind: 'reserved'; network: string; address: string }
  | { kind: 'vni'; vni: number }
  | { kind: 'agent'; host: string }
  | { kind: 'agent-report'; host: string }
  | { kind: 'replica'; id: string }
  | { kind: 'token'; id: string }
  | { kind: 'record'; zone: string; name: string; type: string; id: string };

/** The exclusive end of a prefix range (prefix with its last byte incremented). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if ((b[i] as number) < 0xff) {
      b[i] = (b[i] as number) + 1;
      return b.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
