/**
 * Error codes of the plumbing reconciler. They line up with the gRPC-style codes the rest of netspan
 * uses (`INVALID_ARGUMENT`, `UNAVAILABLE`, `INTERNAL`) so a service can map them in one place.
 */
export const NetplanErrorCode = {
  /** The desired state is malformed (bad VNI, name too long, duplicate network...). */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** A command could not be run at all (binary missing, spawn failed, timed out). */
  Unavailable: 'UNAVAILABLE',
  /** A command's output could not be understood. */
  Internal: 'INTERNAL',
  /** The caller aborted the operation. */
  Aborted: 'ABORTED',
} as const;
export type NetplanErrorCode = (typeof NetplanErrorCode)[keyof typeof NetplanErrorCode];

/** A failure of the plumbing layer; `code` says what kind. */
export class NetplanError extends Error {
  override name = 'NetplanError';
  readonly code: NetplanErrorCode;
  /** For INVALID_ARGUMENT: the offending field path (e.g. `networks[1].vni`). */
  readonly field: string | undefined;

  constructor(code: NetplanErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
  }

  /** Normalises anything caught into a NetplanError (unknown errors become INTERNAL). */
  static from(err: unknown): NetplanError {
    if (err instanceof NetplanError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new NetplanError(NetplanErrorCode.Internal, message, { cause: err });
  }
}

/** INVALID_ARGUMENT naming the field: `field: problem`. */
export function invalid(field: string, problem: string): NetplanError {
  return new NetplanError(NetplanErrorCode.InvalidArgument, `${field}: ${problem}`, { field });
}

/** A command exited non-zero while reading state; carries the argv and exit code. */
export class CommandFailedError extends NetplanError {
  override name = 'CommandFailedError';
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;

  constructor(argv: readonly string[], exitCode: number, stderr: string) {
    super(NetplanErrorCode.Unavailable, `${argv.join(' ')}: exit ${exitCode}: ${stderr.trim()}`);
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}
