import type { pb } from '@netspan/api';
import type { Progress } from './progress.js';
import type { RequestOf, ResponseOf, Services } from './rpc.js';

/** One flag. Names are the long form without dashes (`lease-time`). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** May be given several times; the values are collected in order. */
  multiple?: boolean;
  /** One-letter alias (`o` for `-o`). */
  short?: string;
  /** Placeholder shown in help (`CIDR`). */
  value?: string;
  required?: boolean;
  help: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ArgSpec {
  name: string;
  required?: boolean;
  help: string;
}

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

/** What a parsed command line hands to a command's action. */
export interface Invocation {
  /** Positional arguments after the command words. */
  args: string[];
  /** Flags that were given (absent flags are not keys): string, boolean or string[] when `multiple`. */
  flags: Map<string, string | boolean | string[]>;
}

/** What an action may use: lazily connected clients, output sinks, the call options. */
export interface Context {
  output: OutputFormat;
  server: string;
  /**
   * Calls a unary method with the per-call deadline, e.g. `ctx.call('ipam', 'Allocate', req)`.
   * Connects on first use, so usage errors found before it never touch the network.
   */
  call<S extends keyof Services, M extends keyof Services[S] & string>(
    service: S,
    method: M,
    req: RequestOf<S, M>,
  ): Promise<ResponseOf<S, M>>;
  /**
   * Follows the WatchLeases stream: each event in order until the server ends it or the
   * command is interrupted (Ctrl-C), which ends the iteration cleanly.
   */
  watchLeases(req: pb.WatchLeasesRequest): AsyncIterable<pb.LeaseEvent>;
  /** Aborted when the user interrupts the command (Ctrl-C). */
  signal: AbortSignal;
  /** Writes a line (or lines) to stdout. */
  print(text: string): void;
  /** Writes a line to stderr (notes for people; never part of `-o json`). */
  note(text: string): void;
  /**
   * A status line on stderr while a long operation runs (a terminal only, never with
   * `-o json|yaml`); `done()` it before printing the result.
   */
  progress(label: string): Progress;
  now(): number;
}

export interface CommandSpec {
  group: string;
  /** '' for a group that is itself a command (`netspanctl audit`). */
  verb: string;
  summary: string;
  /** Usage after `netspanctl <group> <verb>`, e.g. `NAME --cidr CIDR [flags]`. */
  synopsis: string;
  args: ArgSpec[];
  flags: FlagSpecs;
  examples: string[];
  /** Extra help text printed after the flags. */
  notes?: string[];
  action(ctx: Context, inv: Invocation): Promise<void>;
}

export interface GroupSpec {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

export const DEFAULT_SERVER = '127.0.0.1:7700';
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** Flags accepted anywhere on the command line. */
export const GLOBAL_FLAGS: FlagSpecs = {
  server: {
    type: 'string',
    value: 'HOST:PORT',
    help: `ipamd gRPC address (default $NETSPAN_SERVER, else ${DEFAULT_SERVER})`,
  },
  output: { type: 'string', short: 'o', value: 'FORMAT', help: 'table, wide, json or yaml (default table)' },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: `deadline of each call to the server (default ${DEFAULT_TIMEOUT_SECONDS})`,
  },
  'tls-ca': {
    type: 'string',
    value: 'FILE',
    help: 'CA bundle that signed the server certificate (enables TLS)',
  },
  'tls-cert': { type: 'string', value: 'FILE', help: 'client certificate for mutual TLS (with --tls-key)' },
  'tls-key': { type: 'string', value: 'FILE', help: 'client private key for mutual TLS (with --tls-cert)' },
  help: { type: 'boolean', short: 'h', help: 'show help for the command' },
};
