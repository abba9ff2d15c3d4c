import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** One setting of a service: its environment variable, default and help (the --help source). */
export interface FlagSpec {
  env: string;
  def: string;
  help: string;
  /** A switch (`--remote-macs`), not a value. */
  boolean?: boolean;
}

/** A bad command line, environment or config file: main prints it with the usage, exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `--help` text: every flag with its environment variable and default. */
export function flagUsage(title: string, flags: Record<string, FlagSpec>): string {
  const lines = [title, '', 'Flags (environment variable, default):'];
  for (const [name, f] of Object.entries(flags)) {
    lines.push(`  --${name.padEnd(16)} ${f.help} (${f.env}${f.def ? `, ${f.def}` : ''})`);
  }
  lines.push('  --config FILE      JSON file with any of the flags above as keys', '  --help');
  return lines.join('\n');
}

export interface FlagReader {
  /** The setting as text: flag, else environment, else config file, else default. */
  get(name: string): string;
  /** An integer setting within [min, max], or ConfigError naming the flag. */
  int(name: string, min: number, max: number): number;
  /** Comma-separated values, trimmed, empty ones dropped. */
  list(name: string): string[];
}

/**
 * Reads settings the same way for every service: a flag wins over the environment, which
 * wins over the JSON file given with `--config` (or `configEnv`). 'help' when asked for.
 */
export function readFlags(
  flags: Record<string, FlagSpec>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  configEnv: string,
): FlagReader | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(
          Object.entries(flags).map(([k, f]) => [
            k,
            { type: f.boolean ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help) return 'help';
  let file: Record<string, unknown> = {};
  const configPath = parsed.values.config ?? env[configEnv];
  if (typeof configPath === 'string' && configPath) {
    try {
      file = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`--config ${configPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const k of Object.keys(file))
      if (!(k in flags)) throw new ConfigError(`--config ${configPath}: unknown setting ${k}`);
  }
  const spec = (name: string) => flags[name] as FlagSpec;
  const get = (name: string): string => {
    const v = parsed.values[name];
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return String(v);
    const e = env[spec(name).env];
    if (e !== undefined && e !== '') return e;
    const f = file[name];
    if (f !== undefined) return Array.isArray(f) ? f.join(',') : String(f);
    return spec(name).def;
  };
  return {
    get,
    int(name, min, max) {
      const v = Number(get(name));
      if (!Number.isInteger(v) || v < min || v > max)
        throw new ConfigError(`--${name}: ${get(name)} is not an integer in ${min}..${max}`);
      return v;
    },
    list(name) {
      return get(name)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    },
  };
}

/**
 * The common main of a service: parse settings (usage and exit 2 on ConfigError), start,
 * then stop cleanly on SIGTERM/SIGINT and exit with 0, or 1 if stopping failed.
 */
export function runService<C>(
  name: string,
  load: () => C | 'help',
  usage: () => string,
  start: (cfg: C) => Promise<{
    log: { info(o: object, m: string): void; error(o: object, m: string): void };
    stop(): Promise<void>;
  }>,
): void {
  const main = async (): Promise<number> => {
    let cfg: C | 'help';
    try {
      cfg = load();
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${name}: ${err.message}\n\n${usage()}\n`);
        return 2;
      }
      throw err;
    }
    if (cfg === 'help') {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    const running = await start(cfg);
    return await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        running.log.info({ signal }, 'shutting down');
        running.stop().then(
          () => resolve(0),
          (err: unknown) => {
            running.log.error({ err }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  };
  main().then(
    // Give pino's async destination a moment to flush.
    (code) => setTimeout(() => process.exit(code), 50),
    (err: unknown) => {
      process.stderr.write(
        `${name}: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
