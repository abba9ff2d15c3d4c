import type { CommandSpec } from './spec.js';

/**
 * A command line the CLI cannot run: unknown command or flag, missing argument, malformed
 * flag value. Exits with status 2 and the usage of `command` (or of the group / top level).
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage to print; undefined = the top-level usage. */
    readonly command?: CommandSpec,
    /** Set when only the group is known (e.g. `network bogus`). */
    readonly group?: string,
  ) {
    super(message);
  }
}

/** A local failure that is not a usage mistake and not a server answer (exit status 1). */
export class CliError extends Error {
  override name = 'CliError';
}
