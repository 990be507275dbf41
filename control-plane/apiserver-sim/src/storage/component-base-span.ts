import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { context as otelContext, trace } from '@opentelemetry/api';

/**
 * component-base tracing.Start (tracing/tracing.go): an INTERNAL span under the span already in the context,
 * from the same provider, scope k8s.io/component-base/tracing. Runs `fn` with the span active and ends it
 * after, even when `fn` throws.
 */
export async function withComponentSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: (span: Span, ctx: Context) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { attributes }, otelContext.active());
  const ctx = trace.setSpan(otelContext.active(), span);
  try {
    return await otelContext.with(ctx, () => fn(span, ctx));
  } finally {
    span.end();
  }
}
