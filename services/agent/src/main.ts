#!/usr/bin/env node
import { createLogger, runService } from '@netspan/log';
import { Agent, loadConfig, usage } from './agent.js';

runService(
  'netspan-agent',
  () => loadConfig(process.argv.slice(2), process.env),
  usage,
  async (cfg) => {
    const log = createLogger({ name: 'agent', level: cfg.logLevel, format: cfg.logFormat });
    const agent = new Agent(cfg, log);
    agent.start();
    return { log, stop: () => agent.stop() };
  },
);
