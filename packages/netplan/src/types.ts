/** One virtual network as this host must carry it. */
export interface NetworkPlumbing {
  /** netspan network name (a DNS label, up to 63 characters); set as the bridge's alias. */
  name: string;
  /** VXLAN network identifier, 1..16777215; it also names the devices (`nsbr<vni>`, `nsvx<vni>`). */
  vni: number;
  encapsulation: 'vxlan' | 'vlan';
  /** 802.1Q id (1..4094); only read when `encapsulation` is `vlan`. */
  vlanId?: number;
  /** MTU of the bridge and its tunnel port (the underlay MTU - 50 for VXLAN). */
  mtu: number;
  /** IPv4 address the bridge holds as a /32 on every host (the DHCP server identifier). */
  serviceAddress: string;
  /** The bridge's MAC, identical on every host (anycast); see `serviceMacFor`. */
  serviceMac: string;
  /** Remote VTEP IPv4 addresses carrying this network (head-end replication). Ignored for VLAN. */
  peers: string[];
  /** Optional static per-MAC entries for remote guests, so their unicast is not flooded. */
  remoteMacs?: Array<{ mac: string; vtep: string }>;
}

/** Everything this host must carry. */
export interface HostPlumbing {
  /** This host's underlay IPv4 address, the source of every VXLAN packet. */
  localVtep: string;
  /** Underlay device for the VXLAN devices (`dev <underlayDevice>`); optional. */
  underlayDevice?: string;
  /** Physical device for VLAN mode (`<uplink>.<vid>`); required when any network uses VLAN. */
  uplink?: string;
  networks: NetworkPlumbing[];
}

/** One command the reconciler runs. */
export interface Step {
  /** Program and arguments, e.g. `['ip', 'link', 'set', 'dev', 'nsbr7', 'up']`. */
  argv: string[];
  /** Standard input for the command (the nft transaction). */
  input?: string;
  /** Why the step is needed, for logs. */
  why: string;
  /**
   * True when the step corrects an object that already existed (a missing flood entry on an existing
   * VXLAN device, a wrong MTU, a VXLAN device recreated...); false when it builds a network that was
   * absent or removes one that is no longer desired. `reconcile` counts these as `driftRepaired`.
   * Plan is stateless, so on a network that already exists it cannot tell a peer that joined or left
   * from a flood entry removed or added by hand: both count as repairs.
   */
  repair: boolean;
}

/** What a command printed and how it exited. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; non-zero is a failure of the command, not an exception. */
  code: number;
}

/**
 * Runs one command. The narrow interface the reconciler needs: tests fake it or point it into a
 * network namespace (`execRunner({ netns })`). Throws only when the command cannot be run at all.
 */
export interface Runner {
  run(argv: string[], input?: string): Promise<CommandResult>;
}

/** A link as read back from `ip -j -d link show`. */
export interface ActualLink {
  name: string;
  /** `linkinfo.info_kind` (bridge, vxlan, vlan, veth...), undefined for plain devices. */
  kind: string | undefined;
  mtu: number;
  mac: string;
  /** Administratively up (the UP flag). */
  up: boolean;
  /** Bridge this link is a port of. */
  master: string | undefined;
  alias: string | undefined;
  /** `inet6_addr_gen_mode` (eui64, none, ...). */
  addrGenMode: string | undefined;
  /** Lower device (`link`): a VXLAN's underlay device, a VLAN's parent. */
  link: string | undefined;
  vxlan?: {
    id: number;
    local: string | undefined;
    port: number;
    learning: boolean;
    link: string | undefined;
  };
  vlan?: { id: number };
}

/** An address as read back from `ip -j addr show`. */
export interface ActualAddress {
  dev: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

/** A forwarding entry as read back from `bridge -j fdb show`. */
export interface ActualFdbEntry {
  mac: string;
  dev: string;
  /** Remote VTEP of a VXLAN entry. */
  dst: string | undefined;
  /** permanent, static, stale, or undefined for a learned (reachable) entry. */
  state: string | undefined;
  flags: string[];
  master: string | undefined;
}

/** The host's plumbing as read back from the kernel. */
export interface ActualState {
  links: ActualLink[];
  addresses: ActualAddress[];
  fdb: ActualFdbEntry[];
  /** `nft list table bridge netspan`, normalized (`normalizeNft`); null when the table does not exist. */
  nft: string | null;
}

/** The logger `reconcile` reports to; pino's shape, so a pino logger fits. */
export interface PlanLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}
