export { AddressViews, NetworkView, type PoolCounts, type ViewEvent } from './address-view.js';
export { Batcher } from './batcher.js';
export {
  type BindParams,
  type BindResult,
  DhcpLeases,
  type DhcpLeasesOptions,
  type Offer,
  type OfferParams,
} from './dhcp-leases.js';
export {
  type AllocateParams,
  type AllocateResult,
  type EngineOptions,
  IpamEngine,
  type ListLeasesParams,
  type NetworkUsage,
} from './engine.js';
export { ErrorCode, IpamError, invalid, notFound } from './errors.js';
export {
  type Cidr,
  cidrContains,
  formatIPv4,
  parseCidr,
  parseIPv4,
  prefixMask,
  requireIPv4,
  type U32,
} from './ipv4.js';
export {
  isLive,
  LEASE_STATES,
  type Lease,
  type LeaseState,
  type Location,
  newLease,
  normalizeMac,
  type Reservation,
  type StoredLease,
  type StoredReservation,
  sanitizeHostname,
  validateClientId,
} from './lease.js';
export { MemoryStore } from './memory-store.js';
export {
  type AddressRange,
  type CompiledNetwork,
  type CompiledPool,
  compileNetwork,
  DEFAULT_LEASE_TIME,
  DEFAULT_VXLAN_MTU,
  type DhcpOptions,
  type Encapsulation,
  effectiveMtu,
  effectiveRouters,
  effectiveServiceAddress,
  effectiveStaticRoutes,
  type ForwardMode,
  isDnsLabel,
  isDnsName,
  MAX_VNI,
  type Network,
  type NetworkInput,
  normalizeNetwork,
  type Pool,
  type StaticRoute,
  type StoredNetwork,
  serviceMacFor,
  validateNetworkName,
} from './network.js';
export type {
  AddReservationResult,
  ClaimOutcome,
  ClaimRequest,
  CreateNetworkResult,
  DeleteNetworkResult,
  IpamStore,
  LeaseUpdate,
  Snapshot,
  StoreObserver,
  Subscription,
  SyncOptions,
} from './store.js';
