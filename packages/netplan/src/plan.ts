import { invalid } from './errors.js';
import {
  BRIDGE_PREFIX,
  bridgeName,
  isIPv4,
  isOwnedName,
  MAX_IFNAME,
  normalizeMac,
  VXLAN_PORT,
  vlanName,
  vxlanName,
} from './names.js';
import { desiredNft, NFT_FAMILY, NFT_TABLE, nftReplaceScript, normalizeNft } from './nft.js';
import type {
  ActualFdbEntry,
  ActualLink,
  ActualState,
  HostPlumbing,
  NetworkPlumbing,
  Step,
} from './types.js';

const ZERO_MAC = '00:00:00:00:00:00';
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A network after validation, with its device names worked out. */
interface Wanted {
  net: NetworkPlumbing;
  bridge: string;
  /** The bridge's tunnel port: `nsvx<vni>` or `<uplink>.<vid>`. */
  tunnel: string;
  serviceMac: string;
  peers: string[];
  remoteMacs: Map<string, string>;
}

function validate(host: HostPlumbing): Wanted[] {
  if (!isIPv4(host.localVtep)) throw invalid('localVtep', `not an IPv4 address: ${host.localVtep}`);
  for (const field of ['underlayDevice', 'uplink'] as const) {
    const dev = host[field];
    if (dev !== undefined && (dev === '' || dev.length > MAX_IFNAME || /[\s/]/.test(dev))) {
      throw invalid(field, `not a valid interface name: ${JSON.stringify(dev)}`);
    }
  }
  const seenVni = new Set<number>();
  const seenTunnel = new Set<string>();
  const out: Wanted[] = [];
  host.networks.forEach((net, i) => {
    const f = (name: string) => `networks[${i}].${name}`;
    if (!LABEL_RE.test(net.name)) throw invalid(f('name'), `not a DNS label: ${JSON.stringify(net.name)}`);
    let bridge: string;
    try {
      bridge = bridgeName(net.vni);
    } catch {
      throw invalid(f('vni'), `must be 1..16777215, got ${net.vni}`);
    }
    if (seenVni.has(net.vni)) throw invalid(f('vni'), `VNI ${net.vni} appears twice`);
    seenVni.add(net.vni);
    if (!Number.isInteger(net.mtu) || net.mtu < 68 || net.mtu > 65535) {
      throw invalid(f('mtu'), `must be 68..65535, got ${net.mtu}`);
    }
    if (!isIPv4(net.serviceAddress))
      throw invalid(f('serviceAddress'), `not an IPv4 address: ${net.serviceAddress}`);
    const serviceMac = normalizeMac(net.serviceMac);
    // An odd first octet is a multicast MAC, which a bridge cannot hold.
    if (!serviceMac || Number.parseInt(serviceMac.slice(0, 2), 16) % 2 === 1) {
      throw invalid(f('serviceMac'), `not a unicast MAC address: ${net.serviceMac}`);
    }
    let tunnel: string;
    if (net.encapsulation === 'vxlan') {
      tunnel = vxlanName(net.vni);
    } else if (net.encapsulation === 'vlan') {
      const vid = net.vlanId;
      if (vid === undefined || !Number.isInteger(vid) || vid < 1 || vid > 4094) {
        throw invalid(f('vlanId'), `must be 1..4094, got ${vid}`);
      }
      if (!host.uplink)
        throw invalid('uplink', `network ${net.name} uses VLAN encapsulation but no uplink is set`);
      tunnel = vlanName(host.uplink, vid);
    } else {
      throw invalid(f('encapsulation'), `must be vxlan or vlan, got ${String(net.encapsulation)}`);
    }
    if (seenTunnel.has(tunnel)) throw invalid(f('vlanId'), `${tunnel} is used by two networks`);
    seenTunnel.add(tunnel);
    const peers: string[] = [];
    net.peers.forEach((p, j) => {
      if (!isIPv4(p)) throw invalid(`${f('peers')}[${j}]`, `not an IPv4 address: ${p}`);
      if (p !== host.localVtep && !peers.includes(p)) peers.push(p);
    });
    const remoteMacs = new Map<string, string>();
    (net.remoteMacs ?? []).forEach((r, j) => {
      const mac = normalizeMac(r.mac);
      if (!mac || mac === ZERO_MAC)
        throw invalid(`${f('remoteMacs')}[${j}].mac`, `not a MAC address: ${r.mac}`);
      if (!isIPv4(r.vtep)) throw invalid(`${f('remoteMacs')}[${j}].vtep`, `not an IPv4 address: ${r.vtep}`);
      const prev = remoteMacs.get(mac);
      if (prev !== undefined && prev !== r.vtep) {
        throw invalid(`${f('remoteMacs')}[${j}].mac`, `${mac} is mapped to both ${prev} and ${r.vtep}`);
      }
      remoteMacs.set(mac, r.vtep);
    });
    out.push({ net, bridge, tunnel, serviceMac, peers, remoteMacs });
  });
  return out.sort((a, b) => a.net.vni - b.net.vni);
}

/** A VLAN device enslaved to one of our bridges is ours (we only ever create it for VLAN mode). */
function isOwnedLink(l: ActualLink): boolean {
  return isOwnedName(l.name) || (l.kind === 'vlan' && (l.master ?? '').startsWith(BRIDGE_PREFIX));
}

const ip = (...args: string[]) => ['ip', ...args];
const bridgeCmd = (...args: string[]) => ['bridge', ...args];

/**
 * Works out the commands that turn `actual` into `desired`. Pure: no I/O; throws NetplanError
 * (INVALID_ARGUMENT) for a malformed `desired`.
 *
 * It owns only devices named `nsbr*` / `nsvx*`, VLAN devices enslaved to an `nsbr*` bridge, and the
 * nft table `bridge netspan`; it never touches anything else. Devices whose attributes match are
 * left alone (attached guests are not disturbed); mutable attributes are fixed in place; a VXLAN or
 * VLAN device whose immutable attributes differ is recreated on its own and enslaved again.
 *
 * Order: the nft table first (so a new tunnel never forwards DHCP before the drop rules exist), then
 * removal of devices no longer desired (tunnels before bridges), then each network by VNI.
 */
export function plan(desired: HostPlumbing, actual: ActualState): Step[] {
  const wanted = validate(desired);
  const links = new Map(actual.links.map((l) => [l.name, l]));
  const steps: Step[] = [];

  const wantedNames = new Set(wanted.flatMap((w) => [w.bridge, w.tunnel]));
  const stale = actual.links.filter((l) => isOwnedLink(l) && !wantedNames.has(l.name));

  // nftables.
  const table = desiredNft(wanted.map((w) => ({ tunnel: w.tunnel, serviceMac: w.serviceMac })));
  const sameNetworks = stale.length === 0 && wanted.every((w) => links.has(w.bridge));
  if (table === null) {
    if (actual.nft !== null) {
      steps.push({
        argv: ['nft', 'delete', 'table', NFT_FAMILY, NFT_TABLE],
        why: 'no network on this host: remove the netspan nft table',
        repair: false,
      });
    }
  } else if (actual.nft !== normalizeNft(table)) {
    steps.push({
      argv: ['nft', '-f', '-'],
      input: nftReplaceScript(table),
      why: actual.nft === null ? 'create the netspan nft table' : 'netspan nft table differs: replace it',
      repair: actual.nft !== null && sameNetworks,
    });
  }

  // Devices no longer desired: ports first, then bridges.
  const order = (l: ActualLink) => (l.kind === 'bridge' ? 1 : 0);
  for (const l of [...stale].sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name))) {
    steps.push({ argv: ip('link', 'del', 'dev', l.name), why: `${l.name} is not desired`, repair: false });
  }

  for (const w of wanted) steps.push(...planNetwork(desired, w, links, actual));
  return steps;
}

function planNetwork(
  host: HostPlumbing,
  w: Wanted,
  links: Map<string, ActualLink>,
  actual: ActualState,
): Step[] {
  const { net, bridge: br, tunnel } = w;
  const steps: Step[] = [];
  // Steps on a network whose bridge already existed correct drift (or follow a peer change).
  const repair = links.has(br);
  const add = (argv: string[], why: string) => steps.push({ argv, why, repair });

  // Bridge.
  let b = links.get(br);
  if (b && b.kind !== 'bridge') {
    add(ip('link', 'del', 'dev', br), `${br} exists but is a ${b.kind ?? 'plain'} device, not a bridge`);
    b = undefined;
  }
  if (!b) {
    add(
      ip('link', 'add', 'name', br, 'address', w.serviceMac, 'type', 'bridge'),
      `network ${net.name} (VNI ${net.vni}) has no bridge`,
    );
    // Not `mtu` on `link add`: only an MTU set afterwards counts as set by the user, and only then
    // does the kernel keep it when a guest port with a smaller MTU joins (it would shrink otherwise).
    add(ip('link', 'set', 'dev', br, 'mtu', String(net.mtu)), `${br} MTU ${net.mtu}, pinned`);
    // Before `up`, so the anycast MAC never gets an IPv6 link-local address to speak from.
    add(ip('link', 'set', 'dev', br, 'addrgenmode', 'none'), `no IPv6 link-local address on ${br}`);
    add(ip('link', 'set', 'dev', br, 'alias', net.name), `${br} carries network ${net.name}`);
    add(ip('link', 'set', 'dev', br, 'up'), `bring ${br} up`);
  } else {
    if (b.mac !== w.serviceMac) {
      add(
        ip('link', 'set', 'dev', br, 'address', w.serviceMac),
        `${br} MAC is ${b.mac}, want ${w.serviceMac}`,
      );
    }
    if (b.mtu !== net.mtu)
      add(ip('link', 'set', 'dev', br, 'mtu', String(net.mtu)), `${br} MTU is ${b.mtu}, want ${net.mtu}`);
    if (b.alias !== net.name) {
      add(
        ip('link', 'set', 'dev', br, 'alias', net.name),
        `${br} alias is ${b.alias ?? '(none)'}, want ${net.name}`,
      );
    }
    if (b.addrGenMode !== undefined && b.addrGenMode !== 'none') {
      add(
        ip('link', 'set', 'dev', br, 'addrgenmode', 'none'),
        `${br} generates IPv6 addresses (${b.addrGenMode})`,
      );
    }
    if (actual.addresses.some((a) => a.dev === br && a.family === 'inet6')) {
      add(ip('-6', 'addr', 'flush', 'dev', br), `${br} holds IPv6 addresses`);
    }
    if (!b.up) add(ip('link', 'set', 'dev', br, 'up'), `${br} is down`);
  }

  // The service address, a /32 on every host; any other IPv4 address on our bridge goes.
  const have = b ? actual.addresses.filter((a) => a.dev === br && a.family === 'inet') : [];
  for (const a of have) {
    if (a.local !== net.serviceAddress || a.prefixlen !== 32) {
      add(
        ip('addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', br),
        `${br} holds ${a.local}/${a.prefixlen}, not desired`,
      );
    }
  }
  if (!have.some((a) => a.local === net.serviceAddress && a.prefixlen === 32)) {
    add(
      ip('addr', 'add', `${net.serviceAddress}/32`, 'dev', br),
      `service address ${net.serviceAddress} on ${br}`,
    );
  }

  // Tunnel port.
  let t = links.get(tunnel);
  const matches =
    net.encapsulation === 'vxlan'
      ? t?.kind === 'vxlan' &&
        t.vxlan !== undefined &&
        t.vxlan.id === net.vni &&
        t.vxlan.local === host.localVtep &&
        t.vxlan.port === VXLAN_PORT &&
        t.vxlan.learning &&
        t.vxlan.link === host.underlayDevice
      : t?.kind === 'vlan' && t.vlan?.id === net.vlanId && t.link === host.uplink;
  if (t && !matches) {
    add(ip('link', 'del', 'dev', tunnel), `${tunnel} has the wrong immutable attributes: recreate it`);
    t = undefined;
  }
  if (!t) {
    if (net.encapsulation === 'vxlan') {
      const argv = ip(
        'link',
        'add',
        'name',
        tunnel,
        'mtu',
        String(net.mtu),
        'type',
        'vxlan',
        'id',
        String(net.vni),
      );
      argv.push('local', host.localVtep, 'dstport', String(VXLAN_PORT));
      if (host.underlayDevice) argv.push('dev', host.underlayDevice);
      add(argv, `network ${net.name} has no VXLAN device`);
    } else {
      add(
        ip(
          'link',
          'add',
          'link',
          host.uplink ?? '',
          'name',
          tunnel,
          'mtu',
          String(net.mtu),
          'type',
          'vlan',
          'id',
          String(net.vlanId),
        ),
        `network ${net.name} has no VLAN device`,
      );
    }
    add(ip('link', 'set', 'dev', tunnel, 'addrgenmode', 'none'), `no IPv6 address on bridge port ${tunnel}`);
    add(ip('link', 'set', 'dev', tunnel, 'master', br), `${tunnel} into ${br}`);
    add(ip('link', 'set', 'dev', tunnel, 'up'), `bring ${tunnel} up`);
  } else {
    if (t.mtu !== net.mtu) {
      add(
        ip('link', 'set', 'dev', tunnel, 'mtu', String(net.mtu)),
        `${tunnel} MTU is ${t.mtu}, want ${net.mtu}`,
      );
    }
    if (t.addrGenMode !== undefined && t.addrGenMode !== 'none') {
      add(ip('link', 'set', 'dev', tunnel, 'addrgenmode', 'none'), `${tunnel} generates IPv6 addresses`);
    }
    if (t.master !== br)
      add(ip('link', 'set', 'dev', tunnel, 'master', br), `${tunnel} is not a port of ${br}`);
    if (!t.up) add(ip('link', 'set', 'dev', tunnel, 'up'), `${tunnel} is down`);
  }

  if (net.encapsulation === 'vxlan')
    steps.push(...planFdb(w, t ? actual.fdb.filter((e) => e.dev === tunnel) : [], repair));
  return steps;
}

/** Flood entries (head-end replication) and static per-MAC entries on one VXLAN device. */
function planFdb(w: Wanted, entries: ActualFdbEntry[], repair: boolean): Step[] {
  const vx = w.tunnel;
  const steps: Step[] = [];
  const add = (argv: string[], why: string) => steps.push({ argv, why, repair });

  const flood = new Set(
    entries.filter((e) => e.mac === ZERO_MAC && e.dst !== undefined).map((e) => e.dst as string),
  );
  for (const peer of w.peers) {
    if (!flood.has(peer)) {
      add(
        bridgeCmd('fdb', 'append', ZERO_MAC, 'dev', vx, 'dst', peer),
        `flood ${w.net.name} to peer ${peer}`,
      );
    }
  }
  for (const dst of [...flood].sort()) {
    if (!w.peers.includes(dst)) {
      add(bridgeCmd('fdb', 'del', ZERO_MAC, 'dev', vx, 'dst', dst), `${dst} no longer carries ${w.net.name}`);
    }
  }

  // Static remote entries are ours; learned ones (no state, or stale) belong to the kernel.
  const remote = entries.filter((e) => e.mac !== ZERO_MAC && e.dst !== undefined && e.flags.includes('self'));
  for (const [mac, vtep] of w.remoteMacs) {
    const forMac = remote.filter((e) => e.mac === mac);
    const ok = forMac.length === 1 && forMac[0]?.dst === vtep && forMac[0].state === 'static';
    if (!ok) {
      add(
        bridgeCmd('fdb', 'replace', mac, 'dev', vx, 'dst', vtep, 'static'),
        `guest ${mac} sits behind ${vtep}`,
      );
    }
  }
  for (const e of remote) {
    if (e.state === 'static' && !w.remoteMacs.has(e.mac)) {
      add(
        bridgeCmd('fdb', 'del', e.mac, 'dev', vx, 'dst', e.dst ?? ''),
        `static entry ${e.mac} is not desired`,
      );
    }
  }
  return steps;
}

/** A network's settings without its peers and remote MACs, as a comparable string. */
function withoutPeers(host: HostPlumbing): string {
  return JSON.stringify({
    ...host,
    networks: host.networks.map(({ peers: _p, remoteMacs: _r, ...rest }) => rest),
  });
}

/**
 * The steps that take a host which converged to `previous` to `desired`, when the two differ only
 * in VXLAN networks' peers (flood entries) and remote MACs; `undefined` when anything else differs,
 * and then only a full `reconcile` will do. Pure; throws NetplanError (INVALID_ARGUMENT) for a
 * malformed `desired`.
 *
 * Why: a host joining or leaving changes one flood entry on every other host. Planning from the
 * last converged state needs no read of the host: one `bridge fdb` command instead of reading every
 * link, address and FDB entry twice. It trusts that nothing changed the host since it converged;
 * the caller's periodic full reconcile repairs what did. Every step is idempotent or fails loudly
 * (`fdb append` of an existing entry succeeds; `fdb del` of a missing one fails), so a failure
 * means "fall back to a full reconcile", never a half-applied change left unnoticed.
 */
export function planPeerChange(previous: HostPlumbing, desired: HostPlumbing): Step[] | undefined {
  const wanted = validate(desired);
  let before: Wanted[];
  try {
    before = validate(previous);
  } catch {
    return undefined;
  }
  if (withoutPeers(previous) !== withoutPeers(desired)) return undefined;
  const steps: Step[] = [];
  wanted.forEach((w, i) => {
    const old = before[i] as Wanted;
    if (w.net.encapsulation !== 'vxlan') return;
    const vx = w.tunnel;
    const add = (argv: string[], why: string) => steps.push({ argv, why, repair: false });
    for (const peer of w.peers)
      if (!old.peers.includes(peer))
        add(
          bridgeCmd('fdb', 'append', ZERO_MAC, 'dev', vx, 'dst', peer),
          `flood ${w.net.name} to peer ${peer}`,
        );
    for (const peer of old.peers)
      if (!w.peers.includes(peer))
        add(
          bridgeCmd('fdb', 'del', ZERO_MAC, 'dev', vx, 'dst', peer),
          `${peer} no longer carries ${w.net.name}`,
        );
    for (const [mac, vtep] of w.remoteMacs)
      if (old.remoteMacs.get(mac) !== vtep)
        add(
          bridgeCmd('fdb', 'replace', mac, 'dev', vx, 'dst', vtep, 'static'),
          `guest ${mac} sits behind ${vtep}`,
        );
    for (const [mac, vtep] of old.remoteMacs)
      if (!w.remoteMacs.has(mac))
        add(bridgeCmd('fdb', 'del', mac, 'dev', vx, 'dst', vtep), `guest ${mac} is no longer behind ${vtep}`);
  });
  return steps;
}
