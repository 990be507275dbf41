/**
 * The export worker's side of ./plain-span.ts: turns plain batches back into objects the OTLP transform
 * accepts as ReadableSpans. Only what the transform reads is there (@opentelemetry/otlp-transformer
 * trace/internal.js); resources and scopes are kept by number for the worker's life, one object each, since
 * the transform groups spans by resource identity and the input order of spans decides the request's order.
 */
import type { Attributes, HrTime, SpanContext, SpanStatus, TraceState } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { PlainEventSlots, PlainLink, PlainScope, PlainSpan, PlainSpanBatch, PlainSpanContext } from './plain-span';
import { EVENT_SLOTS } from './plain-span';

interface ResourceView {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
}

export class PlainSpanReader {
  private readonly resources = new Map<number, ResourceView>();
  private readonly scopes = new Map<number, PlainScope>();

  /** Spans of `batch`, in order; registers the resources and scopes it introduces first. */
  read(batch: PlainSpanBatch): ReadableSpan[] {
    for (const [id, resource] of batch.resources) this.resources.set(id, resource);
    for (const [id, scope] of batch.scopes) this.scopes.set(id, scope);
    return batch.spans.map((span) => this.readSpan(span));
  }

  private readSpan(plain: PlainSpan): ReadableSpan {
    const resource = this.resources.get(plain[0]);
    const scope = this.scopes.get(plain[1]);
    if (resource === undefined || scope === undefined) {
      throw new Error(`span ${plain[3]} refers to resource ${plain[0]} / scope ${plain[1]}, which this worker was never sent`);
    }
    return new PlainReadableSpan(plain, resource, scope) as unknown as ReadableSpan;
  }
}

type LinkView = { context: SpanContext; attributes?: Attributes; droppedAttributesCount?: number };

class PlainReadableSpan {
  readonly name: string;
  readonly kind: number;
  readonly parentSpanContext: Pick<SpanContext, 'spanId' | 'isRemote'> | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: LinkView[];
  readonly events: TimedEvent[];
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  private readonly context: SpanContext;

  constructor(
    plain: PlainSpan,
    readonly resource: ResourceView,
    readonly instrumentationScope: PlainScope,
  ) {
    const [, , traceId, spanId, traceFlags, isRemote, traceState, parentSpanId, parentIsRemote, name, kind, startSeconds, startNanos, endSeconds, endNanos, attributes, droppedAttributesCount, events, droppedEventsCount, statusCode, statusMessage, links, droppedLinksCount] = plain;
    this.context = toSpanContext({ traceId, spanId, traceFlags, isRemote, traceState });
    this.parentSpanContext = parentSpanId === undefined ? undefined : { spanId: parentSpanId, isRemote: parentIsRemote };
    this.name = name;
    this.kind = kind;
    this.startTime = [startSeconds, startNanos];
    this.endTime = [endSeconds, endNanos];
    this.attributes = attributes;
    this.droppedAttributesCount = droppedAttributesCount;
    this.events = readEvents(events);
    this.droppedEventsCount = droppedEventsCount;
    this.status = statusMessage === undefined ? { code: statusCode } : { code: statusCode, message: statusMessage };
    this.links = links === undefined ? [] : links.map(toLink);
    this.droppedLinksCount = droppedLinksCount;
  }

  spanContext(): SpanContext {
    return this.context;
  }
}

function readEvents(slots: PlainEventSlots): TimedEvent[] {
  const events = new Array<TimedEvent>(slots.length / EVENT_SLOTS);
  for (let i = 0, e = 0; i < slots.length; i += EVENT_SLOTS, e++) {
    events[e] = {
      name: slots[i] as string,
      time: [slots[i + 1] as number, slots[i + 2] as number],
      attributes: slots[i + 3] as Attributes | undefined,
      droppedAttributesCount: slots[i + 4] as number | undefined,
    };
  }
  return events;
}

function toLink(link: PlainLink): LinkView {
  return { context: toSpanContext(link.context), attributes: link.attributes, droppedAttributesCount: link.droppedAttributesCount };
}

function toSpanContext(plain: PlainSpanContext): SpanContext {
  const context: SpanContext = { traceId: plain.traceId, spanId: plain.spanId, traceFlags: plain.traceFlags, isRemote: plain.isRemote };
  if (plain.traceState !== undefined) context.traceState = serializedTraceState(plain.traceState);
  return context;
}

/** The transform only calls serialize(); the header form travelled as it was written. */
function serializedTraceState(serialized: string): TraceState {
  const unsupported = (): never => {
    throw new Error('the export worker carries a trace state only to serialize it');
  };
  return { serialize: () => serialized, set: unsupported, unset: unsupported, get: unsupported };
}
