/**
 * A TracerProvider in front of the SDK's that gives every span an explicit start time, end time and event
 * times from ./span-clock.ts unless the caller gave one. Everything else passes through: sampling, context,
 * processors and exporters see the SDK's own spans.
 */
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
  TracerOptions,
  TracerProvider,
} from '@opentelemetry/api';
import { context as contextApi, trace } from '@opentelemetry/api';
import { spanClockNow } from './span-clock';

export class HighResolutionTracerProvider implements TracerProvider {
  constructor(private readonly delegate: TracerProvider) {}

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new HighResolutionTracer(this.delegate.getTracer(name, version, options));
  }
}

export class HighResolutionTracer implements Tracer {
  constructor(private readonly delegate: Tracer) {}

  startSpan(name: string, options: SpanOptions = {}, ctx?: Context): Span {
    const span = this.delegate.startSpan(name, options.startTime === undefined ? { ...options, startTime: spanClockNow() } : options, ctx);
    return span.isRecording() ? new HighResolutionSpan(span) : span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = (args.length >= 2 ? args[0] : undefined) as SpanOptions | undefined;
    const parent = (args.length >= 3 ? args[1] : undefined) as Context | undefined;
    const ctx = parent ?? contextApi.active();
    const span = this.startSpan(name, options, ctx);
    return contextApi.with(trace.setSpan(ctx, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}

class HighResolutionSpan implements Span {
  constructor(private readonly span: Span) {}

  spanContext(): SpanContext {
    return this.span.spanContext();
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.span.setAttribute(key, value);
    return this;
  }
  setAttributes(attributes: Attributes): this {
    this.span.setAttributes(attributes);
    return this;
  }
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (isTimeInput(attributesOrStartTime)) this.span.addEvent(name, attributesOrStartTime);
    else this.span.addEvent(name, attributesOrStartTime, startTime ?? spanClockNow());
    return this;
  }
  addLink(link: Link): this {
    this.span.addLink(link);
    return this;
  }
  addLinks(links: Link[]): this {
    this.span.addLinks(links);
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.span.setStatus(status);
    return this;
  }
  updateName(name: string): this {
    this.span.updateName(name);
    return this;
  }
  end(endTime?: TimeInput): void {
    this.span.end(endTime ?? spanClockNow());
  }
  isRecording(): boolean {
    return this.span.isRecording();
  }
  recordException(exception: Exception, time?: TimeInput): void {
    this.span.recordException(exception, time ?? spanClockNow());
  }
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}
