import { BRIDGE_PREFIX, VXLAN_PREFIX, vniOfDevice } from './names.js';
import type { ActualState } from './types.js';

const ZERO_MAC = '00:00:00:00:00:00';

/** One network's plumbing as read back from the kernel: what an agent reports to ipamd. */
export interface ObservedNetwork {
  /** The bridge's alias (the netspan network name); '' when there is no bridge to say it. */
  network: string;
  vni: number;
  /** `nsbr<vni>` exists and is up. */
  bridge: boolean;
  /** The VXLAN device (or a VLAN sub-interface) exists, is up and is a port of the bridge. */
  tunnel: boolean;
  /** Remote VTEPs with a flood (all-zeros MAC) entry on `nsvx<vni>`, sorted. */
  floodVteps: string[];
}

/**
 * Summarises the netspan plumbing on a host: every network with a bridge or a VXLAN device of
 * ours, by VNI. Pure, so the report an agent sends is tested from captured listings; ipamd
 * compares it with the desired state (the agent's reconciler is not trusted to judge itself).
 */
export function observePlumbing(actual: ActualState): ObservedNetwork[] {
  const byVni = new Map<number, ObservedNetwork>();
  const entry = (vni: number): ObservedNetwork => {
    let o = byVni.get(vni);
    if (!o) {
      o = { network: '', vni, bridge: false, tunnel: false, floodVteps: [] };
      byVni.set(vni, o);
    }
    return o;
  };
  for (const l of actual.links) {
    const vni = vniOfDevice(l.name);
    if (vni === undefined) continue;
    if (l.name.startsWith(BRIDGE_PREFIX) && l.kind === 'bridge') {
      const o = entry(vni);
      o.bridge = l.up;
      o.network = l.alias ?? '';
    } else if (l.name.startsWith(VXLAN_PREFIX)) entry(vni);
  }
  const bridges = new Set(actual.links.filter((l) => l.kind === 'bridge').map((l) => l.name));
  for (const l of actual.links) {
    const vni = l.master === undefined ? undefined : vniOfDevice(l.master);
    if (vni === undefined || !l.master?.startsWith(BRIDGE_PREFIX) || !bridges.has(l.master)) continue;
    const isTunnel =
      (l.kind === 'vxlan' && l.name === `${VXLAN_PREFIX}${vni}`) ||
      (l.kind === 'vlan' && l.vlan !== undefined);
    if (isTunnel && l.up) entry(vni).tunnel = true;
  }
  for (const e of actual.fdb) {
    if (e.mac !== ZERO_MAC || e.dst === undefined || !e.dev.startsWith(VXLAN_PREFIX)) continue;
    const vni = vniOfDevice(e.dev);
    if (vni === undefined) continue;
    const o = entry(vni);
    if (!o.floodVteps.includes(e.dst)) o.floodVteps.push(e.dst);
  }
  for (const o of byVni.values()) o.floodVteps.sort();
  return [...byVni.values()].sort((a, b) => a.vni - b.vni);
}
