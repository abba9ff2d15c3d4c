#!/usr/bin/env node
import { runService } from '@netspan/log';
import { loadConfig, usage } from './config.js';
import { startIpamd } from './server.js';

runService('ipamd', () => loadConfig(process.argv.slice(2), process.env), usage, startIpamd);
