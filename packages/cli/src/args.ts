import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { CommandSpec, FlagSpecs, Invocation } from './spec.js';

/** A flag as it appeared on the command line. */
export interface FlagToken {
  /** Long name without dashes (short aliases are resolved). */
  name: string;
  /** As typed: `--cidr`, `-o`. */
  rawName: string;
  value: string | undefined;
  /** True for `--flag=value` / `-ovalue`. */
  inline: boolean;
}

export interface CommandLine {
  /** Every positional word in order: command words first, then the command's arguments. */
  words: string[];
  flags: FlagToken[];
}

/**
 * Splits argv into positional words and flags. `known` must hold every flag of every command
 * (the types agree across commands), so a flag's value is never mistaken for a command word
 * wherever the flag sits: `netspanctl -o json network list` and `network list -o json` agree.
 * Unknown flags are kept (as booleans) and rejected later, once the command is known.
 */
export function tokenize(argv: readonly string[], known: FlagSpecs): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(known)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const line: CommandLine = { words: [], flags: [] };
  for (const t of tokens) {
    if (t.kind === 'positional') line.words.push(t.value);
    else if (t.kind === 'option') {
      line.flags.push({ name: t.name, rawName: t.rawName, value: t.value, inline: t.inlineValue === true });
    }
  }
  return line;
}

/**
 * Checks the flags against what `command` accepts (not yet that required ones are there,
 * see checkRequiredFlags) and collects their values: repeated
 * `multiple` flags become arrays, any other repeated flag keeps its last value.
 */
export function collectFlags(
  tokens: readonly FlagToken[],
  allowed: FlagSpecs,
  command?: CommandSpec,
): Invocation['flags'] {
  const flags: Invocation['flags'] = new Map();
  const where = command ? ` for "${command.group} ${command.verb}"` : '';
  for (const t of tokens) {
    const spec = allowed[t.name];
    if (!spec) throw new UsageError(`unknown flag ${t.rawName}${where}`, command);
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`flag ${t.rawName} takes no value`, command);
      flags.set(t.name, true);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`flag ${t.rawName} needs a value`, command);
    // `--cidr --gateway 10.0.0.1` is a forgotten value, not a CIDR named "--gateway".
    const looksLikeFlag = t.value.startsWith('--') && (t.value.slice(2).split('=')[0] ?? '') in allowed;
    if (!t.inline && looksLikeFlag) {
      throw new UsageError(
        `flag ${t.rawName} needs a value (got ${t.value}; write ${t.rawName}=VALUE for a value starting with "-")`,
        command,
      );
    }
    if (spec.multiple) {
      const list = (flags.get(t.name) as string[] | undefined) ?? [];
      list.push(t.value);
      flags.set(t.name, list);
    } else {
      flags.set(t.name, t.value);
    }
  }
  return flags;
}

/** Checks that every required flag of `command` was given (after the arguments were checked). */
export function checkRequiredFlags(
  flags: Invocation['flags'],
  allowed: FlagSpecs,
  command?: CommandSpec,
): void {
  for (const [name, spec] of Object.entries(allowed)) {
    if (spec.required && !flags.has(name)) throw new UsageError(`missing required flag --${name}`, command);
  }
}

/** Checks the count of positional arguments against the command's argument list. */
export function checkArgs(args: readonly string[], command: CommandSpec): void {
  const required = command.args.filter((a) => a.required);
  const missing = required[args.length];
  if (missing) throw new UsageError(`missing argument ${missing.name}`, command);
  if (args.length > command.args.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args[command.args.length])}`, command);
  }
}

// ---------- typed access to collected flags ----------

export function stringFlag(flags: Invocation['flags'], name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(flags: Invocation['flags'], name: string): string[] | undefined {
  const v = flags.get(name);
  return Array.isArray(v) ? v : undefined;
}

export function boolFlag(flags: Invocation['flags'], name: string): boolean {
  return flags.get(name) === true;
}

// ---------- flag value parsers (throw UsageError naming the flag) ----------

const UINT32_MAX = 0xffffffff;

/** A non-negative decimal integer within [min, max]. */
export function parseUint(flag: string, text: string, opts: { min?: number; max?: number } = {}): number {
  const min = opts.min ?? 0;
  const max = opts.max ?? UINT32_MAX;
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a whole number`);
  }
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: ${text} is outside ${min}..${max}`);
  }
  return n;
}

/** A positive number of seconds (fractions allowed), e.g. `--timeout 2.5`. */
export function parseSeconds(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a positive number of seconds`);
  }
  return n;
}

/** One of a fixed set of words, mapped to its value (e.g. `nat` → `FORWARD_MODE_NAT`). */
export function parseChoice<T>(flag: string, text: string, choices: Readonly<Record<string, T>>): T {
  const key = text.trim().toLowerCase();
  if (!Object.hasOwn(choices, key)) {
    throw new UsageError(
      `--${flag}: ${JSON.stringify(text)} is not one of ${Object.keys(choices).join(', ')}`,
    );
  }
  return choices[key] as T;
}

export interface PoolArg {
  name: string;
  start: string;
  end: string;
}

/** `START-END[,NAME]`, e.g. `10.0.0.10-10.0.0.50,web`. Addresses are checked by the server. */
export function parsePool(text: string): PoolArg {
  const bad = () =>
    new UsageError(`--pool: ${JSON.stringify(text)} is not START-END[,NAME] (e.g. 10.0.0.10-10.0.0.50,web)`);
  const comma = text.indexOf(',');
  const range = comma < 0 ? text : text.slice(0, comma);
  const name = comma < 0 ? '' : text.slice(comma + 1).trim();
  if (comma >= 0 && (name === '' || name.includes(','))) throw bad();
  const parts = range.split('-').map((p) => p.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw bad();
  return { name, start: parts[0], end: parts[1] };
}

/** `START[-END]`; a single address is the range START-START. */
export function parseRange(flag: string, text: string): { start: string; end: string } {
  const parts = text.split('-').map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not START[-END] (e.g. 10.0.0.20-10.0.0.29)`);
  }
  const start = parts[0] as string;
  return { start, end: parts[1] ?? start };
}

/** `DST_CIDR=GW`, e.g. `10.20.0.0/16=10.0.0.1`. */
export function parseRoute(text: string): { destination: string; gateway: string } {
  const parts = text.split('=').map((p) => p.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1] || !parts[0].includes('/')) {
    throw new UsageError(`--route: ${JSON.stringify(text)} is not DST_CIDR=GW (e.g. 10.20.0.0/16=10.0.0.1)`);
  }
  return { destination: parts[0], gateway: parts[1] };
}
