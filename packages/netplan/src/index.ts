/**
 * @netspan/netplan — the agent's L2 plumbing as an idempotent, level-triggered reconciler over
 * iproute2 and nftables: a bridge per network holding the anycast service address and MAC, a VXLAN
 * (or VLAN) port, head-end-replication flood entries, static remote-MAC entries, and one nft table
 * that keeps guests' DHCP and the anycast MAC off the tunnel.
 *
 *   const result = await reconcile(desired, execRunner(), { log });
 */
export {
  parseAddresses,
  parseFdb,
  parseHasTable,
  parseLinks,
  readActual,
} from './actual.js';
export { CommandFailedError, invalid, NetplanError, NetplanErrorCode } from './errors.js';
export {
  BRIDGE_PREFIX,
  bridgeName,
  isOwnedName,
  MAX_IFNAME,
  MAX_VNI,
  serviceMacFor,
  VXLAN_PORT,
  VXLAN_PREFIX,
  vlanName,
  vniOfDevice,
  vxlanName,
} from './names.js';
export {
  desiredNft,
  NFT_FAMILY,
  NFT_TABLE,
  type NftNetwork,
  nftReplaceScript,
  normalizeNft,
  parseNftCounters,
} from './nft.js';
export { type ObservedNetwork, observePlumbing } from './observe.js';
export { plan, planPeerChange } from './plan.js';
export { type ReconcileOptions, type ReconcileResult, reconcile } from './reconcile.js';
export { type ExecRunnerOptions, execRunner } from './runner.js';
export type {
  ActualAddress,
  ActualFdbEntry,
  ActualLink,
  ActualState,
  CommandResult,
  HostPlumbing,
  NetworkPlumbing,
  PlanLogger,
  Runner,
  Step,
} from './types.js';
