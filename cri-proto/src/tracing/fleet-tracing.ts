import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { CountingSpanProcessor } from './counting-span-processor';
import { HighResolutionTracerProvider } from './high-resolution-tracer-provider';
import { NodeRoutingTracerProvider } from './node-routing-tracer-provider';
import { runInNodeScope } from './node-scope';
import { NodeScopePropagator } from './node-scope-propagator';
import { registerOtelgrpcInstrumentation } from './otelgrpc-instrumentation';
import type { ExportStats } from './otlp-grpc-exporter';
import { CountingSpanExporter, createOtlpGrpcTraceExporter } from './otlp-grpc-exporter';
import type { ProcessTracingOptions } from './process-tracing';
import { buildResource } from './process-tracing';

/** What all nodes of a process share: the gRPC instrumentation's shape and the exporter. */
export type FleetTracingOptions = Omit<ProcessTracingOptions, 'resourceAttributes' | 'schemaUrl' | 'mergeEnvironmentResource' | 'sampler'>;
/** What each node has of its own: its resource and its sampler. */
export type NodeTracingOptions = Pick<ProcessTracingOptions, 'resourceAttributes' | 'schemaUrl' | 'mergeEnvironmentResource' | 'sampler'>;

/** One simulated node's tracing inside a fleet process. */
export interface NodeTracing {
  tracer(scopeName: string, version?: string): Tracer;
  /** The node's (span-clock timed) provider; also the key of its scope. */
  readonly provider: TracerProvider;
  /** This node's export counts (undefined with a test exporter). */
  readonly exportStats: ExportStats | undefined;
  /** Runs `fn` in this node's scope: gRPC and `trace.getTracer` spans made inside belong to this node. */
  run<T>(fn: () => T): T;
  /** Sampled spans this node ended (handed to its processor). */
  endedSpans(): number;
  /** Flushes this node's queued spans and stops its processor; idempotent. */
  shutdown(): Promise<void>;
}

export interface FleetTracing {
  addNode(options: NodeTracingOptions): Promise<NodeTracing>;
  /** The whole process's export counts (undefined with a test exporter). */
  readonly exportStats: ExportStats | undefined;
  readonly exportTarget: string | undefined;
  /** Spans asked for outside every node's scope, which nothing exports (0 when the wiring is right). */
  unscopedSpans(): number;
  /**
   * Sampled spans the nodes' batch processors dropped (queue full): ended minus exported minus failed.
   * Exact once shutdown() has flushed everything; undefined with a test exporter.
   */
  droppedSpans(): number | undefined;
  /** Flushes every node and closes the exporter; idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Tracing for a process that runs many simulated nodes, each traced as its own component would be traced
 * on its own machine: its own tracer provider with its own resource (`service.name`, `host.name`) and
 * sampler, and its own batch span processor (the 2048-span queue, 512-span batches and 5 s delay each
 * kubelet or runtime has, so one node's burst never drops another node's spans), so each export request
 * carries one node's resource as a real node's would. The nodes share one OTLP exporter (one channel to
 * the collector) and one registration of the gRPC instrumentation, whose spans the global provider routes
 * to the node in whose scope the call runs (./node-routing-tracer-provider.ts, ./node-scope-propagator.ts).
 * Span shapes are those of startProcessTracing: the same instrumentation, shaping and span clock.
 */
export async function startFleetTracing(options: FleetTracingOptions): Promise<FleetTracing> {
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
  const shared = new SharedSpanExporter((options.exporter ?? counting) as SpanExporter);

  // A provider with no processor registers what is process-wide: the async-hooks context manager and the
  // W3C propagators (wrapped to carry the node scope through extraction).
  const base = new NodeTracerProvider();
  base.register({
    propagator: new NodeScopePropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })),
  });
  const router = new NodeRoutingTracerProvider();
  trace.disable();
  trace.setGlobalTracerProvider(router);
  proxy.setDelegate(router);

  const nodes: NodeTracing[] = [];
  let shutdownPromise: Promise<void> | undefined;
  return {
    async addNode(nodeOptions) {
      const nodeExporter = counting === undefined ? undefined : new CountingSpanExporter(shared, counting.target, () => undefined);
      const processor = new CountingSpanProcessor(nodeExporter === undefined ? new SimpleSpanProcessor(shared) : new BatchSpanProcessor(nodeExporter));
      const provider = new NodeTracerProvider({ resource: await buildResource(nodeOptions), sampler: nodeOptions.sampler, spanProcessors: [processor] });
      const timed = new HighResolutionTracerProvider(provider);
      let nodeShutdown: Promise<void> | undefined;
      const node: NodeTracing = {
        tracer: (scopeName, version) => timed.getTracer(scopeName, version),
        provider: timed,
        exportStats: nodeExporter?.stats,
        endedSpans: () => processor.ended,
        run: (fn) => runInNodeScope(timed, fn),
        shutdown: () => (nodeShutdown ??= provider.shutdown().catch(() => undefined)),
      };
      nodes.push(node);
      return node;
    },
    exportStats: counting?.stats,
    exportTarget: counting?.target,
    unscopedSpans: () => router.unscopedSpans,
    droppedSpans: () => {
      const stats = counting?.stats;
      if (stats === undefined) return undefined;
      return nodes.reduce((n, node) => n + node.endedSpans(), 0) - stats.exportedSpans - stats.failedSpans;
    },
    shutdown: () =>
      (shutdownPromise ??= (async () => {
        await Promise.all(nodes.map((n) => n.shutdown()));
        await shared.close();
      })()),
  };
}

/**
 * The exporter every node's processor writes to. A processor shuts its exporter down with itself; the
 * shared one stays open until the whole fleet closes it.
 */
class SharedSpanExporter implements SpanExporter {
  constructor(private readonly delegate: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.delegate.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return this.delegate.forceFlush?.() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.delegate.shutdown().catch(() => undefined);
  }
}
