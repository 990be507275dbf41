// A real OpenTelemetry SDK pipeline that exports over OTLP/gRPC, for tests of
// receivers. Each ended span is exported at once (SimpleSpanProcessor).
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface OtlpTestTracer {
  tracer: Tracer;
  /** Waits until every ended span has been exported. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function createOtlpTestTracer(opts: { address: string; serviceName: string; scopeName: string }): OtlpTestTracer {
  const exporter = new OTLPTraceExporter({ url: `http://${opts.address}` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer(opts.scopeName, '1.2.3'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
