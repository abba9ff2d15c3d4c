/**
 * Why `decode` rejected a packet. A server counts and drops these; they are never worth more than a
 * log line, and no other exception type ever leaves `decode` for malformed input.
 */
export const DecodeErrorCode = {
  /** Shorter than the 236-byte BOOTP header (an empty buffer included). */
  Truncated: 'TRUNCATED',
  /** No room for the magic cookie after the header, or the cookie is not 99.130.83.99. */
  BadMagic: 'BAD_MAGIC',
  /** `op` is neither BOOTREQUEST (1) nor BOOTREPLY (2). */
  BadOp: 'BAD_OP',
  /** `hlen` is larger than the 16-byte `chaddr` field. */
  BadHlen: 'BAD_HLEN',
  /** An option's length runs past the end of the options field, or does not suit the option. */
  BadOptionLength: 'BAD_OPTION_LENGTH',
  /** Option overload (52) names `file`/`sname`, but the options found there run past the field. */
  OptionOverflow: 'OPTION_OVERFLOW',
  /** Option overload (52) appears inside an overloaded `file`/`sname` field. */
  OverloadLoop: 'OVERLOAD_LOOP',
  /** An option's content is out of range (overload value, route prefix length above 32, ...). */
  BadOptionValue: 'BAD_OPTION_VALUE',
  /** A DNS name in wire form is malformed (pointer loop or out of bounds, label past the end, ...). */
  BadName: 'BAD_NAME',
} as const;
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

/** A packet that cannot be decoded. `offset` is the byte in the packet where the problem was found. */
export class DhcpDecodeError extends Error {
  override name = 'DhcpDecodeError';
  readonly code: DecodeErrorCode;
  readonly offset: number;
  /** The option being decoded, when the problem lies inside one. */
  readonly option: number | undefined;

  constructor(code: DecodeErrorCode, message: string, offset: number, options?: { option?: number }) {
    super(message);
    this.code = code;
    this.offset = offset;
    this.option = options?.option;
  }
}

/** Why `encode` refused a packet: a caller bug (bad field) or a packet too big for the allowed size. */
export const EncodeErrorCode = {
  /** A fixed field is out of range (`op`, `hlen`, an address that is not a dotted quad, ...). */
  InvalidField: 'INVALID_FIELD',
  /** An option value cannot be encoded (wrong type, out of range, bad DNS name, duplicate code, ...). */
  InvalidOption: 'INVALID_OPTION',
  /** The options do not fit in `maxSize`, even with `file` and `sname` overloaded. */
  TooBig: 'TOO_BIG',
} as const;
export type EncodeErrorCode = (typeof EncodeErrorCode)[keyof typeof EncodeErrorCode];

export class DhcpEncodeError extends Error {
  override name = 'DhcpEncodeError';
  readonly code: EncodeErrorCode;
  /** The packet field or option key at fault (e.g. `giaddr`, `options.routers`). */
  readonly field: string | undefined;

  constructor(code: EncodeErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
  }
}

/** INVALID_OPTION naming the option key: `options.<key>: problem`. */
export function invalidOption(key: string, problem: string): DhcpEncodeError {
  return new DhcpEncodeError(EncodeErrorCode.InvalidOption, `options.${key}: ${problem}`, {
    field: `options.${key}`,
  });
}
