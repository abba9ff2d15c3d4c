export { CLI, type CliOptions, type CliResult, netspanctl } from './cli.js';
export { type EtcdHandle, type EtcdOptions, etcdHealthy, httpGet, httpPostJson, startEtcd } from './etcd.js';
export { type IpamdHandle, type IpamdOptions, repoRoot, startIpamd } from './ipamd.js';
export { freePort, freePorts, isPortFree } from './ports.js';
export { type WaitForOptions, waitFor } from './wait.js';
