/**
 * The one place where a handler failure becomes a gRPC status (after grpc-js's serverErrorToStatus
 * and containerd's errgrpc.ToGRPC): a CriError keeps its code and message; anything else is
 * UNKNOWN with the error's message, as grpc-go does for a plain Go error.
 */
import { GRPC_STATUS, isCriError } from '../state/cri-error';

export interface GrpcStatus {
  readonly code: number;
  readonly details: string;
}

/** What grpc-js accepts as a handler error: an Error carrying `code` and `details`. */
export type GrpcServiceError = Error & GrpcStatus;

export function toStatus(err: unknown): GrpcStatus {
  if (isCriError(err)) return { code: err.code, details: err.message };
  if (err instanceof Error) return { code: GRPC_STATUS.UNKNOWN, details: err.message };
  return { code: GRPC_STATUS.UNKNOWN, details: typeof err === 'string' ? err : 'unknown error' };
}

export function toServiceError(err: unknown): GrpcServiceError {
  const status = toStatus(err);
  return Object.assign(new Error(status.details), status);
}
