import type { Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FleetTracing, NodeTracing } from '../../../cri-proto/src/tracing/fleet-tracing';
import { startFleetTracing } from '../../../cri-proto/src/tracing/fleet-tracing';

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
  getTracer(scope: string, version?: string): Tracer;
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
    return { getTracer: (scope, version) => noop.getTracer(scope, version), tracing: undefined, shutdown: async () => undefined };
  }
  const tracing = await startProcessTracing({
    ...kubeletNodeTracingOptions(config, hostname),
    endpoint: config.endpoint,
    exporter,
  });
  return { getTracer: (scope, version) => tracing.tracer(scope, version), tracing, shutdown: () => tracing.shutdown() };
}

/** The resource and sampler of one kubelet (component-base NewProvider with the kubelet's resource). */
function kubeletNodeTracingOptions(config: KubeletTracingConfig, hostname: string) {
  return {
    resourceAttributes: { 'service.name': KUBELET_SERVICE_NAME, 'host.name': hostname },
    mergeEnvironmentResource: true,
    sampler: kubeletSampler(config.samplingRatePerMillion),
  };
}

/**
 * Tracing for `--nodes N` kubelets in one process: each node the provider a kubelet on its own machine
 * would build (resource `service.name=kubelet`, `host.name=<node name>`, its own sampler and batch
 * processor), all exporting over one OTLP channel; CRI CLIENT spans reach the node whose calls made them
 * (cri-proto fleet-tracing.ts). Undefined without a `tracing` block: no node traces, as a kubelet would not.
 * Must run before anything loads @grpc/grpc-js.
 */
export async function startKubeletFleetTracing(config: KubeletTracingConfig | undefined, exporter?: SpanExporter): Promise<KubeletFleetTracing | undefined> {
  if (config === undefined) return undefined;
  const fleet = await startFleetTracing({ endpoint: config.endpoint, exporter });
  return {
    fleet,
    addNode: (hostname) => fleet.addNode(kubeletNodeTracingOptions(config, hostname)),
  };
}

export interface KubeletFleetTracing {
  readonly fleet: FleetTracing;
  addNode(hostname: string): Promise<NodeTracing>;
}
