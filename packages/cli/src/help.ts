import { GROUPS } from './commands/index.js';
import type { CommandSpec, FlagSpecs, GroupSpec } from './spec.js';
import { GLOBAL_FLAGS } from './spec.js';

/** Help and usage text. Help goes to stdout (exit 0); usage after a mistake goes to stderr (exit 2). */

const PROG = 'netspanctl';

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

/** Two columns without the "-" placeholder for empty cells. */
function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${a.padEnd(width)}  ${b}`.trimEnd()).join('\n');
}

function flagRows(flags: FlagSpecs): [string, string][] {
  return Object.entries(flags).map(([name, f]) => {
    const names = f.short ? `-${f.short}, --${name}` : `    --${name}`;
    const left = f.value ? `${names} ${f.value}` : names;
    const extras = [f.required ? 'required' : '', f.multiple ? 'repeatable' : ''].filter(Boolean);
    return [left, extras.length ? `${f.help} (${extras.join(', ')})` : f.help];
  });
}

export function commandLine(c: CommandSpec): string {
  return `${PROG} ${commandName(c)}${c.synopsis ? ` ${c.synopsis}` : ''}`;
}

/** `network create`, or `audit` for a group that is itself a command. */
export function commandName(c: CommandSpec): string {
  return c.verb ? `${c.group} ${c.verb}` : c.group;
}

/** Usage line, arguments and flags: printed after a usage error. */
export function commandUsage(c: CommandSpec): string {
  const parts = [`Usage:\n  ${commandLine(c)}`];
  if (c.args.length) parts.push(`Arguments:\n${indent(columns(c.args.map((a) => [a.name, a.help])))}`);
  if (Object.keys(c.flags).length) parts.push(`Flags:\n${indent(columns(flagRows(c.flags)))}`);
  parts.push(`Run '${PROG} ${commandName(c)} --help' for examples and global flags.`);
  return parts.join('\n\n');
}

/** `netspanctl <group> <verb> --help`. */
export function commandHelp(c: CommandSpec): string {
  const parts = [`${c.summary}.`, `Usage:\n  ${commandLine(c)}`];
  if (c.args.length) parts.push(`Arguments:\n${indent(columns(c.args.map((a) => [a.name, a.help])))}`);
  if (Object.keys(c.flags).length) parts.push(`Flags:\n${indent(columns(flagRows(c.flags)))}`);
  if (c.notes?.length) parts.push(c.notes.join('\n'));
  parts.push(`Global flags:\n${indent(columns(flagRows(GLOBAL_FLAGS)))}`);
  parts.push(`Examples:\n${indent(c.examples.join('\n'))}`);
  return parts.join('\n\n');
}

/** `netspanctl <group> --help`. */
export function groupHelp(g: GroupSpec): string {
  return [
    `${PROG} ${g.name}: ${g.summary}.`,
    `Usage:\n  ${PROG} ${g.name} <command> [arguments] [flags]`,
    `Commands:\n${indent(columns(g.commands.map((c) => [c.verb, c.summary])))}`,
    `Examples:\n${indent(g.commands.map((c) => c.examples[0]).join('\n'))}`,
    `Run '${PROG} ${g.name} <command> --help' for a command's flags.`,
  ].join('\n\n');
}

/** `netspanctl --help`. */
export function topHelp(): string {
  const rows: [string, string][] = [];
  for (const g of GROUPS) for (const c of g.commands) rows.push([commandName(c), c.summary]);
  return [
    `${PROG}: operator CLI for netspan (distributed IPAM, DHCP and DNS over etcd).`,
    `Usage:\n  ${PROG} <group> <command> [arguments] [flags]`,
    `Commands:\n${indent(columns(rows))}`,
    `Global flags (anywhere on the line):\n${indent(columns(flagRows(GLOBAL_FLAGS)))}`,
    `Examples:\n${indent(
      [
        `${PROG} network create blue --cidr 10.0.0.0/24 --gateway 10.0.0.1`,
        `${PROG} network list`,
        `${PROG} lease allocate blue --client-id vm-42 -o json`,
        `${PROG} lease list --network blue --all`,
        `${PROG} --server ipamd.example:7700 --tls-ca ca.pem network usage`,
        `${PROG} lease watch --network blue`,
        `${PROG} audit --network blue --fix`,
        `source <(${PROG} completion bash)`,
      ].join('\n'),
    )}`,
    `Run '${PROG} <group> <command> --help' for a command's flags and examples.`,
  ].join('\n\n');
}
