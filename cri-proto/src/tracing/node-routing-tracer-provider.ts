import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { context as contextApi, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { nodeScopeOf } from './node-scope';

/**
 * The process-global tracer provider of a process running many simulated nodes: every span is made by the
 * tracer of the node whose provider the parent context carries (./node-scope.ts). The instrumentation and
 * any code calling `trace.getTracer` get their spans routed to the right node without knowing of nodes.
 * A span started outside any node's scope is a non-recording span (counted in `unscopedSpans`): no node
 * would own it, and no real component would have made it.
 */
export class NodeRoutingTracerProvider implements TracerProvider {
  /** Spans asked for outside every node's scope (none are expected; tests assert it). */
  unscopedSpans = 0;
  private readonly noop = new ProxyTracerProvider().getTracer('unscoped');

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new NodeRoutingTracer(this, name, version, options);
  }

  /** The tracer `ctx`'s node uses for this scope; the no-op tracer outside every node. */
  tracerFor(ctx: Context, name: string, version: string | undefined, options: TracerOptions | undefined, cache: WeakMap<TracerProvider, Tracer>): Tracer {
    const provider = nodeScopeOf(ctx);
    if (provider === undefined) {
      this.unscopedSpans++;
      return this.noop;
    }
    let tracer = cache.get(provider);
    if (tracer === undefined) {
      tracer = provider.getTracer(name, version, options);
      cache.set(provider, tracer);
    }
    return tracer;
  }
}

class NodeRoutingTracer implements Tracer {
  /** This scope's tracer per node provider. */
  private readonly perNode = new WeakMap<TracerProvider, Tracer>();

  constructor(
    private readonly router: NodeRoutingTracerProvider,
    private readonly name: string,
    private readonly version: string | undefined,
    private readonly options: TracerOptions | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    const parent = ctx ?? contextApi.active();
    return this.router.tracerFor(parent, this.name, this.version, this.options, this.perNode).startSpan(name, options, parent);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = (args.length >= 2 ? args[0] : undefined) as SpanOptions | undefined;
    const parent = (args.length >= 3 ? (args[1] as Context) : undefined) ?? contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}
