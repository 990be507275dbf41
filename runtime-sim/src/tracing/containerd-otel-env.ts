/**
 * containerd 2.x tracing configuration, which comes from OTEL_* environment variables only
 * (containerd pkg/tracing/plugin/otlp.go; the config.toml tracing tables are deprecated there):
 *  - OTEL_SDK_DISABLED=true                       ⇒ the exporter plugin is skipped;
 *  - OTEL_TRACES_EXPORTER set to anything but otlp ⇒ skipped;
 *  - neither OTEL_EXPORTER_OTLP_TRACES_ENDPOINT nor OTEL_EXPORTER_OTLP_ENDPOINT ⇒ skipped ("not configured");
 *  - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default) or
 *    `grpc`; any other value fails the plugin (containerd logs it and runs without tracing).
 * The exporters read the endpoint variables themselves, as otlptracehttp/otlptracegrpc do; both run on the
 * export worker thread (cri-proto/src/tracing/export-worker/).
 */
import { WorkerSpanExporter } from '../../../cri-proto/src/tracing/export-worker/worker-span-exporter';
import { CountingSpanExporter, createOtlpGrpcTraceExporter } from '../../../cri-proto/src/tracing/otlp-grpc-exporter';

export const OTLP_PROTOCOLS = ['http/protobuf', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export type ContainerdOtelConfig =
  | { readonly enabled: true; readonly protocol: OtlpProtocol; readonly endpoint: string }
  | { readonly enabled: false; readonly reason: string };

export function readContainerdOtelEnv(env: NodeJS.ProcessEnv): ContainerdOtelConfig {
  if (/^(1|t|true)$/i.test(env.OTEL_SDK_DISABLED ?? '')) return { enabled: false, reason: 'OTEL_SDK_DISABLED is true' };
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== '' && exporter !== 'otlp') {
    return { enabled: false, reason: `OTEL_TRACES_EXPORTER=${JSON.stringify(exporter)} is not supported; only "otlp"` };
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    return { enabled: false, reason: 'tracing endpoint not configured (set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)' };
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    return { enabled: false, reason: `OpenTelemetry protocol ${JSON.stringify(protocol)}: not implemented (use http/protobuf or grpc)` };
  }
  return { enabled: true, protocol: protocol as OtlpProtocol, endpoint };
}

/**
 * The exporter containerd builds for `protocol`. Without `url` the exporter reads the
 * OTEL_EXPORTER_OTLP_* variables itself (containerd 2.x); with it, it posts there (containerd 1.x TOML).
 */
export function createContainerdExporter(config: { protocol: OtlpProtocol; endpoint: string }, url?: string): CountingSpanExporter {
  if (config.protocol === 'grpc') return createOtlpGrpcTraceExporter(url);
  return new CountingSpanExporter(new WorkerSpanExporter({ protocol: 'http/protobuf', url }), url ?? config.endpoint);
}
