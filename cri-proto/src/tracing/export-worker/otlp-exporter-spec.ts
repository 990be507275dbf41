/**
 * Which OTLP exporter the export worker builds, as data that can cross to a worker thread, and the
 * exporter itself. Both kinds read OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT/HEADERS/TIMEOUT from the environment
 * they are built in, as otlptracegrpc / otlptracehttp do in Go; the worker is given the environment the
 * process had when its exporter was configured.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export type OtlpExporterSpec =
  /** OTLP/gRPC over an insecure channel (k8s.io/component-base tracing/utils.go `WithInsecure()`); url unset ⇒ env, then localhost:4317. */
  | { readonly protocol: 'grpc'; readonly url?: string }
  /** OTLP http/protobuf (containerd's default, pkg/tracing/plugin/otlp.go); url unset ⇒ env. */
  | { readonly protocol: 'http/protobuf'; readonly url?: string };

/** Builds the exporter `spec` names. Loads @grpc/grpc-js for the gRPC kind. */
export function buildOtlpExporter(spec: OtlpExporterSpec): SpanExporter {
  if (spec.protocol === 'grpc') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpcJs = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
    return new OTLPTraceExporter({ url: spec.url, credentials: grpcJs.credentials.createInsecure() });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(spec.url === undefined ? {} : { url: spec.url });
}

/** Default of the OTLP exporters' per-export timeout (OpenTelemetry specification: OTEL_EXPORTER_OTLP_TIMEOUT). */
export const OTLP_EXPORT_TIMEOUT_MS = 10_000;

/**
 * The per-export timeout the exporters will use: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, then
 * OTEL_EXPORTER_OTLP_TIMEOUT (milliseconds), else 10 s; a value that is not a positive number is ignored
 * here as the exporters ignore it.
 */
export function otlpExportTimeoutMillis(env: NodeJS.ProcessEnv): number {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const value = Number(env[name]?.trim() || NaN);
    if (Number.isFinite(value) && value > 0) return value;
  }
  return OTLP_EXPORT_TIMEOUT_MS;
}
