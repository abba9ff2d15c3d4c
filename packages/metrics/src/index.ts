/**
 * Prometheus exposition shared by netspan services (ipamd today, the host agent next): a
 * registry with the process metrics, and a small HTTP server for `/metrics`, `/healthz` and
 * `/readyz`. Services define their own metrics (one module each) on the registry this hands
 * out; domain packages never import this or prom-client, they expose hooks the service wires.
 */
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export {
  counterFrom,
  type MetricsServer,
  type MetricsServerOptions,
  newRegistry,
  startMetricsServer,
} from './server.js';
