/**
 * The nftables side of the plumbing: one table, `bridge netspan`, written in the exact form
 * `nft list table` prints it, so drift is found by comparing two normalized texts.
 *
 * - `dhcp_in` / `dhcp_forward` (input and forward hooks): drop UDP to ports 67/68 that arrives from a
 *   tunnel port. VXLAN floods every guest's DHCP broadcast to every host; only the guest's own host may
 *   see or relay it. The bridge has already learned the source MAC by the time these hooks run.
 * - `anycast_out` (output hook): drop frames leaving through a network's tunnel port with the
 *   network's service MAC as source. Every host holds the same service address and MAC, and answers
 *   its own guests; keeping its ARP replies and broadcasts off the tunnel avoids clashes.
 */

export const NFT_FAMILY = 'bridge';
export const NFT_TABLE = 'netspan';

/** One network's tunnel port and service MAC, as the table needs them. */
export interface NftNetwork {
  tunnel: string;
  serviceMac: string;
}

/**
 * The desired table, or null when the host carries no network (the table is then removed).
 * `vlanPorts` are the 802.1Q devices in use, which also get the DHCP drop rules.
 */
export function desiredNft(networks: readonly NftNetwork[]): string | null {
  if (networks.length === 0) return null;
  const ingress = [
    '"nsvx*"',
    ...networks.filter((n) => !n.tunnel.startsWith('nsvx')).map((n) => `"${n.tunnel}"`),
  ];
  const dhcpRules = ingress.map((port) => `\t\tiifname ${port} udp dport { 67, 68 } counter drop`);
  const lines = [
    `table ${NFT_FAMILY} ${NFT_TABLE} {`,
    '\tchain dhcp_in {',
    '\t\ttype filter hook input priority filter; policy accept;',
    ...dhcpRules,
    '\t}',
    '',
    '\tchain dhcp_forward {',
    '\t\ttype filter hook forward priority filter; policy accept;',
    ...dhcpRules,
    '\t}',
    '',
    '\tchain anycast_out {',
    '\t\ttype filter hook output priority filter; policy accept;',
    ...networks.map((n) => `\t\toifname "${n.tunnel}" ether saddr ${n.serviceMac} counter drop`),
    '\t}',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Normalizes a table listing for comparison: drops `# handle N` comments and counter values, trims
 * every line and removes blank ones.
 */
export function normalizeNft(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/\s*# handle \d+\s*$/, '')
        .replace(/\bcounter packets \d+ bytes \d+\b/g, 'counter')
        .trim(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The `nft -f -` input that replaces the table atomically: create it if absent (so the delete cannot
 * fail), delete it, and add the new one, all in one transaction.
 */
export function nftReplaceScript(table: string): string {
  return `table ${NFT_FAMILY} ${NFT_TABLE}\ndelete table ${NFT_FAMILY} ${NFT_TABLE}\n${table}`;
}

/** Counter values of the table's rules, keyed by `<chain>: <rule without counter>`; for tests and metrics. */
export function parseNftCounters(listing: string): Map<string, { packets: number; bytes: number }> {
  const out = new Map<string, { packets: number; bytes: number }>();
  let chain = '';
  for (const raw of listing.split('\n')) {
    const line = raw.replace(/\s*# handle \d+\s*$/, '').trim();
    const c = /^chain (\S+) \{$/.exec(line);
    if (c?.[1]) {
      chain = c[1];
      continue;
    }
    const m = /\bcounter packets (\d+) bytes (\d+)\b/.exec(line);
    if (m) {
      const key = `${chain}: ${line.replace(m[0], 'counter')}`;
      out.set(key, { packets: Number(m[1]), bytes: Number(m[2]) });
    }
  }
  return out;
}
