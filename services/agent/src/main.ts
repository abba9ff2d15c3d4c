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
    // Registration first: peers wait for it, and prom-client is loaded while ipamd answers.
    agent.start();
    let metrics: MetricsServer | undefined;
    if (cfg.metricsListen) {
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
