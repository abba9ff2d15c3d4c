/** netspanctl as a library: `run()` for tests and embedding, and the pure helpers it is built from. */
export {
  type CommandLine,
  collectFlags,
  type FlagToken,
  parsePool,
  parseRange,
  parseRoute,
  tokenize,
} from './args.js';
export { GROUPS } from './commands/index.js';
export { CliError, UsageError } from './errors.js';
export { formatDuration, formatExpiry, formatKeyValues, formatTable, usageBar } from './format.js';
export {
  allocateRequest,
  createNetworkRequest,
  NETWORK_FIELDS,
  networkFromFlags,
  updateNetworkRequest,
} from './requests.js';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Io, run } from './run.js';
export type { CommandSpec, Context, FlagSpec, Invocation, OutputFormat } from './spec.js';
