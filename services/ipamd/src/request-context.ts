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

/**
 * Runs `fn` as part of the call `ctx`: everything it starts, down to etcd operations,
 * sees the context, and the logger's mixin adds it to every line.
 */
export function withRequest<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The fields for a log line: `{ method, requestId }` inside a call, nothing outside. */
export function requestLogFields(): object {
  return storage.getStore() ?? {};
}
