export {
  type ClientOptions,
  channelCredentials,
  createClients,
  type NetspanClients,
  type TlsFiles,
  unary,
} from './clients.js';
export {
  encapsulationFromPb,
  leaseStateFromPb,
  leaseStateToPb,
  leaseToPb,
  modeFromPb,
  networkFromPb,
  networkToPb,
  reservationToPb,
} from './convert.js';
export { NetspanClientError, toServiceError, toStatus } from './errors.js';
export type * as pb from './gen/pb.js';
export { loadNetspan, type NetspanV1 } from './proto.js';
