import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { protoRoot, TRACE_SERVICE_PROTO } from './proto-dir';

export interface OtlpProtobufTypes {
  /** opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest, for OTLP JSON → protobuf. */
  exportTraceServiceRequest: protobuf.Type;
  /** google.rpc.Status, the body of an OTLP/HTTP error response. */
  status: protobuf.Type;
}

let cached: OtlpProtobufTypes | undefined;

/**
 * protobufjs types for what the OTLP/HTTP receiver encodes itself. Requests are still decoded by the same
 * proto-loader path as OTLP/gRPC, so both transports store identical spans.
 */
export function otlpProtobufTypes(): OtlpProtobufTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protoRoot(), target);
  root.loadSync(TRACE_SERVICE_PROTO, { keepCase: false });
  // google/rpc/status.proto: code = 1, message = 2, details = 3 (Any, never sent here).
  const status = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
  root.define('google.rpc').add(status);
  cached = {
    exportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    status: root.lookupType('google.rpc.Status'),
  };
  return cached;
}
