import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { context as contextApi } from '@opentelemetry/api';
import { nodeScopeOf, withNodeScope } from './node-scope';

/**
 * The global propagator of a process running many simulated nodes: the wrapped propagator's extraction
 * (W3C TraceContext + Baggage), plus the node scope of the work that extracts.
 *
 * A gRPC server span starts from `propagation.extract(ROOT_CONTEXT, metadata)` (instrumentation-grpc's
 * server patch), which would drop the node scope; the extraction runs in the handler's ambient context,
 * which a node's server interceptor has scoped to its node (./node-scope-server-interceptor.ts). Injection
 * is the wrapped propagator's, unchanged: the scope never reaches the wire.
 */
export class NodeScopePropagator implements TextMapPropagator {
  constructor(private readonly delegate: TextMapPropagator) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.delegate.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.delegate.extract(ctx, carrier, getter);
    if (nodeScopeOf(extracted) !== undefined) return extracted;
    const ambient = nodeScopeOf(contextApi.active());
    return ambient === undefined ? extracted : withNodeScope(extracted, ambient);
  }

  fields(): string[] {
    return this.delegate.fields();
  }
}
