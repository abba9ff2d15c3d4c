import { Metadata } from '@grpc/grpc-js';
import { NetspanClientError, type NetspanClients, type pb, unary } from '@netspan/api';

/** The services the CLI calls. */
export type Services = Pick<NetspanClients, 'network' | 'ipam' | 'admin' | 'dns'>;

// A generated method's last overload is `(argument, callback(err, value))`; inference on an
// overloaded function uses the last overload, which gives the request and response types.
type Signature<M> = M extends (argument: infer Req, callback: infer Callback) => unknown
  ? { req: Req; res: Callback extends (err: infer _E, value?: infer Res) => void ? Res : never }
  : never;

export type RequestOf<S extends keyof Services, M extends keyof Services[S]> = Signature<
  Services[S][M]
>['req'];
export type ResponseOf<S extends keyof Services, M extends keyof Services[S]> = Signature<
  Services[S][M]
>['res'];

/** Calls `service.method` through `unary()` (deadline, NetspanClientError on failure). */
export function callUnary<S extends keyof Services, M extends keyof Services[S] & string>(
  clients: Services,
  service: S,
  method: M,
  req: RequestOf<S, M>,
  opts: { timeoutMs: number; signal?: AbortSignal; requestId?: string },
): Promise<ResponseOf<S, M>> {
  const client = clients[service];
  const fn = client[method] as unknown as Parameters<typeof unary>[1];
  return unary(client, fn, req, {
    timeoutMs: opts.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    metadata: requestMetadata(opts.requestId),
  }) as Promise<ResponseOf<S, M>>;
}

/** `x-request-id` metadata: ipamd puts it in every log line of the call. */
function requestMetadata(requestId: string | undefined): Metadata {
  const md = new Metadata();
  if (requestId) md.set('x-request-id', requestId);
  return md;
}

/**
 * The WatchLeases stream as an async iterable. Ends when the server ends the stream, or
 * cleanly when `signal` aborts (Ctrl-C); other failures throw NetspanClientError.
 */
export async function* watchLeases(
  clients: Services,
  req: pb.WatchLeasesRequest,
  signal: AbortSignal,
  requestId?: string,
): AsyncGenerator<pb.LeaseEvent> {
  if (signal.aborted) return;
  const call = clients.ipam.WatchLeases(req, requestMetadata(requestId));
  const cancel = () => call.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for await (const event of call) yield event as pb.LeaseEvent;
  } catch (err) {
    if (signal.aborted) return;
    throw NetspanClientError.from(err);
  } finally {
    signal.removeEventListener('abort', cancel);
    call.cancel();
  }
}
