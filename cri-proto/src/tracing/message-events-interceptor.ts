import type * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { wireSizeOf } from '../wire-sizes';
import { OTELGRPC_MESSAGE_EVENT as EVENT } from './otelgrpc-conventions';

/**
 * A client interceptor adding otelgrpc's `message` span events (what the kubelet's CRI client enables with
 * `otelgrpc.WithMessageEvents(ReceivedEvents, SentEvents)`, k8s.io/cri-client remote_runtime.go):
 * one SENT event per request message and one RECEIVED per response, ids counted per direction from 1,
 * sizes the serialized protobuf length (no compression on CRI sockets, so compressed = uncompressed).
 * It runs inside the instrumentation's client span context, so the active span is the CRI CLIENT span.
 * Sizes are only computed for recording spans: an unsampled call pays nothing but the check. They are the
 * sizes our serializers noted for the bytes sent and received (../wire-sizes.ts), else a fresh encoding.
 * grpc-js is passed in so this module does not load it before the instrumentation is registered; the
 * response serializers too, since grpc-js hands interceptors only the request side of a method definition.
 */
export function createMessageEventsInterceptor(grpcJs: typeof grpc, responseSerializers: ResponseSerializers): grpc.Interceptor {
  return (options, nextCall) => {
    const span = trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) return new grpcJs.InterceptingCall(nextCall(options));
    const method = options.method_definition;
    let sentId = 0;
    let receivedId = 0;
    const record = (type: string, id: number, size: number): void => {
      span.addEvent(EVENT.NAME, {
        [EVENT.TYPE]: type,
        [EVENT.ID]: id,
        [EVENT.COMPRESSED_SIZE]: size,
        [EVENT.UNCOMPRESSED_SIZE]: size,
      });
    };
    return new grpcJs.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveMessage(message, nextMessage) {
            record(EVENT.TYPE_RECEIVED, ++receivedId, wireSizeOf(message) ?? serializedSize(responseSerializers.get(method.path), message));
            nextMessage(message);
          },
        });
      },
      sendMessage(message, next) {
        // grpc-js encodes the message inside next(), so its wire size is known once next() returns; the event
        // then records the bytes that were really sent (otelgrpc's OutPayload.Length) with no second encoding.
        const id = ++sentId;
        next(message);
        record(EVENT.TYPE_SENT, id, wireSizeOf(message) ?? serializedSize(method.requestSerialize, message));
      },
    });
  };
}

/** Response serializer per full method path (`/runtime.v1.RuntimeService/Version`). */
export type ResponseSerializers = ReadonlyMap<string, (value: unknown) => Buffer>;

function serializedSize(serialize: ((value: any) => Buffer) | undefined, message: unknown): number {
  if (serialize === undefined) return 0;
  try {
    return serialize(message).length;
  } catch {
    return 0; // a size is decoration; never fail the call over it
  }
}
