import http from 'node:http';
import { type Counter, collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A registry with the standard process and Node.js metrics (`process_cpu_seconds_total`,
 * `nodejs_eventloop_lag_seconds`, …) and `labels` on every series (e.g. `{ replica }`).
 */
export function newRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Feeds a counter from a monotonic number kept elsewhere (a `stats` field of a domain
 * object) at scrape time: adds what grew since the last scrape. Keeps hot paths free of
 * metric calls; call it from the counter's `collect`.
 */
export function counterFrom(): (counter: Counter, value: number, labels?: Record<string, string>) => void {
  const last = new Map<string, number>();
  return (counter, value, labels = {}) => {
    // Keyed by counter too: one feeder may serve several counters with the same labels.
    const key = `${(counter as unknown as { name: string }).name}|${JSON.stringify(labels)}`;
    const prev = last.get(key) ?? 0;
    if (value > prev) counter.inc(labels, value - prev);
    last.set(key, Math.max(prev, value));
  };
}

export interface MetricsServerOptions {
  /** host:port (port 0 = any free port). */
  listen: string;
  registry: Registry;
  /**
   * Readiness for `/readyz`: true serves 200, false 503. `/healthz` is liveness only (200
   * while the process answers HTTP at all).
   */
  ready?: () => boolean;
}

export interface MetricsServer {
  /** Bound address, host:port. */
  address: string;
  close(): Promise<void>;
}

/** Serves `/metrics` (Prometheus text format), `/healthz` and `/readyz`. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const i = o.listen.lastIndexOf(':');
  const host = o.listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(o.listen.slice(i + 1));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      o.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': o.registry.contentType }).end(text),
        (err: unknown) =>
          res
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`collecting metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = o.ready ? o.ready() : true;
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ready\n' : 'not ready\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics, /healthz or /readyz\n');
    }
  });
  // A scraper's keep-alive connection must not hold shutdown up.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  const address =
    a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : o.listen;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
