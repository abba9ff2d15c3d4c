import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { type ClientOptions, createClients, NetspanClientError, type TlsFiles } from '@netspan/api';
import {
  checkArgs,
  checkRequiredFlags,
  collectFlags,
  parseChoice,
  parseSeconds,
  stringFlag,
  tokenize,
} from './args.js';
import { allowedFlags, everyFlag, findCommand, findGroup } from './commands/index.js';
import { CliError, UsageError } from './errors.js';
import { commandHelp, commandUsage, groupHelp, topHelp } from './help.js';
import { ProgressLine } from './progress.js';
import { callUnary, type Services, watchLeases } from './rpc.js';
import {
  type CommandSpec,
  type Context,
  DEFAULT_SERVER,
  DEFAULT_TIMEOUT_SECONDS,
  type Invocation,
  type OutputFormat,
} from './spec.js';

/** Where `run` writes and what it reads instead of `process`. */
export interface Io {
  stdout: { write(text: string): unknown };
  /** `isTTY`: a terminal, where long operations show a progress line. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Replaces `createClients` (tests pass fakes). */
  connect?: (server: string, opts: ClientOptions) => Services & { close(): void };
  /** Clock for relative times ("in 59m"); default Date.now. */
  now?: () => number;
  /** Aborted on Ctrl-C: streams end cleanly, calls in flight are cancelled. */
  signal?: AbortSignal;
  /** Makes the `x-request-id` sent with every call of the command (default: `netspanctl-<random>`). */
  requestId?: () => string;
}

function newRequestId(): string {
  return `netspanctl-${randomBytes(6).toString('hex')}`;
}

/** Exit statuses. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const OUTPUTS = { table: 'table', wide: 'wide', json: 'json', yaml: 'yaml' } as const satisfies Record<
  string,
  OutputFormat
>;

interface GlobalOptions {
  server: string;
  output: OutputFormat;
  timeoutSeconds: number;
  tls: TlsFiles | undefined;
}

function readable(flag: string, file: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--${flag}: cannot read ${file} (${code})`);
  }
  return file;
}

export function globalOptions(flags: Invocation['flags'], env: Io['env']): GlobalOptions {
  const output = stringFlag(flags, 'output');
  const timeout = stringFlag(flags, 'timeout');
  const ca = stringFlag(flags, 'tls-ca');
  const cert = stringFlag(flags, 'tls-cert');
  const key = stringFlag(flags, 'tls-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together (mutual TLS needs both)');
  }
  let tls: TlsFiles | undefined;
  if (ca !== undefined || cert !== undefined) {
    tls = {};
    if (ca !== undefined) tls.ca = readable('tls-ca', ca);
    if (cert !== undefined) tls.cert = readable('tls-cert', cert);
    if (key !== undefined) tls.key = readable('tls-key', key);
  }
  return {
    server: stringFlag(flags, 'server') || env.NETSPAN_SERVER || DEFAULT_SERVER,
    output: output === undefined ? 'table' : parseChoice('output', output, OUTPUTS),
    timeoutSeconds: timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseSeconds('timeout', timeout),
    tls,
  };
}

/** What to do next, for the failures where the next step is not obvious from the message. */
function hint(err: NetspanClientError, opts: GlobalOptions | undefined): string | undefined {
  const server = opts?.server ?? DEFAULT_SERVER;
  switch (err.statusName) {
    case 'UNAVAILABLE':
      if (err.fromServer)
        return `ipamd at ${server} is up but cannot reach etcd: check etcd (etcdctl endpoint health) and ipamd's log, then retry`;
      return (
        `is ipamd running at ${server}? start it with \`npm start\`` +
        ` (or pass --server / set NETSPAN_SERVER${opts?.tls ? '' : '; add --tls-ca if it serves TLS'})`
      );
    case 'DEADLINE_EXCEEDED':
      return `no answer from ${server} within ${opts?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS}s; check ipamd and etcd, or raise --timeout`;
    case 'UNIMPLEMENTED':
      return `the server at ${server} does not implement this call: is it ipamd, and of the same version?`;
    default:
      return undefined;
  }
}

/**
 * Runs one command line and returns the exit status: 0 done, 1 the server (or the local
 * system) said no, 2 the command line is wrong. Never throws for expected failures.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const write = (stream: Io['stdout'], text: string) =>
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
  let command: CommandSpec | undefined;
  let group: string | undefined;
  let opts: GlobalOptions | undefined;
  let clients: (Services & { close(): void }) | undefined;
  let requestId: string | undefined;
  let progress: ProgressLine | undefined;
  try {
    const cmdline = tokenize(argv, everyFlag());
    let words = cmdline.words;
    let help = cmdline.flags.some((f) => f.name === 'help');
    if (words[0] === 'help') {
      help = true;
      words = words.slice(1);
    }
    const [groupWord, verb] = words;
    if (groupWord === undefined) {
      if (help) {
        write(io.stdout, topHelp());
        return EXIT_OK;
      }
      throw new UsageError('missing command');
    }
    const groupSpec = findGroup(groupWord);
    if (!groupSpec) throw new UsageError(`unknown command ${JSON.stringify(groupWord)}`);
    group = groupSpec.name;
    // A group that is itself a command (`audit`, `completion`): the rest are its arguments.
    const whole = groupSpec.commands.length === 1 && groupSpec.commands[0]?.verb === '';
    if (whole) command = groupSpec.commands[0];
    else if (verb === undefined) {
      if (help) {
        write(io.stdout, groupHelp(groupSpec));
        return EXIT_OK;
      }
      const verbs = groupSpec.commands.map((c) => c.verb).join(', ');
      throw new UsageError(`missing ${group} command (one of ${verbs})`, undefined, group);
    }
    if (!whole) command = findCommand(group, verb as string);
    if (!command) throw new UsageError(`unknown command "${group} ${verb}"`, undefined, group);
    if (help) {
      write(io.stdout, commandHelp(command));
      return EXIT_OK;
    }

    const allowed = allowedFlags(command);
    const flags = collectFlags(cmdline.flags, allowed, command);
    const args = words.slice(whole ? 1 : 2);
    checkArgs(args, command);
    checkRequiredFlags(flags, allowed, command);
    const options = globalOptions(flags, io.env);
    opts = options;
    const connect = io.connect ?? createClients;
    requestId = (io.requestId ?? newRequestId)();
    const signal = io.signal ?? new AbortController().signal;
    const data = options.output === 'json' || options.output === 'yaml';
    progress = new ProgressLine(io.stderr, Boolean(io.stderr.isTTY) && !data, io.now ?? Date.now);
    const line = progress;
    const clientsNow = () => {
      clients ??= connect(options.server, options.tls ? { tls: options.tls } : {});
      return clients;
    };
    const ctx: Context = {
      output: options.output,
      server: options.server,
      signal,
      call: (service, method, req) =>
        callUnary(clientsNow(), service, method, req, {
          timeoutMs: options.timeoutSeconds * 1000,
          signal,
          requestId,
        }),
      watchLeases: (req) => watchLeases(clientsNow(), req, signal, requestId),
      print: (text) => {
        line.hide();
        write(io.stdout, text);
      },
      note: (text) => {
        line.hide();
        write(io.stderr, text);
      },
      progress: (label) => line.start(label),
      now: io.now ?? Date.now,
    };
    await command.action(ctx, { args, flags });
    progress.stop();
    return EXIT_OK;
  } catch (err) {
    progress?.stop();
    return report(err, io, write, { command, group, opts, requestId });
  } finally {
    clients?.close();
  }
}

function report(
  err: unknown,
  io: Io,
  write: (stream: Io['stdout'], text: string) => unknown,
  where: {
    command: CommandSpec | undefined;
    group: string | undefined;
    opts: GlobalOptions | undefined;
    requestId?: string | undefined;
  },
): number {
  if (err instanceof UsageError) {
    write(io.stderr, `error: ${err.message}\n`);
    const command = err.command ?? where.command;
    const group = err.group ?? where.group;
    const groupSpec = group === undefined ? undefined : findGroup(group);
    write(io.stderr, command ? commandUsage(command) : groupSpec ? groupHelp(groupSpec) : topHelp());
    return EXIT_USAGE;
  }
  if (err instanceof NetspanClientError) {
    // grpc-js appends an empty "Resolution note: " to connection failures.
    const details = err.details.replace(/[.\s]*Resolution note:\s*$/, '');
    write(io.stderr, `error: ${err.statusName}: ${details}`);
    const next = hint(err, where.opts);
    if (next) write(io.stderr, `hint: ${next}`);
    // A server-side failure the message does not explain: point at ipamd's log for this call.
    if (err.fromServer && (err.statusName === 'INTERNAL' || err.statusName === 'UNKNOWN') && where.requestId)
      write(
        io.stderr,
        `hint: ipamd logged this call with "requestId":"${where.requestId}"; its log says more`,
      );
    return EXIT_FAILURE;
  }
  if (err instanceof CliError) {
    write(io.stderr, `error: ${err.message}`);
    return EXIT_FAILURE;
  }
  // A bug, not an expected failure: say so, and keep the stack for whoever reports it.
  const e = err instanceof Error ? err : new Error(String(err));
  write(io.stderr, `error: internal: ${e.message}`);
  if (io.env.NETSPAN_DEBUG) write(io.stderr, e.stack ?? '');
  else write(io.stderr, 'hint: set NETSPAN_DEBUG=1 for a stack trace');
  return EXIT_FAILURE;
}
