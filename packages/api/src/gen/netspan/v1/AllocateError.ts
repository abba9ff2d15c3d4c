// Original file: proto/netspan/v1/ipam.proto


/**
 * The error of one allocation on a stream; the stream itself goes on.
 */
export interface AllocateError__Input {
  /**
   * gRPC status code name, e.g. "RESOURCE_EXHAUSTED", "INVALID_ARGUMENT".
   */
  'code'?: (string);
  'message'?: (string);
  /**
   * For INVALID_ARGUMENT: the offending field.
   */
  'field'?: (string);
}

/**
 * The error of one allocation on a stream; the stream itself goes on.
 */
export interface AllocateError {
  /**
   * gRPC status code name, e.g. "RESOURCE_EXHAUSTED", "INVALID_ARGUMENT".
   */
  'code': (string);
  'message': (string);
  /**
   * For INVALID_ARGUMENT: the offending field.
   */
  'field': (string);
}
