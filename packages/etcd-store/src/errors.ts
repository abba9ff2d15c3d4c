import { ErrorCode, IpamError } from '@netspan/ipam';
import {
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCGenericError,
  GRPCInvalidArgumentError,
} from 'etcd3';

/**
 * Maps a failure talking to etcd onto the domain's codes: connectivity problems are
 * UNAVAILABLE (callers may retry), everything else INTERNAL. Classified by type, never by
 * message text.
 */
export function etcdFailure(err: unknown, what: string): IpamError {
  if (err instanceof IpamError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof GRPCInvalidArgumentError || err instanceof EtcdPermissionDeniedError) {
    return new IpamError(ErrorCode.Internal, `etcd refused ${what}: ${detail}`, { cause: err });
  }
  if (err instanceof GRPCDeadlineExceededError) {
    return new IpamError(ErrorCode.Unavailable, `etcd did not answer ${what} in time`, { cause: err });
  }
  if (err instanceof GRPCGenericError || err instanceof Error) {
    return new IpamError(ErrorCode.Unavailable, `etcd unavailable during ${what}: ${detail}`, { cause: err });
  }
  return new IpamError(ErrorCode.Internal, `${what}: ${detail}`, { cause: err });
}
