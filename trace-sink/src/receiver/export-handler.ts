import * as grpc from '@grpc/grpc-js';
import type { DecodedExportTraceServiceRequest } from '../proto/decoded-types';
import type { OtlpJsonExportTraceServiceRequest } from '../otlp-json/otlp-json-types';
import { toOtlpJson } from '../otlp-json/to-otlp-json';
import type { FlatSpan } from '../store/flat-span';
import { flattenRequest } from '../store/flatten-request';
import { findRequestProblem } from './validate-request';

/** What a sink does with one accepted export request. */
export interface ExportSinkTarget {
  /** False once the sink is closing; late requests get UNAVAILABLE. */
  isOpen(): boolean;
  decode(bytes: Buffer): DecodedExportTraceServiceRequest;
  accept(request: OtlpJsonExportTraceServiceRequest, line: string, spans: FlatSpan[]): void;
}

/** Builds the unary Export handler; it receives the request as raw bytes. */
export function createExportHandler(target: ExportSinkTarget): grpc.handleUnaryCall<Buffer, object> {
  return (call, callback) => {
    if (!target.isOpen()) {
      callback({ code: grpc.status.UNAVAILABLE, details: 'trace-sink is shutting down' });
      return;
    }
    let decoded: DecodedExportTraceServiceRequest;
    try {
      decoded = target.decode(call.request);
    } catch (err) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `malformed ExportTraceServiceRequest: ${(err as Error).message}` });
      return;
    }
    const problem = findRequestProblem(decoded);
    if (problem) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `invalid ExportTraceServiceRequest: ${problem}` });
      return;
    }
    const request = toOtlpJson(decoded);
    const spans = flattenRequest(request);
    try {
      // Like the Collector's receiver, a request without spans is a no-op.
      if (spans.length > 0) target.accept(request, JSON.stringify(request), spans);
    } catch (err) {
      callback({ code: grpc.status.INTERNAL, details: `trace-sink could not store spans: ${(err as Error).message}` });
      return;
    }
    // An empty response (no partial_success) means every span was accepted.
    callback(null, {});
  };
}
