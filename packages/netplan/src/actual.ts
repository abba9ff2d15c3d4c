import { CommandFailedError, NetplanError, NetplanErrorCode } from './errors.js';
import { NFT_FAMILY, NFT_TABLE, normalizeNft } from './nft.js';
import type { ActualAddress, ActualFdbEntry, ActualLink, ActualState, Runner } from './types.js';

type Json = Record<string, unknown>;

function parseArray(what: string, text: string): Json[] {
  let value: unknown;
  try {
    // iproute2 prints nothing at all (not `[]`) for some empty listings.
    value = text.trim() === '' ? [] : JSON.parse(text);
  } catch (err) {
    throw new NetplanError(NetplanErrorCode.Internal, `${what}: output is not JSON`, { cause: err });
  }
  if (!Array.isArray(value))
    throw new NetplanError(NetplanErrorCode.Internal, `${what}: expected a JSON array`);
  return value.filter((v): v is Json => typeof v === 'object' && v !== null);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null ? (v as Json) : undefined);

/** Parses `ip -j -d link show`. */
export function parseLinks(text: string): ActualLink[] {
  const out: ActualLink[] = [];
  for (const l of parseArray('ip -j -d link show', text)) {
    const name = str(l.ifname);
    if (!name) continue;
    const flags = Array.isArray(l.flags) ? l.flags.filter((f): f is string => typeof f === 'string') : [];
    const info = obj(l.linkinfo);
    const kind = str(info?.info_kind);
    const data = obj(info?.info_data);
    const link: ActualLink = {
      name,
      kind,
      mtu: num(l.mtu) ?? 0,
      mac: (str(l.address) ?? '').toLowerCase(),
      up: flags.includes('UP'),
      master: str(l.master),
      alias: str(l.ifalias),
      addrGenMode: str(l.inet6_addr_gen_mode),
      link: str(l.link),
    };
    if (kind === 'vxlan' && data) {
      link.vxlan = {
        id: num(data.id) ?? -1,
        local: str(data.local),
        port: num(data.port) ?? -1,
        learning: data.learning === true,
        link: str(data.link),
      };
    }
    if (kind === 'vlan' && data) link.vlan = { id: num(data.id) ?? -1 };
    out.push(link);
  }
  return out;
}

/** Parses `ip -j addr show`. */
export function parseAddresses(text: string): ActualAddress[] {
  const out: ActualAddress[] = [];
  for (const l of parseArray('ip -j addr show', text)) {
    const dev = str(l.ifname);
    if (!dev || !Array.isArray(l.addr_info)) continue;
    for (const raw of l.addr_info) {
      const a = obj(raw);
      const family = str(a?.family);
      const local = str(a?.local);
      if (!a || !local || (family !== 'inet' && family !== 'inet6')) continue;
      out.push({ dev, family, local, prefixlen: num(a.prefixlen) ?? -1, scope: str(a.scope) ?? '' });
    }
  }
  return out;
}

/** Parses `bridge -j fdb show`. */
export function parseFdb(text: string): ActualFdbEntry[] {
  const out: ActualFdbEntry[] = [];
  for (const e of parseArray('bridge -j fdb show', text)) {
    const mac = str(e.mac);
    const dev = str(e.ifname);
    if (!mac || !dev) continue;
    const state = str(e.state);
    out.push({
      mac: mac.toLowerCase(),
      dev,
      dst: str(e.dst),
      state: state === '' ? undefined : state,
      flags: Array.isArray(e.flags) ? e.flags.filter((f): f is string => typeof f === 'string') : [],
      master: str(e.master),
    });
  }
  return out;
}

/** True when `nft -j list tables bridge` lists the netspan table. */
export function parseHasTable(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new NetplanError(NetplanErrorCode.Internal, 'nft -j list tables: output is not JSON', {
      cause: err,
    });
  }
  const items = obj(value)?.nftables;
  if (!Array.isArray(items)) return false;
  return items.some((i) => {
    const t = obj(obj(i)?.table);
    return t?.family === NFT_FAMILY && t.name === NFT_TABLE;
  });
}

async function mustRun(runner: Runner, argv: string[]): Promise<string> {
  const r = await runner.run(argv);
  if (r.code !== 0) throw new CommandFailedError(argv, r.code, r.stderr);
  return r.stdout;
}

/**
 * Reads the host's plumbing: `ip -j -d link show`, `ip -j addr show`, `bridge -j fdb show`, and the
 * `bridge netspan` nft table (listed only when `nft -j list tables bridge` says it exists, so absence
 * is an answer, not an error). Throws CommandFailedError when a command fails.
 */
export async function readActual(runner: Runner): Promise<ActualState> {
  const [linksText, addrText, fdbText, tablesText] = await Promise.all([
    mustRun(runner, ['ip', '-j', '-d', 'link', 'show']),
    mustRun(runner, ['ip', '-j', 'addr', 'show']),
    mustRun(runner, ['bridge', '-j', 'fdb', 'show']),
    mustRun(runner, ['nft', '-j', 'list', 'tables', NFT_FAMILY]),
  ]);
  let nft: string | null = null;
  if (parseHasTable(tablesText)) {
    nft = normalizeNft(await mustRun(runner, ['nft', 'list', 'table', NFT_FAMILY, NFT_TABLE]));
  }
  return {
    links: parseLinks(linksText),
    addresses: parseAddresses(addrText),
    fdb: parseFdb(fdbText),
    nft,
  };
}
