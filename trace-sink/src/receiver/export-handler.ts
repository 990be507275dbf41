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
  /** `bytes` is the request's protobuf encoding as received (after any transport decompression). */
  accept(request: OtlpJsonExportTraceServiceRequest, line: string, spans: FlatSpan[], bytes: Buffer): void;
}

/** The result of one Export, as a gRPC status: OK, or the code and message the client gets. */
export type ExportOutcome = { code: grpc.status.OK } | { code: grpc.status; message: string };

/**
 * One Export, whatever the transport: decode the protobuf ExportTraceServiceRequest, check its ids, store it.
 * OTLP/gRPC answers with the status as it is; OTLP/HTTP maps it to an HTTP status the way the Collector does.
 */
export function exportRequest(target: ExportSinkTarget, bytes: Buffer): ExportOutcome {
  if (!target.isOpen()) return { code: grpc.status.UNAVAILABLE, message: 'trace-sink is shutting down' };
  let decoded: DecodedExportTraceServiceRequest;
  try {
    decoded = target.decode(bytes);
  } catch (err) {
    return { code: grpc.status.INVALID_ARGUMENT, message: `malformed ExportTraceServiceRequest: ${(err as Error).message}` };
  }
  const problem = findRequestProblem(decoded);
  if (problem) return { code: grpc.status.INVALID_ARGUMENT, message: `invalid ExportTraceServiceRequest: ${problem}` };
  const request = toOtlpJson(decoded);
  const spans = flattenRequest(request);
  try {
    // Like the Collector's receiver, a request without spans is a no-op.
    if (spans.length > 0) target.accept(request, JSON.stringify(request), spans, bytes);
  } catch (err) {
    return { code: grpc.status.INTERNAL, message: `trace-sink could not store spans: ${(err as Error).message}` };
  }
  return { code: grpc.status.OK };
}

/** Builds the unary Export handler; it receives the request as raw bytes. */
export function createExportHandler(target: ExportSinkTarget): grpc.handleUnaryCall<Buffer, object> {
  return (call, callback) => {
    const outcome = exportRequest(target, call.request);
    // An empty response (no partial_success) means every span was accepted.
    if (outcome.code === grpc.status.OK) callback(null, {});
    else callback({ code: outcome.code, details: 'message' in outcome ? outcome.message : '' });
  };
}
