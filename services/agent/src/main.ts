#!/usr/bin/env node
import { createLogger, runService } from '@netspan/log';
import type { MetricsServer } from '@netspan/metrics';
import { Agent, loadConfig, usage } from './agent.js';

runService(
  'netspan-agent',
  () => loadConfig(process.argv.slice(2), process.env),
  usage,
  async (cfg) => {
    const log = createLogger({ name: 'agent', level: cfg.logLevel, format: cfg.logFormat });
    const agent = new Agent(cfg, log);
    agent.start();
    let metrics: MetricsServer | undefined;
    if (cfg.metricsListen) {
      // Registration first: every peer waits for it, and the session's connection is made on this
      // event loop, which loading prom-client (tens of ms) would hold up. So the metrics server
      // starts once registered, or after a second when ipamd is slow or unreachable.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          agent.control.off('connected', done);
          resolve();
        };
        const timer = setTimeout(done, 1000);
        agent.control.once('connected', done);
      });
      const [{ startMetricsServer }, { agentMetrics }] = await Promise.all([
        import('@netspan/metrics'),
        import('./metrics.js'),
      ]);
      metrics = await startMetricsServer({
        listen: cfg.metricsListen,
        registry: agentMetrics(agent, cfg.hostId),
        ready: () => agent.control.connected,
      });
      log.info({ metrics: metrics.address }, 'metrics listening');
    }
    return {
      log,
      stop: async () => {
        await agent.stop();
        await metrics?.close();
      },
    };
  },
);
