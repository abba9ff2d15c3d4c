// Test-only helpers: real iproute2/nft listings captured by scripts/capture-fixtures.mjs.
import { readFileSync } from 'node:fs';
import { parseAddresses, parseFdb, parseHasTable, parseLinks } from './actual.js';
import { normalizeNft } from './nft.js';
import type { ActualState, CommandResult, HostPlumbing, Runner } from './types.js';

export interface Fixture {
  desired: HostPlumbing;
  links: string;
  addresses: string;
  fdb: string;
  nftTables: string;
  nftTable: string | null;
}

export function loadFixture(name: 'empty' | 'converged'): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** The ActualState readActual builds from a fixture (without running anything). */
export function actualOf(f: Fixture): ActualState {
  return {
    links: parseLinks(f.links),
    addresses: parseAddresses(f.addresses),
    fdb: parseFdb(f.fdb),
    nft: parseHasTable(f.nftTables) && f.nftTable !== null ? normalizeNft(f.nftTable) : null,
  };
}

/** A Runner that answers the four reads from a fixture and records every command. */
export function fixtureRunner(f: Fixture): Runner & { calls: Array<{ argv: string[]; input?: string }> } {
  const calls: Array<{ argv: string[]; input?: string }> = [];
  const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', code: 0 });
  return {
    calls,
    async run(argv, input) {
      calls.push(input === undefined ? { argv } : { argv, input });
      switch (argv.join(' ')) {
        case 'ip -j -d link show':
          return ok(f.links);
        case 'ip -j addr show':
          return ok(f.addresses);
        case 'bridge -j fdb show':
          return ok(f.fdb);
        case 'nft -j list tables bridge':
          return ok(f.nftTables);
        case 'nft list table bridge netspan':
          return f.nftTable === null
            ? { stdout: '', stderr: 'No such file or directory', code: 1 }
            : ok(f.nftTable);
        default:
          return ok('');
      }
    },
  };
}
