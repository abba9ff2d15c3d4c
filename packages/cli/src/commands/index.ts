import type { CommandSpec, FlagSpecs, GroupSpec } from '../spec.js';
import { GLOBAL_FLAGS } from '../spec.js';
import { hostCommands, tokenCommands } from './admin.js';
import { auditCommands } from './audit.js';
import { completionCommands } from './completion.js';
import { leaseCommands } from './lease.js';
import { networkCommands } from './network.js';
import { recordCommands } from './record.js';
import { reservationCommands } from './reservation.js';

/** Every command, by group, in help order. */
export const GROUPS: readonly GroupSpec[] = [
  { name: 'network', summary: 'networks: address plan, pools, DHCP options', commands: networkCommands },
  { name: 'lease', summary: 'leases: allocate, release, inspect', commands: leaseCommands },
  { name: 'reservation', summary: 'fixed addresses for MACs', commands: reservationCommands },
  { name: 'token', summary: 'join tokens for agents', commands: tokenCommands },
  { name: 'host', summary: 'hosts: live agents and their networks', commands: hostCommands },
  { name: 'record', summary: "DNS records in the networks' zones", commands: recordCommands },
  { name: 'audit', summary: 'check the stored state for inconsistencies', commands: auditCommands },
  {
    name: 'completion',
    summary: 'shell completion scripts',
    commands: completionCommands(() => GROUPS),
  },
];

export function findGroup(name: string): GroupSpec | undefined {
  return GROUPS.find((g) => g.name === name);
}

export function findCommand(group: string, verb: string): CommandSpec | undefined {
  return findGroup(group)?.commands.find((c) => c.verb === verb);
}

/** The flags `command` accepts: its own and the global ones. */
export function allowedFlags(command: CommandSpec): FlagSpecs {
  return { ...GLOBAL_FLAGS, ...command.flags };
}

/**
 * Every flag of every command, for tokenizing before the command is known. A name must have
 * the same type everywhere (checked by the tests), or tokenizing could split a line wrongly.
 */
export function everyFlag(): FlagSpecs {
  const all: FlagSpecs = { ...GLOBAL_FLAGS };
  for (const g of GROUPS) for (const c of g.commands) Object.assign(all, c.flags);
  return all;
}
