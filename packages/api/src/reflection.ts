import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/**
 * The contracts as @grpc/proto-loader loads them from the .proto files, with the file descriptors
 * that server reflection serves. Only ipamd needs this (`@netspan/api/reflection`); clients and
 * servers load the generated descriptor instead (`loadNetspan`), which skips parsing the .proto
 * files and building descriptors at start-up.
 */

/** Options shared by the loader and the type generator (scripts/gen-proto-types.mjs). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export const PROTO_FILES = [
  'netspan/v1/network.proto',
  'netspan/v1/ipam.proto',
  'netspan/v1/dns.proto',
  'netspan/v1/agent.proto',
  'netspan/v1/admin.proto',
];

/** The repository's proto/ directory (contracts are the single source of the API). */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'netspan/v1/ipam.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find proto/netspan/v1 above @netspan/api');
}

let cachedDefinition: protoLoader.PackageDefinition | undefined;

/** The loaded package definition of every netspan.v1 file (server reflection serves it). */
export function netspanDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  return cachedDefinition;
}
