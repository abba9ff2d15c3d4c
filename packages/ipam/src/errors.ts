/**
 * Error codes of the IPAM domain. Each maps to exactly one gRPC status code, in
 * `@netspan/api` (`toStatus`), and nowhere else.
 */
export const ErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  FailedPrecondition: 'FAILED_PRECONDITION',
  ResourceExhausted: 'RESOURCE_EXHAUSTED',
  PermissionDenied: 'PERMISSION_DENIED',
  Unauthenticated: 'UNAUTHENTICATED',
  Aborted: 'ABORTED',
  Unavailable: 'UNAVAILABLE',
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure the caller can act on; `code` says how. */
export class IpamError extends Error {
  override name = 'IpamError';
  readonly code: ErrorCode;
  /** For INVALID_ARGUMENT: the offending field path (e.g. `pools[1].end`). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
  }

  /** Normalises anything caught into an IpamError (unknown errors become INTERNAL). */
  static from(err: unknown): IpamError {
    if (err instanceof IpamError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new IpamError(ErrorCode.Internal, message, { cause: err });
  }
}

/** INVALID_ARGUMENT naming the field: `field: problem`. */
export function invalid(field: string, problem: string): IpamError {
  return new IpamError(ErrorCode.InvalidArgument, `${field}: ${problem}`, { field });
}

export function notFound(message: string): IpamError {
  return new IpamError(ErrorCode.NotFound, message);
}
