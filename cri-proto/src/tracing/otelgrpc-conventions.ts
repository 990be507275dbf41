import { GRPC_STATUS } from '../grpc-status';

/**
 * The span vocabulary of otelgrpc (go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc),
 * which the kubelet's CRI client (k8s.io/cri-client), CRI-O and containerd all use for CRI calls.
 * Upstream: opentelemetry-go-contrib otelgrpc `config.go` (ScopeName), `stats_handler.go` (events, status),
 * `internal/parse.go` (span name = full method without the leading slash); keys from otel-go semconv v1.17.
 */

/** Instrumentation scope name every otelgrpc span carries. */
export const OTELGRPC_SCOPE_NAME = 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc';

/** otelgrpc release pinned by the emulated components (cri-client v0.34/v0.35 and CRI-O 1.33 use v0.60.0). */
export const OTELGRPC_DEFAULT_VERSION = '0.60.0';

/** Span attribute keys otelgrpc v0.60 sets (semconv v1.17 names). */
export const OTELGRPC_ATTR = {
  RPC_SYSTEM: 'rpc.system',
  RPC_SERVICE: 'rpc.service',
  RPC_METHOD: 'rpc.method',
  RPC_GRPC_STATUS_CODE: 'rpc.grpc.status_code',
} as const;

/** Name and attribute keys of the per-message span events (`WithMessageEvents`). */
export const OTELGRPC_MESSAGE_EVENT = {
  NAME: 'message',
  TYPE: 'message.type',
  ID: 'message.id',
  COMPRESSED_SIZE: 'message.compressed_size',
  UNCOMPRESSED_SIZE: 'message.uncompressed_size',
  TYPE_SENT: 'SENT',
  TYPE_RECEIVED: 'RECEIVED',
} as const;


/**
 * Codes a *server* span reports as Error (otelgrpc `serverStatus`, following the OpenTelemetry RPC
 * semantic conventions); every other non-OK code leaves the server span's status Unset.
 * Client spans report every non-OK code as Error.
 */
export const OTELGRPC_SERVER_ERROR_CODES: ReadonlySet<number> = new Set([
  GRPC_STATUS.UNKNOWN,
  GRPC_STATUS.DEADLINE_EXCEEDED,
  GRPC_STATUS.UNIMPLEMENTED,
  GRPC_STATUS.INTERNAL,
  GRPC_STATUS.UNAVAILABLE,
  GRPC_STATUS.DATA_LOSS,
]);

/** `/runtime.v1.RuntimeService/RunPodSandbox` → `runtime.v1.RuntimeService/RunPodSandbox` (otelgrpc span name). */
export function otelgrpcSpanName(fullMethod: string): string {
  return fullMethod.startsWith('/') ? fullMethod.slice(1) : fullMethod;
}
