import type * as grpc from '@grpc/grpc-js';
import type { TracerProvider } from '@opentelemetry/api';
import { runInNodeScope } from './node-scope';

/**
 * A grpc-js server interceptor that runs each call's handling (metadata, messages, half-close: where the
 * handler, and instrumentation-grpc's SERVER span, start) in `provider`'s node scope, so a server of one
 * simulated node makes that node's spans. (Node does not carry the async context of a listening socket to
 * the connections it accepts, so the scope is set per call here.) It changes nothing on the wire.
 * grpc-js is passed in so this module does not load it before the instrumentation is registered.
 */
export function createNodeScopeServerInterceptor(grpcJs: typeof grpc, provider: TracerProvider): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpcJs.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => runInNodeScope(provider, () => nextMetadata(metadata)),
          onReceiveMessage: (message, nextMessage) => runInNodeScope(provider, () => nextMessage(message)),
          onReceiveHalfClose: (nextHalfClose) => runInNodeScope(provider, () => nextHalfClose()),
        }),
    });
}
