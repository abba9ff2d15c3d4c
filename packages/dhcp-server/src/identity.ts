import { createHash } from 'node:crypto';
import type { DhcpPacket } from '@netspan/dhcp-codec';
import { macAddress } from '@netspan/dhcp-codec';
import { sanitizeHostname } from '@netspan/ipam';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The client identity a lease is keyed by (RFC 2131 §4.2): option 61 when present, as
 * colon-separated hex ("01:02:00:5e:00:0c:01"), else the hardware address
 * ("mac:02:00:5e:00:0c:01"). Identifiers too long for a lease key are hashed.
 */
export function clientIdentity(p: DhcpPacket, mac = macAddress(p)): string | undefined {
  const id = p.options.clientId;
  if (id && id.length > 0) {
    let hex = HEX[id[0] as number] as string;
    for (let i = 1; i < id.length; i++) hex += `:${HEX[id[i] as number]}`;
    return hex.length <= 255 ? hex : `sha256:${createHash('sha256').update(id).digest('hex')}`;
  }
  if (mac) {
    // macAddress hands out the same string for a MAC asked for twice in a row: so can this.
    if (mac !== lastMac) {
      lastMac = mac;
      lastMacId = `mac:${mac}`;
    }
    return lastMacId;
  }
  if (p.hlen === 0 || p.hlen > 16) return undefined;
  return `hw${p.htype}:${[...p.chaddr.subarray(0, p.hlen)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

let lastMac = '';
let lastMacId = '';

/** The guest's name for DNS: option 81's first label, else option 12, sanitised to one label. */
export function clientHostname(p: DhcpPacket): string {
  const fqdn = p.options.clientFqdn?.name;
  if (fqdn) {
    const first = fqdn.split(/(?<!\\)\./)[0] ?? '';
    const label = sanitizeHostname(first.replace(/\\(\d{3}|.)/g, '-'));
    if (label) return label;
  }
  return p.options.hostname ? sanitizeHostname(p.options.hostname) : '';
}
