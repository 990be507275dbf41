/**
 * Errors the simulated runtime returns, carrying the gRPC status code the real runtime would
 * put on the wire.
 *
 * Both runtimes return plain Go errors for most failures, which grpc-go sends as UNKNOWN; only
 * some paths set a code on purpose (CRI-O: status.Errorf(codes.NotFound, ...) in the *Status
 * RPCs; containerd: errgrpc.ToGRPC maps errdefs classes, e.g. ErrNotFound -> NOT_FOUND, see
 * containerd/errdefs pkg/errgrpc/grpc.go). The state machine picks the code per persona.
 */

/** gRPC status codes by wire number (grpc/codes, grpc-js `Status`). No grpc-js needed to name them. */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GRPC_STATUS)[keyof typeof GRPC_STATUS];

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
