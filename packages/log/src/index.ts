import { type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  name: string;
  level?: string;
  /** "json" (default): one JSON object per line; "pretty": human-readable lines. */
  format?: string;
  /** Where to write (default stdout). */
  destination?: NodeJS.WritableStream;
  /**
   * Fields merged into every line, computed when the line is written: e.g. the request id
   * of the gRPC call the line belongs to.
   */
  mixin?: () => object;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** A pino logger, one line per event; `pretty` renders `time level name msg k=v` for people. */
export function createLogger(o: LoggerOptions): Logger {
  const level = (o.level ?? 'info').toLowerCase();
  if (!LEVELS.has(level))
    throw new Error(`--log-level: unknown level ${JSON.stringify(o.level)} (use ${[...LEVELS].join(', ')})`);
  const format = o.format ?? 'json';
  if (format !== 'json' && format !== 'pretty')
    throw new Error(`--log-format: use json or pretty, not ${JSON.stringify(format)}`);
  const dest = o.destination ?? process.stdout;
  const opts = { name: o.name, level: level as LevelWithSilent, ...(o.mixin ? { mixin: o.mixin } : {}) };
  if (format === 'pretty') return pino(opts, prettyStream(dest));
  return pino(opts, pino.destination({ fd: 1, sync: false }));
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** A minimal pretty printer: keeps the dependency list short and the output one line per event. */
function prettyStream(dest: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write(line: string) {
      try {
        const {
          time,
          level,
          name,
          msg,
          pid: _pid,
          hostname: _h,
          ...rest
        } = JSON.parse(line) as Record<string, unknown>;
        const t = new Date(Number(time)).toISOString().slice(11, 23);
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        dest.write(
          `${t} ${(LEVEL_NAMES[Number(level)] ?? level)?.toString().padEnd(5)} ${name}: ${msg}${extras ? ` ${extras}` : ''}\n`,
        );
      } catch {
        dest.write(line);
      }
    },
  };
}

/** Resolves after `ms`, or rejects when `signal` aborts first. The timer is always cleared. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0 → up to `baseMs`, capped at `maxMs`. */
export function backoff(attempt: number, baseMs = 100, maxMs = 5000): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
}

/**
 * Waits for `p` at most `ms`; resolves to `onTimeout` after that (the promise is left to
 * settle on its own). For shutdown steps that must not hang when a peer is gone.
 */
export async function withTimeout<T, U>(p: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<U>((resolve) => {
        timer = setTimeout(() => resolve(onTimeout), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
export { ConfigError, type FlagReader, type FlagSpec, flagUsage, readFlags, runService } from './flags.js';
