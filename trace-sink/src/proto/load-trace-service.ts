import * as protoLoader from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { protoRoot, TRACE_SERVICE_PROTO } from './proto-dir';
import type { DecodedExportTraceServiceRequest } from './decoded-types';

const SERVICE_NAME = 'opentelemetry.proto.collector.trace.v1.TraceService';

export interface LoadedTraceService {
  /** Service definition whose Export handler receives the raw request bytes. */
  rawService: ServiceDefinition;
  /** Decodes ExportTraceServiceRequest bytes; throws on malformed protobuf. */
  decodeRequest(bytes: Buffer): DecodedExportTraceServiceRequest;
}

let cached: LoadedTraceService | undefined;

/** Loads trace_service.proto once and prepares a raw-bytes Export service. */
export function loadTraceService(): LoadedTraceService {
  if (cached) return cached;
  const definition = protoLoader.loadSync(TRACE_SERVICE_PROTO, {
    includeDirs: [protoRoot()],
    keepCase: false,
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const service = definition[SERVICE_NAME] as ServiceDefinition | undefined;
  const exportMethod = service?.['Export'];
  if (!service || !exportMethod) throw new Error(`trace-sink: ${SERVICE_NAME}/Export missing from ${TRACE_SERVICE_PROTO}`);
  const decode = exportMethod.requestDeserialize;
  // grpc-js answers INTERNAL when a deserializer throws; taking raw bytes lets
  // the handler decode itself and answer INVALID_ARGUMENT as OTLP requires.
  const rawService: ServiceDefinition = {
    Export: { ...exportMethod, requestDeserialize: (bytes: Buffer): Buffer => bytes },
  };
  cached = {
    rawService,
    decodeRequest: (bytes) => decode(bytes) as DecodedExportTraceServiceRequest,
  };
  return cached;
}
