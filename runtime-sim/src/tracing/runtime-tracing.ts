import { hostname } from 'node:os';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import type { Persona } from '../state/persona';

export interface RuntimeTracingOptions {
  persona: Persona;
  /** gRPC target of the collector (CRI-O tracing_endpoint); containerd 2.x reads OTEL_EXPORTER_OTLP_ENDPOINT instead. */
  endpoint: string | undefined;
  /** CRI-O tracing_sampling_rate_per_million. */
  samplingRatePerMillion: number;
  exporter?: SpanExporter;
}

/** CRI-O's default tracing endpoint since v1.31 (pkg/config/config.go). */
export const CRIO_DEFAULT_TRACING_ENDPOINT = '127.0.0.1:4317';

/**
 * The runtime's tracer provider, per persona:
 *  - crio (internal/opentelemetry/tracing_config.go): resource service.name=crio, host.name, process.pid with
 *    schema semconv 1.12.0; ParentBased(NeverSample | TraceIDRatioBased(rate/1e6)); global TraceContext+Baggage.
 *  - containerd 2.x (pkg/tracing, configured by OTEL_* env): service.name from OTEL_SERVICE_NAME, default
 *    `containerd`; the SDK's default sampler ParentBased(AlwaysOn).
 * Both: batch span processor over insecure OTLP/gRPC, and otelgrpc server spans for every CRI call.
 * Must run before anything loads @grpc/grpc-js.
 */
export function startRuntimeTracing(options: RuntimeTracingOptions): Promise<ProcessTracing> {
  if (options.persona === 'crio') {
    const rate = options.samplingRatePerMillion;
    return startProcessTracing({
      resourceAttributes: { 'service.name': 'crio', 'host.name': hostname(), 'process.pid': process.pid },
      schemaUrl: 'https://opentelemetry.io/schemas/1.12.0',
      mergeEnvironmentResource: true,
      sampler: new ParentBasedSampler({ root: rate <= 0 ? new AlwaysOffSampler() : new GoTraceIdRatioBasedSampler(rate / 1_000_000) }),
      endpoint: options.endpoint ?? CRIO_DEFAULT_TRACING_ENDPOINT,
      exporter: options.exporter,
    });
  }
  return startProcessTracing({
    resourceAttributes: { 'service.name': process.env.OTEL_SERVICE_NAME || 'containerd', 'host.name': hostname() },
    mergeEnvironmentResource: true,
    sampler: containerdSampler(),
    endpoint: options.endpoint,
    exporter: options.exporter,
  });
}

/** containerd 2.x leaves sampling to the SDK's env configuration (OTEL_TRACES_SAMPLER[_ARG]); default ParentBased(AlwaysOn). */
function containerdSampler(): Sampler {
  const name = process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on';
  const arg = Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const ratio = Number.isFinite(arg) ? arg : 1;
  switch (name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new GoTraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new GoTraceIdRatioBasedSampler(ratio) });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
