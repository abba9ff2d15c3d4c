#!/usr/bin/env node
import { createLogger, runService } from '@netspan/log';
import { startMetricsServer } from '@netspan/metrics';
import { Agent, loadConfig, usage } from './agent.js';
import { agentMetrics } from './metrics.js';

runService(
  'netspan-agent',
  () => loadConfig(process.argv.slice(2), process.env),
  usage,
  async (cfg) => {
    const log = createLogger({ name: 'agent', level: cfg.logLevel, format: cfg.logFormat });
    const agent = new Agent(cfg, log);
    agent.start();
    const metrics = cfg.metricsListen
      ? await startMetricsServer({
          listen: cfg.metricsListen,
          registry: agentMetrics(agent, cfg.hostId),
          ready: () => agent.control.connected,
        })
      : undefined;
    if (metrics) log.info({ metrics: metrics.address }, 'metrics listening');
    return {
      log,
      stop: async () => {
        await agent.stop();
        await metrics?.close();
      },
    };
  },
);
