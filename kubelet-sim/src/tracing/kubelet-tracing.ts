import type { Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** `service.name` of the kubelet's resource (cmd/kubelet/app/server.go componentKubelet). */
export const KUBELET_SERVICE_NAME = 'kubelet';

/** The `tracing:` block of a KubeletConfiguration (component-base TracingConfiguration). */
export interface KubeletTracingConfig {
  endpoint?: string;
  samplingRatePerMillion?: number;
}

/**
 * component-base `NewProvider`'s sampler: ParentBased with a root sampler that never samples when the rate
 * is unset or ≤ 0 (only a sampled parent is followed), else TraceIDRatioBased(rate / 1e6).
 */
export function kubeletSampler(samplingRatePerMillion: number | undefined): Sampler {
  const rate = samplingRatePerMillion ?? 0;
  const root = rate <= 0 ? new AlwaysOffSampler() : new GoTraceIdRatioBasedSampler(rate / 1_000_000);
  return new ParentBasedSampler({ root });
}

export interface KubeletTracing {
  getTracer(scope: string): Tracer;
  /** OTLP export counts, or undefined with no tracing. */
  tracing: ProcessTracing | undefined;
  shutdown(): Promise<void>;
}

/**
 * The kubelet's tracer provider (cmd/kubelet/app/server.go newTracerProvider → component-base NewProvider):
 * only built when KubeletConfiguration has a `tracing` block; resource `service.name=kubelet`,
 * `host.name=<node name>` over OTEL_RESOURCE_ATTRIBUTES; insecure OTLP/gRPC batch export; W3C propagation.
 * Without the block nothing is registered, so CRI calls carry no trace context and cost no instrumentation.
 * Must run before anything loads @grpc/grpc-js.
 */
export async function startKubeletTracing(config: KubeletTracingConfig | undefined, hostname: string, exporter?: SpanExporter): Promise<KubeletTracing> {
  if (config === undefined) {
    // A proxy with no delegate hands out no-op tracers: the kubelet's noop TracerProvider.
    const noop = new ProxyTracerProvider();
    return { getTracer: (scope) => noop.getTracer(scope), tracing: undefined, shutdown: async () => undefined };
  }
  const tracing = await startProcessTracing({
    resourceAttributes: { 'service.name': KUBELET_SERVICE_NAME, 'host.name': hostname },
    mergeEnvironmentResource: true,
    sampler: kubeletSampler(config.samplingRatePerMillion),
    endpoint: config.endpoint,
    exporter,
  });
  return { getTracer: (scope) => tracing.tracer(scope), tracing, shutdown: () => tracing.shutdown() };
}
