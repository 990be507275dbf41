import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing } from '../../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../../cri-proto/src/tracing/process-tracing';

/** server/embed/config.go@v3.6.14 DefaultDistributedTracingAddress / DefaultDistributedTracingServiceName. */
export const ETCD_TRACING_DEFAULTS = { address: 'localhost:4317', serviceName: 'etcd', samplingRatePerMillion: 0 } as const;
/** otelgrpc version etcd v3.6.x links (server/go.mod@v3.6.14), reported as the instrumentation scope version. */
export const ETCD_OTELGRPC_VERSION = '0.59.0';
const MAX_SAMPLING_RATE_PER_MILLION = 1_000_000;

export interface EtcdTracingFlags {
  enableDistributedTracing: boolean;
  distributedTracingAddress: string;
  distributedTracingServiceName: string;
  distributedTracingInstanceId: string;
  distributedTracingSamplingRate: number;
}

/**
 * server/embed/config_tracing.go@v3.6.14 validateTracingConfig: the same two checks and messages (the
 * upper bound reads "less than" although one million itself is accepted).
 */
export function validateEtcdTracing(samplingRate: number): string | undefined {
  if (samplingRate < 0) return 'tracing sampling rate must be positive';
  if (samplingRate > MAX_SAMPLING_RATE_PER_MILLION) return `tracing sampling rate must be less than ${MAX_SAMPLING_RATE_PER_MILLION}`;
  return undefined;
}

/** config_tracing.go determineSampler under ParentBased: NeverSample at rate 0, else TraceIDRatioBased(rate/1e6). */
export function etcdSampler(samplingRatePerMillion: number): Sampler {
  const root = samplingRatePerMillion === 0 ? new AlwaysOffSampler() : new GoTraceIdRatioBasedSampler(samplingRatePerMillion / MAX_SAMPLING_RATE_PER_MILLION);
  return new ParentBasedSampler({ root });
}

/**
 * etcd 3.6's server-side tracing (config_tracing.go newTracingExporter, v3rpc/grpc.go Server): only with
 * --enable-distributed-tracing; OTLP/gRPC insecure to --distributed-tracing-address, batch processor,
 * resource service.name (+ service.instance.id when an instance id is given), W3C TraceContext + Baggage,
 * and otelgrpc's server stats handler (v0.59.0, no message events) on every RPC. Must run before anything
 * loads @grpc/grpc-js.
 */
export async function startEtcdTracing(flags: EtcdTracingFlags, exporter?: SpanExporter): Promise<ProcessTracing | undefined> {
  if (!flags.enableDistributedTracing) return undefined;
  const resourceAttributes: Record<string, string> = { 'service.name': flags.distributedTracingServiceName };
  if (flags.distributedTracingInstanceId !== '') resourceAttributes['service.instance.id'] = flags.distributedTracingInstanceId;
  return startProcessTracing({
    resourceAttributes,
    mergeEnvironmentResource: true,
    sampler: etcdSampler(flags.distributedTracingSamplingRate),
    endpoint: flags.distributedTracingAddress,
    otelgrpcVersion: ETCD_OTELGRPC_VERSION,
    exporter,
  });
}
