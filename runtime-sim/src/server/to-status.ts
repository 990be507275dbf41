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

/**
 * Longest status message put on the wire, in characters. grpc-message travels percent-encoded in the
 * trailers, and a Node http2 peer (grpc-js, so kubelet-sim) drops the whole connection when a header block
 * exceeds its 64 KiB header list limit: an error echoing a huge id from the request would wedge the
 * client's channel. grpc-go would send it whole; 4096 characters stay under the limit even when every one
 * takes 9 encoded bytes. The span keeps the whole message (instrumentation-grpc reads `message`).
 */
export const MAX_WIRE_STATUS_MESSAGE_CHARS = 4096;

export function toServiceError(err: unknown): GrpcServiceError {
  const status = toStatus(err);
  return Object.assign(new Error(status.details), { code: status.code, details: wireMessage(status.details) });
}

function wireMessage(details: string): string {
  if (details.length <= MAX_WIRE_STATUS_MESSAGE_CHARS) return details;
  const note = ` … (truncated by runtime-sim: ${details.length} characters)`;
  return details.slice(0, MAX_WIRE_STATUS_MESSAGE_CHARS - note.length) + note;
}
