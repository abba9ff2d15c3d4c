export { clientHostname, clientIdentity } from './identity.js';
export {
  type Delivery,
  DhcpServer,
  type DhcpServerOptions,
  deliveryFor,
  type LeaseBackend,
  type Outcome,
  type Reply,
  type RequestContext,
} from './server.js';
