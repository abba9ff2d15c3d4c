import type { Etcd3, Lease } from 'etcd3';
import type { Keys } from './keys.js';

export interface ReplicaRegistration {
  readonly id: string;
  /** Revokes the registration lease, so the key disappears at once. */
  close(): Promise<void>;
}

/**
 * Registers a live ipamd replica under `replicas/<id>`, bound to an etcd lease that the
 * client keeps alive. On `close` the lease is revoked (closing the client alone would
 * keep the keep-alives running).
 */
export async function registerReplica(
  client: Etcd3,
  keys: Keys,
  id: string,
  info: Record<string, unknown>,
  ttlSeconds = 10,
  onLost?: (err: Error) => void,
): Promise<ReplicaRegistration> {
  let lease: Lease = client.lease(ttlSeconds, { autoKeepAlive: true });
  const key = keys.replica(id);
  const value = JSON.stringify({ ...info, startedAtMs: Date.now() });
  let closed = false;
  const attach = (l: Lease) => {
    l.on('lost', (err) => {
      if (closed) return;
      onLost?.(err);
      // Re-register with a fresh lease once etcd is back.
      const retry = async () => {
        if (closed) return;
        try {
          const next = client.lease(ttlSeconds, { autoKeepAlive: true });
          await next.put(key).value(value);
          lease = next;
          attach(next);
        } catch {
          setTimeout(retry, 1000).unref();
        }
      };
      setTimeout(retry, 500).unref();
    });
  };
  await lease.put(key).value(value);
  attach(lease);
  return {
    id,
    close: async () => {
      closed = true;
      await lease.revoke().catch(() => {});
    },
  };
}
