import { readFileSync } from 'node:fs';
import { ExponentialBackoff } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';

type WatchBackoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

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
    // etcd3 re-attaches dropped watches with a backoff that grows to 30 s by default, so after
    // an etcd outage a replica could follow etcd again (and report healthy) half a minute late.
    // Keep retrying every couple of seconds instead; the unary-call policies keep their defaults.
    // (etcd3 types the option against an older cockatiel; it calls .next() on it, as on its default.)
    faultHandling: {
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) as unknown as WatchBackoff,
    },
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
