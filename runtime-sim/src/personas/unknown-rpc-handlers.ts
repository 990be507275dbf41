/**
 * Answers for the RPCs a persona version's CRI API does not have. grpc-go finds no such method on the
 * registered service and writes UNIMPLEMENTED with "unknown method <M> for service <S>" itself
 * (grpc-go server.go handleStream), before any handler or interceptor runs. runtime-sim registers a
 * handler with that answer and keeps it untraced (the method is in the instrumentation's ignore list,
 * see tracing/runtime-tracing.ts), which is what a client and a trace backend see of the real runtime.
 */
import { GRPC_STATUS } from '../state/cri-error';
import type { GrpcServiceError } from '../server/to-status';
import type { PersonaVersionSpec } from './persona-version-spec';

interface MethodShape {
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

type AnyHandler = (...args: never[]) => void;

/** grpc-go's text for a method the service does not know. */
export function unknownMethodMessage(serviceName: string, method: string): string {
  return `unknown method ${method} for service ${serviceName}`;
}

/** UNIMPLEMENTED handlers for the spec's unknown RPCs that exist in `definition`. */
export function unknownRpcHandlers(
  spec: PersonaVersionSpec,
  serviceName: string,
  definition: Readonly<Record<string, MethodShape>>,
): Record<string, AnyHandler> {
  const handlers: Record<string, AnyHandler> = {};
  for (const method of spec.unknownRpcs) {
    const shape = definition[method];
    if (shape === undefined) continue;
    const details = unknownMethodMessage(serviceName, method);
    const error = (): GrpcServiceError => Object.assign(new Error(details), { code: GRPC_STATUS.UNIMPLEMENTED, details });
    handlers[method] = (shape.responseStream
      ? (call: { emit(event: 'error', err: GrpcServiceError): void }) => call.emit('error', error())
      : (_call: unknown, callback: (err: GrpcServiceError, value: null) => void) => callback(error(), null)) as AnyHandler;
  }
  return handlers;
}
