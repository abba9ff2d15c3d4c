import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { NetspanClientError } from './errors.js';
import type { AdminServiceClient } from './gen/netspan/v1/AdminService.js';
import type { AgentServiceClient } from './gen/netspan/v1/AgentService.js';
import type { DnsServiceClient } from './gen/netspan/v1/DnsService.js';
import type { IpamServiceClient } from './gen/netspan/v1/IpamService.js';
import type { NetworkServiceClient } from './gen/netspan/v1/NetworkService.js';
import { loadNetspan } from './proto.js';

export interface TlsFiles {
  /** CA bundle that signed the server's certificate. */
  ca?: string;
  /** Client certificate and key for mutual TLS. */
  cert?: string;
  key?: string;
}

export interface ClientOptions {
  tls?: TlsFiles;
  /** Extra channel options (grpc.* keys). */
  channelOptions?: grpc.ChannelOptions;
}

export interface NetspanClients {
  network: NetworkServiceClient;
  ipam: IpamServiceClient;
  dns: DnsServiceClient;
  agent: AgentServiceClient;
  admin: AdminServiceClient;
  channel: ReturnType<grpc.Client['getChannel']>;
  close(): void;
}

export function channelCredentials(tls?: TlsFiles): grpc.ChannelCredentials {
  if (!tls || (!tls.ca && !tls.cert)) return grpc.credentials.createInsecure();
  const read = (p?: string) => (p ? readFileSync(p) : null);
  return grpc.credentials.createSsl(read(tls.ca), read(tls.key), read(tls.cert));
}

/** One channel to `address` ("host:port"), shared by a client for every service. */
export function createClients(address: string, opts: ClientOptions = {}): NetspanClients {
  const pkg = loadNetspan();
  const creds = channelCredentials(opts.tls);
  const channelOptions: grpc.ChannelOptions = {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    ...opts.channelOptions,
  };
  const network = new pkg.NetworkService(address, creds, channelOptions);
  const channel = network.getChannel();
  const shared = { ...channelOptions, channelOverride: channel };
  const ipam = new pkg.IpamService(address, creds, shared);
  const dns = new pkg.DnsService(address, creds, shared);
  const agent = new pkg.AgentService(address, creds, shared);
  const admin = new pkg.AdminService(address, creds, shared);
  return {
    network,
    ipam,
    dns,
    agent,
    admin,
    channel,
    close: () => network.close(),
  };
}

/** Matches the last (argument, callback) overload of a generated unary method, for inference. */
type UnaryMethod<Req, Res> = (req: Req, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;
type FullUnary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

/**
 * Calls a unary method as a promise, with a deadline and an optional AbortSignal;
 * failures reject with NetspanClientError.
 */
export function unary<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  req: Req,
  opts: { timeoutMs?: number; signal?: AbortSignal; metadata?: grpc.Metadata } = {},
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const deadline = new Date(Date.now() + (opts.timeoutMs ?? 30_000));
    const call = (method as unknown as FullUnary<Req, Res>).call(
      client,
      req,
      opts.metadata ?? new grpc.Metadata(),
      { deadline },
      (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(NetspanClientError.from(err));
        else resolve(res as Res);
      },
    );
    const onAbort = () => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
