import type { Attributes, Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { BufferConfig, Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchQueueObserver } from './batch-queue-observer';
import { CountingSpanProcessor } from './counting-span-processor';
import { HighResolutionTracerProvider } from './high-resolution-tracer-provider';
import { registerOtelgrpcInstrumentation } from './otelgrpc-instrumentation';
import type { OtelgrpcShapeOptions } from './otelgrpc-shaped-tracer';
import type { CountingSpanExporter, ExportStats } from './otlp-grpc-exporter';
import { createOtlpGrpcTraceExporter } from './otlp-grpc-exporter';

export interface ProcessTracingOptions {
  /** Attributes the component sets itself (service.name, host.name, ...); they win over OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes: Attributes;
  /** Schema URL of the resource, when the component sets one (CRI-O: semconv 1.12.0). */
  schemaUrl?: string;
  /** Whether OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME are merged underneath (otel-go `WithResource` does). */
  mergeEnvironmentResource: boolean;
  sampler: Sampler;
  /** gRPC target of the collector; unset ⇒ OTEL_EXPORTER_OTLP_ENDPOINT, then localhost:4317. */
  endpoint: string | undefined;
  otelgrpcVersion?: string;
  /** gRPC methods (last path segment) that get no span at all (e.g. RPCs the emulated server does not know). */
  untracedMethods?: readonly string[];
  /** Span shape differences of older otelgrpc releases (see OtelgrpcShapeOptions). */
  otelgrpcShape?: OtelgrpcShapeOptions;
  /** Tests pass an in-memory exporter (exported synchronously) instead of OTLP. */
  exporter?: SpanExporter;
  /**
   * Builds the batch-exported exporter instead of OTLP/gRPC to `endpoint` (e.g. containerd's OTLP
   * http/protobuf). Called after the gRPC instrumentation is registered.
   */
  createExporter?: () => CountingSpanExporter;
}

export interface ProcessTracing {
  tracer(scopeName: string, version?: string): Tracer;
  readonly provider: NodeTracerProvider;
  /** Export counts when exporting over OTLP. */
  readonly exportStats: ExportStats | undefined;
  /** Sampled spans the batch processor dropped because its queue was full; undefined without OTLP export. */
  droppedSpans(): number | undefined;
  /** Spans waiting in the batch processor's queue now, and its capacity (maxQueueSize); undefined without OTLP export. */
  queue(): { size: number; capacity: number } | undefined;
  /** Sampled spans that ended and went to the batch processor so far; undefined without OTLP export. */
  endedSpans(): number | undefined;
  /**
   * Ended spans that were neither exported, nor given up on by the exporter, nor dropped: once shutdown() has
   * returned, the spans abandoned in an export still in flight (the batch processor's shutdown flushes its
   * queue but does not wait for an export its timer started). Before shutdown, those queued or in flight.
   */
  unsettledSpans(): number | undefined;
  readonly exportTarget: string | undefined;
  /** Flushes queued spans and stops exporting; idempotent. */
  shutdown(): Promise<void>;
}

/**
 * One process's tracing, set up as the Go components set theirs up (k8s.io/component-base tracing
 * `NewProvider`, CRI-O `internal/opentelemetry`): a batch span processor over an insecure OTLP/gRPC exporter,
 * the caller's resource and sampler, W3C TraceContext + Baggage propagation, and gRPC instrumentation.
 * Order matters: the instrumentation is registered (through a proxy provider) before anything in this thread
 * loads @grpc/grpc-js (the exporter loads its own copy on the export worker, uninstrumented), and the real
 * provider is swapped in once it exists.
 */
export async function startProcessTracing(options: ProcessTracingOptions): Promise<ProcessTracing> {
  const proxy = new ProxyTracerProvider();
  registerOtelgrpcInstrumentation({
    tracerProvider: proxy,
    otelgrpcVersion: options.otelgrpcVersion,
    untracedMethods: options.untracedMethods,
    shape: options.otelgrpcShape,
  });

  const counting: CountingSpanExporter | undefined = options.exporter
    ? undefined
    : (options.createExporter?.() ?? createOtlpGrpcTraceExporter(options.endpoint));
  await counting?.ready(); // the export worker's module loading, done before the process serves
  // The batch processor drops spans with only a diag warning when its queue is full: its own self-observability
  // counts say how many, and the queue's length; the spans that reach it are counted in front of it.
  const queueObserver = options.exporter ? undefined : new BatchQueueObserver();
  // sdk-trace-base 2.12's BatchSpanProcessor types its config as BufferConfig but passes all of it on to
  // @opentelemetry/sdk-trace's BatchSpanProcessorBase, whose options include selfObsMeterProvider.
  const batchConfig = { selfObsMeterProvider: queueObserver?.meterProvider } as BufferConfig;
  const counted = options.exporter ? undefined : new CountingSpanProcessor(new BatchSpanProcessor(counting as CountingSpanExporter, batchConfig));
  const processor: SpanProcessor = counted ?? new SimpleSpanProcessor(options.exporter as SpanExporter);

  const provider = new NodeTracerProvider({
    resource: await buildResource(options),
    sampler: options.sampler,
    spanProcessors: [processor],
  });
  provider.register({
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  // Every tracer, the instrumentation's and the global one included, times its spans with the span clock.
  const timed = new HighResolutionTracerProvider(provider);
  trace.disable();
  trace.setGlobalTracerProvider(timed);
  proxy.setDelegate(timed);

  let shutdownPromise: Promise<void> | undefined;
  return {
    tracer: (scopeName, version) => timed.getTracer(scopeName, version),
    provider,
    exportStats: counting?.stats,
    droppedSpans: () => queueObserver?.dropped,
    queue: () => (queueObserver ? { size: queueObserver.queueSize(), capacity: queueObserver.capacity } : undefined),
    endedSpans: () => counted?.ended,
    unsettledSpans: () => (counted && counting && queueObserver
      ? Math.max(0, counted.ended - counting.stats.exportedSpans - counting.stats.failedSpans - queueObserver.dropped)
      : undefined),
    exportTarget: counting?.target,
    shutdown: () => (shutdownPromise ??= provider.shutdown().catch(() => undefined)),
  };
}

export async function buildResource(options: Pick<ProcessTracingOptions, 'resourceAttributes' | 'schemaUrl' | 'mergeEnvironmentResource'>): Promise<Resource> {
  const own = resourceFromAttributes(options.resourceAttributes as Record<string, string | number | boolean>, { schemaUrl: options.schemaUrl });
  if (!options.mergeEnvironmentResource) return own;
  const env = detectResources({ detectors: [envDetector] });
  await env.waitForAsyncAttributes?.();
  return env.merge(own);
}
