import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';

/** What every log line written on behalf of one gRPC call carries. */
export interface RequestContext {
  /** `Service/Method`. */
  method: string;
  /** The caller's `x-request-id` metadata, or a fresh UUID. */
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Longest caller-supplied request id kept (longer ones are cut, so logs stay bounded). */
const MAX_REQUEST_ID = 128;

/** The request id of a call: its `x-request-id` metadata when it has a usable one, else a new UUID. */
export function requestIdOf(metadata: grpc.Metadata): string {
  const given = metadata.get('x-request-id')[0]?.toString().trim();
  return given ? given.slice(0, MAX_REQUEST_ID) : randomUUID();
}

/** Calls running inside withRequest; the storage is switched off while there are none. */
let active = 0;

/**
 * Runs `fn` as part of the call `ctx`: everything it starts, down to etcd operations,
 * sees the context, and the logger's mixin adds it to every line. When `fn` returns a
 * promise the call lasts until it settles.
 *
 * While any AsyncLocalStorage is enabled, Node 20 runs a hook on every promise the process
 * creates, the DHCP and DNS hot paths' included (about 5% of ipamd's CPU under perfdhcp).
 * So the storage is disabled whenever no call is in flight, and enabled again by the next
 * `run`: the hooks cost only while an API call is being served.
 */
export function withRequest<T>(ctx: RequestContext, fn: () => T): T {
  active++;
  let result: T;
  try {
    result = storage.run(ctx, fn);
  } catch (err) {
    leave();
    throw err;
  }
  if (result instanceof Promise) result.then(leave, leave);
  else leave();
  return result;
}

function leave(): void {
  active--;
  if (active === 0) storage.disable();
}

/** Whether the storage (and so Node's promise hooks) is on: for tests. */
export function requestContextActive(): number {
  return active;
}

/** The fields for a log line: `{ method, requestId }` inside a call, nothing outside. */
export function requestLogFields(): object {
  return storage.getStore() ?? {};
}
