import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';

export interface EtcdConnectOptions {
  endpoints: string[];
  /** Per-request deadline for unary calls (watches are exempt). */
  requestTimeoutMs?: number;
  dialTimeoutMs?: number;
  tls?: { ca?: string; cert?: string; key?: string };
  auth?: { username: string; password: string };
}

/**
 * An etcd client with deadlines on every unary call, so a dead etcd turns into a prompt
 * UNAVAILABLE instead of a hung request.
 */
export function connectEtcd(o: EtcdConnectOptions): Etcd3 {
  const timeout = o.requestTimeoutMs ?? 5000;
  const opts: IOptions = {
    hosts: o.endpoints,
    dialTimeout: o.dialTimeoutMs ?? 3000,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: new Date(Date.now() + timeout) }),
  };
  if (o.tls?.ca) {
    opts.credentials = {
      rootCertificate: readFileSync(o.tls.ca),
      ...(o.tls.key ? { privateKey: readFileSync(o.tls.key) } : {}),
      ...(o.tls.cert ? { certChain: readFileSync(o.tls.cert) } : {}),
    };
  }
  if (o.auth) opts.auth = o.auth;
  return new Etcd3(opts);
}
