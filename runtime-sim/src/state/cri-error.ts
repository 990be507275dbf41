/**
 * Errors the simulated runtime returns, carrying the gRPC status code the real runtime would
 * put on the wire.
 *
 * Both runtimes return plain Go errors for most failures, which grpc-go sends as UNKNOWN; only
 * some paths set a code on purpose (CRI-O: status.Errorf(codes.NotFound, ...) in the *Status
 * RPCs; containerd: errgrpc.ToGRPC maps errdefs classes, e.g. ErrNotFound -> NOT_FOUND, see
 * containerd/errdefs pkg/errgrpc/grpc.go). The state machine picks the code per persona.
 */

import { GRPC_STATUS } from '../../../cri-proto/src/grpc-status';
import type { GrpcStatusCode } from '../../../cri-proto/src/grpc-status';

export { GRPC_STATUS };
export type { GrpcStatusCode };

export class CriError extends Error {
  readonly code: GrpcStatusCode;

  constructor(code: GrpcStatusCode, message: string) {
    super(message);
    this.name = 'CriError';
    this.code = code;
  }
}

export function isCriError(err: unknown): err is CriError {
  return err instanceof CriError;
}

/** Name of a status code, e.g. 5 -> 'NOT_FOUND' (for messages and test output). */
export function grpcStatusName(code: number): string {
  for (const [name, value] of Object.entries(GRPC_STATUS)) {
    if (value === code) return name;
  }
  return `CODE_${code}`;
}
