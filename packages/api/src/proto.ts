import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as AdminProto } from './gen/admin.js';
import type { ProtoGrpcType as AgentProto } from './gen/agent.js';
import type { ProtoGrpcType as DnsProto } from './gen/dns.js';
import type { ProtoGrpcType as IpamProto } from './gen/ipam.js';
import type { ProtoGrpcType as NetworkProto } from './gen/network.js';

export type NetspanV1 = NetworkProto['netspan']['v1'] &
  IpamProto['netspan']['v1'] &
  DnsProto['netspan']['v1'] &
  AgentProto['netspan']['v1'] &
  AdminProto['netspan']['v1'];

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

let cached: NetspanV1 | undefined;
let cachedDefinition: protoLoader.PackageDefinition | undefined;

/** The loaded package definition of every netspan.v1 file (server reflection serves it). */
export function netspanDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  return cachedDefinition;
}

/** Loads every netspan.v1 service and message once per process. */
export function loadNetspan(): NetspanV1 {
  if (!cached) {
    const def = netspanDefinition();
    const pkg = grpc.loadPackageDefinition(def) as unknown as { netspan: { v1: NetspanV1 } };
    cached = pkg.netspan.v1;
  }
  return cached;
}
