import { invalid } from './errors.js';

/** Largest VXLAN network identifier (24 bits). */
export const MAX_VNI = 0xffffff;
/** Linux interface names are at most IFNAMSIZ - 1 = 15 bytes. */
export const MAX_IFNAME = 15;
/** IANA VXLAN port; every host must agree on it. */
export const VXLAN_PORT = 4789;

/** Prefix of every bridge this package owns. */
export const BRIDGE_PREFIX = 'nsbr';
/** Prefix of every VXLAN device this package owns. */
export const VXLAN_PREFIX = 'nsvx';

function checkVni(vni: number, field = 'vni'): void {
  if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI)
    throw invalid(field, `must be 1..${MAX_VNI}, got ${vni}`);
}

/** The bridge of the network with this VNI: `nsbr<vni>`, at most 12 characters. */
export function bridgeName(vni: number): string {
  checkVni(vni);
  return `${BRIDGE_PREFIX}${vni}`;
}

/** The VXLAN device of the network with this VNI: `nsvx<vni>`, at most 12 characters. */
export function vxlanName(vni: number): string {
  checkVni(vni);
  return `${VXLAN_PREFIX}${vni}`;
}

/** The 802.1Q device for VLAN mode: `<uplink>.<vid>`; throws when it would not fit in 15 characters. */
export function vlanName(uplink: string, vlanId: number): string {
  const name = `${uplink}.${vlanId}`;
  if (name.length > MAX_IFNAME) throw invalid('uplink', `${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}

/**
 * The anycast MAC of a network's bridge, identical on every host: `02:6e:73:` ("ns" with the
 * locally-administered bit set, unicast) followed by the 24-bit VNI.
 */
export function serviceMacFor(vni: number): string {
  checkVni(vni);
  const hex = vni.toString(16).padStart(6, '0');
  return `02:6e:73:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** The VNI of an owned bridge or VXLAN name, or undefined for any other name. */
export function vniOfDevice(name: string): number | undefined {
  const m = /^ns(?:br|vx)([1-9][0-9]{0,7})$/.exec(name);
  if (!m?.[1]) return undefined;
  const vni = Number(m[1]);
  return vni <= MAX_VNI ? vni : undefined;
}

/** True for names this package owns by prefix (`nsbr*`, `nsvx*`). */
export function isOwnedName(name: string): boolean {
  return name.startsWith(BRIDGE_PREFIX) || name.startsWith(VXLAN_PREFIX);
}

const MAC_RE = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** Lower-cases a MAC address and checks its form; undefined when it is not `xx:xx:xx:xx:xx:xx`. */
export function normalizeMac(mac: string): string | undefined {
  const m = mac.toLowerCase();
  return MAC_RE.test(m) ? m : undefined;
}

/** True for a dotted-quad IPv4 address. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}
