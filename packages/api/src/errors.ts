import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { ErrorCode, IpamError } from '@netspan/ipam';

const TO_STATUS: Record<ErrorCode, status> = {
  [ErrorCode.InvalidArgument]: status.INVALID_ARGUMENT,
  [ErrorCode.NotFound]: status.NOT_FOUND,
  [ErrorCode.AlreadyExists]: status.ALREADY_EXISTS,
  [ErrorCode.FailedPrecondition]: status.FAILED_PRECONDITION,
  [ErrorCode.ResourceExhausted]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.PermissionDenied]: status.PERMISSION_DENIED,
  [ErrorCode.Unauthenticated]: status.UNAUTHENTICATED,
  [ErrorCode.Aborted]: status.ABORTED,
  [ErrorCode.Unavailable]: status.UNAVAILABLE,
  [ErrorCode.DeadlineExceeded]: status.DEADLINE_EXCEEDED,
  [ErrorCode.Internal]: status.INTERNAL,
};

const FROM_STATUS = new Map<number, ErrorCode>(
  Object.entries(TO_STATUS).map(([code, s]) => [s as number, code as ErrorCode]),
);

/** The one place where domain error codes become gRPC status codes. */
export function toStatus(code: ErrorCode): status {
  return TO_STATUS[code];
}

/** Builds the error a handler passes to its callback; unexpected errors become INTERNAL. */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  const e = IpamError.from(err);
  const md = new Metadata();
  if (e.field) md.set('netspan-field', e.field);
  // Marks the status as ipamd's own answer, so a client can tell "ipamd said UNAVAILABLE
  // (etcd is down)" from "no ipamd there" without reading message text.
  md.set(SERVER_MARK, '1');
  return { code: toStatus(e.code), details: e.message, message: e.message, metadata: md, name: 'IpamError' };
}

const SERVER_MARK = 'netspan-server';

/** A failed call as seen by a client: the gRPC status, the server's message, the field. */
export class NetspanClientError extends Error {
  override name = 'NetspanClientError';
  constructor(
    readonly status: status,
    readonly details: string,
    readonly field: string | undefined,
    options?: { cause?: unknown },
    /** True when ipamd itself answered with this status (not the transport, not a proxy). */
    readonly fromServer = false,
  ) {
    super(details, options);
  }

  /** The domain code for this status (UNKNOWN statuses map to INTERNAL). */
  get code(): ErrorCode {
    return FROM_STATUS.get(this.status) ?? ErrorCode.Internal;
  }

  get statusName(): string {
    return status[this.status] ?? String(this.status);
  }

  static from(err: unknown): NetspanClientError {
    if (err instanceof NetspanClientError) return err;
    const se = err as Partial<ServiceError>;
    if (se && typeof se.code === 'number') {
      const field = se.metadata?.get('netspan-field')[0];
      return new NetspanClientError(
        se.code,
        se.details || se.message || 'unknown error',
        field?.toString(),
        { cause: err },
        se.metadata?.get(SERVER_MARK)[0] !== undefined,
      );
    }
    return new NetspanClientError(
      status.UNKNOWN,
      err instanceof Error ? err.message : String(err),
      undefined,
      {
        cause: err,
      },
    );
  }
}
