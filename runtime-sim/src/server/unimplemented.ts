/**
 * UNIMPLEMENTED answers for every RPC the simulator does not model, enumerated from the loaded
 * service definition so a newly added RPC is covered without a code change.
 *
 * Texts are grpc-go's, which both runtimes are built on:
 *  - an RPC the runtime's CRI API knows but leaves to the generated Unimplemented*Server:
 *    "method <Name> not implemented";
 *  - an RPC newer than the runtime's CRI API (grpc-go server.go, unknown method):
 *    "unknown method <Name> for service <service>".
 */
import { GRPC_STATUS } from '../state/cri-error';
import type { GrpcServiceError } from './to-status';

/**
 * RPCs newer than the CRI API the emulated runtimes vendor (CRI-O 1.33 / containerd 2.1 are built
 * against k8s.io/cri-api <= v0.33): the CRIListStreaming RPCs (v0.36) and pod checkpoint/restore (v0.37).
 */
export const RPCS_UNKNOWN_TO_PERSONAS: ReadonlySet<string> = new Set([
  'StreamPodSandboxes',
  'StreamContainers',
  'StreamContainerStats',
  'StreamPodSandboxStats',
  'StreamPodSandboxMetrics',
  'StreamImages',
  'CheckpointPod',
  'RestorePod',
]);

export function unimplementedMessage(serviceName: string, method: string): string {
  return RPCS_UNKNOWN_TO_PERSONAS.has(method)
    ? `unknown method ${method} for service ${serviceName}`
    : `method ${method} not implemented`;
}

interface MethodShape {
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

type AnyHandler = (...args: never[]) => void;

/** Handlers answering UNIMPLEMENTED for every method of `definition` not in `implemented`. */
export function unimplementedHandlers(
  serviceName: string,
  definition: Readonly<Record<string, MethodShape>>,
  implemented: ReadonlySet<string>,
): Record<string, AnyHandler> {
  const handlers: Record<string, AnyHandler> = {};
  for (const [method, shape] of Object.entries(definition)) {
    if (implemented.has(method)) continue;
    const details = unimplementedMessage(serviceName, method);
    const error = (): GrpcServiceError => Object.assign(new Error(details), { code: GRPC_STATUS.UNIMPLEMENTED, details });
    if (shape.responseStream || shape.requestStream) {
      if (shape.requestStream && !shape.responseStream) {
        handlers[method] = ((_call: unknown, callback: (err: GrpcServiceError, value: null) => void) =>
          callback(error(), null)) as AnyHandler;
      } else {
        handlers[method] = ((call: { emit(event: 'error', err: GrpcServiceError): void }) =>
          call.emit('error', error())) as AnyHandler;
      }
    } else {
      handlers[method] = ((_call: unknown, callback: (err: GrpcServiceError, value: null) => void) =>
        callback(error(), null)) as AnyHandler;
    }
  }
  return handlers;
}
