import * as etcd3 from 'etcd3';
import { type LeanKvOptions, LeanWatchCompactedError } from './lean-kv.js';

/** Messages between `ThreadedKv` and its worker thread (kv-thread.ts). */

export interface KvThreadData {
  lean: LeanKvOptions;
  /** The store's key prefix: the thread builds the claims' keys. */
  prefix: string;
}

/** Claims flattened by `flattenClaims`. */
export type ClaimWire = Array<string | number>;

/**
 * An error across the thread boundary: its class by name (etcd3's typed errors, which the
 * store's failure mapping tells apart), its message, and a gRPC status when it carried one.
 */
export interface WireError {
  name: string;
  code?: number;
  /** LeanWatchCompactedError's. */
  compactRevision?: number;
  details?: string;
  message: string;
}

/** IKeyValue with exact-size byte arrays (they arrive as Uint8Array, not Buffer). */
export interface WireKv {
  type: 'Put' | 'Delete';
  key: Uint8Array;
  value: Uint8Array;
  create_revision: string;
  mod_revision: string;
  version: string;
  lease: string;
}

export type ToKvThread =
  | { t: 'claim' | 'renew'; id: number; flat: ClaimWire }
  | {
      t: 'watch';
      wid: number;
      key: Uint8Array;
      end: Uint8Array | undefined;
      revision: number;
      skipOwnClaims: boolean;
    }
  | { t: 'cancel'; wid: number }
  | { t: 'close' };

export type FromKvThread =
  | { t: 'result'; id: number; revision: number; ok: Uint8Array }
  | { t: 'result'; id: number; error: WireError }
  | { t: 'watching'; wid: number; error?: WireError }
  | { t: 'data'; wid: number; revision: string; events: WireKv[] }
  | { t: 'state'; wid: number; state: 'connected' | 'disconnected' }
  | { t: 'watch-error'; wid: number; error: WireError }
  | { t: 'cancelled'; wid: number };

export function wireError(err: unknown): WireError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; details?: unknown };
    return {
      name: e.constructor.name,
      message: e.message,
      ...(err instanceof LeanWatchCompactedError ? { compactRevision: err.compactRevision } : {}),
      ...(typeof e.code === 'number' ? { code: e.code } : {}),
      ...(typeof e.details === 'string' ? { details: e.details } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** The error again, as the same etcd3 class when it was one. */
export function errorFromWire(w: WireError): Error {
  if (w.compactRevision !== undefined) return new LeanWatchCompactedError(w.compactRevision);
  const ctor = (etcd3 as Record<string, unknown>)[w.name];
  if (typeof ctor === 'function' && ctor.prototype instanceof Error && w.name !== 'Error')
    return new (ctor as new (message: string) => Error)(w.message);
  return Object.assign(new Error(w.message), {
    ...(w.code !== undefined ? { code: w.code } : {}),
    ...(w.details !== undefined ? { details: w.details } : {}),
  });
}
